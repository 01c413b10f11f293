"""The sealed logs: where the events about something under seal wait, out of the public log, until the seal opens.

While a framework takes bids, everything its bids do (drafted, revised, submitted, withdrawn, documents) is evidence
that a supplier is bidding. Kept in the public log, it would show in the log's size, its ids and its links, which
anyone can read. So such an event goes to its seal's own hash chain instead ("framework:12", in
`audit_sealed_event`), which no page or API reads. When the bids are opened, `app.audit.services.open_seal` appends to
the public log one event that commits to the sealed chain (its length and its last hash) and then a copy of each
sealed event, in order, each naming the sealed event's time and hash; `flask audit verify` checks both sides.

A package says which of its objects are sealed with `seal_events(object_type, seal_of)`: `seal_of(obj)` answers the
seal's name while the object is under seal, and None once it is not.
"""
import zlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import insert, text

from app.audit.models import AuditEvent, SealedAuditEvent
from app.domain.audit_chain import GENESIS_HASH, event_hash, first_break
from app.extensions import db

SEAL_OPENED = "audit.seal_opened"  # the public event that commits to a sealed log as it opens
SEALED_OBJECTS: dict[str, Callable[[Any], str | None]] = {}
# Any fixed 32-bit number: with the seal's CRC, the advisory lock that serialises appends to one sealed log.
_SEAL_LOCK_CLASS = 0x53454C


def seal_events(object_type: str, seal_of: Callable[[Any], str | None]) -> None:
    SEALED_OBJECTS[object_type] = seal_of


def seal_of(object_type: str, obj: Any) -> str | None:
    """The seal an event about `obj` belongs to now, or None for the public log."""
    sealed = SEALED_OBJECTS.get(object_type)
    return None if sealed is None or obj is None else sealed(obj)


def lock_seal(seal: str) -> None:
    """Hold the sealed log's append lock until the transaction ends (SQLite lets one writer in at a time anyway)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:kind, :key)"),
                           {"kind": _SEAL_LOCK_CLASS, "key": zlib.crc32(seal.encode()) & 0x7FFFFFFF})


def _last(seal: str) -> tuple[int, str]:
    lock_seal(seal)
    last = db.session.execute(db.select(SealedAuditEvent.position, SealedAuditEvent.hash)
                              .where(SealedAuditEvent.seal == seal)
                              .order_by(SealedAuditEvent.position.desc()).limit(1)).first()
    return (0, GENESIS_HASH) if last is None else (last.position + 1, last.hash)


def append(seal: str, at: datetime, actor_id: int | None, action: str, object_type: str, object_id: str | None,
           before: Any, after: Any) -> SealedAuditEvent:
    position, prev_hash = _last(seal)
    event = SealedAuditEvent(
        seal=seal, position=position, at=at, actor_id=actor_id, action=action, object_type=object_type,
        object_id=object_id, before=before, after=after, prev_hash=prev_hash,
        hash=event_hash(prev_hash, at, actor_id, action, object_type, object_id, before, after))
    db.session.add(event)
    db.session.flush()
    return event


def append_many(seal: str, at: datetime, entries: list[dict], batch_size: int = 2000) -> None:
    """Many events into one sealed log at once (bulk loads): the chain `append` would make, in bulk inserts. Each
    entry has `action`, `object_type`, `object_id` and may have `actor_id`, `before` and `after` (JSON-ready)."""
    position, prev_hash = _last(seal)
    rows = []
    for entry in entries:
        object_id = None if entry.get("object_id") is None else str(entry["object_id"])
        digest = event_hash(prev_hash, at, entry.get("actor_id"), entry["action"], entry["object_type"], object_id,
                            entry.get("before"), entry.get("after"))
        rows.append({"seal": seal, "position": position, "at": at, "actor_id": entry.get("actor_id"),
                     "action": entry["action"], "object_type": entry["object_type"], "object_id": object_id,
                     "before": entry.get("before"), "after": entry.get("after"), "prev_hash": prev_hash,
                     "hash": digest})
        prev_hash, position = digest, position + 1
    for start in range(0, len(rows), batch_size):
        db.session.execute(insert(SealedAuditEvent), rows[start:start + batch_size])


def events_of(seal: str) -> list[SealedAuditEvent]:
    """The seal's events in their order (under its lock, so none is added meanwhile)."""
    lock_seal(seal)
    return list(db.session.scalars(db.select(SealedAuditEvent).where(SealedAuditEvent.seal == seal)
                                   .order_by(SealedAuditEvent.position)))


def seals() -> list[str]:
    return list(db.session.scalars(db.select(SealedAuditEvent.seal).distinct().order_by(SealedAuditEvent.seal)))


def carried_after(event: SealedAuditEvent) -> Any:
    """What the public copy of a sealed event records as its `after`: the original's, with its time and hash."""
    original = event.after if isinstance(event.after, dict) or event.after is None else {"value": event.after}
    return {**(original or {}), "sealed_at": event.at.isoformat(timespec="microseconds"), "sealed_hash": event.hash}


def problems(opened_only: bool = False) -> list[str]:
    """What does not hold in the sealed logs: each chain intact; and for each one opened, exactly the events it had
    then, carried into the public log right after its opening event, in order and unchanged. `opened_only` checks
    only the opened ones, whose existence is public (an admin's check must not tell of a sealed log that is not)."""
    found: list[str] = []
    openings = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == SEAL_OPENED)
                                  .order_by(AuditEvent.log_index)).all()
    opened = {(event.after or {}).get("seal"): event for event in openings}
    for seal in sorted(opened) if opened_only else seals():
        events = list(db.session.scalars(db.select(SealedAuditEvent).where(SealedAuditEvent.seal == seal)
                                         .order_by(SealedAuditEvent.position)))
        broken = first_break(event.as_chained() for event in events)
        if broken or [event.position for event in events] != list(range(len(events))):
            found.append(f"sealed log {seal}: event {broken.event_id if broken else '?'} is not as recorded "
                         f"({broken.reason if broken else 'its positions have a gap'})")
        elif seal in opened:
            found.extend(_carried_problems(seal, opened[seal], events))
    return found


def _carried_problems(seal: str, opening: AuditEvent, events: list[SealedAuditEvent]) -> list[str]:
    claim = opening.after or {}
    count = claim.get("events")
    if not isinstance(count, int) or count > len(events) or (count and events[count - 1].hash != claim.get(
            "head_hash")) or (not count and claim.get("head_hash") != GENESIS_HASH):
        return [f"sealed log {seal}: it does not hold what its opening (leaf {opening.log_index}) committed to"]
    if count < len(events):
        return [f"sealed log {seal}: {len(events) - count} event(s) were added after it was opened"]
    copies = db.session.scalars(db.select(AuditEvent).where(
        AuditEvent.log_index > opening.log_index, AuditEvent.log_index <= opening.log_index + count)
        .order_by(AuditEvent.log_index)).all()
    for offset, event in enumerate(events):
        copy = copies[offset] if offset < len(copies) else None
        if copy is None or (copy.action, copy.actor_id, copy.object_type, copy.object_id, copy.before,
                            copy.after) != (event.action, event.actor_id, event.object_type, event.object_id,
                                            event.before, carried_after(event)):
            return [f"sealed log {seal}: its event {event.position} was not carried into the public log as it "
                    f"was (leaf {opening.log_index + 1 + offset})"]
    return []
