"""JSON shapes of frameworks, lots and questions, for the API and its OpenAPI document."""
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

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
    quantity: str
    estimated_value: str
    share: str


class DemandOut(BaseModel):
    quantity: str
    estimated_value: str
    authorities: list[AuthorityDemandOut]


class LotOut(BaseModel):
    id: int
    framework_id: int
    number: int
    title: str
    description: str
    max_awards: int
    budget: str
    price_weight: int
    price_formula: str
    criteria: list[CriterionOut]
    requirement_ids: list[int]
    demand: DemandOut


class FrameworkOut(BaseModel):
    id: int
    reference: str
    title: str
    description: str
    status: str
    maximum_value: str
    bid_deadline: datetime
    question_deadline: datetime
    duration_months: int
    max_lots_per_supplier: int | None
    min_sme_share: str
    standstill_working_days: int
    levy_percent: str
    price_hidden_from_evaluators: bool
    created_at: datetime
    published_at: datetime | None
    closed_at: datetime | None
    cancelled_at: datetime | None
    recommended_at: datetime | None
    standstill_started_at: datetime | None
    standstill_ends: datetime | None
    awarded_at: datetime | None
    lots: list[LotOut]


class QuestionOut(BaseModel):
    id: int
    framework_id: int
    text: str
    answer: str | None
    answered_at: datetime | None


class AskedQuestionOut(BaseModel):
    id: int
    framework_id: int
    text: str
    asked_at: datetime
    status: str
