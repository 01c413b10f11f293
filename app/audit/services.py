"""Writing and checking the audit log.

`record` adds an event to the current transaction and never commits: the service
that made the change commits both together, so there is no change without its event.
An event about something under seal goes to its sealed log instead (`app.audit.sealed`), until `open_seal`.
"""
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, text

from app.audit import sealed
from app.audit.models import AuditEvent, AuditTreeNode, SealedAuditEvent
from app.domain import merkle
from app.domain.audit_chain import GENESIS_HASH, ChainBreak, event_hash, first_break
from app.extensions import db
from app.types import utcnow

# Any fixed number: the advisory lock that serialises appends on PostgreSQL.
_CHAIN_LOCK_KEY = 0x436F6E736F7274


def _json_safe(value: Any) -> Any:
    """What the JSON column will give back, so the hash is computed over exactly that."""
    return None if value is None else json.loads(json.dumps(value, default=str))


def lock_log() -> None:
    """Hold the log's append lock until the transaction ends (SQLite lets one writer in at a time anyway)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})


def _last() -> tuple[int, str]:
    """The next leaf's position and the hash the next event follows."""
    lock_log()
    last = db.session.execute(
        db.select(AuditEvent.log_index, AuditEvent.hash).order_by(AuditEvent.log_index.desc()).limit(1)).first()
    return (0, GENESIS_HASH) if last is None else (last.log_index + 1, last.hash)


def read_nodes(keys) -> dict[merkle.Node, bytes]:
    """Stored tree nodes by (level, position), in one query: for the few (O(log n)) nodes a proof or an append needs;
    `read_leaves` reads a run of leaves."""
    keys = list(keys)
    if not keys:
        return {}
    # One (level AND position) per key, OR-ed: SQLite scans the whole table for a row-value IN, but searches the
    # primary key for each of these.
    wanted = db.or_(*(db.and_(AuditTreeNode.level == level, AuditTreeNode.position == position)
                      for level, position in keys))
    rows = db.session.execute(
        db.select(AuditTreeNode.level, AuditTreeNode.position, AuditTreeNode.hash).where(wanted)).all()
    return {(row.level, row.position): bytes.fromhex(row.hash) for row in rows}


class TreeNodeMissing(Exception):
    """The tree lacks a node the next leaf needs: the log was changed below the application, which stops adding to
    it rather than build on a damaged tree (`flask audit verify` says where)."""


def read_leaves(start: int, end: int) -> dict[merkle.Node, bytes]:
    """The stored leaf hashes of positions [start, end), keyed as nodes (0, position), in one range query."""
    rows = db.session.execute(db.select(AuditTreeNode.position, AuditTreeNode.hash).where(
        AuditTreeNode.level == 0, AuditTreeNode.position >= start, AuditTreeNode.position < end)).all()
    return {(0, row.position): bytes.fromhex(row.hash) for row in rows}


def _add_leaf(position: int, digest: str) -> None:
    siblings = read_nodes(merkle.left_siblings(position))
    if len(siblings) != len(merkle.left_siblings(position)):
        raise TreeNodeMissing(f"the audit log's tree cannot take leaf {position}: a node before it is missing")
    for (level, at), value in merkle.append(position, bytes.fromhex(digest), siblings).items():
        db.session.add(AuditTreeNode(level=level, position=at, hash=value.hex()))


def record(action: str, obj: Any = None, *, actor=None, before: Any = None, after: Any = None,
           object_type: str | None = None, object_id: Any = None) -> AuditEvent | SealedAuditEvent:
    """Add an audit event for `obj` (or the given type and id) to the current transaction: to the public log, or
    to its sealed log while `obj` is under seal (then its `log_index` is None until the seal opens)."""
    if obj is not None:
        object_type = object_type or type(obj).__name__
        db.session.flush()  # a new object needs its id before the event names it
        object_id = obj.id if object_id is None else object_id
    object_type = object_type or "system"
    object_id = None if object_id is None else str(object_id)
    actor_id = getattr(actor, "id", None)
    before, after = _json_safe(before), _json_safe(after)
    seal = sealed.seal_of(object_type, obj)
    if seal is not None:
        return sealed.append(seal, utcnow(), actor_id, action, object_type, object_id, before, after)
    return _append(action, actor_id, object_type, object_id, before, after)


def _append(action: str, actor_id: int | None, object_type: str, object_id: str | None, before: Any,
            after: Any) -> AuditEvent:
    position, prev_hash = _last()
    at = utcnow()  # after the lock: an event is never dated before one (or a checkpoint) ahead of it in the log
    event = AuditEvent(
        log_index=position, at=at, actor_id=actor_id, action=action, object_type=object_type,
        object_id=object_id, before=before, after=after, prev_hash=prev_hash,
        hash=event_hash(prev_hash, at, actor_id, action, object_type, object_id, before, after),
    )
    db.session.add(event)
    _add_leaf(position, event.hash)
    db.session.flush()
    return event


def open_seal(seal: str, obj: Any) -> list[tuple[SealedAuditEvent, int]]:
    """Carry a sealed log into the public log, in the current transaction: an event about `obj` committing to the
    sealed chain (its length and last hash), then a copy of each sealed event in order (in bulk), dated now and naming
    the original's time and hash. Returns each sealed event with its copy's leaf."""
    waiting = sealed.events_of(seal)
    head = waiting[-1].hash if waiting else GENESIS_HASH
    record(sealed.SEAL_OPENED, obj, after={"seal": seal, "events": len(waiting), "head_hash": head})
    db.session.flush()
    leaves = record_many([{"action": event.action, "actor_id": event.actor_id, "object_type": event.object_type,
                           "object_id": event.object_id, "before": event.before,
                           "after": sealed.carried_after(event)} for event in waiting])
    return list(zip(waiting, leaves, strict=True))


def record_many(entries: Sequence[dict], actor=None, batch_size: int = 2000) -> list[int]:
    """Add many events to the current transaction at once (bulk loads): the same chain and Merkle tree as `record`
    called once for each, written in bulk inserts. Each entry has `action`, `object_type` and `object_id`, and may
    have `before`, `after` and `actor_id` (else `actor`'s). Returns each entry's leaf, in order."""
    position, prev_hash = _last()
    at = utcnow()
    actor_id = getattr(actor, "id", None)
    frontier = merkle.pieces(0, position)  # the perfect subtrees so far: each is a later leaf's left sibling
    nodes = read_nodes(frontier)
    if len(nodes) != len(frontier):
        raise TreeNodeMissing(f"the audit log's tree cannot take leaf {position}: a node before it is missing")
    events, tree, leaves = [], [], []
    for entry in entries:
        before, after = _json_safe(entry.get("before")), _json_safe(entry.get("after"))
        object_id = None if entry.get("object_id") is None else str(entry["object_id"])
        by = entry.get("actor_id", actor_id)
        digest = event_hash(prev_hash, at, by, entry["action"], entry["object_type"], object_id, before, after)
        events.append({"log_index": position, "at": at, "actor_id": by, "action": entry["action"],
                       "object_type": entry["object_type"], "object_id": object_id, "before": before,
                       "after": after, "prev_hash": prev_hash, "hash": digest})
        added = merkle.append(position, bytes.fromhex(digest), nodes)
        for node in merkle.left_siblings(position):  # a sibling is needed once, by the parent just made
            nodes.pop(node, None)
        nodes.update(added)
        tree.extend({"level": level, "position": at_, "hash": value.hex()} for (level, at_), value in added.items())
        leaves.append(position)
        prev_hash, position = digest, position + 1
    for rows, model in ((events, AuditEvent), (tree, AuditTreeNode)):
        for start in range(0, len(rows), batch_size):
            db.session.execute(insert(model), rows[start:start + batch_size])
    return leaves


def events_in_order(batch_size: int = 1000, start: int = 0, release: bool = True):
    """Every event from leaf `start` on, in the log's order, a batch at a time (each let go of after it, if
    `release`, so that a walk of the whole log holds one batch in memory)."""
    last = start - 1
    while True:
        batch = db.session.scalars(db.select(AuditEvent).where(AuditEvent.log_index > last)
                                   .order_by(AuditEvent.log_index).limit(batch_size)).all()
        if not batch:
            return
        yield from batch
        last = batch[-1].log_index
        if release:
            db.session.expunge_all()


def verify(batch_size: int = 1000) -> tuple[int, ChainBreak | None]:
    """Walk the whole chain in order; return how many events were checked and the first break."""
    checked = 0

    def events():
        nonlocal checked
        for row in events_in_order(batch_size):
            checked += 1
            yield row.as_chained()

    broken = first_break(events())
    return checked, broken


def events_query(object_type: str | None = None, object_id: str | None = None, action: str | None = None):
    """The newest events first, optionally for one object or one action. (Events under seal are not in the log.)"""
    query = db.select(AuditEvent).order_by(AuditEvent.id.desc())
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if object_id:
        query = query.where(AuditEvent.object_id == str(object_id))
    if action:
        query = query.where(AuditEvent.action == action)
    return query
