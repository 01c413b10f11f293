"""Erasure requests: what was erased at once, what a retention rule keeps and until when, and when the person was
anonymised in place."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.types import UTCDateTime, utcnow


class ErasureRequest(db.Model):
    __tablename__ = "erasure_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    erased: Mapped[list] = mapped_column(JSON, default=list)  # what was erased at once, in words
    kept: Mapped[list] = mapped_column(JSON, default=list)  # [{"what", "why", "until"}]
    # The day after which nothing keeps the person's identity: the consumer then anonymises them in place.
    anonymise_after: Mapped[date | None] = mapped_column(index=True)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
