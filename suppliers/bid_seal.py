"""A bid's audit events and the seal: while a framework takes bids, its bids' events wait in the framework's sealed
log (`app.audit.sealed`), so that no view of the audit log tells that anyone is bidding; at closing they are carried
into the public log, and each submitted bid's receipt names its leaf there."""
from app.audit import sealed as sealed_log
from app.audit import services as audit
from app.extensions import db
from frameworks import signals as framework_signals
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.models import Framework
from suppliers.models import Bid, BidStatus


def seal_name(framework_id: int) -> str:
    return f"framework:{framework_id}"


def _seal_of(bid: Bid) -> str | None:
    """A bid's events wait in its framework's sealed log until the bids are opened at closing (`_record_opening` below),
    so that no view of the audit log tells that anyone is bidding."""
    framework = db.session.get(Framework, bid.framework_id)  # already loaded, and locked, by the write
    return seal_name(framework.id) if framework.status in (FrameworkStatus.DRAFT, FrameworkStatus.OPEN) else None


sealed_log.seal_events("Bid", _seal_of)


@framework_signals.moved.connect
def _record_opening(framework: Framework, target: FrameworkStatus, **_) -> None:
    """The seal breaks at the deadline: when a framework closes, its bids' sealed log is carried into the public log
    (each submitted bid's receipt then names its leaf there), and how many bids were submitted, and when, recorded."""
    if target != FrameworkStatus.CLOSED:
        return
    leaves = {sealed_event.object_id: leaf for sealed_event, leaf in
              audit.open_seal(seal_name(framework.id), framework) if sealed_event.action == "bid.submitted"}
    submitted = db.session.scalars(db.select(Bid).where(
        Bid.framework_id == framework.id, Bid.status == BidStatus.SUBMITTED)).all()
    for bid in submitted:
        bid.receipt_log_index = leaves.get(str(bid.id), bid.receipt_log_index)
    audit.record("framework.bids_opened", framework, after={"submitted_bids": len(submitted),
                                                             "opened_at": framework.bid_deadline.isoformat()})
