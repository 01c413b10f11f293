"""Standstill letters and contracts with their versions."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.types import Money, UTCDateTime, never_changed, utcnow


class StandstillLetter(db.Model):
    """The assessment summary letter sent to a bidder when the standstill starts."""

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"), index=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendation.id", ondelete="CASCADE"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    emailed_to: Mapped[list] = mapped_column(JSON, default=list)


class Contract(db.Model):
    """A framework agreement (consortium and a winning supplier) or a call-off (an authority, one lot)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"), index=True)
    reference: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    # The supplier that signs; None on a call-off from a lot with several winners, until a mini-competition.
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    supplier_ids: Mapped[list] = mapped_column(JSON, default=list)  # every supplier party to it
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)  # the buyer's side
    lot_ids: Mapped[list] = mapped_column(JSON, default=list)
    value: Mapped[Decimal] = mapped_column(Money())
    status: Mapped[str] = mapped_column(String(20), default="rendering")
    terms: Mapped[dict] = mapped_column(JSON, default=dict)  # everything the document is rendered from
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    signed_name: Mapped[str | None] = mapped_column(String(200))
    signed_position: Mapped[str | None] = mapped_column(String(200))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signed_ip: Mapped[str | None] = mapped_column(String(45))
    countersigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    countersigned_name: Mapped[str | None] = mapped_column(String(200))
    countersigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    countersigned_ip: Mapped[str | None] = mapped_column(String(45))

    versions: Mapped[list["ContractVersion"]] = relationship(back_populates="contract",
                                                             order_by="ContractVersion.number")

    __table_args__ = (
        CheckConstraint("kind IN ('framework_agreement', 'call_off')", name="known_contract_kind"),
        CheckConstraint("status IN ('rendering', 'issued', 'signed', 'countersigned')", name="known_contract_status"),
    )


class ContractVersion(db.Model):
    """One rendering of a contract: the issued document, then one more for each signature. Never changed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    reason: Mapped[str] = mapped_column(String(20))
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    contract: Mapped[Contract] = relationship(back_populates="versions")

    __table_args__ = (UniqueConstraint("contract_id", "number", name="uq_contract_version_number"),)


never_changed(StandstillLetter)
never_changed(ContractVersion, deleted=True)
