"""Supplier profiles and declarations; bids: prices and answers per lot, bundle offers and documents."""
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.extensions import db
from app.organisations.models import Organisation
from app.types import Money, StatusEnum, UTCDateTime, random_ids, utcnow
from frameworks.models import Framework


class SupplierProfile(db.Model):
    """What a buyer needs to know about a supplier beyond its name, SME status and Companies House number."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), unique=True)
    registered_address: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(200), default="")
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    organisation: Mapped[Organisation] = relationship()


class ExclusionDeclaration(db.Model):
    """A declaration against the exclusion grounds. Never changed: a new declaration replaces it for later bids."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    answers: Mapped[dict] = mapped_column(JSON)  # ground code → true when it applies
    details: Mapped[str] = mapped_column(Text, default="")
    self_cleaning: Mapped[str] = mapped_column(Text, default="")
    made_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    made_by: Mapped[User | None] = relationship()


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
    # When the submission reached us (the time judged against the deadline, on the receipt)...
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # ... and when it was written, after the locks (later, in a rush at the deadline).
    receipt_written_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    receipt_sha256: Mapped[str | None] = mapped_column(String(64))
    # The leaf of its bid.submitted event in the audit log's Merkle tree, so the receipt stays provable.
    receipt_log_index: Mapped[int | None] = mapped_column(BigInteger)
    submissions: Mapped[int] = mapped_column(default=0)
    # The declaration the bid was last submitted with: a later declaration does not rewrite a tendered bid.
    declaration_id: Mapped[int | None] = mapped_column(ForeignKey("exclusion_declaration.id"))

    framework: Mapped[Framework] = relationship()
    supplier: Mapped[Organisation] = relationship(lazy="joined")
    lots: Mapped[list["BidLot"]] = relationship(back_populates="bid", cascade="all, delete-orphan",
                                                order_by="BidLot.lot_id")
    bundles: Mapped[list["BundleOffer"]] = relationship(back_populates="bid", cascade="all, delete-orphan",
                                                        order_by="BundleOffer.id")
    documents: Mapped[list["BidDocument"]] = relationship(back_populates="bid", cascade="all, delete-orphan",
                                                          order_by="BidDocument.id")
    declaration: Mapped[ExclusionDeclaration | None] = relationship()

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


class BidDocument(db.Model):
    """A document uploaded to a bid, stored outside the web root under a generated name."""

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    media_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    bid: Mapped[Bid] = relationship(back_populates="documents")

    __table_args__ = (CheckConstraint("size > 0", name="size_positive"),)


random_ids(Bid)
random_ids(BidDocument)
