"""The deadline surge: many suppliers submit in the last minute before a bid deadline, some just after it.

On PostgreSQL, gunicorn behind nginx (deploy/'s configurations, on free loopback ports), 1,000 suppliers (by
default) each draft a bid on 1 to 5 of 20 lots and submit it through the JSON API at a moment drawn for them in the
last 60 seconds before the deadline; a few are drawn just after it. Then the database is read back to prove that
every accepted submission is stored exactly once with a receipt that matches its content, that every request sent
after the deadline was refused and left nothing submitted, and that none that reached nginx before the deadline
was refused as late.

    .venv/bin/python benchmarks/deadline_surge.py                              # the full run (about 2 minutes)
    .venv/bin/python benchmarks/deadline_surge.py --suppliers 50 --window 10   # a quick check
    .venv/bin/python benchmarks/deadline_surge.py --app-root ../old-checkout    # an older commit's app (--direct:
                                                                               # no nginx in front)

It needs a PostgreSQL server it may create a database on (default postgresql://postgres@127.0.0.1:5432); the
database consort_bench_surge is dropped first if present, and dropped again afterwards unless --keep. It starts its
own nginx and redis-server (Debian's) on free loopback ports.
It exits non-zero if any check fails.
"""
import argparse
import hashlib
import json
import os
import random
import signal
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import support
from surge_http import (
    FAST_HASH,
    Outcome,
    arrivals,
    call,
    free_port,
    server_errors,
    start_gunicorn,
    start_nginx,
    start_redis,
)
from surge_results import machine, report, summary, verify

DATABASE = "consort_bench_surge"
PASSWORD = "benchmark-password"
ANSWER = "We will deliver within 20 working days of each call-off from stock held in London."
MARKERS = ("<!-- deadline-surge results -->", "<!-- /deadline-surge results -->")


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
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread", "gevent"),
                        help="gunicorn's worker class (deploy/gunicorn.conf.py's is overridden)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--grace", type=int, default=None, help="DEADLINE_GRACE_SECONDS (default: the app's)")
    parser.add_argument("--direct", action="store_true",
                        help="talk straight to gunicorn, no nginx (arrival = when the client sent the request)")
    parser.add_argument("--app-root", type=Path, default=None,
                        help="the checkout whose app to run and migrate, e.g. a worktree of an older commit")
    parser.add_argument("--label", default="", help="a name for this run in its one-line JSON summary")
    parser.add_argument("--profile", type=Path, default=None,
                        help="profile every draft and submission into this folder (see surge_profile.py)")
    parser.add_argument("--clients", type=int, default=None,
                        help="client threads (default: one a supplier, so that none waits for a free thread to send)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None,
                        help="an empty database to use, e.g. postgresql+psycopg://... (default: a new one)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse-setup", action="store_true",
                        help="keep the set-up as a template database, and start from a copy of it when it is kept "
                             "(for the app's newest migration and this many suppliers and lots)")
    parser.add_argument("--write-readme", action="store_true", help="put the results in benchmarks/README.md")
    return parser.parse_args()


# --- the database and the app --------------------------------------------------------------------------------------

def fresh_database(url: str | None) -> tuple[str, str | None]:
    """The database to use, and its name if this run created it (to drop afterwards)."""
    if url:
        return url, None
    return support.create_database(DATABASE), DATABASE


def kept_setup(args) -> tuple[str, Path]:
    """The template database and the file that keep this app's set-up for this many suppliers and lots."""
    head = sorted(p.name for p in (support.APP_ROOT / "migrations" / "versions").glob("0*.py"))[-1]
    key = hashlib.sha256(f"{head} {args.suppliers} {args.lots}".encode()).hexdigest()[:12]
    return f"{DATABASE}_setup_{key}", Path(tempfile.gettempdir()) / f"consort-deadline-surge-setup-{key}.json"


def copy_database(source: str, target: str) -> None:
    """`target` made afresh as a copy of `source` (which nobody may be connected to)."""
    import psycopg

    with psycopg.connect(support.MAINTENANCE, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')


def prepared(args, app, url: str, created: str | None):
    """The set-up: made here, or (with --reuse-setup, when one is kept) copied from the template. Returns what
    set_up returns."""
    template, saved = kept_setup(args)
    if args.reuse_setup and created and saved.exists():
        with app.app_context():
            from app.extensions import db

            db.engine.dispose()
        copy_database(template, created)
        kept = json.loads(saved.read_text())
        criteria = {int(lot): ids for lot, ids in kept["criteria"].items()}
        return kept["framework"], criteria, [tuple(supplier) for supplier in kept["suppliers"]]
    made = set_up(app, args)
    if args.reuse_setup and created:
        with app.app_context():
            from app.extensions import db

            db.engine.dispose()
        copy_database(created, template)
        saved.write_text(json.dumps({"framework": made[0], "criteria": made[1], "suppliers": made[2]}))
    return made


def make_app(url: str, redis: str):
    return support.make_app(url, PASSWORD_HASH_METHOD=FAST_HASH, REDIS_URL=redis)


def set_up(app, args) -> tuple[int, dict[int, list[int]], list[tuple[int, str, str]]]:
    """Migrate, then build through the app's services an open framework with its lots and criteria, and the
    suppliers, each with a user and an API token.

    Returns the framework id, lot id → its criteria ids, and each supplier's (organisation id, e-mail, raw token).
    """
    from app.accounts import services as accounts
    from app.accounts import tokens
    from app.domain.roles import OrganisationKind, Role
    from app.types import london_today, utcnow
    from frameworks import services as frameworks
    from frameworks.domain.lifecycle import FrameworkStatus
    from frameworks.requirements import services as requirements

    with app.app_context():
        support.migrate()
        admin = accounts.create_user("admin@bench.example", PASSWORD, Role.ADMIN, "Bench Consortium",
                                     OrganisationKind.CONSORTIUM)
        officer = accounts.create_user("officer@bench.gov.uk", PASSWORD, Role.OFFICER,
                                       "London Borough of Benchmark", OrganisationKind.AUTHORITY)
        try:  # an authority's requirements are pooled only under an accepted data-sharing agreement (issue 19)
            from consort.demo.sharing import ensure_accepted, ensure_agreement
        except ImportError:  # the code before that (run with --app-root) has none
            pass
        else:
            ensure_agreement(admin)
            ensure_accepted(officer)
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



# --- the load ------------------------------------------------------------------------------------------------------

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
                         {"lots": outcome.lots, "bundles": []}, f"{outcome.supplier}-draft")
    if outcome.bid_id is not None:
        outcome.submit = call(port, "POST", f"/api/v1/bids/{outcome.bid_id}/submit", outcome.token, None,
                              f"{outcome.supplier}-submit")
    return outcome


def write_readme(text: str) -> None:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    support.write_results(MARKERS, f"Run on {stamp} with `{support.command('deadline_surge.py')}`:\n\n{text}")


def use_app_root(root: Path | None) -> None:
    """Run and migrate `root`'s app (imported before this checkout's), not this checkout's."""
    if root is not None:
        support.APP_ROOT = root.resolve()
        sys.path.insert(0, str(support.APP_ROOT))


def mark_arrivals(outcomes: list[Outcome], access_log: Path | None) -> None:
    """Each request's arrival: from nginx's access log, or (without nginx) when the client sent it."""
    seen = arrivals(access_log) if access_log is not None else {}
    for c in (c for o in outcomes for c in (o.draft, o.submit) if c is not None):
        c.arrived = c.sent if access_log is None else seen.get(c.request_id, (None, 0))[0]


def main() -> int:
    args = arguments()
    args.clients = args.clients or args.suppliers
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stopped: the servers are stopped and the database dropped
    use_app_root(args.app_root)
    url, created = fresh_database(args.database_url)
    folder = Path(tempfile.mkdtemp(prefix=f"consort-deadline-surge-{os.getpid()}-"))
    log = folder / "servers.log"
    servers = []
    try:
        redis = f"redis://127.0.0.1:{free_port()}/0"
        servers.append(start_redis(int(redis.rsplit(":", 1)[1].split("/")[0]), log))
        app = make_app(url, redis)
        print(f"Setting up {args.suppliers} suppliers and {args.lots} lots in {url} (app: {support.APP_ROOT})…",
              flush=True)
        began = time.perf_counter()
        framework_id, criteria, suppliers = prepared(args, app, url, created)
        print(f"Set up in {time.perf_counter() - began:.0f} s.", flush=True)
        app_port = free_port()
        env = {"DATABASE_URL": url, "SECRET_KEY": "benchmark", "PASSWORD_HASH_METHOD": FAST_HASH, "REDIS_URL": redis}
        if not args.direct:
            env["TRUSTED_PROXIES"] = "127.0.0.1"
        if args.grace is not None:
            env["DEADLINE_GRACE_SECONDS"] = str(args.grace)
        servers.append(start_gunicorn(support.APP_ROOT, env, args.workers, args.worker_class, args.threads,
                                      app_port, log, args.profile))
        port = app_port
        if not args.direct:
            port = free_port()
            servers.append(start_nginx(folder, port, app_port, log))
        outcomes = plan(args, criteria, suppliers)
        margin = 3.0  # for the threads to start before the first moment is due
        deadline = set_deadline(app, framework_id, datetime.now(UTC) + timedelta(seconds=margin + args.window))
        load_before = os.getloadavg()
        print(f"Deadline at {deadline.isoformat()}; bids arrive over the last {args.window:.0f} s; the servers' "
              f"logs are in {folder}…", flush=True)
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            outcomes = list(pool.map(lambda o: run_one(port, framework_id, deadline, o), outcomes))
        load_after = os.getloadavg()
        for server in reversed(servers[1:]):  # nginx, then gunicorn: their logs complete
            server.terminate()
            server.wait(timeout=30)
        mark_arrivals(outcomes, None if args.direct else folder / "access.log")
        checks, counts = verify(app, framework_id, deadline, outcomes)
        log_errors = server_errors(log)
        text = report(args, outcomes, checks, counts, deadline, log_errors,
                      machine(app, args, load_before, load_after))
        print(text)
        print("SUMMARY " + json.dumps(summary(args, outcomes, checks, log_errors, deadline, load_before,
                                              load_after)))
        if log_errors:
            print(f"\nThe servers' log ({log}) has {len(log_errors)} error lines, the first: {log_errors[:5]}")
        if args.write_readme:
            write_readme(text)
            print(f"\nWrote the results to {support.README.relative_to(support.ROOT)}.")
        return 1 if log_errors or any(checks.values()) else 0
    finally:
        for server in reversed(servers):
            if server.poll() is None:
                server.terminate()
                server.wait(timeout=30)
        if created and not args.keep:
            support.drop_database(created)


if __name__ == "__main__":
    sys.exit(main())
