"""The API's answers for savings."""
from typing import Literal

from pydantic import BaseModel


class AuthoritySavingsOut(BaseModel):
    organisation_id: int
    baseline: str
    awarded: str
    savings: str
    share_proportional: str
    share_shapley: str
    shapley_error: str | None


class SavingsOut(BaseModel):
    baseline: str
    awarded: str
    savings: str
    method: Literal["exact", "sampled"]
    by_authority: list[AuthoritySavingsOut]
