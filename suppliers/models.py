"""Bids: a supplier's prices and answers per lot, and its bundle offers."""
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.organisations.models import Organisation
from app.types import Money, StatusEnum, UTCDateTime, utcnow
from frameworks.models import Framework


class BidStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class Bid(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    status: Mapped[BidStatus] = mapped_column(
        StatusEnum(BidStatus), default=BidStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    receipt_sha256: Mapped[str | None] = mapped_column(String(64))
    submissions: Mapped[int] = mapped_column(default=0)

    framework: Mapped[Framework] = relationship()
    supplier: Mapped[Organisation] = relationship(lazy="joined")
    lots: Mapped[list["BidLot"]] = relationship(back_populates="bid", cascade="all, delete-orphan",
                                                order_by="BidLot.lot_id")
    bundles: Mapped[list["BundleOffer"]] = relationship(back_populates="bid", cascade="all, delete-orphan",
                                                        order_by="BundleOffer.id")

    # One bid per supplier per framework: it is revised, not duplicated.
    __table_args__ = (UniqueConstraint("framework_id", "supplier_id", name="uq_bid_framework_supplier"),)


class BidLot(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    price: Mapped[Decimal] = mapped_column(Money())

    bid: Mapped[Bid] = relationship(back_populates="lots")
    answers: Mapped[list["BidAnswer"]] = relationship(back_populates="bid_lot", cascade="all, delete-orphan",
                                                      order_by="BidAnswer.criterion_id")

    __table_args__ = (UniqueConstraint("bid_id", "lot_id", name="uq_bid_lot_bid_lot"),
                      CheckConstraint("price > 0", name="price_positive"))


class BidAnswer(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    bid_lot_id: Mapped[int] = mapped_column(ForeignKey("bid_lot.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id"))
    text: Mapped[str] = mapped_column(Text)

    bid_lot: Mapped[BidLot] = relationship(back_populates="answers")

    __table_args__ = (UniqueConstraint("bid_lot_id", "criterion_id", name="uq_bid_answer_lot_criterion"),)


class BundleOffer(db.Model):
    """One price for a set of lots, valid only if the bid wins all of them."""

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id", ondelete="CASCADE"), index=True)
    price: Mapped[Decimal] = mapped_column(Money())

    bid: Mapped[Bid] = relationship(back_populates="bundles")
    lots: Mapped[list["BundleLot"]] = relationship(cascade="all, delete-orphan", order_by="BundleLot.lot_id")

    __table_args__ = (CheckConstraint("price > 0", name="price_positive"),)


class BundleLot(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_id: Mapped[int] = mapped_column(ForeignKey("bundle_offer.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"))

    __table_args__ = (UniqueConstraint("bundle_id", "lot_id", name="uq_bundle_lot_bundle_lot"),)
