"""The supplier's bid as a task list: where each task stands, and the writes of its pages, one lot or the bundles
at a time, each keeping the rest of the bid as it is (read under the bid's lock, so two pages saved at once do not
undo each other)."""
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from app.accounts.models import User
from app.domain.errors import Conflict, ValidationFailed
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.models import Framework, Lot
from suppliers import bids, profiles
from suppliers.domain import bidding
from suppliers.domain.bid_tasks import (
    TaskStatus,
    bundles_holding,
    bundles_status,
    documents_status,
    lot_status,
    possible_bundles,
    submission_status,
    with_lot,
)
from suppliers.models import Bid, BidStatus

IN_A_BUNDLE = "This lot is in a bundle of your bid. Take it out of the bundle first, then remove the lot."
NO_BID_YET = "Save a lot of your bid first: bundles and documents belong to a bid."


@dataclass(frozen=True)
class LotTask:
    lot: Lot
    offer: bidding.LotOffer | None
    status: TaskStatus


@dataclass(frozen=True)
class BidTasks:
    """Every task of a supplier's bid on a framework, with its status."""

    framework: Framework
    bid: Bid | None
    is_open: bool
    profile: TaskStatus
    declaration: TaskStatus
    lots: list[LotTask]
    bundles: TaskStatus | None  # None: the framework's lots make no bundle possible
    documents: TaskStatus
    submission: TaskStatus
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def statuses(self) -> list[TaskStatus]:
        extra = [self.bundles] if self.bundles is not None else []
        return [self.profile, self.declaration, *(t.status for t in self.lots), *extra, self.documents,
                self.submission]

    @property
    def completed(self) -> int:
        return sum(status.done for status in self.statuses)


def _profile_status(organisation_id: int, missing: list[str]) -> TaskStatus:
    if "profile" not in missing:
        return TaskStatus.COMPLETED
    profile = profiles.profile_of(organisation_id)
    started = any(getattr(profile, name) for name in profiles.PROFILE_FIELDS)
    return TaskStatus.IN_PROGRESS if started else TaskStatus.NOT_STARTED


def tasks_of(actor: User, framework: Framework, now: datetime) -> BidTasks:
    """The task list of the actor's bid on the framework: the lots it can bid on (while the framework is open) or
    has bid on, its organisation's profile and declaration, bundles, documents, and submitting."""
    is_open = framework.current_status(now) == FrameworkStatus.OPEN
    own = bids.own_bid(actor, framework.id)
    bid = bids.loaded(own.id) if own is not None else None
    content = bids.content_of(bid) if bid is not None else None
    offers = {o.lot_id: o for o in content.lots} if content else {}
    rules = bids.rules_of(framework)
    problems = bidding.submission_problems(content, rules, bidding.FrameworkRules(
        framework.max_lots_per_supplier)) if content else {}
    missing = profiles.missing_before_bidding(actor.organisation_id)
    lots = [LotTask(lot, offers.get(lot.id), lot_status(offers.get(lot.id), rules[lot.id]))
            for lot in sorted(framework.lots, key=lambda lot: lot.number) if is_open or lot.id in offers]
    bundles = None
    if possible_bundles(len(framework.lots), framework.max_lots_per_supplier) or (content and content.bundles):
        bundles = bundles_status(content.lots if content else [], content.bundles if content else [])
    return BidTasks(
        framework=framework, bid=bid, is_open=is_open, problems=problems,
        profile=_profile_status(actor.organisation_id, missing),
        declaration=TaskStatus.NOT_STARTED if "declaration" in missing else TaskStatus.COMPLETED,
        lots=lots, bundles=bundles, documents=documents_status(bid is not None, len(bid.documents) if bid else 0),
        submission=submission_status(bid is not None, bid is not None and bid.status == BidStatus.SUBMITTED,
                                     problems))


def save_lot(actor: User, framework_id: int, lot_id: int, offer: bidding.LotOffer | None,
             now: datetime | None = None) -> Bid | None:
    """Put one lot's offer into the supplier's bid, starting the bid if need be, or (None) take the lot out;
    the other lots and the bundles stay. Commits. None when there was no bid and nothing to put in it."""
    own = bids.own_bid(actor, framework_id)
    if own is None:
        return bids.create(actor, framework_id, [offer], [], now) if offer is not None else None
    bid, framework, now = bids.own_for_write(actor, own.id, now)
    content = bids.content_of(bid)
    if offer is None and bundles_holding(content.bundles, lot_id):
        raise ValidationFailed(IN_A_BUNDLE)
    return bids.revise(actor, bid, framework, now, with_lot(content.lots, lot_id, offer), content.bundles)


def save_bundles(actor: User, framework_id: int, bundles: Sequence[bidding.Bundle],
                 now: datetime | None = None) -> Bid:
    """Replace the bundles of the supplier's bid; its lots stay. Commits."""
    own = bids.own_bid(actor, framework_id)
    if own is None:
        raise Conflict(NO_BID_YET)
    bid, framework, now = bids.own_for_write(actor, own.id, now)
    return bids.revise(actor, bid, framework, now, bids.content_of(bid).lots, bundles)
