"""Rendering a framework's contracts: how long, against WeasyPrint alone, and where the time goes.

A framework with 20 lots, each pooling a requirement of every one of the 34 London authorities, is awarded one
winner a lot (12 distinct suppliers, some winning several lots, two lots as a bundle). `contracts.issue` makes one
framework agreement per winner and one call-off per authority and lot (20 x 34 = 680), and
`contracts.render_pending` renders them all, as the task consumer (`app.tasks.render_contracts`) does.

    .venv/bin/python benchmarks/contracts.py                 # the full set, 692 documents (a few minutes)
    .venv/bin/python benchmarks/contracts.py --quick         # 40 call-offs and the 12 agreements, to check it runs
    .venv/bin/python benchmarks/contracts.py --sample 100    # 100 call-offs (spread over the lots) and the agreements
    .venv/bin/python benchmarks/contracts.py --rounds 2      # twice, each time ours then WeasyPrint alone
    .venv/bin/python benchmarks/contracts.py --postgres      # on PostgreSQL: creates and drops consort_bench_contracts
    .venv/bin/python benchmarks/contracts.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/mydb

By default the database is a fresh SQLite file in a temporary folder. `--database-url` must name an empty database
(it is migrated, and left as it is afterwards).

Measured:
1. the wall time of `render_pending` for the whole batch, and per document (mean, median, p90, max, by kind);
2. WeasyPrint alone on exactly the same HTML (the strings Flask's render_template made for our run, captured),
   `HTML(string=..., base_url=ASSETS).write_pdf(pdf_variant="pdf/a-3b")`, timed per document; the ratio of the
   two totals;
3. where our time goes, by timers wrapped around the pieces during the run (template, WeasyPrint's parse,
   layout and PDF writing, sha256, the audit record with its flushes, commit, the rest) and the SQL by statement;
   the time a batch's transaction is a writer (holds the audit chain's lock) while it renders; and a cProfile
   of WeasyPrint alone on a few documents, grouped by package;
4. bytes per PDF and in all.

Checks (the exit status is 1 if one fails): every contract is issued with one version whose sha256 is that of its
bytes; WeasyPrint alone gives byte-identical PDFs for the same HTML; re-rendering 3 stored contracts with
`contracts.document` gives the stored bytes.
"""
import argparse
import cProfile
import csv
import io
import json
import os
import platform
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib.metadata import version as package_version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
MAINTENANCE = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "consort_bench_contracts"
AUTHORITIES_CSV = ROOT / "app" / "data" / "london-authorities.csv"
LOTS = 20
WINNERS = 12
SUPPLIERS = 30
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


class Timers:
    """Seconds and calls per named piece, summed over the run."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] += seconds
        self.calls[name] += 1


def wrap(owner, name: str, timers: Timers, label: str, restore: list, hook=None):
    """Replace owner.name with a timed wrapper (hook(result, start, seconds) is told each call); remember the
    original in `restore`, for unwrap."""
    original = getattr(owner, name)

    def timed(*args, **kwargs):
        start = time.perf_counter()
        result = original(*args, **kwargs)
        elapsed = time.perf_counter() - start
        timers.add(label, elapsed)
        if hook:
            hook(result, start, elapsed)
        return result

    setattr(owner, name, timed)
    restore.append((owner, name, original))
    return original


def unwrap(restore: list) -> None:
    for owner, name, original in reversed(restore):
        setattr(owner, name, original)
    restore.clear()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def database(args) -> tuple[str, str | None, tempfile.TemporaryDirectory | None]:
    """The URL, the PostgreSQL database to drop afterwards (if this run made it), and the temp dir to clean."""
    if args.database_url:
        return args.database_url, None, None
    if args.postgres:
        import psycopg

        with psycopg.connect(MAINTENANCE, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{DATABASE}"')
        return f"{SERVER}/{DATABASE}", DATABASE, None
    folder = tempfile.TemporaryDirectory(prefix="consort-bench-contracts-")
    return f"sqlite:///{folder.name}/bench.sqlite3", None, folder


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(MAINTENANCE, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def build(seed: int) -> int:
    """The consortium, 34 authorities, suppliers, an awarded framework of 20 lots each pooling a requirement of
    every authority, its award run and approved recommendation. Returns the framework id."""
    from app.extensions import db
    from app.organisations.models import Organisation, OrganisationKind
    from frameworks.domain.lifecycle import FrameworkStatus
    from frameworks.models import Framework, Lot, LotRequirement
    from procurement.models import AwardRun, Recommendation, Requirement, RequirementStatus

    rng = random.Random(seed)
    with AUTHORITIES_CSV.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 34, f"expected 34 London authorities in {AUTHORITIES_CSV}, found {len(rows)}"
    consortium = Organisation(name="London Procurement Consortium (benchmark)", kind=OrganisationKind.CONSORTIUM)
    authorities = [Organisation(name=r["name"], gss_code=r["gss_code"] or None, kind=OrganisationKind.AUTHORITY)
                   for r in rows]
    suppliers = [Organisation(name=f"Benchmark Supplies {i:02d} Ltd", kind=OrganisationKind.SUPPLIER,
                              sme=i % 3 != 0, companies_house_number=f"{10_000_000 + i:08d}")
                 for i in range(1, SUPPLIERS + 1)]
    db.session.add_all([consortium, *authorities, *suppliers])
    framework = Framework(
        reference="LPC-2026-BENCH", title="Office supplies, furniture and facilities services for London",
        description="", status=FrameworkStatus.AWARDED, maximum_value=Decimal("250000000.00"),
        bid_deadline=NOW - timedelta(days=60), question_deadline=NOW - timedelta(days=70), duration_months=48,
        max_lots_per_supplier=None, min_sme_share=Decimal("0.2"), levy_percent=Decimal("1.50"),
        published_at=NOW - timedelta(days=100), closed_at=NOW - timedelta(days=60), awarded_at=NOW)
    db.session.add(framework)
    db.session.flush()
    lots = []
    for number in range(1, LOTS + 1):
        lot = Lot(framework_id=framework.id, number=number, title=f"Lot {number}: category {number} goods and services",
                  description=f"The pooled requirements of the London authorities for category {number}.",
                  max_awards=1, budget=Decimal(rng.randint(200_000, 5_000_000)), price_weight=40,
                  price_formula="relative")
        db.session.add(lot)
        lots.append(lot)
    db.session.flush()
    for lot in lots:
        for authority in authorities:
            requirement = Requirement(
                organisation_id=authority.id, title=f"{authority.name}: lot {lot.number} needs",
                category=f"cat-{lot.number:02d}", quantity=Decimal(rng.randint(50, 5_000)), unit="item",
                estimated_unit_price=Decimal(rng.randint(5, 400)), needed_by=date(2027, 3, 31),
                status=RequirementStatus.POOLED, created_at=NOW - timedelta(days=200), updated_at=NOW)
            db.session.add(requirement)
            db.session.flush()
            db.session.add(LotRequirement(lot_id=lot.id, requirement_id=requirement.id))
    # One winner a lot: 12 distinct suppliers, the first 12 lots one each, the other 8 to winners again;
    # lots 19 and 20 won as a bundle.
    winners = rng.sample(suppliers, WINNERS)
    lot_winner = {lot.number: winners[lot.number - 1] if lot.number <= WINNERS else rng.choice(winners)
                  for lot in lots}
    lot_winner[20] = lot_winner[19]
    awards = []
    for lot in lots:
        price = (lot.budget * Decimal(rng.uniform(0.6, 0.95))).quantize(Decimal("0.01"))
        bundle = lot.number in (19, 20)
        awards.append({"lot_id": lot.id, "bid_id": lot.number, "supplier_id": lot_winner[lot.number].id,
                       "price": f"{price:.2f}", "bundle": bundle, "bundle_price": None})
    bundle_price = sum(Decimal(a["price"]) for a in awards[18:20])
    for a in awards[18:20]:
        a["bundle_price"] = f"{bundle_price:.2f}"
    run = AwardRun(framework_id=framework.id, created_at=NOW - timedelta(days=20), status="done",
                   result={"awards": awards}, optimal=True, seconds=0.1)
    db.session.add(run)
    db.session.flush()
    db.session.add(Recommendation(framework_id=framework.id, award_run_id=run.id,
                                  recommended_at=NOW - timedelta(days=19), board_size=5, quorum=3,
                                  outcome="approved", decided_at=NOW - timedelta(days=18)))
    db.session.commit()
    return framework.id


def sample_call_offs(framework_id: int, keep: int) -> int:
    """Delete all but `keep` call-offs (spread evenly over the lots), before any is rendered. Returns how many
    were deleted."""
    from app.extensions import db
    from procurement.models import Contract

    call_offs = list(db.session.scalars(db.select(Contract).where(
        Contract.framework_id == framework_id, Contract.kind == "call_off").order_by(Contract.id)))
    if keep >= len(call_offs):
        return 0
    step = len(call_offs) / keep
    kept = {call_offs[int(i * step)].id for i in range(keep)}
    dropped = [c for c in call_offs if c.id not in kept]
    for contract in dropped:
        db.session.delete(contract)
    db.session.commit()
    return len(dropped)


def measure_ours(framework_id: int, url: str) -> dict:
    """render_pending under timers. Returns the totals, the per-document times and the captured HTML."""
    import weasyprint
    from sqlalchemy import event

    from app.audit import services as audit
    from app.extensions import db
    from procurement import contracts, pdf

    timers = Timers()
    restore: list = []
    per_document: list[tuple[str, float]] = []  # (template, seconds) for the whole of pdf.render
    html_by_call: list[str] = []
    writer_since: list[float | None] = [None]  # perf_counter when the batch's transaction first wrote
    writer_holds: list[float] = []
    sql: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])

    wrap(pdf, "render_template", timers, "template (Flask render_template)", restore,
         hook=lambda html, start, elapsed: html_by_call.append(html))
    wrap(pdf, "html_to_pdf", timers, "WeasyPrint in all", restore)
    wrap(weasyprint.HTML, "__init__", timers, "WeasyPrint: parse HTML", restore)
    wrap(weasyprint.HTML, "render", timers, "WeasyPrint: style and layout (HTML.render)", restore)
    wrap(weasyprint.document.Document, "write_pdf", timers, "WeasyPrint: write PDF (Document.write_pdf)", restore)
    wrap(pdf, "sha256", timers, "sha256", restore)

    def first_write(result, start, elapsed):
        if writer_since[0] is None:
            writer_since[0] = start

    wrap(audit, "record", timers, "audit.record (flushes the version and the event, chain lock, last hash)",
         restore, hook=first_write)
    original_render = pdf.render

    def render(template, **kwargs):
        start = time.perf_counter()
        data = original_render(template, **kwargs)
        per_document.append((template, time.perf_counter() - start))
        return data

    pdf.render = render
    restore.append((pdf, "render", original_render))
    original_commit = db.session.commit

    def commit():
        start = time.perf_counter()
        original_commit()
        end = time.perf_counter()
        timers.add("commit (flushes the status updates, COMMIT)", end - start)
        if writer_since[0] is not None:
            writer_holds.append(end - writer_since[0])
            writer_since[0] = None

    db.session.commit = commit

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("bench_start", []).append(time.perf_counter())

    def after(conn, cursor, statement, parameters, context, executemany):
        elapsed = time.perf_counter() - conn.info["bench_start"].pop()
        words = statement.split()
        verb = words[0].upper()
        table = ""
        if verb == "INSERT":
            table = words[2]
        elif verb == "UPDATE":
            table = words[1]
        elif verb == "SELECT" and "FROM" in (w.upper() for w in words):
            table = words[[w.upper() for w in words].index("FROM") + 1]
        key = f"{verb} {table.strip(chr(34))}".strip()
        sql[key][0] += elapsed
        sql[key][1] += 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    probe = ChainLockProbe(url) if engine.dialect.name == "postgresql" else None
    try:
        if probe:
            probe.__enter__()
        start, cpu = time.perf_counter(), time.process_time()
        done = contracts.render_pending(framework_id)
        total, cpu = time.perf_counter() - start, time.process_time() - cpu
    finally:
        if probe:
            probe.__exit__()
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
        del db.session.commit
        unwrap(restore)
    return {"done": done, "total": total, "cpu": cpu, "timers": timers, "per_document": per_document,
            "html": html_by_call, "writer_holds": writer_holds, "sql": dict(sql),
            "lock_waits": probe.waits if probe else None}


class ChainLockProbe:
    """On PostgreSQL, another connection takes the audit chain's advisory lock (as any audited write elsewhere in
    the app must) every 100 ms while render_pending runs, and notes how long it waited for it."""

    def __init__(self, url: str) -> None:
        import threading

        self.url = url.replace("postgresql+psycopg://", "postgresql://")
        self.waits: list[float] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.probe, daemon=True)

    def probe(self) -> None:
        import psycopg

        from app.audit.services import _CHAIN_LOCK_KEY

        with psycopg.connect(self.url) as connection:
            while not self.stop.is_set():
                start = time.perf_counter()
                with connection.transaction():
                    connection.execute("SELECT pg_advisory_xact_lock(%s)", (_CHAIN_LOCK_KEY,))
                self.waits.append(time.perf_counter() - start)
                self.stop.wait(0.1)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


def measure_weasyprint_alone(html: list[str]) -> tuple[float, float, list[float], list[bytes]]:
    from weasyprint import HTML

    from procurement.pdf import ASSETS

    times, outputs = [], []
    start, cpu = time.perf_counter(), time.process_time()
    for text in html:
        t0 = time.perf_counter()
        outputs.append(HTML(string=text, base_url=str(ASSETS)).write_pdf(pdf_variant="pdf/a-3b"))
        times.append(time.perf_counter() - t0)
    return time.perf_counter() - start, time.process_time() - cpu, times, outputs


def profile_weasyprint(html: list[str], top: int) -> tuple[list[tuple[str, float]], str, float]:
    """cProfile WeasyPrint alone on these documents: seconds of own time by package, and the top functions."""
    from weasyprint import HTML

    from procurement.pdf import ASSETS

    profiler = cProfile.Profile()
    profiler.enable()
    for text in html:
        HTML(string=text, base_url=str(ASSETS)).write_pdf(pdf_variant="pdf/a-3b")
    profiler.disable()
    stats = pstats.Stats(profiler)
    by_package: dict[str, float] = defaultdict(float)
    for (filename, _, function), (_, _, own, _, _) in stats.stats.items():
        by_package[package_of(filename, function)] += own
    total = sum(by_package.values())
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return sorted(by_package.items(), key=lambda kv: -kv[1]), "\n".join(lines[start:]), total


def package_of(filename: str, function: str) -> str:
    if filename == "~":
        return "built-ins (C: " + ("cffi/Pango/HarfBuzz calls" if "_cffi" in function or "lib" in function
                                   else "zlib, str, dict, …") + ")"
    if "site-packages/" in filename:
        parts = filename.split("site-packages/")[1].split("/")
        if parts[0] == "weasyprint" and len(parts) > 1:
            return "weasyprint." + parts[1].removesuffix(".py")
        return parts[0].removesuffix(".py")
    return "Python standard library" if "/lib/python" in filename else filename


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    except OSError:
        memory = 0.0
    load = os.getloadavg()
    return (f"{os.cpu_count()} CPUs ({cpu}), {memory:.1f} GiB, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, WeasyPrint {package_version('weasyprint')}, "
            f"pydyf {package_version('pydyf')}, Flask {package_version('flask')}, "
            f"SQLAlchemy {package_version('sqlalchemy')}; load average at the end {load[0]:.2f} {load[1]:.2f}")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}" if seconds >= 0.01 else f"{seconds * 1000:.2f}"


def summary_row(label: str, values: list[float]) -> str:
    return (f"| {label} | {len(values)} | {sum(values):.1f} | {ms(statistics.mean(values))} | "
            f"{ms(statistics.median(values))} | {ms(percentile(values, 90))} | {ms(max(values))} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=None, help="render only N call-offs (and every agreement)")
    parser.add_argument("--quick", action="store_true", help="the same as --sample 40")
    parser.add_argument("--database-url", help="an empty database to use instead of a temporary SQLite file")
    parser.add_argument("--postgres", action="store_true",
                        help=f"create (and afterwards drop) {DATABASE} on the local PostgreSQL server")
    parser.add_argument("--keep", action="store_true", help="with --postgres: leave the database afterwards")
    parser.add_argument("--profile", type=int, default=60,
                        help="cProfile WeasyPrint alone on this many documents (0: none)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="render the set this many times, each time ours then WeasyPrint alone")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="write the raw numbers here")
    args = parser.parse_args()
    if args.quick and args.sample is None:
        args.sample = 40

    url, created, folder = database(args)
    try:
        return run(args, url)
    finally:
        if created and not args.keep:
            drop_database(created)
        if folder:
            folder.cleanup()


def run(args, url: str) -> int:
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from procurement import contracts, pdf
    from procurement.models import Contract, ContractVersion

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark", "MAIL_SERVER": None})
    failures: list[str] = []
    with app.app_context():
        t0 = time.perf_counter()
        upgrade(directory=str(ROOT / "migrations"))
        framework_id = build(args.seed)
        from frameworks.models import Framework

        framework = db.session.get(Framework, framework_id)
        issued = contracts.issue(None, framework, NOW)
        db.session.commit()
        agreements = sum(c.kind == "framework_agreement" for c in issued)
        call_offs = len(issued) - agreements
        print(f"set-up: {time.perf_counter() - t0:.1f} s; issued {agreements} framework agreements and "
              f"{call_offs} call-offs ({db.engine.dialect.name})", flush=True)
        if args.sample is not None:
            dropped = sample_call_offs(framework_id, args.sample)
            call_offs -= dropped
            print(f"sample: rendering {call_offs} of the call-offs", flush=True)
        db.session.expunge_all()

        # Warm-up outside the timing, as in a long-running task consumer: Jinja compiles the templates,
        # WeasyPrint and Pango load. Rendered from a throwaway copy of the first contract's terms.
        first = db.session.scalars(db.select(Contract).order_by(Contract.id).limit(1)).one()
        pdf.render("framework_agreement.html", created=NOW, contract=first, terms=first.terms, signatures=[],
                   kind=contracts.KINDS[first.kind])
        db.session.expunge_all()

        n = agreements + call_offs
        rounds = []  # (ours, alone wall s, alone CPU s, alone per-document s)
        rows = []
        for number in range(1, args.rounds + 1):
            if number > 1:  # back to "issued, not yet rendered": the versions go, the audit events stay
                db.session.execute(db.delete(ContractVersion).where(ContractVersion.contract_id.in_(
                    db.select(Contract.id).where(Contract.framework_id == framework_id))))
                db.session.execute(db.update(Contract).where(Contract.framework_id == framework_id)
                                   .values(status="rendering"))
                db.session.commit()
                db.session.expunge_all()
            print(f"round {number}: rendering {n} documents with contracts.render_pending …", flush=True)
            ours = measure_ours(framework_id, url)
            print(f"  {ours['total']:.1f} s ({ours['cpu']:.1f} s CPU)", flush=True)
            previous = rows
            # The stored documents, in render order (ids ascending, as render_pending takes them).
            rows = db.session.execute(db.select(Contract.id, Contract.kind, Contract.reference, Contract.status,
                                                ContractVersion.pdf, ContractVersion.sha256)
                                      .join(ContractVersion, ContractVersion.contract_id == Contract.id)
                                      .where(Contract.framework_id == framework_id).order_by(Contract.id)).all()
            statuses = db.session.execute(db.select(Contract.status, db.func.count()).where(
                Contract.framework_id == framework_id).group_by(Contract.status)).all()
            if dict(statuses) != {"issued": n} or len(rows) != n:
                failures.append(f"round {number}: expected {n} issued contracts with one version each, "
                                f"found {dict(statuses)} and {len(rows)} versions")
            if any(pdf.sha256(r.pdf) != r.sha256 for r in rows):
                failures.append(f"round {number}: a stored sha256 does not match its PDF")
            if ours["done"] != n or len(ours["html"]) != n:
                failures.append(f"round {number}: render_pending rendered {ours['done']}, "
                                f"captured {len(ours['html'])} HTML strings")
            if previous and [r.pdf for r in previous] != [r.pdf for r in rows]:
                failures.append(f"round {number}: the documents differ from the previous round's")

            print(f"round {number}: the same HTML with WeasyPrint alone …", flush=True)
            alone_total, alone_cpu, alone_times, alone_pdfs = measure_weasyprint_alone(ours["html"])
            print(f"  {alone_total:.1f} s ({alone_cpu:.1f} s CPU)", flush=True)
            different = sum(a != r.pdf for a, r in zip(alone_pdfs, rows, strict=False))
            if different:
                failures.append(f"round {number}: WeasyPrint alone gave different bytes for {different} "
                                f"of {len(rows)} documents")
            rounds.append((ours, alone_total, alone_cpu, alone_times))
        ours, alone_total, _, alone_times = rounds[0]

        # Determinism: re-render 3 stored contracts (an agreement, a call-off, the last) through the app.
        picks = [rows[0], rows[agreements], rows[-1]]
        redone = []
        for row in picks:
            contract = db.session.get(Contract, row.id)
            same = contracts.document(contract) == row.pdf
            redone.append((row.reference, same))
            if not same:
                failures.append(f"re-rendering {row.reference} gave different bytes")
        db.session.rollback()

        profile = None
        if args.profile:
            step = max(1, len(ours["html"]) // args.profile)
            chosen = ours["html"][::step][:args.profile]
            print(f"profiling WeasyPrint alone on {len(chosen)} documents …", flush=True)
            by_package, top, profiled = profile_weasyprint(chosen, 25)
            profile = {"documents": len(chosen), "by_package": by_package, "top": top, "seconds": profiled}
        dialect = db.engine.dialect.name
        db.session.remove()
        db.engine.dispose()

    report(args, dialect, ours, rows, agreements, call_offs, alone_total, alone_times, redone, profile, failures,
           rounds)
    return 1 if failures else 0


def report(args, dialect, ours, rows, agreements, call_offs, alone_total, alone_times, redone, profile,
           failures, rounds) -> None:
    n = len(rows)
    total = ours["total"]
    timers: Timers = ours["timers"]
    per = ours["per_document"]
    by_kind = defaultdict(list)
    for template, seconds in per:
        by_kind[template].append(seconds)
    command = "python benchmarks/contracts.py " + " ".join(sys.argv[1:])
    print()
    print(f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `{command.strip()}` on {dialect}:")
    print(f"- documents: **{n}** ({agreements} framework agreements, {call_offs} call-offs)")
    print(f"- `render_pending`: **{total:.1f} s** in all, {total / n * 1000:.0f} ms a document, "
          f"{n / total:.1f} documents/s (batches of 10, {len(ours['writer_holds'])} commits)")
    print(f"- WeasyPrint alone on the same HTML: **{alone_total:.1f} s**, {alone_total / n * 1000:.0f} ms a document")
    print(f"- ratio ours / WeasyPrint alone: **{total / alone_total:.2f}** (CPU time: "
          f"{ours['cpu'] / rounds[0][2]:.2f})")
    sizes = [len(r.pdf) for r in rows]
    size_kind = defaultdict(list)
    for r in rows:
        size_kind[r.kind].append(len(r.pdf))
    print(f"- PDF bytes: {sum(sizes) / 1e6:.1f} MB in all; "
          + "; ".join(f"{k.replace('_', ' ')} mean {statistics.mean(v) / 1024:.1f} KiB "
                      f"({min(v) / 1024:.1f}–{max(v) / 1024:.1f})" for k, v in sorted(size_kind.items())))
    print()
    print("| round | ours s | ours CPU s | WeasyPrint alone s | alone CPU s | ratio | ratio of CPU |")
    print("|---|---|---|---|---|---|---|")
    for number, (o, a_wall, a_cpu, _) in enumerate(rounds, start=1):
        print(f"| {number} | {o['total']:.1f} | {o['cpu']:.1f} | {a_wall:.1f} | {a_cpu:.1f} | "
              f"{o['total'] / a_wall:.2f} | {o['cpu'] / a_cpu:.2f} |")
    if len(rounds) > 1:
        print(f"| median | | | | | {statistics.median(o['total'] / a for o, a, _, _ in rounds):.2f} | "
              f"{statistics.median(o['cpu'] / c for o, _, c, _ in rounds):.2f} |")
    print()
    print("The tables below are round 1's.")
    print()
    print("| per document | n | total s | mean ms | median ms | p90 ms | max ms |")
    print("|---|---|---|---|---|---|---|")
    for template, values in sorted(by_kind.items()):
        print(summary_row(f"ours, `pdf.render`: {template.removesuffix('.html').replace('_', ' ')}", values))
    print(summary_row("ours, `pdf.render`: all", [s for _, s in per]))
    print(summary_row("WeasyPrint alone: all", alone_times))
    print()
    print("| where `render_pending`'s time goes | calls | s | share | ms a document |")
    print("|---|---|---|---|---|")
    order = ["template (Flask render_template)", "WeasyPrint: parse HTML",
             "WeasyPrint: style and layout (HTML.render)", "WeasyPrint: write PDF (Document.write_pdf)",
             "sha256", "audit.record (flushes the version and the event, chain lock, last hash)",
             "commit (flushes the status updates, COMMIT)"]
    weasy_parts = sum(timers.seconds[k] for k in order[1:4])
    weasy_other = timers.seconds["WeasyPrint in all"] - weasy_parts
    accounted = 0.0
    for key in order:
        seconds = timers.seconds[key]
        accounted += seconds
        print(f"| {key} | {timers.calls[key]} | {seconds:.2f} | {seconds / total:.1%} | {seconds / n * 1000:.1f} |")
        if key == "WeasyPrint: write PDF (Document.write_pdf)":
            accounted += weasy_other
            print(f"| WeasyPrint: the rest of `write_pdf` | | {weasy_other:.2f} | {weasy_other / total:.1%} | "
                  f"{weasy_other / n * 1000:.1f} |")
    rest = total - accounted
    print(f"| the rest (batch SELECT, loading `versions`, ORM, building the context) | | {rest:.2f} | "
          f"{rest / total:.1%} | {rest / n * 1000:.1f} |")
    print()
    holds = ours["writer_holds"]
    if holds:
        print(f"- a batch's transaction is a writer (from its first audit record to its commit, holding the audit "
              f"chain's lock on PostgreSQL, the database's write lock on SQLite) for median "
              f"{statistics.median(holds):.2f} s, max {max(holds):.2f} s, {len(holds)} batches: "
              f"{sum(holds) / total:.0%} of the run; a write arriving at a random moment would wait "
              f"{sum(h * h / 2 for h in holds) / total:.2f} s on average")
    waits = ours["lock_waits"]
    if waits:
        print(f"- another connection taking the audit chain's lock every 100 ms during the run ({len(waits)} "
              f"tries) waited median {ms(statistics.median(waits))} ms, p90 {ms(percentile(waits, 90))} ms, "
              f"max {ms(max(waits))} ms; {sum(w > 0.1 for w in waits) / len(waits):.0%} of tries waited "
              f"over 100 ms")
    print()
    print("| SQL during `render_pending` (driver time) | statements | s |")
    print("|---|---|---|")
    for key, (seconds, count) in sorted(ours["sql"].items(), key=lambda kv: -kv[1][0]):
        print(f"| {key} | {count} | {seconds:.2f} |")
    print(f"| all | {sum(c for _, c in ours['sql'].values())} | {sum(s for s, _ in ours['sql'].values()):.2f} |")
    if profile:
        print()
        print(f"cProfile of WeasyPrint alone on {profile['documents']} documents ({profile['seconds']:.1f} s of "
              f"own time under the profiler), own time by package:")
        print()
        print("| package | s | share |")
        print("|---|---|---|")
        for name, seconds in profile["by_package"][:14]:
            print(f"| {name} | {seconds:.2f} | {seconds / profile['seconds']:.1%} |")
        print()
        print("Top functions by own time:")
        print(profile["top"])
    print()
    alone_same = not any("WeasyPrint alone" in f for f in failures)
    print("- determinism: re-rendered through `contracts.document`: "
          + ", ".join(f"{ref} {'same bytes' if same else 'DIFFERENT'}" for ref, same in redone)
          + "; WeasyPrint alone on the captured HTML gave the stored bytes for "
          + (f"all {n}" if alone_same else "not all (see the failures)"))
    print(f"- machine: {machine()}")
    print(f"- checks: **{'all passed' if not failures else 'FAILED'}**")
    for failure in failures:
        print(f"  - FAILED: {failure}")
    if args.json:
        args.json.write_text(json.dumps({
            "dialect": dialect, "documents": n, "agreements": agreements, "call_offs": call_offs,
            "render_pending_s": total, "weasyprint_alone_s": alone_total,
            "rounds": [{"ours_s": o["total"], "ours_cpu_s": o["cpu"], "alone_s": a, "alone_cpu_s": c}
                       for o, a, c, _ in rounds], "ratio": total / alone_total,
            "per_document_s": per, "alone_s": alone_times, "timers": timers.seconds, "calls": timers.calls,
            "writer_holds_s": holds, "lock_waits_s": waits, "sql": ours["sql"], "bytes": sizes, "failures": failures,
            "profile_by_package": profile["by_package"] if profile else None}, indent=1))


if __name__ == "__main__":
    sys.exit(main())
