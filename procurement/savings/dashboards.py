"""The money on the dashboards: an officer's frameworks, call-offs, spend and savings; for admins the pipeline by
state, the value under management, levies due and paid, and savings by authority. Each table is also a CSV."""
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.organisations.models import Organisation
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.models import Framework, Lot
from procurement.award.services import lot_outcomes
from procurement.board.models import Recommendation
from procurement.calloffs.models import CallOff, Levy
from procurement.domain import savings as saving_rules

ZERO = Decimal(0)
PAST_THE_BOARD = (FrameworkStatus.STANDSTILL, FrameworkStatus.AWARDED, FrameworkStatus.EXPIRED)


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: list[tuple]
    chart: list[tuple[str, Decimal, Decimal]]  # (label, first bar, second bar) where a chart says it better
    chart_labels: tuple[str, str] = ("", "")


def _approved_savings() -> dict[int, list[saving_rules.AuthoritySavings]]:
    """Framework id → each authority's saving on it, for every framework past the board whose latest
    recommendation was approved: three queries however many frameworks there are (theirs with their award runs, then
    their lots and the requirements pooled in them)."""
    latest = (db.select(Recommendation.framework_id, db.func.max(Recommendation.id).label("id"))
              .group_by(Recommendation.framework_id).subquery())
    rows = db.session.execute(
        db.select(Framework, Recommendation)
        .join(latest, latest.c.framework_id == Framework.id).join(Recommendation, Recommendation.id == latest.c.id)
        .where(Framework.status.in_(PAST_THE_BOARD), Recommendation.outcome == "approved")
        .options(selectinload(Framework.lots).selectinload(Lot.pooled), joinedload(Recommendation.award_run))).all()
    return {framework.id: saving_rules.by_authority(lot_outcomes(framework, recommendation.award_run.result.get(
        "awards", []))) for framework, recommendation in rows}


def officer_table(organisation_id: int) -> Table:
    """The authority's frameworks past the board: its call-offs, spend and saving on each."""
    spend: dict[int, tuple[int, Decimal]] = {}
    for framework_id, count, total in db.session.execute(
            db.select(CallOff.framework_id, db.func.count(CallOff.id), db.func.sum(CallOff.value))
            .where(CallOff.organisation_id == organisation_id).group_by(CallOff.framework_id)):
        spend[framework_id] = (count, Decimal(total or 0))
    approved = _approved_savings()
    references = _references(approved)
    rows, chart = [], []
    for framework_id, by_authority in sorted(approved.items()):
        mine = next((row for row in by_authority if row.organisation_id == organisation_id), None)
        if mine is None:
            continue
        count, total = spend.get(framework_id, (0, ZERO))
        rows.append((references[framework_id], count, total.quantize(Decimal("0.01")),
                     mine.savings.quantize(Decimal("0.01"))))
        chart.append((references[framework_id], total, max(mine.savings, ZERO)))
    return Table("Your authority's frameworks", ("Framework", "Call-offs", "Spend (£)", "Saving (£)"), rows, chart,
                 ("spend", "saving"))


def pipeline_table() -> Table:
    rows = db.session.execute(db.select(Framework.status, db.func.count(Framework.id),
                                        db.func.sum(Framework.maximum_value)).group_by(Framework.status)).all()
    by_status = {status: (count, Decimal(total or 0)) for status, count, total in rows}
    ordered = [(s.value, by_status.get(s, (0, ZERO))[0], by_status.get(s, (0, ZERO))[1].quantize(Decimal("0.01")))
               for s in FrameworkStatus]
    return Table("The pipeline by state", ("State", "Frameworks", "Maximum value (£)"), ordered,
                 [(s, Decimal(n), v) for s, n, v in ordered if n], ("frameworks", "value"))


def value_under_management() -> tuple[Decimal, Decimal]:
    """(maximum value of the live frameworks, called off from them so far)."""
    live = db.session.scalar(db.select(db.func.sum(Framework.maximum_value))
                             .where(Framework.status == FrameworkStatus.AWARDED)) or ZERO
    called = db.session.scalar(db.select(db.func.sum(CallOff.value))) or ZERO
    return Decimal(live), Decimal(called)


def _references(framework_ids) -> dict[int, str]:
    return dict(db.session.execute(db.select(Framework.id, Framework.reference)
                                   .where(Framework.id.in_(list(framework_ids)))).all())


def levies_table() -> Table:
    sums: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for framework_id, status, total in db.session.execute(
            db.select(Levy.framework_id, Levy.status, db.func.sum(Levy.amount)).group_by(Levy.framework_id,
                                                                                          Levy.status)):
        sums[framework_id][1 if status == "paid" else 0] += Decimal(total or 0)
    cents = Decimal("0.01")
    references = _references(sums)
    rows = [(references[f], due.quantize(cents), paid.quantize(cents)) for f, (due, paid) in sorted(sums.items())]
    return Table("Levies due and paid", ("Framework", "Due (£)", "Paid (£)"), rows,
                 [(r[0], r[1], r[2]) for r in rows], ("due", "paid"))


def savings_table() -> Table:
    totals: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for by_authority in _approved_savings().values():
        for row in by_authority:
            totals[row.organisation_id][0] += row.baseline
            totals[row.organisation_id][1] += row.awarded
    names = dict(db.session.execute(db.select(Organisation.id, Organisation.name)
                                    .where(Organisation.id.in_(list(totals)))).all())
    rows = sorted(((names[o], b.quantize(Decimal("0.01")), a.quantize(Decimal("0.01")),
                    (b - a).quantize(Decimal("0.01"))) for o, (b, a) in totals.items()), key=lambda r: -r[3])
    return Table("Savings by authority", ("Authority", "Its estimates (£)", "Awarded (£)", "Saving (£)"), rows,
                 [(r[0], r[3], ZERO) for r in rows[:12]], ("saving", ""))


def admin_tables() -> dict[str, Table]:
    return {"pipeline": pipeline_table(), "levies": levies_table(), "savings": savings_table()}
