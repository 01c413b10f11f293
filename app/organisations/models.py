"""Organisations and the e-mail domains an authority's officers sign up from."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.roles import OrganisationKind
from app.extensions import db
from app.types import StatusEnum, UTCDateTime, utcnow


class Organisation(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(
        StatusEnum(OrganisationKind),
        index=True,
    )
    sme: Mapped[bool] = mapped_column(default=False)
    companies_house_number: Mapped[str | None] = mapped_column(String(8), unique=True)
    gss_code: Mapped[str | None] = mapped_column(String(9), unique=True)
    # The Public Procurement Organisation Number (Central Digital Platform), published as GB-PPON in OCDS. A unique
    # index rather than a constraint, so that SQLite adds it without rebuilding the table.
    ppon: Mapped[str | None] = mapped_column(String(14), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    domains: Mapped[list["OrganisationDomain"]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="OrganisationDomain.domain"
    )

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"


class OrganisationDomain(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    domain: Mapped[str] = mapped_column(String(253), unique=True)

    organisation: Mapped[Organisation] = relationship(back_populates="domains")
