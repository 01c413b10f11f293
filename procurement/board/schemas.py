"""The API's bodies and answers for the board."""
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from app.api.schemas import Time
from frameworks.schemas import FrameworkOut

Comment = Annotated[str, StringConstraints(max_length=5_000)]


class RecommendationInfo(BaseModel):
    id: int
    award_run_id: int
    framework_id: int
    status: str = Field(description="The framework's status.")
    framework_status: str
    outcome: Literal["pending", "approved", "rejected"]
    board_size: int
    quorum: int
    recommended_at: Time
    standstill_ends: Time | None


class RecommendationOut(FrameworkOut):
    recommendation: RecommendationInfo


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
    voted_at: Time
    tally: TallyOut
    framework_status: str
    standstill_ends: Time | None
