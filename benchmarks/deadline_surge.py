"""The deadline surge: many suppliers submit in the last minute before a bid deadline, some just after it.

On PostgreSQL, behind gunicorn, 1,000 suppliers (by default) each draft a bid on 1 to 5 of 20 lots and submit it
through the JSON API at a moment drawn for them in the last 60 seconds before the deadline; a few are drawn just
after it. Then the database is read back to prove that every accepted submission is stored exactly once with a
receipt that matches its content, and that every late write was refused and left nothing submitted.

    .venv/bin/python benchmarks/deadline_surge.py                              # the full run (about 2 minutes)
    .venv/bin/python benchmarks/deadline_surge.py --suppliers 50 --window 10   # a quick check

It needs a PostgreSQL server it may create a database on (default postgresql://postgres@127.0.0.1:5432); the
database consort_bench_surge is dropped first if present, and dropped again afterwards unless --keep.
It exits non-zero if any check fails.
"""
import argparse
import hashlib
import http.client
import json
import math
import os
import platform
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
MAINTENANCE = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "consort_bench_surge"
PASSWORD = "benchmark-password"
FAST_HASH = "pbkdf2:sha256:1"  # the benchmark is about bids, not sign-in
ANSWER = "We will deliver within 20 working days of each call-off from stock held in London."
LATE_MESSAGE = "The bid deadline has passed"  # the start of bidding.deadline_problem's answer
README = ROOT / "benchmarks" / "README.md"
MARKERS = ("<!-- deadline-surge results -->", "<!-- /deadline-surge results -->")


@dataclass
class Call:
    """One HTTP request: its answer, and when it was sent and answered (wall clock, as the server's utcnow)."""

    status: int = 0  # 0: no answer (the connection broke)
    body: dict = field(default_factory=dict)
    latency: float = 0.0  # seconds, from sending to the last byte of the answer
    sent: datetime | None = None
    answered: datetime | None = None
    error: str | None = None


@dataclass
class Outcome:
    supplier: int  # its organisation's id
    email: str
    token: str
    lots: list[dict]
    scheduled: float  # seconds relative to the deadline
    draft: Call | None = None
    submit: Call | None = None

    @property
    def bid_id(self) -> int | None:
        return self.draft.body.get("id") if self.draft and self.draft.status == 201 else None

    @property
    def deciding(self) -> Call | None:
        """The request whose answer decided the outcome: the submission if there was one, else the draft."""
        return self.submit or self.draft

    def kind(self) -> str:
        draft, submit = self.draft, self.submit
        if draft is None or draft.error or (submit is not None and submit.error):
            return "error"
        if draft.status == 201 and submit is not None and submit.status == 200:
            return "accepted"
        if draft.status == 201 and submit is not None and is_late_refusal(submit):
            return "refused at submit"
        if is_late_refusal(draft):
            return "refused at draft"
        return "error"  # any other answer is unexpected here


def is_late_refusal(call: Call) -> bool:
    return call.status == 409 and str(call.body.get("message", "")).startswith(LATE_MESSAGE)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suppliers", type=int, default=1000)
    parser.add_argument("--lots", type=int, default=20)
    parser.add_argument("--window", type=float, default=60.0, help="seconds before the deadline that bids arrive in")
    parser.add_argument("--late-fraction", type=float, default=0.05,
                        help="share of suppliers drawn 0-5 s after the deadline")
    parser.add_argument("--rush-fraction", type=float, default=0.3,
                        help="share of the others drawn in the last 5 s before it")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=200, help="client threads (concurrent requests)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None,
                        help="an empty database to use, e.g. postgresql+psycopg://... (default: a new one)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--write-readme", action="store_true", help="put the results in benchmarks/README.md")
    return parser.parse_args()


# --- the database and the app --------------------------------------------------------------------------------------

def fresh_database(url: str | None) -> tuple[str, str | None]:
    """The database to use, and its name if this run created it (to drop afterwards)."""
    if url:
        return url, None
    import psycopg

    with psycopg.connect(MAINTENANCE, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    return f"{SERVER}/{DATABASE}", DATABASE


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(MAINTENANCE, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_app(url: str):
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark", "MAIL_SERVER": None,
                       "PASSWORD_HASH_METHOD": FAST_HASH})


def set_up(app, args) -> tuple[int, dict[int, list[int]], list[tuple[int, str, str]]]:
    """Migrate, then build through the app's services an open framework with its lots and criteria, and the
    suppliers, each with a user and an API token.

    Returns the framework id, lot id → its criteria ids, and each supplier's (organisation id, e-mail, raw token).
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
        admin = accounts.create_user("admin@bench.example", PASSWORD, Role.ADMIN, "Bench Consortium",
                                     OrganisationKind.CONSORTIUM)
        officer = accounts.create_user("officer@bench.gov.uk", PASSWORD, Role.OFFICER,
                                       "London Borough of Benchmark", OrganisationKind.AUTHORITY)
        now = utcnow()
        # A deadline far enough ahead to pass the service's checks; set_deadline moves it once all is ready.
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
                criteria=[frameworks.CriterionInput("Quality", 35, 5, word_limit=100),
                          frameworks.CriterionInput("Social value", 25, 5, word_limit=100)]))
        frameworks.transition(admin, framework.id, FrameworkStatus.OPEN)
        criteria = {lot.id: sorted(c.id for c in lot.criteria) for lot in frameworks.get(framework.id).lots}
        suppliers = []
        for i in range(args.suppliers):
            email = f"bids@supplier{i:04d}.example"
            user = accounts.create_user(email, PASSWORD, Role.SUPPLIER, f"Supplier {i:04d} Ltd",
                                        OrganisationKind.SUPPLIER, sme=i % 3 == 0)
            _, raw = tokens.issue(email, PASSWORD)
            suppliers.append((user.organisation_id, email, raw))
        return framework.id, criteria, suppliers


def set_deadline(app, framework_id: int, deadline: datetime) -> datetime:
    """Bring the open framework's deadline to `deadline` (no service shortens a published deadline, so this is a
    direct update), and return it as stored."""
    from sqlalchemy import update

    from app.extensions import db
    from frameworks.models import Framework

    with app.app_context():
        db.session.execute(update(Framework).where(Framework.id == framework_id).values(
            question_deadline=deadline - timedelta(hours=1), bid_deadline=deadline))
        db.session.commit()
        return db.session.get(Framework, framework_id).bid_deadline


# --- gunicorn and the client ----------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, workers: int, port: int, log: Path) -> subprocess.Popen:
    env = os.environ | {"DATABASE_URL": url, "SECRET_KEY": "benchmark", "PASSWORD_HASH_METHOD": FAST_HASH}
    env.pop("MAIL_SERVER", None)  # receipts are e-mailed to the log
    gunicorn = Path(sys.executable).parent / "gunicorn"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(gunicorn), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--backlog", "2048",
             "--log-level", "info", "wsgi:app"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}; see {log}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"gunicorn did not answer /healthz; see {log}")


def call(port: int, method: str, path: str, token: str, body: dict | None = None) -> Call:
    """One request on its own connection (gunicorn's sync workers close every connection), never retried: a
    POST that may have been applied must not be sent twice, and a broken connection is an error to report."""
    result = Call()
    payload = json.dumps(body or {})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    result.sent = datetime.now(UTC)
    started = time.perf_counter()
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        data = response.read()
        result.latency = time.perf_counter() - started
        result.answered = datetime.now(UTC)
        result.status = response.status
        try:
            result.body = json.loads(data or b"{}")
        except ValueError:
            result.error = f"not JSON: {data[:200]!r}"
    except (OSError, http.client.HTTPException) as error:
        result.latency = time.perf_counter() - started
        result.answered = datetime.now(UTC)
        result.error = repr(error)
    finally:
        connection.close()
    return result


def plan(args, criteria: dict[int, list[int]], suppliers) -> list[Outcome]:
    """Each supplier's lots, prices, answers and moment, drawn from the seed."""
    rng = random.Random(args.seed)
    lot_ids = sorted(criteria)
    plans = []
    for organisation_id, email, token in suppliers:
        if rng.random() < args.late_fraction:
            when = rng.uniform(0.0, 5.0)  # after the deadline: must be refused
        elif rng.random() < args.rush_fraction:
            when = -rng.uniform(0.0, min(5.0, args.window))  # the real rush: the last five seconds
        else:
            when = -rng.uniform(0.0, args.window)
        chosen = sorted(rng.sample(lot_ids, rng.randint(1, min(5, len(lot_ids)))))
        lots = [{"lot_id": lot_id, "price": f"{rng.randint(50_000, 79_999)}.{rng.randint(0, 99):02d}",
                 "answers": {str(c): f"{ANSWER} ({organisation_id}-{c})" for c in criteria[lot_id]}}
                for lot_id in chosen]
        plans.append(Outcome(organisation_id, email, token, lots, when))
    return sorted(plans, key=lambda o: o.scheduled)


def run_one(port: int, framework_id: int, deadline: datetime, outcome: Outcome) -> Outcome:
    """At its moment, the supplier drafts its bid and, if the draft was taken, submits it at once."""
    delay = (deadline - datetime.now(UTC)).total_seconds() + outcome.scheduled
    if delay > 0:
        time.sleep(delay)
    outcome.draft = call(port, "POST", f"/api/v1/frameworks/{framework_id}/bids", outcome.token,
                         {"lots": outcome.lots, "bundles": []})
    if outcome.bid_id is not None:
        outcome.submit = call(port, "POST", f"/api/v1/bids/{outcome.bid_id}/submit", outcome.token)
    return outcome


# --- the proof ------------------------------------------------------------------------------------------------------

def verify(app, framework_id: int, deadline: datetime, outcomes: list[Outcome],
           log: Path) -> tuple[dict[str, list[str]], dict]:
    """Read the database back and check every outcome against it. Returns check → its failures, and counts."""
    from sqlalchemy import func, select

    from app.audit import services as audit
    from app.audit.models import AuditEvent
    from app.extensions import db
    from suppliers import bids as bid_services
    from suppliers.domain import bidding
    from suppliers.models import Bid, BidStatus

    checks: dict[str, list[str]] = {name: [] for name in (
        "no 5xx, no broken connection, no unexpected answer",
        "stored as submitted = submissions answered 200",
        "one bid per supplier, and a stored bid for exactly each draft answered 201",
        "each accepted bid's stored lots, prices and answers are exactly those sent",
        "receipt SHA-256: returned = stored = recomputed from the stored rows",
        "receipt time: returned = stored, before the deadline, inside its own request",
        "every refusal is the deadline's 409, answered after the deadline, and left nothing submitted",
        "every request sent at or after the deadline was refused",
        "audit: chain intact, one bid.drafted per stored bid and one bid.submitted per accepted bid",
        "one receipt e-mail (to the log) per accepted submission",
    )}
    (errors, counted, once, content, sha, times, refusals, late_sent, audited, mailed) = checks.values()

    with app.app_context():
        rows = db.session.scalars(select(Bid).where(Bid.framework_id == framework_id)
                                  .options(*bid_services._whole())).all()
        stored = {b.supplier_id: b for b in rows}
        duplicated = db.session.execute(select(Bid.supplier_id, func.count()).where(
            Bid.framework_id == framework_id).group_by(Bid.supplier_id).having(func.count() > 1)).all()
        once.extend(f"supplier {s} has {n} bids" for s, n in duplicated)
        submitted = [b for b in rows if b.status == BidStatus.SUBMITTED]
        for bid in submitted:
            if bid.submitted_at is None or not bid.submitted_at < deadline:
                times.append(f"bid {bid.id}: submitted at {bid.submitted_at}, not before the deadline")

        for o in outcomes:
            s, bid = o.supplier, stored.get(o.supplier)
            for name, c in (("draft", o.draft), ("submit", o.submit)):
                if c is None:
                    continue
                if c.error or c.status >= 500 or c.status not in ((201, 409) if name == "draft" else (200, 409)):
                    errors.append(f"supplier {s} {name}: {c.status} {c.error or c.body}")
                if c.status == 409 and not is_late_refusal(c):
                    errors.append(f"supplier {s} {name}: 409 for another reason: {c.body.get('message')}")
                if c.sent >= deadline and c.status not in (409, 0):
                    late_sent.append(f"supplier {s} {name}: sent {c.sent.isoformat()}, answered {c.status}")
                if is_late_refusal(c) and c.answered < deadline:
                    refusals.append(f"supplier {s} {name}: refused as late but answered {c.answered.isoformat()}")
            if o.draft is None:
                errors.append(f"supplier {s}: never ran")
                continue
            if o.draft.status == 201:
                if bid is None or bid.id != o.bid_id:
                    once.append(f"supplier {s}: draft {o.bid_id} answered 201 but not stored as its bid")
                elif not bid.created_at < deadline:
                    once.append(f"supplier {s}: draft written at {bid.created_at.isoformat()}, after the deadline")
            elif bid is not None:
                once.append(f"supplier {s}: draft answered {o.draft.status} but bid {bid.id} is stored")
            if is_late_refusal(o.draft) and bid is not None:
                refusals.append(f"supplier {s}: its draft was refused as late but bid {bid.id} is stored")
            if o.submit is not None and o.submit.status != 200 and bid is not None and \
                    bid.status == BidStatus.SUBMITTED:
                refusals.append(f"supplier {s}: submission answered {o.submit.status} but stored as submitted")
            if o.submit is None or o.submit.status != 200:
                continue
            if bid is None or bid.status != BidStatus.SUBMITTED:
                counted.append(f"supplier {s}: submission answered 200 but not stored as submitted")
                continue
            sent_lots = {lot["lot_id"]: (Decimal(lot["price"]), {int(k): v for k, v in lot["answers"].items()})
                         for lot in o.lots}
            stored_lots = {bl.lot_id: (bl.price, {a.criterion_id: a.text for a in bl.answers}) for bl in bid.lots}
            if len(bid.lots) != len(o.lots) or stored_lots != sent_lots or bid.bundles or bid.documents:
                content.append(f"supplier {s}: bid {bid.id} stores other lots, prices or answers than were sent")
            recomputed = hashlib.sha256(bidding.canonical(bid_services.content_of(bid))).hexdigest()
            returned = o.submit.body.get("receipt") or {}
            if not returned.get("sha256") == bid.receipt_sha256 == recomputed:
                sha.append(f"supplier {s}: returned {returned.get('sha256')}, stored {bid.receipt_sha256}, "
                           f"recomputed {recomputed}")
            returned_at = datetime.fromisoformat(returned["submitted_at"]) if returned.get("submitted_at") else None
            if returned_at != bid.submitted_at:
                times.append(f"supplier {s}: receipt time returned {returned_at}, stored {bid.submitted_at}")
            if bid.submitted_at is None or not o.submit.sent <= bid.submitted_at <= o.submit.answered:
                times.append(f"supplier {s}: receipt time {bid.submitted_at} is outside its request "
                             f"({o.submit.sent.isoformat()} to {o.submit.answered.isoformat()})")

        accepted = sum(1 for o in outcomes if o.submit is not None and o.submit.status == 200)
        if len(submitted) != accepted:
            counted.append(f"{len(submitted)} bids are stored as submitted, but {accepted} submissions answered 200")
        drafts_taken = sum(1 for o in outcomes if o.draft is not None and o.draft.status == 201)
        if len(rows) != drafts_taken:
            once.append(f"{len(rows)} bids are stored, but {drafts_taken} drafts were answered 201")

        checked_events, broken = audit.verify()
        if broken:
            audited.append(f"the audit chain breaks at event {broken.event_id}: {broken.reason}")
        bid_ids = {str(b.id) for b in rows}
        events = Counter(db.session.execute(
            select(AuditEvent.action, AuditEvent.object_id).where(AuditEvent.object_type == "Bid")).all())
        for action, wanted in (("bid.drafted", bid_ids), ("bid.submitted", {str(b.id) for b in submitted})):
            got = {object_id: n for (a, object_id), n in events.items() if a == action}
            if got != dict.fromkeys(wanted, 1):
                audited.append(f"{action}: {sum(got.values())} events for {len(got)} bids, expected one for each "
                               f"of {len(wanted)}")
        if any(object_id not in bid_ids for _, object_id in events):
            audited.append("audit events name bids that are not stored")

    # The only mail the server sends in this run is the receipts; each line of the log is written whole.
    receipts = Counter(re.findall(r"(?m)^To: (bids@supplier\d+\.example)$", log.read_text(errors="replace")))
    wanted = Counter(o.email for o in outcomes if o.kind() == "accepted")
    if receipts != wanted:
        mailed.append(f"{sum(receipts.values())} receipts e-mailed to {len(receipts)} suppliers, expected one for "
                      f"each of {len(wanted)}")

    counts = {"stored_bids": len(rows), "stored_submitted": len(submitted), "audit_events": checked_events}
    return checks, counts


def server_errors(log: Path) -> list[str]:
    """Tracebacks and worker trouble in gunicorn's log."""
    text = log.read_text(errors="replace") if log.exists() else ""
    found = [m.group(0) for m in re.finditer(r"(?m)^.*(Traceback|Unhandled error|WORKER TIMEOUT|Worker .* was sent "
                                             r"SIG|deadlock detected).*$", text)]
    return found


# --- the report -----------------------------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))]


def machine(app) -> str:
    from sqlalchemy import text

    from app.extensions import db

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    memory = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    with app.app_context():
        postgres = db.session.scalar(text("SHOW server_version"))
    import gunicorn

    return (f"nproc {len(os.sched_getaffinity(0))} ({cpu}), {memory / 1024 / 1024:.1f} GiB RAM, "
            f"Linux {platform.release()}, Python {platform.python_version()}, PostgreSQL {postgres}, "
            f"gunicorn {gunicorn.__version__} (sync workers); client and server on the same machine")


def report(args, outcomes: list[Outcome], checks: dict[str, list[str]], counts: dict, deadline: datetime,
           log_errors: list[str], machine_text: str) -> str:
    calls = [c for o in outcomes for c in (o.draft, o.submit) if c is not None]
    drafts = [o.draft.latency for o in outcomes if o.draft and o.draft.status]
    submits = [o.submit.latency for o in outcomes if o.submit and o.submit.status]
    first = min(c.sent for c in calls)
    last = max(c.answered for c in calls)
    elapsed = (last - first).total_seconds()
    answered_per_second = Counter(int((c.answered - deadline).total_seconds() // 1) for c in calls)
    sent_per_second = Counter(int((c.sent - deadline).total_seconds() // 1) for c in calls)
    lag = [(o.draft.sent - deadline).total_seconds() - o.scheduled for o in outcomes if o.draft]
    kinds = Counter(o.kind() for o in outcomes)
    scheduled_late = [o for o in outcomes if o.scheduled >= 0]
    refused = [o for o in outcomes if o.kind().startswith("refused")]
    in_flight = [o for o in refused if o.deciding.sent < deadline]
    sent_late = [o for o in refused if o.scheduled < 0 <= (o.deciding.sent - deadline).total_seconds()]
    late_drafts = sum(1 for o in outcomes if o.draft and is_late_refusal(o.draft))
    late_submits = sum(1 for o in outcomes if o.submit and is_late_refusal(o.submit))
    accepted_after = sum(1 for o in outcomes if o.kind() == "accepted" and o.submit.answered >= deadline)

    def ms(values, p):
        return f"{percentile(values, p) * 1000:.0f}"

    def row(label, values):
        return (f"| {label} | {len(values)} | {ms(values, 50)} | {ms(values, 90)} | {ms(values, 99)} | "
                f"{ms(values, 100)} |")

    def by_moment(kind):
        before = sum(1 for o in outcomes if o.kind() == kind and o.scheduled < 0)
        return f"| {kind} | {before} | {sum(1 for o in outcomes if o.kind() == kind) - before} |"

    failed = {name: problems for name, problems in checks.items() if problems}
    seconds = range(-8, 4)
    refused_per_second = Counter(int((c.answered - deadline).total_seconds() // 1) for c in calls
                                 if is_late_refusal(c))
    timeline = [
        "| second, relative to the deadline | " + " | ".join(f"{t:+d}" for t in seconds) + " |",
        "|---|" + "---|" * len(seconds),
        "| requests sent | " + " | ".join(str(sent_per_second[t]) for t in seconds) + " |",
        "| requests answered | " + " | ".join(str(answered_per_second[t]) for t in seconds) + " |",
        "| of which refused as late | " + " | ".join(str(refused_per_second[t]) for t in seconds) + " |",
    ]
    lines = [
        f"- suppliers: {args.suppliers}, lots: {args.lots} (2 criteria each), window: {args.window:.0f} s, "
        f"late fraction: {args.late_fraction}, gunicorn workers: {args.workers}, client threads: {args.clients}, "
        f"seed: {args.seed}",
        f"- requests: **{len(calls)}** ({len(drafts)} drafts, {len(submits)} submissions) from the first sent to "
        f"the last answered, {elapsed:.1f} s: **{len(calls) / elapsed:.1f} requests/s**; busiest second: "
        f"{max(sent_per_second.values())} sent, {max(answered_per_second.values())} answered",
        f"- client schedule lag (draft sent − its drawn moment): p50 {percentile(lag, 50) * 1000:.0f} ms, "
        f"max {max(lag) * 1000:.0f} ms",
        "",
        "| request | n | p50 ms | p90 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|",
        row("draft `POST /api/v1/frameworks/{id}/bids`", drafts),
        row("submit `POST /api/v1/bids/{id}/submit`", submits),
        row("both", drafts + submits),
        "",
        *timeline,
        "",
        "| outcome (by the server's answer) | drawn before the deadline | drawn after it |",
        "|---|---|---|",
        by_moment("accepted"),
        by_moment("refused at draft"),
        by_moment("refused at submit"),
        by_moment("error"),
        "",
        f"- accepted (draft 201, submit 200 with a receipt): **{kinds['accepted']}**; stored as submitted: "
        f"**{counts['stored_submitted']}**; of them answered after the deadline (judged before it, at the write): "
        f"{accepted_after}",
        f"- refused as late (409 \"{LATE_MESSAGE}\"): **{kinds['refused at draft'] + kinds['refused at submit']}** "
        f"suppliers ({late_drafts} drafts and {late_submits} submissions): "
        f"{sum(1 for o in scheduled_late if o.kind().startswith('refused'))} of the {len(scheduled_late)} drawn "
        f"after the deadline; {len(sent_late)} drawn before it whose refused request was sent after it (its draft "
        f"was answered too late, or the client fell behind); {len(in_flight)} whose refused request was sent before "
        "the deadline but reached the server's write after it",
        f"- drafts left unsubmitted (written before the deadline, submission refused): "
        f"{counts['stored_bids'] - counts['stored_submitted']}",
        f"- errors (5xx, broken connections, unexpected answers): **{kinds['error']}**; tracebacks or worker "
        f"trouble in gunicorn's log: **{len(log_errors)}**",
        f"- audit events verified after the run: {counts['audit_events']}",
        "- checks: " + ("**all passed**" if not failed and not log_errors else "**FAILED**"),
    ]
    for name, problems in checks.items():
        mark = "FAILED" if problems else "passed"
        lines.append(f"  - {name}: {mark}" + (f" ({len(problems)}: {'; '.join(problems[:3])})" if problems else ""))
    lines.append(f"- machine: {machine_text}")
    return "\n".join(lines)


def write_readme(text: str) -> None:
    start, end = MARKERS
    content = README.read_text() if README.exists() else f"# Benchmarks\n\n{start}\n{end}\n"
    if start not in content:
        content += f"\n{start}\n{end}\n"
    head, _, rest = content.partition(start)
    _, _, tail = rest.partition(end)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = "python benchmarks/deadline_surge.py " + " ".join(sys.argv[1:])
    README.write_text(f"{head}{start}\nRun on {stamp} with `{command.strip()}`:\n\n{text}\n{end}{tail}")


def main() -> int:
    args = arguments()
    url, created = fresh_database(args.database_url)
    log = Path(tempfile.gettempdir()) / f"consort-deadline-surge-gunicorn-{os.getpid()}.log"
    gunicorn = None
    try:
        app = make_app(url)
        print(f"Setting up {args.suppliers} suppliers and {args.lots} lots in {url}…", flush=True)
        began = time.perf_counter()
        framework_id, criteria, suppliers = set_up(app, args)
        print(f"Set up in {time.perf_counter() - began:.0f} s.", flush=True)
        port = free_port()
        gunicorn = start_gunicorn(url, args.workers, port, log)
        outcomes = plan(args, criteria, suppliers)
        margin = 3.0  # for the threads to start before the first moment is due
        deadline = set_deadline(app, framework_id, datetime.now(UTC) + timedelta(seconds=margin + args.window))
        print(f"Deadline at {deadline.isoformat()}; bids arrive over the last {args.window:.0f} s; gunicorn's log "
              f"is {log}…", flush=True)
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            outcomes = list(pool.map(lambda o: run_one(port, framework_id, deadline, o), outcomes))
        checks, counts = verify(app, framework_id, deadline, outcomes, log)
        log_errors = server_errors(log)
        text = report(args, outcomes, checks, counts, deadline, log_errors, machine(app))
        print(text)
        if log_errors:
            print(f"\ngunicorn's log ({log}) has {len(log_errors)} error lines, the first: {log_errors[:5]}")
        if args.write_readme:
            write_readme(text)
            print(f"\nWrote the results to {README.relative_to(ROOT)}.")
        return 1 if log_errors or any(checks.values()) else 0
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        if created and not args.keep:
            drop_database(created)


if __name__ == "__main__":
    sys.exit(main())
