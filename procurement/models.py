"""Requirements (what an authority needs, before it is pooled into a lot) and the evaluation of bids."""
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.organisations.models import Organisation
from app.types import Money, StatusEnum, UTCDateTime, utcnow


class RequirementStatus(StrEnum):
    OPEN = "open"
    POOLED = "pooled"
    WITHDRAWN = "withdrawn"


class Requirement(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(40), index=True)
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    unit: Mapped[str] = mapped_column(String(40))
    estimated_unit_price: Mapped[Decimal] = mapped_column(Money())
    needed_by: Mapped[date]
    status: Mapped[RequirementStatus] = mapped_column(
        StatusEnum(RequirementStatus),
        default=RequirementStatus.OPEN, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("estimated_unit_price >= 0", name="price_not_negative"),
    )

    @property
    def estimated_value(self) -> Decimal:
        return self.quantity * self.estimated_unit_price


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


class AwardRun(db.Model):
    """One run of the award optimiser: what went in, what came out, how long it took. Never changed after."""

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="done")
    options: Mapped[dict] = mapped_column(JSON, default=dict)  # exclusions and overrides of a what-if
    inputs: Mapped[dict] = mapped_column(JSON, default=dict)  # the problem as solved, to reproduce it
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    optimal: Mapped[bool] = mapped_column(default=False)
    seconds: Mapped[float] = mapped_column(default=0.0)
