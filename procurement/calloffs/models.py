"""Call-offs from an awarded lot with the levy each owes, and mini-competitions between a lot's suppliers."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.types import Money, UTCDateTime, utcnow


class CallOff(db.Model):
    """An authority's order under an awarded lot: a direct award to the lot's supplier."""

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)  # the authority
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    value: Mapped[Decimal] = mapped_column(Money())
    description: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (CheckConstraint("value > 0", name="call_off_value_positive"),)


class Levy(db.Model):
    """What a supplier owes the consortium on a call-off: the framework's levy percentage of its value."""

    id: Mapped[int] = mapped_column(primary_key=True)
    call_off_id: Mapped[int] = mapped_column(ForeignKey("call_off.id", ondelete="CASCADE"), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money())
    status: Mapped[str] = mapped_column(String(12), default="due", index=True)
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("amount >= 0", name="levy_not_negative"),
        CheckConstraint("status IN ('due', 'processing', 'paid')", name="known_levy_status"),
    )


class MiniCompetition(db.Model):
    """An authority's further competition among a lot's suppliers: a short request, their answers, scores, award."""

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    request: Mapped[str] = mapped_column(Text)
    maximum_value: Mapped[Decimal] = mapped_column(Money())
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(12), default="open")
    call_off_id: Mapped[int | None] = mapped_column(ForeignKey("call_off.id"))
    award_reason: Mapped[str] = mapped_column(Text, default="")
    # When the answers' sealed audit log was carried into the public log (the officer's first step after the deadline).
    answers_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    answers: Mapped[list["MiniCompetitionAnswer"]] = relationship(order_by="MiniCompetitionAnswer.id")

    __table_args__ = (
        CheckConstraint("maximum_value > 0", name="mini_competition_value_positive"),
        CheckConstraint("status IN ('open', 'awarded', 'cancelled')", name="known_mini_competition_status"),
    )


class MiniCompetitionAnswer(db.Model):
    """A supplier's answer to a mini-competition: its price and how it would meet the request; then its score."""

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("mini_competition.id", ondelete="CASCADE"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    price: Mapped[Decimal] = mapped_column(Money())
    answer: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    score_reason: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (UniqueConstraint("competition_id", "supplier_id", name="uq_one_answer_per_supplier"),
                      CheckConstraint("price > 0", name="answer_price_positive"))
