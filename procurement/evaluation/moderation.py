"""Moderation: every answer of a lot with the evaluators' latest scores side by side, flagged where they are further
apart than SPREAD_FRACTION of the scale, and the moderated score that settles it, if any."""
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.domain.errors import Forbidden
from app.domain.roles import Role
from app.extensions import db
from frameworks.models import Criterion, Lot
from procurement.domain import scoring
from procurement.evaluation import score_records
from procurement.evaluation.models import ModeratedScore, Score
from procurement.evaluation.services import SPREAD_FRACTION, Access, evaluator_access
from suppliers.models import Bid, BidLot, BidStatus


@dataclass(frozen=True)
class AnswerSheet:
    """One bid on a lot as an evaluator reads it."""

    bid_id: int
    supplier: str
    price: Decimal | None
    answers: dict[int, str]  # criterion id → answer


def answer_sheets(access: Access) -> list[AnswerSheet]:
    """The lot's submitted bids with their answers, in two queries however many there are."""
    lot = access.lot
    offers = db.session.scalars(
        db.select(BidLot).join(Bid, Bid.id == BidLot.bid_id)
        .where(BidLot.lot_id == lot.id, Bid.status == BidStatus.SUBMITTED)
        .options(selectinload(BidLot.answers), selectinload(BidLot.bid)).order_by(BidLot.bid_id))
    return [AnswerSheet(o.bid_id, o.bid.supplier.name, o.price if access.sees_prices else None,
                        {a.criterion_id: a.text for a in o.answers}) for o in offers]


@dataclass(frozen=True)
class ModerationRow:
    bid_id: int
    supplier: str
    criterion: Criterion
    scores: list[tuple[str, Score]]  # (evaluator e-mail, their latest score)
    wide: bool
    moderated: ModeratedScore | None


def moderation_rows(actor: User, lot_id: int, fraction: Decimal = SPREAD_FRACTION) -> tuple[Lot, list[ModerationRow]]:
    """Every answer with the evaluators' scores side by side, flagged where they are far apart."""
    if actor.role != Role.ADMIN:
        raise Forbidden("Only the consortium's admins moderate scores.")
    access = evaluator_access(actor, lot_id)
    lot = access.lot
    emails = score_records.evaluator_emails(lot.id)
    moderated = score_records.latest_moderated(lot.id)
    by_answer: dict[tuple[int, int], list[tuple[str, Score]]] = defaultdict(list)
    for (bid_id, criterion_id, evaluator_id), entry in score_records.latest_scores(lot.id).items():
        by_answer[(bid_id, criterion_id)].append((emails[evaluator_id], entry))
    rows = []
    for sheet in answer_sheets(access):
        for criterion in lot.criteria:
            scores = sorted(by_answer.get((sheet.bid_id, criterion.id), []), key=lambda pair: pair[0])
            wide = scoring.spread_is_wide([s.score for _, s in scores], Decimal(criterion.max_score), fraction)
            rows.append(ModerationRow(sheet.bid_id, sheet.supplier, criterion, scores, wide,
                                      moderated.get((sheet.bid_id, criterion.id))))
    return lot, rows


