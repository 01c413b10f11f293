"""The consortium's data-sharing agreement, in versions, and each authority's acceptance of one version."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.extensions import db
from app.organisations.models import Organisation
from app.types import UTCDateTime, utcnow


class DataSharingAgreement(db.Model):
    """One version of the agreement; the newest is the current one. A version never changes: a new one replaces it."""

    __tablename__ = "data_sharing_agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(Text)
    data_shared: Mapped[str] = mapped_column(Text)
    lawful_basis: Mapped[str] = mapped_column(Text)
    recipients: Mapped[str] = mapped_column(Text)  # who may see the data shared
    review_on: Mapped[date]
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class AgreementAcceptance(db.Model):
    """An authority's acceptance of one version, through a named officer; withdrawn, it stops new pooling."""

    __tablename__ = "agreement_acceptance"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("data_sharing_agreement.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    officer_name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(200), default="")
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    agreement: Mapped[DataSharingAgreement] = relationship(lazy="joined")
    organisation: Mapped[Organisation] = relationship(lazy="joined")
    officer: Mapped[User | None] = relationship(foreign_keys=[officer_id])

    @property
    def version(self) -> int:
        return self.agreement.version

    @property
    def organisation_name(self) -> str:
        return self.organisation.name
