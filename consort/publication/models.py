"""The OCDS releases published: each one stored as the exact JSON text served, and never changed."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.types import UTCDateTime, never_changed, utcnow


class OcdsRelease(db.Model):
    """One release of a contracting process (a framework, or a call-off under it), as published."""

    id: Mapped[int] = mapped_column(primary_key=True)
    ocid: Mapped[str] = mapped_column(String(120), index=True)
    release_id: Mapped[str] = mapped_column(String(160))
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"), index=True)
    call_off_id: Mapped[int | None] = mapped_column(ForeignKey("call_off.id", ondelete="CASCADE"), index=True)
    date: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)  # the release's own `date`
    tag: Mapped[str] = mapped_column(String(120))  # its tags, comma-separated
    content: Mapped[str] = mapped_column(Text)  # the release's JSON text, byte for byte as served
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("ocid", "release_id", name="uq_ocds_release_ocid_release_id"),)


never_changed(OcdsRelease, deleted=True)
