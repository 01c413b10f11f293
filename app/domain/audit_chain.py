"""The hash chain that makes the audit log tamper-evident.

Each event's hash covers its own content and the hash of the event before it,
so changing, removing or reordering any event breaks every hash after it.
"""
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class ChainedEvent:
    id: int
    at: datetime
    actor_id: int | None
    action: str
    object_type: str
    object_id: str | None
    before: Any
    after: Any
    prev_hash: str
    hash: str


def event_hash(
    prev_hash: str,
    at: datetime,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str | None,
    before: Any,
    after: Any,
) -> str:
    canonical = json.dumps(
        {
            "prev_hash": prev_hash,
            "at": at.isoformat(timespec="microseconds"),
            "actor_id": actor_id,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "before": before,
            "after": after,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    reason: str


def first_break(events: Iterable[ChainedEvent]) -> ChainBreak | None:
    """The first event, in order, whose link or content does not match its hash."""
    expected_prev = GENESIS_HASH
    for event in events:
        if event.prev_hash != expected_prev:
            return ChainBreak(event.id, "it does not follow the event before it (an event was removed or reordered)")
        recomputed = event_hash(
            event.prev_hash, event.at, event.actor_id, event.action,
            event.object_type, event.object_id, event.before, event.after,
        )
        if recomputed != event.hash:
            return ChainBreak(event.id, "its content does not match its hash (it was changed)")
        expected_prev = event.hash
    return None
