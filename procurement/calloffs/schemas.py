"""The API's bodies and answers for call-offs."""
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from app.api.schemas import Money, Time


class CallOffIn(BaseModel):
    lot_id: int
    supplier_id: int
    value: Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
    description: Annotated[str, StringConstraints(max_length=5_000)] = ""


class LevyRef(BaseModel):
    id: int
    amount: Money


class CallOffOut(BaseModel):
    id: int
    framework_id: int
    lot_id: int
    organisation_id: int
    supplier_id: int
    value: Money
    description: str
    created_at: Time
    levy: LevyRef
