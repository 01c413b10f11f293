"""The evaluation of a whole framework: each supplier's portfolio across lots, assessment summaries, and the
spreadsheet for the file. Built from the lots' rankings, in a number of queries that grows with the lots, never
with the bids."""
import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from app.accounts.models import User
from app.domain.errors import Forbidden, NotFound
from app.domain.roles import Role
from app.extensions import db
from app.organisations.models import Organisation
from app.types import utcnow
from frameworks import services as frameworks
from frameworks.models import Framework, Lot
from procurement.domain import scoring
from procurement.evaluation import services as evaluation
from procurement.evaluation.models import ModeratedScore, Score
from suppliers import bids
from suppliers.models import Bid, BidStatus, BundleOffer


@dataclass(frozen=True)
class BundleLine:
    lot_numbers: list[int]
    price: Decimal


@dataclass(frozen=True)
class SupplierPortfolio:
    supplier_id: int
    name: str
    by_lot: dict[int, scoring.Scored]  # lot id → its scored row
    bundles: list[BundleLine]


@dataclass(frozen=True)
class Portfolio:
    framework: Framework
    lots: list[Lot]
    rankings: dict[int, evaluation.Ranking]
    suppliers: list[SupplierPortfolio]


def _require_admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise Forbidden("Only the consortium's admins see the whole evaluation.")


def portfolio(actor: User, framework_id: int) -> Portfolio:
    """Every supplier's bids across the lots side by side, with the bundles they offered."""
    _require_admin(actor)
    framework = frameworks.get(framework_id)
    lots = list(framework.lots)
    rankings = {lot.id: evaluation.ranking(actor, lot.id) for lot in lots}
    rows: dict[int, dict[int, scoring.Scored]] = {}
    for lot_id, result in rankings.items():
        for row in result.rows:
            rows.setdefault(row.supplier_id, {})[lot_id] = row
    numbers = {lot.id: lot.number for lot in lots}
    bundles: dict[int, list[BundleLine]] = {}
    from sqlalchemy.orm import selectinload

    for offer in db.session.scalars(
            db.select(BundleOffer).join(Bid, Bid.id == BundleOffer.bid_id)
            .where(Bid.framework_id == framework.id, Bid.status == BidStatus.SUBMITTED)
            .options(selectinload(BundleOffer.lots), selectinload(BundleOffer.bid))):
        bundles.setdefault(offer.bid.supplier_id, []).append(
            BundleLine(sorted(numbers[x.lot_id] for x in offer.lots), offer.price))
    names = evaluation.supplier_names(set(rows) | set(bundles))
    suppliers = [SupplierPortfolio(sid, names[sid], rows.get(sid, {}), bundles.get(sid, []))
                 for sid in sorted(names, key=lambda s: names[s].lower())]
    return Portfolio(framework, lots, rankings, suppliers)


@dataclass(frozen=True)
class CriterionAssessment:
    name: str
    weight: int
    max_score: int
    score: Decimal | None
    winner_score: Decimal | None
    reasons: list[str]
    winner_reasons: list[str]


@dataclass(frozen=True)
class Assessment:
    lot: Lot
    supplier: str
    row: scoring.Scored
    winner: scoring.Scored
    winner_name: str
    criteria: list[CriterionAssessment]


def assessment(actor: User, lot_id: int, bid_id: int, winner_bid_id: int | None = None) -> Assessment:
    """For one bidder on one lot: its scores and the winner's (the highest ranked, or the bid awarded the lot),
    with the reasons the evaluators recorded."""
    _require_admin(actor)
    result = evaluation.ranking(actor, lot_id)
    row = next((r for r in result.rows if r.bid_id == bid_id), None)
    if row is None:
        raise NotFound("There is no submitted bid with that id on this lot.")
    winner = next((r for r in result.rows if r.bid_id == winner_bid_id), result.rows[0])
    lot = result.lot
    scores = db.session.scalars(db.select(Score).where(Score.lot_id == lot.id, Score.bid_id.in_(
        {bid_id, winner.bid_id})).order_by(Score.id))
    latest: dict[tuple[int, int, int], Score] = {}
    for entry in scores:
        latest[(entry.bid_id, entry.criterion_id, entry.evaluator_id)] = entry
    moderated: dict[tuple[int, int], ModeratedScore] = {}
    for entry in db.session.scalars(db.select(ModeratedScore).where(
            ModeratedScore.lot_id == lot.id, ModeratedScore.bid_id.in_({bid_id, winner.bid_id}))
            .order_by(ModeratedScore.id)):
        moderated[(entry.bid_id, entry.criterion_id)] = entry

    def agreed(bid: int, criterion_id: int) -> tuple[Decimal | None, list[str]]:
        given = [s for (b, c, _), s in latest.items() if (b, c) == (bid, criterion_id)]
        if (bid, criterion_id) in moderated:
            entry = moderated[(bid, criterion_id)]
            return entry.score, [entry.reason]
        return scoring.agreed_score([s.score for s in given], None), [s.rationale for s in given]

    criteria = []
    for criterion in lot.criteria:
        score, reasons = agreed(bid_id, criterion.id)
        winner_score, winner_reasons = agreed(winner.bid_id, criterion.id)
        criteria.append(CriterionAssessment(criterion.name, criterion.weight, criterion.max_score, score,
                                            winner_score, reasons, winner_reasons))
    names = evaluation.supplier_names({row.supplier_id, winner.supplier_id})
    return Assessment(lot, names[row.supplier_id], row, winner, names[winner.supplier_id], criteria)


def workbook(actor: User, framework_id: int) -> bytes:
    """The full evaluation as an XLSX workbook: the rankings, every score with its rationale, moderation."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    result = portfolio(actor, framework_id)
    book = Workbook()
    ranking_sheet = book.active
    ranking_sheet.title = "Rankings"
    ranking_sheet.append(["Lot", "Lot title", "Rank", "Bidder", "Price (GBP)", "Quality", "Price score", "Total",
                          "Fully scored"])
    names = {s.supplier_id: s.name for s in result.suppliers}
    for lot in result.lots:
        for row in result.rankings[lot.id].rows:
            ranking_sheet.append([lot.number, lot.title, row.rank, names.get(row.supplier_id, ""), row.price,
                                  round(row.quality, 2), round(row.price_score, 2), round(row.total, 2),
                                  "yes" if row.complete else "no"])
    scores_sheet = book.create_sheet("Scores")
    scores_sheet.append(["Lot", "Bidder", "Criterion", "Evaluator", "Score", "Rationale", "Scored at (UTC)"])
    lot_numbers = {lot.id: lot.number for lot in result.lots}
    criteria = {c.id: c.name for lot in result.lots for c in lot.criteria}
    bidders = dict(db.session.execute(db.select(Bid.id, Bid.supplier_id).where(Bid.framework_id == framework_id)).all())
    emails = dict(db.session.execute(db.select(User.id, User.email)).all())
    lot_ids = list(lot_numbers)
    for entry in db.session.scalars(db.select(Score).where(Score.lot_id.in_(lot_ids)).order_by(Score.id)):
        scores_sheet.append([lot_numbers[entry.lot_id], names.get(bidders.get(entry.bid_id), ""),
                             criteria.get(entry.criterion_id, ""), emails.get(entry.evaluator_id, ""), entry.score,
                             entry.rationale, entry.scored_at.replace(tzinfo=None)])
    moderation_sheet = book.create_sheet("Moderation")
    moderation_sheet.append(["Lot", "Bidder", "Criterion", "Moderator", "Score", "Reason", "At (UTC)"])
    for entry in db.session.scalars(db.select(ModeratedScore).where(ModeratedScore.lot_id.in_(lot_ids))
                                    .order_by(ModeratedScore.id)):
        moderation_sheet.append([lot_numbers[entry.lot_id], names.get(bidders.get(entry.bid_id), ""),
                                 criteria.get(entry.criterion_id, ""), emails.get(entry.moderator_id, ""),
                                 entry.score, entry.reason, entry.moderated_at.replace(tzinfo=None)])
    for sheet in book.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str) and cell.value[:1] in ("=", "+", "-", "@"):
                    cell.data_type = "s"  # text, never a formula
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bidders(framework: Framework, now: datetime | None = None) -> list[tuple[int, str]]:
    """The suppliers with a submitted bid on the framework, by name; none while the bids are sealed, when nobody may
    know who has bid."""
    if bids.is_sealed(framework, now or utcnow()):
        return []
    return list(db.session.execute(
        db.select(Organisation.id, Organisation.name).join(Bid, Bid.supplier_id == Organisation.id)
        .where(Bid.framework_id == framework.id, Bid.status == BidStatus.SUBMITTED).order_by(Organisation.name)).all())
