"""The API's bodies and answers for award runs."""
from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from app.api.schemas import Time
from procurement.award import services as award
from procurement.award.models import AwardRun


class AwardRunIn(BaseModel):
    exclude_supplier_ids: Annotated[list[int], Field(max_length=1000)] = []
    max_lots_per_supplier: Annotated[int, Field(ge=1, le=1000)] | None = None
    time_limit: Annotated[float, Field(gt=0, le=600)] = 30.0


class AwardOut(BaseModel):
    lot_id: int
    bid_id: int
    supplier_id: int
    price: str = Field(description="The price on this lot; for a bundle, its price shared equally between its lots.")
    bundle: bool
    bundle_price: str | None


class GreedyOut(BaseModel):
    total_value: str | None
    total_price: str | None


class AwardRunOut(BaseModel):
    id: int
    framework_id: int
    status: str
    optimal: bool
    awards: list[AwardOut]
    total_value: str | None
    total_price: str | None
    bound: str | None
    gap: float | None
    greedy: GreedyOut
    unfilled_lot_ids: list[int]
    explanation: list[str]
    binding: dict[str, str]
    options: dict
    seconds: float
    created_at: Time

    @model_validator(mode="before")
    @classmethod
    def _from_record(cls, record):
        """A run's answer is in its stored result (money already as decimal strings), beside its columns."""
        return award.as_json(record) if isinstance(record, AwardRun) else record
