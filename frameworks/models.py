"""Frameworks, their lots and criteria, the requirements pooled into lots, and clarification questions."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    column,
    func,
    literal_column,
)
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.extensions import db
from app.organisations.models import Organisation
from app.types import Money, StatusEnum, UTCDateTime, utcnow
from frameworks.domain.lifecycle import FrameworkStatus, effective_status
from frameworks.requirements.models import Requirement

StatusColumn = StatusEnum(FrameworkStatus)

# The column that records when a framework entered each state.
STATE_TIMESTAMPS = {
    FrameworkStatus.OPEN: "published_at",
    FrameworkStatus.CLOSED: "closed_at",
    FrameworkStatus.EVALUATION: "evaluation_started_at",
    FrameworkStatus.RECOMMENDED: "recommended_at",
    FrameworkStatus.STANDSTILL: "standstill_started_at",
    FrameworkStatus.AWARDED: "awarded_at",
    FrameworkStatus.EXPIRED: "expired_at",
    FrameworkStatus.CANCELLED: "cancelled_at",
}


# What a search of the opportunities reads on PostgreSQL: the title and description as an English text-search vector,
# indexed by ix_framework_search (GIN). Its text is fixed in the SQL, not bound, so that a query's expression is the
# index's. SQLite has no text search: there the search is a LIKE over the same columns (frameworks.services).
SEARCH_CONFIG = literal_column("'english'::regconfig")


def search_vector(title, description):
    return func.to_tsvector(SEARCH_CONFIG, title.op("||")(literal_column("' '")).op("||")(description))


class Framework(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[FrameworkStatus] = mapped_column(StatusColumn, default=FrameworkStatus.DRAFT, index=True)
    maximum_value: Mapped[Decimal] = mapped_column(Money())
    bid_deadline: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    question_deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_months: Mapped[int]
    max_lots_per_supplier: Mapped[int | None]
    min_sme_share: Mapped[Decimal] = mapped_column(Numeric(5, 4), default=Decimal(0))
    standstill_working_days: Mapped[int] = mapped_column(default=8)
    levy_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(0))
    # Quality evaluators see answers without prices, so that price cannot colour a quality score.
    price_hidden_from_evaluators: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    evaluation_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recommended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    standstill_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    standstill_ends: Mapped[datetime | None] = mapped_column(UTCDateTime())
    awarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    lots: Mapped[list["Lot"]] = relationship(back_populates="framework", order_by="Lot.number",
                                             cascade="all, delete-orphan")
    created_by: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint("maximum_value > 0", name="maximum_value_positive"),
        CheckConstraint("duration_months BETWEEN 1 AND 48", name="duration_at_most_48_months"),
        CheckConstraint("min_sme_share >= 0 AND min_sme_share <= 1", name="sme_share_is_a_fraction"),
        CheckConstraint("levy_percent >= 0 AND levy_percent <= 100", name="levy_is_a_percentage"),
        CheckConstraint("standstill_working_days >= 0", name="standstill_not_negative"),
        CheckConstraint("question_deadline < bid_deadline", name="questions_close_before_bids"),
        Index("ix_framework_search", search_vector(column("title"), column("description")),
              postgresql_using="gin").ddl_if(dialect="postgresql"),
    )

    def current_status(self, now: datetime | None = None) -> FrameworkStatus:
        return effective_status(self.status, self.bid_deadline, now or utcnow())

    @classmethod
    def search_vector(cls):
        return search_vector(cls.title, cls.description)


class Lot(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    max_awards: Mapped[int] = mapped_column(default=1)
    budget: Mapped[Decimal] = mapped_column(Money())
    price_weight: Mapped[int]
    price_formula: Mapped[str] = mapped_column(String(20))
    # An offer whose quality score on this lot is below this cannot win it (0: no threshold).
    quality_threshold: Mapped[Decimal] = mapped_column(Numeric(7, 2), default=Decimal(0), server_default="0")

    framework: Mapped[Framework] = relationship(back_populates="lots")
    criteria: Mapped[list["Criterion"]] = relationship(back_populates="lot", order_by="Criterion.position",
                                                       cascade="all, delete-orphan")
    pooled: Mapped[list["LotRequirement"]] = relationship(back_populates="lot", cascade="all, delete-orphan")

    __table_args__ = (
        UniqueConstraint("framework_id", "number", name="uq_lot_framework_number"),
        CheckConstraint("max_awards >= 1", name="at_least_one_award"),
        CheckConstraint("budget > 0", name="budget_positive"),
        CheckConstraint("price_weight BETWEEN 0 AND 100", name="price_weight_percentage"),
        CheckConstraint("price_formula IN ('relative', 'linear', 'absolute')", name="known_price_formula"),
    )


class Criterion(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    weight: Mapped[int]
    max_score: Mapped[int]
    guidance: Mapped[str] = mapped_column(Text, default="")
    word_limit: Mapped[int] = mapped_column(default=500, server_default="500")

    lot: Mapped[Lot] = relationship(back_populates="criteria")

    __table_args__ = (
        CheckConstraint("weight BETWEEN 1 AND 100", name="weight_percentage"),
        CheckConstraint("max_score >= 1", name="max_score_positive"),
    )


class LotRequirement(db.Model):
    """A requirement pooled into a lot; a requirement is in at most one lot."""

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id", ondelete="CASCADE"), index=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirement.id"), unique=True)

    lot: Mapped[Lot] = relationship(back_populates="pooled")
    requirement: Mapped[Requirement] = relationship(lazy="joined")


class Question(db.Model):
    """A clarification question; its answer is published to every bidder without the asker's identity."""

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"), index=True)
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    asker_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    text: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    framework: Mapped[Framework] = relationship()
    asker_organisation: Mapped[Organisation] = relationship()
