"""Audit events, the Merkle tree over them, and the sealed logs. Rows are only ever inserted: the ORM refuses updates
and deletes, and so do the database's own triggers (installed by migrations 0011 and 0016) for plain SQL."""
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.accounts.models import User
from app.domain.audit_chain import ChainedEvent
from app.extensions import db
from app.types import UTCDateTime


class AuditEvent(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    # The event's leaf in the Merkle tree: 0, 1, 2, ... with no gap (ids may have gaps where a transaction rolled back).
    log_index: Mapped[int] = mapped_column(BigInteger, unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str] = mapped_column(String(80))
    object_id: Mapped[str | None] = mapped_column(String(80))
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)
    # Unique: two events can never claim the same predecessor, so the chain cannot fork.
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    actor: Mapped[User | None] = relationship(lazy="joined")

    __table_args__ = (db.Index("ix_audit_event_object", "object_type", "object_id"),)

    def as_chained(self) -> ChainedEvent:
        return ChainedEvent(
            self.id, self.at, self.actor_id, self.action, self.object_type,
            self.object_id, self.before, self.after, self.prev_hash, self.hash,
        )


class AuditTreeNode(db.Model):
    """The hash of a perfect subtree of the log's Merkle tree: the leaves from position * 2**level, 2**level of them."""
    level: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    position: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(db.Model):
    """A signed statement of the log's size and root at a time. Every one is kept."""
    id: Mapped[int] = mapped_column(primary_key=True)
    tree_size: Mapped[int] = mapped_column(BigInteger, index=True)
    root_hash: Mapped[str] = mapped_column(String(64))
    timestamp: Mapped[str] = mapped_column(String(20))  # as signed: 2026-12-01T15:42:07Z
    key_id: Mapped[str] = mapped_column(String(32))
    signature: Mapped[str] = mapped_column(String(100))  # base64 of the 64-byte Ed25519 signature


class SealedAuditEvent(db.Model):
    """An event about something still under seal (a bid before the bids are opened), kept out of the public log in a
    hash chain of its seal's own ("framework:12"), so that no view of the log tells whether it exists. When the seal
    opens, its events are carried into the log in their order (`app.audit.services.open_seal`)."""
    __tablename__ = "audit_sealed_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    seal: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column()  # 0, 1, 2, ... within its seal
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[str] = mapped_column(String(80))
    object_id: Mapped[str | None] = mapped_column(String(80))
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (db.UniqueConstraint("seal", "position", name="uq_audit_sealed_event_seal_position"),
                      db.UniqueConstraint("seal", "prev_hash", name="uq_audit_sealed_event_seal_prev_hash"))

    # Not in the public log, so no leaf yet: its copy takes one when the seal opens.
    log_index = None

    def as_chained(self) -> ChainedEvent:
        return ChainedEvent(
            self.id, self.at, self.actor_id, self.action, self.object_type,
            self.object_id, self.before, self.after, self.prev_hash, self.hash,
        )


APPEND_ONLY = (AuditEvent, AuditTreeNode, AuditCheckpoint, SealedAuditEvent)


class AuditLogIsAppendOnly(Exception):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session, flush_context, instances):
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, APPEND_ONLY) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsAppendOnly("the audit log is never changed or deleted")
