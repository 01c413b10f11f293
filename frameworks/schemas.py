"""JSON shapes of frameworks, lots and questions, for the API and its OpenAPI document."""
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints, model_validator

from app.api.schemas import DecimalText, Money, Overlay, Time, fixed
from app.types import utcnow
from frameworks import services as frameworks
from frameworks.models import Lot

Text = Annotated[str, StringConstraints(max_length=10_000)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
MoneyIn = Annotated[Decimal, Field(gt=0, le=Decimal("100000000000"), max_digits=14, decimal_places=2)]


class FrameworkIn(BaseModel):
    title: Title
    description: Text = ""
    maximum_value: MoneyIn
    bid_deadline: AwareDatetime
    question_deadline: AwareDatetime
    duration_months: Annotated[int, Field(ge=1, le=48)]
    max_lots_per_supplier: Annotated[int, Field(ge=1, le=1000)] | None = None
    min_sme_share: Annotated[Decimal, Field(ge=0, le=1, max_digits=5, decimal_places=4)] = Decimal(0)
    standstill_working_days: Annotated[int, Field(ge=0, le=60)] = 8
    levy_percent: Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)] = Decimal(0)
    price_hidden_from_evaluators: bool = Field(
        True, description="Quality evaluators see answers without prices (on unless set to false).")


class CriterionIn(BaseModel):
    name: Title
    weight: Annotated[int, Field(ge=1, le=100)]
    max_score: Annotated[int, Field(ge=1, le=100)]
    guidance: Text = ""
    word_limit: Annotated[int, Field(ge=1, le=5000)] = 500


class LotIn(BaseModel):
    title: Title
    description: Text = ""
    requirement_ids: Annotated[list[int], Field(min_length=1, max_length=1000)]
    max_awards: Annotated[int, Field(ge=1, le=100)] = 1
    budget: MoneyIn
    price_weight: Annotated[int, Field(ge=0, le=100)]
    price_formula: Literal["relative", "linear", "absolute"]
    criteria: Annotated[list[CriterionIn], Field(max_length=50)] = []


class TransitionIn(BaseModel):
    to: Literal["draft", "open", "closed", "evaluation", "recommended", "standstill", "awarded", "expired",
                "cancelled"]


class QuestionIn(BaseModel):
    text: Annotated[str, StringConstraints(min_length=1, max_length=4000, strip_whitespace=True)]


class AnswerIn(BaseModel):
    answer: Annotated[str, StringConstraints(min_length=1, max_length=4000, strip_whitespace=True)]


class CriterionOut(BaseModel):
    id: int
    name: str
    weight: int
    max_score: int
    guidance: str
    word_limit: int


class AuthorityDemandOut(BaseModel):
    organisation_id: int
    quantity: DecimalText
    estimated_value: Money
    share: fixed(4)


class DemandOut(BaseModel):
    quantity: DecimalText
    estimated_value: Money
    authorities: list[AuthorityDemandOut]


class LotOut(BaseModel):
    id: int
    framework_id: int
    number: int
    title: str
    description: str
    max_awards: int
    budget: Money
    price_weight: int
    price_formula: str
    criteria: list[CriterionOut]
    requirement_ids: list[int]
    demand: DemandOut

    @model_validator(mode="before")
    @classmethod
    def _pooled_demand(cls, lot):
        if isinstance(lot, Lot):
            return Overlay(lot, requirement_ids=sorted(p.requirement_id for p in lot.pooled),
                           demand=frameworks.demand(lot))
        return lot


class FrameworkOut(BaseModel):
    id: int
    reference: str
    title: str
    description: str
    status: str
    maximum_value: Money
    bid_deadline: Time
    question_deadline: Time
    duration_months: int
    max_lots_per_supplier: int | None
    min_sme_share: DecimalText
    standstill_working_days: int
    levy_percent: Money
    price_hidden_from_evaluators: bool
    created_at: Time
    published_at: Time | None
    closed_at: Time | None
    cancelled_at: Time | None
    recommended_at: Time | None
    standstill_started_at: Time | None
    standstill_ends: Time | None
    awarded_at: Time | None
    lots: list[LotOut]

    @model_validator(mode="before")
    @classmethod
    def _status_now(cls, framework):
        """The status as of now: an open framework past its deadline is closed before the task records it."""
        if not isinstance(framework, Mapping) and hasattr(framework, "current_status"):
            return Overlay(framework, status=framework.current_status(utcnow()))
        return framework


class QuestionOut(BaseModel):
    id: int
    framework_id: int
    text: str
    answer: str | None
    answered_at: Time | None


class AskedQuestionOut(BaseModel):
    id: int
    framework_id: int
    text: str
    asked_at: Time
    status: str
