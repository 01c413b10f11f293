"""Writing and checking the audit log.

`record` adds an event to the current transaction and never commits: the service
that made the change commits both together, so there is no change without its event.
"""
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import text

from app.audit.models import AuditEvent
from app.domain.audit_chain import GENESIS_HASH, ChainBreak, event_hash, first_break
from app.extensions import db
from app.types import utcnow

# Any fixed number: the advisory lock that serialises appends on PostgreSQL.
_CHAIN_LOCK_KEY = 0x436F6E736F7274


def _json_safe(value: Any) -> Any:
    """What the JSON column will give back, so the hash is computed over exactly that."""
    return None if value is None else json.loads(json.dumps(value, default=str))


def _last_hash() -> str:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})
    last = db.session.scalar(db.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    return last or GENESIS_HASH


def record(action: str, obj: Any = None, *, actor=None, before: Any = None, after: Any = None,
           object_type: str | None = None, object_id: Any = None) -> AuditEvent:
    """Add an audit event for `obj` (or the given type and id) to the current transaction."""
    if obj is not None:
        object_type = object_type or type(obj).__name__
        db.session.flush()  # a new object needs its id before the event names it
        object_id = obj.id if object_id is None else object_id
    actor_id = getattr(actor, "id", None)
    before, after = _json_safe(before), _json_safe(after)
    at = utcnow()
    prev_hash = _last_hash()
    object_id = None if object_id is None else str(object_id)
    event = AuditEvent(
        at=at, actor_id=actor_id, action=action, object_type=object_type or "system",
        object_id=object_id, before=before, after=after, prev_hash=prev_hash,
        hash=event_hash(prev_hash, at, actor_id, action, object_type or "system", object_id, before, after),
    )
    db.session.add(event)
    db.session.flush()
    return event


def verify(batch_size: int = 1000) -> tuple[int, ChainBreak | None]:
    """Walk the whole chain in order; return how many events were checked and the first break."""
    checked = 0

    def events():
        nonlocal checked
        last_id = 0
        while True:
            batch = db.session.scalars(
                db.select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch_size)
            ).all()
            if not batch:
                return
            for row in batch:
                checked += 1
                yield row.as_chained()
            last_id = batch[-1].id
            db.session.expunge_all()

    broken = first_break(events())
    return checked, broken


# Object types whose events stay hidden while the object is sealed: type → a function of the time giving
# a select of the sealed objects' ids (as text). Packages register theirs (bids: until the bid deadline).
SEALED_OBJECTS: dict[str, Callable] = {}


def seal_events(object_type: str, sealed_ids: Callable) -> None:
    SEALED_OBJECTS[object_type] = sealed_ids


def events_query(object_type: str | None = None, object_id: str | None = None, action: str | None = None):
    """The newest events first, optionally for one object or one action, without the events of sealed objects."""
    query = db.select(AuditEvent).order_by(AuditEvent.id.desc())
    now = utcnow()
    for sealed_type, sealed_ids in SEALED_OBJECTS.items():
        query = query.where(db.not_(db.and_(AuditEvent.object_type == sealed_type,
                                            AuditEvent.object_id.in_(sealed_ids(now)))))
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if object_id:
        query = query.where(AuditEvent.object_id == str(object_id))
    if action:
        query = query.where(AuditEvent.action == action)
    return query
