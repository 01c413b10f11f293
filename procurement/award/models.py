"""Award runs: the optimiser's portfolio of winners for a framework, with its inputs and explanation."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.types import UTCDateTime, utcnow


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
