"""Requirements: what an authority needs, before it is pooled into a lot."""
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text
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
