"""A lot's ranking in process, before and after issue 20 made it O(n log n), side by side in one run.

    .venv/bin/python benchmarks/ranking.py                          # 500, 1,000, 2,000 and 5,000 bids, SQLite
    .venv/bin/python benchmarks/ranking.py --sizes 200,500 --quick  # a check that it runs
    .venv/bin/python benchmarks/ranking.py --profile 527            # and cProfile both on a lot of 527 bids
    .venv/bin/python benchmarks/ranking.py --postgres               # makes and then drops consort_bench_ranking
    .venv/bin/python benchmarks/ranking.py --write-readme           # the table into benchmarks/README.md

Each lot is built straight into the database by tests/ranking_lots.py (seeded: bids with random ids, few prices,
scores and submission minutes so that everything ties, three evaluators, rescores, moderated scores, a second lot
with bundles; one bid alone far cheaper, so that under the relative formula the rank-reversal check has a bid to
find). Then, for each size, timed with the SQL beside it (SQLAlchemy cursor events):

- before: `tests/ranking_reference.py`'s `ranking`, the service as it was (whole score records, and the rank-reversal
  check ranking the lot again without each bid in turn);
- after: `procurement.evaluation.services.ranking`, the service now;
- after, over HTTP in process (Flask's test client, signed in as the admin): `GET /api/v1/lots/{id}/ranking` and the
  ranking page `/lots/{id}/ranking`; and the award's inputs for the framework (`award.build_problem`).

Checks (the exit status is 1 if one fails): before and after give the same rows (every Decimal compared as text) and
the same rank reversals; the API's and the page's query counts are the same at every size.
"""
import argparse
import contextvars
import cProfile
import io
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time

import support  # before the app's packages: it puts the project's root on sys.path
from sqlalchemy import event, make_url

from app.accounts.models import User
from app.extensions import db
from frameworks import services as frameworks
from procurement.award import services as award
from procurement.evaluation import services as evaluation
from tests import ranking_lots
from tests import ranking_reference as reference
from tests.support import PASSWORD, sign_in

DATABASE = "consort_bench_ranking"


class SqlClock:
    """The statements sent, and the time spent in the driver, while it is on."""

    def __init__(self, engine):
        self.engine, self.statements, self.seconds, self._started = engine, 0, 0.0, []

    def _before(self, *args):
        self._started.append(time.perf_counter())

    def _after(self, *args):
        self.seconds += time.perf_counter() - self._started.pop()
        self.statements += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)


def timed(function, engine) -> tuple[float, float, int, object]:
    """(wall s, SQL s, statements, answer) of one call, in a fresh session."""
    db.session.remove()
    with SqlClock(engine) as clock:
        started = time.perf_counter()
        answer = function()
        seconds = time.perf_counter() - started
    return seconds, clock.seconds, clock.statements, answer


def as_text(result) -> tuple:
    rows = [(r.bid_id, r.supplier_id, str(r.price), str(r.quality), str(r.price_score), str(r.total), r.rank,
             r.complete) for r in result.rows]
    return rows, list(result.reversals)


def in_request(function, *args, **kwargs):
    """A test-client call in a context of its own, as on a server (its own application context and session)."""
    return contextvars.Context().run(function, *args, **kwargs)


def measure(app, built: ranking_lots.BuiltLot, args, failures: list[str]) -> dict:
    engine = db.engine
    admin_id = db.session.scalar(db.select(User.id).where(User.email == built.admin_email))

    def admin() -> User:
        return db.session.get(User, admin_id)

    row: dict = {"bids": built.bids}
    after = [timed(lambda: evaluation.ranking(admin(), built.lot_id), engine) for _ in range(args.repeat)]
    row["after"] = statistics.median(a[0] for a in after)
    row["after_sql"] = statistics.median(a[1] for a in after)
    row["after_statements"] = after[0][2]
    if built.bids <= args.reference_up_to:
        before = [timed(lambda: reference.ranking(admin(), built.lot_id), engine)
                  for _ in range(args.reference_repeat)]
        row["before"] = statistics.median(b[0] for b in before)
        row["before_sql"] = statistics.median(b[1] for b in before)
        same = as_text(before[0][3]) == as_text(after[0][3])
        row["same"] = "yes" if same else "NO"
        if not same:
            failures.append(f"{built.bids} bids: the ranking differs from the reference's")
    row["reversals"] = len(after[0][3].reversals)

    client = app.test_client()
    in_request(sign_in, client, built.admin_email)
    token = in_request(client.post, "/api/v1/tokens",
                       json={"email": built.admin_email, "password": PASSWORD}).get_json()["token"]
    for key, path, headers in (("api", f"/api/v1/lots/{built.lot_id}/ranking", {"Authorization": f"Bearer {token}"}),
                               ("page", f"/lots/{built.lot_id}/ranking", {})):
        runs = [timed(lambda p=path, h=headers: in_request(client.get, p, headers=h), engine)
                for _ in range(args.repeat)]
        if any(r[3].status_code != 200 for r in runs):
            failures.append(f"{built.bids} bids: {path} answered {runs[0][3].status_code}")
        row[key] = statistics.median(r[0] for r in runs)
        row[f"{key}_statements"] = runs[0][2]
        row[f"{key}_bytes"] = len(runs[0][3].data)

    def award_inputs():
        return award.build_problem(admin(), frameworks.get(built.framework_id), award.Options())

    runs = [timed(award_inputs, engine) for _ in range(args.repeat)]
    row["award"] = statistics.median(r[0] for r in runs)
    row["award_offers"] = len(runs[0][3][0].offers)
    return row


def profile(built: ranking_lots.BuiltLot, top: int) -> str:
    """cProfile of the service before and after on one lot: the functions with the most own time."""
    admin_id = db.session.scalar(db.select(User.id).where(User.email == built.admin_email))
    out = io.StringIO()
    for name, function in (("before", reference.ranking), ("after", evaluation.ranking)):
        db.session.remove()
        profiler = cProfile.Profile()
        profiler.enable()
        function(db.session.get(User, admin_id), built.lot_id)
        profiler.disable()
        out.write(f"\n=== {name}: {built.bids} bids, by own time ===\n")
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
        out.write(f"\n=== {name}: {built.bids} bids, by cumulative time ===\n")
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def seconds(value: float | None) -> str:
    if value is None:
        return "not run"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def table(rows: list[dict]) -> str:
    lines = [support.table_head("bids", "before: ranking s", "of it SQL s", "after: ranking s", "of it SQL s",
                                "before ÷ after", "same result", "after: API s", "after: page s",
                                "after: award inputs s", "queries: ranking, API, page")]
    for r in rows:
        ratio = f"{r['before'] / r['after']:,.0f}×" if "before" in r else ""
        lines.append(support.table_row(
            f"{r['bids']:,}", seconds(r.get("before")), seconds(r.get("before_sql")), seconds(r["after"]),
            seconds(r["after_sql"]), ratio, r.get("same", "not compared"), seconds(r["api"]), seconds(r["page"]),
            seconds(r["award"]), f"{r['after_statements']}, {r['api_statements']}, {r['page_statements']}"))
    return "\n".join(lines)


def machine(load_before: str, load_after: str, url: str) -> str:
    return (f"{support.cpus()}, {support.memory_gib():.1f} GiB, {support.python()}, {database_version()}; "
            f"`uptime` before the run: {load_before}; after: {load_after}")


def database_version() -> str:
    if db.engine.dialect.name == "sqlite":
        return f"SQLite {db.session.scalar(db.text('select sqlite_version()'))}"
    return db.session.scalar(db.text("select version()")).split(" on ")[0]


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def database(args) -> tuple[str, str | None, tempfile.TemporaryDirectory | None]:
    if args.database_url:
        return args.database_url, None, None
    if args.postgres:
        return support.create_database(DATABASE), DATABASE, None
    folder = tempfile.TemporaryDirectory(prefix="consort-bench-ranking-")
    return f"sqlite:///{folder.name}/bench.sqlite3", None, folder


def run(args, url: str) -> int:
    failures: list[str] = []
    load_before = uptime()
    app = support.make_app(url, PASSWORD_HASH_METHOD="scrypt:1024:8:1")
    rows = []
    with app.app_context():
        support.migrate()
        if args.profile:
            built = ranking_lots.build_lot(args.profile, seed=args.seed)
            print(profile(built, args.top), flush=True)
        for n in args.sizes:
            started = time.perf_counter()
            built = ranking_lots.build_lot(n, seed=args.seed)
            print(f"{n:,} bids built in {time.perf_counter() - started:.1f} s; measuring …", flush=True)
            row = measure(app, built, args, failures)
            print(table([row]).splitlines()[-1], flush=True)
            rows.append(row)
        described = machine(load_before, uptime(), url)
    for key in ("api_statements", "page_statements"):
        if len({r[key] for r in rows}) > 1:
            failures.append(f"the {key.split('_')[0]} took different numbers of queries: {[r[key] for r in rows]}")
    text = (f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: `{support.command('ranking.py')}`.\n\n"
            f"{table(rows)}\n\nMachine: {described}.")
    print("\n" + text)
    if args.write_readme:
        backend = make_url(url).get_backend_name()
        support.write_results((f"<!-- ranking results, {backend}: start -->",
                               f"<!-- ranking results, {backend}: end -->"), text)
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[500, 1000, 2000, 5000])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each 'after' measurement (the median)")
    parser.add_argument("--reference-repeat", type=int, default=1, help="runs of the reference (the median)")
    parser.add_argument("--reference-up-to", type=int, default=10**9,
                        help="run the reference only on lots of at most this many bids")
    parser.add_argument("--quick", action="store_true", help="--repeat 1")
    parser.add_argument("--profile", type=int, default=0, help="cProfile before and after on a lot of N bids")
    parser.add_argument("--top", type=int, default=25, help="functions shown by --profile")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="an empty database to use instead of a temporary SQLite file")
    parser.add_argument("--postgres", action="store_true",
                        help=f"create (and afterwards drop) {DATABASE} on the local PostgreSQL server")
    parser.add_argument("--write-readme", action="store_true", help="put the results in benchmarks/README.md")
    args = parser.parse_args()
    if args.quick:
        args.repeat = 1
    url, created, folder = database(args)
    try:
        return run(args, url)
    finally:
        if created:
            support.drop_database(created)
        if folder:
            folder.cleanup()


if __name__ == "__main__":
    os.environ.setdefault("FLASK_APP", "wsgi")
    sys.exit(main())
