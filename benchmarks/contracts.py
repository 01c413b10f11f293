"""Rendering a framework's contracts: how long, against WeasyPrint alone, and where the time goes.

A framework with 20 lots, each pooling a requirement of every one of the 34 London authorities, is awarded one
winner a lot (12 distinct suppliers, some winning several lots, two lots as a bundle). `contracts.issue` makes one
framework agreement per winner and one call-off per authority and lot (20 x 34 = 680), and
`contracts.render_pending` renders them all, as the task consumer (`procurement.contracts.tasks.render_contracts`) does.

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
import csv
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import support
from contracts_measure import measure_ours, measure_weasyprint_alone, profile_weasyprint
from contracts_report import report

DATABASE = "consort_bench_contracts"
AUTHORITIES_CSV = support.ROOT / "consort" / "demo" / "data" / "london-authorities.csv"
LOTS = 20
WINNERS = 12
SUPPLIERS = 30
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def database(args) -> tuple[str, str | None, tempfile.TemporaryDirectory | None]:
    """The URL, the PostgreSQL database to drop afterwards (if this run made it), and the temp dir to clean."""
    if args.database_url:
        return args.database_url, None, None
    if args.postgres:
        return support.create_database(DATABASE), DATABASE, None
    folder = tempfile.TemporaryDirectory(prefix="consort-bench-contracts-")
    return f"sqlite:///{folder.name}/bench.sqlite3", None, folder


def build(seed: int) -> int:
    """The consortium, 34 authorities, suppliers, an awarded framework of 20 lots each pooling a requirement of
    every authority, its award run and approved recommendation. Returns the framework id."""
    from procurement.models import AwardRun, Recommendation, Requirement, RequirementStatus

    from app.extensions import db
    from app.organisations.models import Organisation, OrganisationKind
    from frameworks.domain.lifecycle import FrameworkStatus
    from frameworks.models import Framework, Lot, LotRequirement

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
    from procurement.models import Contract

    from app.extensions import db

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
            support.drop_database(created)
        if folder:
            folder.cleanup()


def run(args, url: str) -> int:
    from procurement.models import Contract, ContractVersion

    from app.extensions import db
    from procurement import contracts, pdf

    app = support.make_app(url)
    failures: list[str] = []
    with app.app_context():
        t0 = time.perf_counter()
        support.migrate()
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


if __name__ == "__main__":
    sys.exit(main())
