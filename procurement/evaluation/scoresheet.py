"""An evaluator's score sheet for a lot: every answer to score, one row per (bid, criterion) in a fixed order, with
the evaluator's latest score of each, so that the pages can score answer by answer ("Answer 7 of 18").

Access is the evaluation's: `services.evaluator_access` refuses as it refuses everywhere else. Each sheet is read in
a fixed number of queries however many bids the lot has."""
from dataclasses import dataclass
from decimal import Decimal

from app.accounts.models import User
from app.domain.errors import NotFound
from app.extensions import db
from frameworks.models import Criterion
from procurement.evaluation import services as evaluation
from procurement.evaluation.models import Score
from suppliers.models import Bid, BidAnswer, BidLot, BidStatus


@dataclass(frozen=True)
class Entry:
    """One answer to score: its place in the sheet (from 1), the bid as the evaluation names it, and the criterion."""

    position: int
    bid_id: int
    supplier: str
    price: Decimal | None  # None where prices are hidden from the evaluator
    criterion: Criterion
    score: Score | None  # the evaluator's latest, if any

    @property
    def scored(self) -> bool:
        return self.score is not None


@dataclass(frozen=True)
class Sheet:
    access: evaluation.Access
    entries: list[Entry]

    @property
    def lot(self):
        return self.access.lot

    @property
    def scored(self) -> int:
        return sum(entry.scored for entry in self.entries)

    @property
    def complete(self) -> bool:
        return bool(self.entries) and self.scored == len(self.entries)

    def entry(self, bid_id: int, criterion_id: int) -> Entry:
        found = next((e for e in self.entries if (e.bid_id, e.criterion.id) == (bid_id, criterion_id)), None)
        if found is None:
            raise NotFound("There is no such answer to score on this lot.")
        return found

    def neighbours(self, entry: Entry) -> tuple[Entry | None, Entry | None]:
        """The answers before and after this one in the sheet."""
        index = entry.position - 1
        return (self.entries[index - 1] if index > 0 else None,
                self.entries[index + 1] if index + 1 < len(self.entries) else None)

    def next_unscored(self, after: Entry | None = None) -> Entry | None:
        """The first answer not yet scored after `after` (going round to the start), leaving `after` itself out."""
        start = after.position if after else 0
        ordered = self.entries[start:] + self.entries[:start]
        return next((e for e in ordered if not e.scored and e is not after), None)

    def by_bid(self) -> list[list[Entry]]:
        """The entries grouped by bid, in the sheet's order."""
        groups: dict[int, list[Entry]] = {}
        for entry in self.entries:
            groups.setdefault(entry.bid_id, []).append(entry)
        return list(groups.values())


def sheet(actor: User, lot_id: int) -> Sheet:
    """The evaluator's score sheet for the lot: every submitted bid's answer to every criterion, in bid order."""
    access = evaluation.evaluator_access(actor, lot_id)
    lot = access.lot
    bidders = db.session.execute(
        db.select(BidLot.bid_id, Bid.supplier_id, BidLot.price).join(Bid, Bid.id == BidLot.bid_id)
        .where(BidLot.lot_id == lot.id, Bid.status == BidStatus.SUBMITTED).order_by(BidLot.bid_id)).all()
    names = evaluation.supplier_names({supplier_id for _, supplier_id, _ in bidders})
    mine = evaluation.my_scores(actor, lot.id)
    entries = []
    for bid_id, supplier_id, price in bidders:
        for criterion in lot.criteria:
            entries.append(Entry(len(entries) + 1, bid_id, names.get(supplier_id, ""),
                                 price if access.sees_prices else None, criterion, mine.get((bid_id, criterion.id))))
    return Sheet(access, entries)


def answer_text(current: Sheet, entry: Entry) -> str:
    """The supplier's answer to the entry's criterion ("" if none was given), read in one query."""
    text = db.session.scalar(
        db.select(BidAnswer.text).join(BidLot, BidLot.id == BidAnswer.bid_lot_id)
        .where(BidLot.lot_id == current.lot.id, BidLot.bid_id == entry.bid_id,
               BidAnswer.criterion_id == entry.criterion.id))
    return text or ""


def others_on(actor: User, current: Sheet, entry: Entry) -> list[tuple[str, Score]]:
    """The other evaluators' scores of this answer, once the evaluator has scored every answer; else none."""
    if not current.complete:
        return []
    return evaluation.others_scores(actor, current.lot).get((entry.bid_id, entry.criterion.id), [])
