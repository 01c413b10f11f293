"""The API's bodies and answers for the board."""
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, StringConstraints

from frameworks.schemas import FrameworkOut

Comment = Annotated[str, StringConstraints(max_length=5_000)]


class RecommendationOut(FrameworkOut):
    recommendation: dict


class VoteIn(BaseModel):
    decision: Literal["approve", "reject", "abstain"]
    comment: Comment = ""


class TallyOut(BaseModel):
    approve: int
    reject: int
    abstain: int
    quorum: int
    outcome: Literal["pending", "approved", "rejected"]


class VoteOut(BaseModel):
    id: int
    award_run_id: int
    user_id: int
    decision: str
    comment: str
    voted_at: datetime
    tally: TallyOut
    framework_status: str
    standstill_ends: datetime | None
