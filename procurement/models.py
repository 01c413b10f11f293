"""Requirements (what an authority needs, before it is pooled into a lot) and the evaluation of bids."""
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, LargeBinary, Numeric, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.organisations.models import Organisation
from app.types import Money, StatusEnum, UTCDateTime, utcnow


class RequirementStatus(StrEnum):
    OPEN = "open"
    POOLED = "pooled"
    WITHDRAWN = "withdrawn"


class Requirement(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(40), index=True)
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    unit: Mapped[str] = mapped_column(String(40))
    estimated_unit_price: Mapped[Decimal] = mapped_column(Money())
    needed_by: Mapped[date]
    status: Mapped[RequirementStatus] = mapped_column(
        StatusEnum(RequirementStatus),
        default=RequirementStatus.OPEN, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("estimated_unit_price >= 0", name="price_not_negative"),
    )

    @property
    def estimated_value(self) -> Decimal:
        return self.quantity * self.estimated_unit_price


# Evaluation: panels, conflict declarations, scores and moderation. Nothing here is ever changed or deleted
# except a lot's panel: a new declaration, score or moderated score is a new row, and the latest one counts.

class PanelMember(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    user: Mapped["User"] = relationship(foreign_keys=[user_id], lazy="joined")  # noqa: F821

    __table_args__ = (UniqueConstraint("lot_id", "user_id", name="uq_panel_member_lot_user"),)


class ConflictDeclaration(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    conflict: Mapped[bool]
    details: Mapped[str] = mapped_column(Text, default="")
    bidders_named: Mapped[list] = mapped_column(JSON, default=list)  # the bidders shown when it was made
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Score(db.Model):
    """One evaluator's score of one answer (a bid's answer to one criterion), with the reason for it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id", ondelete="CASCADE"), index=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id", ondelete="CASCADE"))
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    score: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    rationale: Mapped[str] = mapped_column(Text)
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (CheckConstraint("score >= 0", name="score_not_negative"),)


class ModeratedScore(db.Model):
    """The admin's moderated score of one answer; the evaluators' scores stay beside it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id", ondelete="CASCADE"), index=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id", ondelete="CASCADE"))
    moderator_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    score: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    reason: Mapped[str] = mapped_column(Text)
    moderated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (CheckConstraint("score >= 0", name="score_not_negative"),)


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


@event.listens_for(ContractVersion, "before_update")
@event.listens_for(ContractVersion, "before_delete")
@event.listens_for(BoardVote, "before_update")
@event.listens_for(StandstillLetter, "before_update")
def _never_changed(mapper, connection, target) -> None:
    """A rendered version of a contract, a vote and a letter are on the record: they are added, never changed."""
    raise ValueError(f"{type(target).__name__} {target.id} is on the record and cannot be changed.")


class CallOff(db.Model):
    """An authority's order under an awarded lot: a direct award to the lot's supplier."""

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)  # the authority
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    value: Mapped[Decimal] = mapped_column(Money())
    description: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (CheckConstraint("value > 0", name="call_off_value_positive"),)


class Levy(db.Model):
    """What a supplier owes the consortium on a call-off: the framework's levy percentage of its value."""

    id: Mapped[int] = mapped_column(primary_key=True)
    call_off_id: Mapped[int] = mapped_column(ForeignKey("call_off.id", ondelete="CASCADE"), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money())
    status: Mapped[str] = mapped_column(String(12), default="due", index=True)
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("amount >= 0", name="levy_not_negative"),
        CheckConstraint("status IN ('due', 'processing', 'paid')", name="known_levy_status"),
    )


class StripeEvent(db.Model):
    """Each Stripe event applied, by its id: an event delivered again is recognised and changes nothing."""

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    object_id: Mapped[str | None] = mapped_column(String(255), index=True)
    created: Mapped[int]  # Stripe's own time of the event, to put events about one object in order
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    outcome: Mapped[str] = mapped_column(String(200), default="")


class Membership(db.Model):
    """An authority's annual membership of the consortium, as a Stripe subscription (ids only, never card data)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), unique=True)
    stripe_customer_id: Mapped[str] = mapped_column(String(255))
    stripe_subscription_id: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(30))
    current_period_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MiniCompetition(db.Model):
    """An authority's further competition among a lot's suppliers: a short request, their answers, scores, award."""

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    request: Mapped[str] = mapped_column(Text)
    maximum_value: Mapped[Decimal] = mapped_column(Money())
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(12), default="open")
    call_off_id: Mapped[int | None] = mapped_column(ForeignKey("call_off.id"))
    award_reason: Mapped[str] = mapped_column(Text, default="")

    answers: Mapped[list["MiniCompetitionAnswer"]] = relationship(order_by="MiniCompetitionAnswer.id")

    __table_args__ = (
        CheckConstraint("maximum_value > 0", name="mini_competition_value_positive"),
        CheckConstraint("status IN ('open', 'awarded', 'cancelled')", name="known_mini_competition_status"),
    )


class MiniCompetitionAnswer(db.Model):
    """A supplier's answer to a mini-competition: its price and how it would meet the request; then its score."""

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("mini_competition.id", ondelete="CASCADE"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    price: Mapped[Decimal] = mapped_column(Money())
    answer: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    score_reason: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (UniqueConstraint("competition_id", "supplier_id", name="uq_one_answer_per_supplier"),
                      CheckConstraint("price > 0", name="answer_price_positive"))
