"""The board: recommendations of award runs and the members' votes."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.types import UTCDateTime, never_changed, utcnow
from procurement.award.models import AwardRun


class Recommendation(db.Model):
    """An award run put to the board. The board size and quorum are fixed when it is made."""

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"), index=True)
    award_run_id: Mapped[int] = mapped_column(ForeignKey("award_run.id", ondelete="CASCADE"), index=True)
    recommended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recommended_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    board_size: Mapped[int]
    quorum: Mapped[int]
    outcome: Mapped[str] = mapped_column(String(10), default="pending")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reasons: Mapped[str] = mapped_column(Text, default="")  # the rejecting members' comments, when rejected
    # The pack as the board was given it: rendered once, when the award is recommended, and served from here.
    pack_pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    pack_sha256: Mapped[str | None] = mapped_column(String(64))

    award_run: Mapped[AwardRun] = relationship()
    votes: Mapped[list["BoardVote"]] = relationship(back_populates="recommendation", order_by="BoardVote.id")

    __table_args__ = (CheckConstraint("outcome IN ('pending', 'approved', 'rejected')", name="known_outcome"),)


class BoardVote(db.Model):
    """One board member's vote on a recommendation; final once cast."""

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendation.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    decision: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text, default="")
    voted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    recommendation: Mapped[Recommendation] = relationship(back_populates="votes")

    __table_args__ = (
        UniqueConstraint("recommendation_id", "user_id", name="uq_board_vote_once"),
        CheckConstraint("decision IN ('approve', 'reject', 'abstain')", name="known_decision"),
    )


never_changed(BoardVote)
