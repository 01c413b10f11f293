"""The deadline surge: many suppliers submit in the last minute before a bid deadline, some just after it.

On PostgreSQL, behind gunicorn, 1,000 suppliers (by default) each draft a bid on 1 to 5 of 20 lots and submit it
through the JSON API at a moment drawn for them in the last 60 seconds before the deadline; a few are drawn just
after it. Then the database is read back to prove that every accepted submission is stored exactly once with a
receipt that matches its content, and that every late one was refused and left nothing submitted.

    .venv/bin/python benchmarks/deadline_surge.py                      # the full run (about 2 minutes)
    .venv/bin/python benchmarks/deadline_surge.py --suppliers 50 --window 10   # a quick check

It needs a PostgreSQL server it may create a database on (default postgresql://postgres@127.0.0.1:5432).
It exits non-zero if any check fails.
"""
import argparse
import hashlib
import http.client
import json
import os
import platform
import random
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
ANSWER = "We will deliver within 20 working days of each call-off from stock held in London."


@dataclass
class Outcome:
    supplier: int
    lots: list[dict]
    scheduled: float  # seconds relative to the deadline
    draft_status: int = 0
    draft_latency: float = 0.0
    bid_id: int | None = None
    submit_status: int = 0
    submit_latency: float = 0.0
    submit_sent_at: float = 0.0  # seconds relative to the deadline
    receipt: dict | None = None
    submit_window: tuple[datetime, datetime] | None = None  # wall-clock send and answer of the submission
    answered: list[float] = field(default_factory=list)  # when each answer arrived, relative to the deadline
    errors: list[str] = field(default_factory=list)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suppliers", type=int, default=1000)
    parser.add_argument("--lots", type=int, default=20)
    parser.add_argument("--window", type=float, default=60.0, help="seconds before the deadline that bids arrive in")
    parser.add_argument("--late-fraction", type=float, default=0.05, help="share of suppliers drawn after it")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=200, help="concurrent client connections")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None, help="an empty database to use (default: a new one)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--write-readme", action="store_true", help="put the results in benchmarks/README.md")
    return parser.parse_args()


def fresh_database(url: str | None) -> tuple[str, str | None]:
    """The database to use, and its name if this run created it (to drop afterwards)."""
    if url:
        return url, None
    import psycopg

    name = f"consort_bench_surge_{os.getpid()}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{SERVER}/{name}", name


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_app(url: str):
    from app import create_app

    # A cheap password hash: the benchmark is about bids, not sign-in.
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark", "MAIL_SERVER": None,
                       "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"})


def set_up(app, args) -> tuple[int, dict[int, int], list[tuple[int, str]]]:
    """Migrate, then build an open framework with its lots and the suppliers with API tokens.

    Returns the framework id, lot id → number of criteria ids, and (supplier organisation id, token) pairs.
    """
    from flask_migrate import upgrade

    from app.accounts import services as accounts
    from app.accounts import tokens
    from app.domain.roles import OrganisationKind, Role
    from app.types import london_today, utcnow
    from frameworks import services as frameworks
    from frameworks.domain.lifecycle import FrameworkStatus
    from procurement import requirements

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        admin = accounts.create_user("admin@bench.example", "benchmark-password", Role.ADMIN, "Bench Consortium",
                                     OrganisationKind.CONSORTIUM)
        officer = accounts.create_user("officer@bench.gov.uk", "benchmark-password", Role.OFFICER,
                                       "London Borough of Benchmark", OrganisationKind.AUTHORITY)
        now = utcnow()
        framework = frameworks.create(admin, {
            "title": "Deadline surge", "description": "", "maximum_value": Decimal("100000000"),
            "bid_deadline": now + timedelta(days=2), "question_deadline": now + timedelta(days=1),
            "duration_months": 24, "max_lots_per_supplier": None, "min_sme_share": Decimal(0),
            "standstill_working_days": 8, "levy_percent": Decimal(1)})
        for number in range(1, args.lots + 1):
            need = requirements.create(officer, {
                "title": f"Need {number}", "description": "", "category": "devices", "quantity": Decimal(100),
                "unit": "laptop", "estimated_unit_price": Decimal(800),
                "needed_by": london_today() + timedelta(days=120)}, london_today())
            frameworks.add_lot(admin, framework.id, frameworks.LotInput(
                title=f"Lot {number}", description="", requirement_ids=[need.id], max_awards=3,
                budget=Decimal(80000), price_weight=40, price_formula="relative",
                criteria=[frameworks.CriterionInput("Quality", 35, 5), frameworks.CriterionInput("Social value",
                                                                                               25, 5)]))
        frameworks.transition(admin, framework.id, FrameworkStatus.OPEN)
        criteria = {lot.id: [c.id for c in lot.criteria] for lot in frameworks.get(framework.id).lots}
        suppliers = []
        for i in range(args.suppliers):
            email = f"bids@supplier{i:04d}.example"
            user = accounts.create_user(email, "benchmark-password", Role.SUPPLIER, f"Supplier {i:04d} Ltd",
                                        OrganisationKind.SUPPLIER, sme=i % 3 == 0)
            _, raw = tokens.issue(email, "benchmark-password")
            suppliers.append((user.organisation_id, raw))
        return framework.id, criteria, suppliers


def set_deadline(app, framework_id: int, deadline: datetime) -> None:
    from sqlalchemy import update

    from app.extensions import db
    from frameworks.models import Framework

    with app.app_context():
        db.session.execute(update(Framework).where(Framework.id == framework_id).values(
            question_deadline=deadline - timedelta(hours=1), bid_deadline=deadline))
        db.session.commit()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, workers: int, port: int) -> subprocess.Popen:
    env = os.environ | {"DATABASE_URL": url, "SECRET_KEY": "benchmark", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"}
    env.pop("MAIL_SERVER", None)
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [str(gunicorn), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--backlog", "2048",
         "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit("gunicorn did not answer /healthz")


class Client:
    """One keep-alive connection per thread."""

    local = threading.local()

    def __init__(self, port: int):
        self.port = port

    def call(self, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict, float]:
        for attempt in range(2):
            connection = getattr(self.local, "connection", None)
            if connection is None:
                connection = self.local.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            started = time.perf_counter()
            try:
                connection.request(method, path, body=json.dumps(body or {}),
                                   headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                response = connection.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException):
                connection.close()
                self.local.connection = None
                if attempt:
                    raise
                continue
            latency = time.perf_counter() - started
            return response.status, json.loads(data or b"{}"), latency
        raise RuntimeError("unreachable")


def plan(args, framework_id: int, criteria: dict[int, list[int]], suppliers) -> list[tuple[Outcome, str]]:
    rng = random.Random(args.seed)
    lot_ids = sorted(criteria)
    plans = []
    for organisation_id, token in suppliers:
        if rng.random() < args.late_fraction:
            when = rng.uniform(0.0, 5.0)
        elif rng.random() < 0.3:
            when = -rng.uniform(0.0, 5.0)  # the real rush: the last five seconds
        else:
            when = -rng.uniform(0.0, args.window)
        chosen = sorted(rng.sample(lot_ids, rng.randint(1, min(5, len(lot_ids)))))
        lots = [{"lot_id": lot_id, "price": f"{rng.randint(50_000, 79_999)}.{rng.randint(0, 99):02d}",
                 "answers": {str(c): f"{ANSWER} ({organisation_id}-{c})" for c in criteria[lot_id]}}
                for lot_id in chosen]
        plans.append((Outcome(organisation_id, lots, when), token))
    return plans


def run_one(client: Client, framework_id: int, deadline_at: float, outcome: Outcome, token: str) -> Outcome:
    delay = deadline_at + outcome.scheduled - time.perf_counter()
    if delay > 0:
        time.sleep(delay)
    try:
        status, body, latency = client.call("POST", f"/api/v1/frameworks/{framework_id}/bids", token,
                                            {"lots": outcome.lots, "bundles": []})
        outcome.draft_status, outcome.draft_latency = status, latency
        outcome.answered.append(time.perf_counter() - deadline_at)
        if status != 201:
            return outcome
        outcome.bid_id = body["id"]
        outcome.submit_sent_at = time.perf_counter() - deadline_at
        sent = datetime.now(UTC)
        status, body, latency = client.call("POST", f"/api/v1/bids/{outcome.bid_id}/submit", token)
        outcome.submit_window = (sent, datetime.now(UTC))
        outcome.submit_status, outcome.submit_latency = status, latency
        outcome.answered.append(time.perf_counter() - deadline_at)
        if status == 200:
            outcome.receipt = body["receipt"]
    except Exception as error:
        outcome.errors.append(repr(error))
    return outcome


def verify(app, framework_id: int, deadline: datetime, outcomes: list[Outcome]) -> dict:
    """Read the database back and check every outcome against it."""
    from sqlalchemy import func, select

    from app.extensions import db
    from suppliers import bids as bid_services
    from suppliers.domain import bidding
    from suppliers.models import Bid, BidStatus

    problems: list[str] = []
    with app.app_context():
        stored = {b.supplier_id: b for b in db.session.scalars(select(Bid).where(Bid.framework_id == framework_id))}
        per_supplier = db.session.execute(select(Bid.supplier_id, func.count()).where(
            Bid.framework_id == framework_id).group_by(Bid.supplier_id).having(func.count() > 1)).all()
        if per_supplier:
            problems.append(f"{len(per_supplier)} suppliers have more than one bid")
        for outcome in outcomes:
            bid = stored.get(outcome.supplier)
            if outcome.errors or outcome.draft_status >= 500 or outcome.submit_status >= 500:
                problems.append(f"supplier {outcome.supplier}: {outcome.errors or 'a 5xx answer'}")
                continue
            if outcome.submit_status == 200:
                if bid is None or bid.status != BidStatus.SUBMITTED:
                    problems.append(f"supplier {outcome.supplier}: accepted but not stored as submitted")
                    continue
                recomputed = hashlib.sha256(bidding.canonical(bid_services.content_of(bid))).hexdigest()
                if not (bid.receipt_sha256 == outcome.receipt["sha256"] == recomputed):
                    problems.append(f"supplier {outcome.supplier}: the receipt does not match the stored content")
                sent = sorted((lot["lot_id"], Decimal(lot["price"])) for lot in outcome.lots)
                if sorted((bl.lot_id, bl.price) for bl in bid.lots) != sent:
                    problems.append(f"supplier {outcome.supplier}: the stored lots differ from those sent")
                if not bid.submitted_at < deadline:
                    problems.append(f"supplier {outcome.supplier}: submitted at {bid.submitted_at}, after the deadline")
                # The receipt's time is the moment of the write: inside the request, not when it was queued.
                sent, answered = outcome.submit_window
                if not sent <= bid.submitted_at <= answered:
                    problems.append(f"supplier {outcome.supplier}: receipt time {bid.submitted_at} is outside its "
                                    f"request ({sent} to {answered})")
            elif bid is not None and bid.status == BidStatus.SUBMITTED:
                problems.append(f"supplier {outcome.supplier}: refused ({outcome.submit_status}) "
                                "but stored as submitted")
            if outcome.draft_status == 409 and bid is not None:
                problems.append(f"supplier {outcome.supplier}: a late draft was refused but stored")
        submitted = sum(1 for b in stored.values() if b.status == BidStatus.SUBMITTED)
    accepted = sum(1 for o in outcomes if o.submit_status == 200)
    if submitted != accepted:
        problems.append(f"{submitted} bids are stored as submitted, but {accepted} submissions were accepted")
    return {"problems": problems, "stored_submitted": submitted, "stored_bids": len(stored)}


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    memory = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    postgres = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW server_version"],
                              capture_output=True, text=True, check=False).stdout.strip() or "unknown"
    return (f"{os.cpu_count()} CPUs ({cpu}), {memory / 1024 / 1024:.0f} GiB RAM, Linux {platform.release()}, "
            f"Python {platform.python_version()}, PostgreSQL {postgres}")


def report(args, outcomes: list[Outcome], checked: dict, elapsed: float) -> str:
    drafts = [o.draft_latency for o in outcomes if o.draft_status]
    submits = [o.submit_latency for o in outcomes if o.submit_status]
    requests = len(drafts) + len(submits)
    accepted = sum(1 for o in outcomes if o.submit_status == 200)
    late_drafts = sum(1 for o in outcomes if o.draft_status == 409)
    late_submits = sum(1 for o in outcomes if o.submit_status == 409)
    errors = sum(1 for o in outcomes if o.errors or o.draft_status >= 500 or o.submit_status >= 500)
    scheduled_late = sum(1 for o in outcomes if o.scheduled >= 0)
    queued_past = sum(1 for o in outcomes if o.scheduled < 0 and (o.draft_status == 409 or o.submit_status == 409))
    served: dict[int, int] = {}
    for o in outcomes:
        for at in o.answered:
            served[int(at // 1)] = served.get(int(at // 1), 0) + 1
    ms = lambda values, p: f"{percentile(values, p) * 1000:.0f}"  # noqa: E731
    lines = [
        f"- suppliers: {args.suppliers}, lots: {args.lots}, window: {args.window:.0f} s, gunicorn workers: "
        f"{args.workers}, client connections: {args.clients}, seed: {args.seed}",
        f"- requests: {requests} in {elapsed:.1f} s: **{requests / elapsed:.1f} requests/s**; "
        f"busiest second: {peak(outcomes)} requests sent, {max(served.values(), default=0)} answered",
        "",
        "| request | n | p50 ms | p90 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|",
        f"| draft (POST /frameworks/{{id}}/bids) | {len(drafts)} | {ms(drafts, 50)} | {ms(drafts, 90)} | "
        f"{ms(drafts, 99)} | {ms(drafts, 100)} |",
        f"| submit (POST /bids/{{id}}/submit) | {len(submits)} | {ms(submits, 50)} | {ms(submits, 90)} | "
        f"{ms(submits, 99)} | {ms(submits, 100)} |",
        "",
        f"- accepted submissions (200 with a receipt): **{accepted}**; stored as submitted: "
        f"**{checked['stored_submitted']}**",
        f"- refused as late: **{late_drafts + late_submits}** ({late_drafts} drafts and {late_submits} submissions "
        f"answered 409): {scheduled_late} suppliers started after the deadline, and {queued_past} started before it "
        "but reached the server's write after it, in the queue of the last seconds",
        f"- drafts left unsubmitted (written before the deadline, submission refused after it): "
        f"{checked['stored_bids'] - checked['stored_submitted']}",
        f"- errors (5xx or broken connections): **{errors}**",
        "- checks: " + ("**all passed**" if not checked["problems"]
                        else "**FAILED**: " + "; ".join(checked["problems"][:10])),
        f"- machine: {machine()}",
    ]
    return "\n".join(lines)


def peak(outcomes: list[Outcome]) -> int:
    counts: dict[int, int] = {}
    for o in outcomes:
        for at in (o.scheduled, o.submit_sent_at if o.submit_status else None):
            if at is not None:
                counts[int(at // 1)] = counts.get(int(at // 1), 0) + 1
    return max(counts.values(), default=0)


def write_readme(text: str) -> None:
    readme = ROOT / "benchmarks" / "README.md"
    content = readme.read_text()
    start, end = "<!-- deadline-surge results -->", "<!-- /deadline-surge results -->"
    head, _, rest = content.partition(start)
    _, _, tail = rest.partition(end)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    readme.write_text(f"{head}{start}\nRun on {stamp}:\n\n{text}\n{end}{tail}")


def main() -> int:
    args = arguments()
    url, created = fresh_database(args.database_url)
    gunicorn = None
    try:
        app = make_app(url)
        print(f"Setting up {args.suppliers} suppliers and {args.lots} lots…", flush=True)
        framework_id, criteria, suppliers = set_up(app, args)
        port = free_port()
        gunicorn = start_gunicorn(url, args.workers, port)
        plans = plan(args, framework_id, criteria, suppliers)
        lead = 3.0  # time for the threads to start before the first bid is due
        deadline = datetime.now(UTC) + timedelta(seconds=args.window + lead)
        set_deadline(app, framework_id, deadline)
        deadline_at = time.perf_counter() + (deadline - datetime.now(UTC)).total_seconds()
        print(f"Deadline at {deadline.isoformat()}; bids arrive over the last {args.window:.0f} s…", flush=True)
        client = Client(port)
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            ordered = sorted(plans, key=lambda item: item[0].scheduled)
            outcomes = list(pool.map(lambda item: run_one(client, framework_id, deadline_at, *item), ordered))
        elapsed = time.perf_counter() - max(started, deadline_at - args.window)
        checked = verify(app, framework_id, deadline, outcomes)
        text = report(args, outcomes, checked, elapsed)
        print(text)
        if args.write_readme:
            write_readme(text)
        return 1 if checked["problems"] else 0
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        if created and not args.keep:
            drop_database(created)


if __name__ == "__main__":
    sys.exit(main())
