"""The API's answers for savings."""
from typing import Literal

from pydantic import BaseModel

from app.api.schemas import Money


class AuthoritySavingsOut(BaseModel):
    organisation_id: int
    baseline: Money
    awarded: Money
    savings: Money
    share_proportional: Money
    share_shapley: Money
    shapley_error: Money | None


class SavingsOut(BaseModel):
    baseline: Money
    awarded: Money
    savings: Money
    method: Literal["exact", "sampled"]
    by_authority: list[AuthoritySavingsOut]
