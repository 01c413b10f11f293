"""The bid as a task list: the status of each of its tasks, read from what the bid holds.

A supplier's bid is its organisation (profile, declaration), a task per lot, its bundles, its documents, and
checking and submitting it. Each task is Not started, In progress, Completed, or Cannot start yet (it needs
another task first), after the GOV.UK task list pattern.
"""
import math
from collections.abc import Mapping, Sequence
from enum import Enum

from suppliers.domain.bidding import Bundle, LotOffer, LotRules


class TaskStatus(Enum):
    NOT_STARTED = "Not started"
    IN_PROGRESS = "In progress"
    COMPLETED = "Completed"
    CANNOT_START = "Cannot start yet"

    @property
    def done(self) -> bool:
        return self is TaskStatus.COMPLETED


def lot_status(offer: LotOffer | None, rules: LotRules) -> TaskStatus:
    """A lot not in the bid is not started; in it, it is completed once every quality question is answered."""
    if offer is None:
        return TaskStatus.NOT_STARTED
    answered = all(offer.answers.get(criterion_id, "").strip() for criterion_id in rules.criteria)
    return TaskStatus.COMPLETED if answered and offer.price > 0 else TaskStatus.IN_PROGRESS


def bundles_status(lots: Sequence[LotOffer], bundles: Sequence[Bundle]) -> TaskStatus:
    """Bundles are optional: they can be offered once the bid prices two lots, and are done once one is."""
    if bundles:
        return TaskStatus.COMPLETED
    return TaskStatus.NOT_STARTED if len(lots) >= 2 else TaskStatus.CANNOT_START


def documents_status(bid_started: bool, documents: int) -> TaskStatus:
    """Documents are attached to a bid, so a bid must be started (a lot saved) first."""
    if not bid_started:
        return TaskStatus.CANNOT_START
    return TaskStatus.COMPLETED if documents else TaskStatus.NOT_STARTED


def submission_status(bid_started: bool, submitted: bool, problems: Mapping[str, str]) -> TaskStatus:
    """Checking and submitting can start once nothing stops the submission; it is done while the bid stands
    submitted (a change takes it back to draft, and this task with it)."""
    if submitted:
        return TaskStatus.COMPLETED
    if not bid_started or problems:
        return TaskStatus.CANNOT_START
    return TaskStatus.NOT_STARTED


def with_lot(lots: Sequence[LotOffer], lot_id: int, offer: LotOffer | None) -> list[LotOffer]:
    """The bid's lots with one lot's offer put in, replaced or (None) taken out. The offer comes first, so that the
    rules' problems with it are named `lots.0.*`."""
    others = [o for o in lots if o.lot_id != lot_id]
    return [offer, *others] if offer is not None else others


def bundles_holding(bundles: Sequence[Bundle], lot_id: int) -> list[Bundle]:
    """The bundles that hold a lot: while any does, the lot cannot be taken out of the bid."""
    return [bundle for bundle in bundles if lot_id in bundle.lot_ids]


def possible_bundles(lots: int, max_lots_per_supplier: int | None) -> int:
    """How many different bundles (sets of two or more lots a supplier may win) there can be among `lots` lots."""
    largest = min(lots, max_lots_per_supplier or lots)
    return sum(math.comb(lots, size) for size in range(2, largest + 1))
