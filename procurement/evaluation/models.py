"""The evaluation of bids: panels, conflict declarations, scores and moderated scores."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.types import UTCDateTime, utcnow

# Evaluation: panels, conflict declarations, scores and moderation. Nothing here is ever changed or deleted
# except a lot's panel: a new declaration, score or moderated score is a new row, and the latest one counts.

class PanelMember(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    user: Mapped["User"] = relationship(foreign_keys=[user_id], lazy="joined")  # noqa: F821

    __table_args__ = (UniqueConstraint("lot_id", "user_id", name="uq_panel_member_lot_user"),)


class ConflictDeclaration(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    conflict: Mapped[bool]
    details: Mapped[str] = mapped_column(Text, default="")
    bidders_named: Mapped[list] = mapped_column(JSON, default=list)  # the bidders shown when it was made
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Score(db.Model):
    """One evaluator's score of one answer (a bid's answer to one criterion), with the reason for it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id", ondelete="CASCADE"), index=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id", ondelete="CASCADE"))
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    score: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    rationale: Mapped[str] = mapped_column(Text)
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (CheckConstraint("score >= 0", name="score_not_negative"),)


class ModeratedScore(db.Model):
    """The admin's moderated score of one answer; the evaluators' scores stay beside it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id", ondelete="CASCADE"), index=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id", ondelete="CASCADE"))
    moderator_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    score: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    reason: Mapped[str] = mapped_column(Text)
    moderated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (CheckConstraint("score >= 0", name="score_not_negative"),)
