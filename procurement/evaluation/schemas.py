"""The API's bodies and answers for evaluation: panels, declarations, scores, moderated scores, rankings."""
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from app.api.schemas import Money, Overlay, Time
from procurement.evaluation.services import Ranking

Text = Annotated[str, StringConstraints(max_length=20_000)]


ScoreValue = Annotated[Decimal, Field(ge=0, le=1000, max_digits=6, decimal_places=2)]


class PanelIn(BaseModel):
    user_ids: Annotated[list[int], Field(max_length=50)]


class PanelMemberOut(BaseModel):
    id: int
    email: str


class PanelOut(BaseModel):
    lot_id: int
    evaluators: list[PanelMemberOut]


class DeclarationIn(BaseModel):
    conflict: bool
    details: Text = ""


class DeclarationOut(BaseModel):
    id: int
    lot_id: int
    user_id: int
    conflict: bool
    details: str
    bidders_named: list[str]
    declared_at: Time


class ScoreIn(BaseModel):
    bid_id: int
    criterion_id: int
    score: ScoreValue
    rationale: Annotated[str, StringConstraints(min_length=1, max_length=20_000, strip_whitespace=True)]


class ScoreOut(BaseModel):
    id: int
    lot_id: int
    bid_id: int
    criterion_id: int
    evaluator_id: int
    score: Money
    rationale: str
    scored_at: Time


class ModeratedIn(BaseModel):
    bid_id: int
    criterion_id: int
    score: ScoreValue
    reason: Annotated[str, StringConstraints(min_length=1, max_length=20_000, strip_whitespace=True)]


class ModeratedOut(BaseModel):
    id: int
    lot_id: int
    bid_id: int
    criterion_id: int
    moderator_id: int
    score: Money
    reason: str
    moderated_at: Time
    original_scores: list[ScoreOut]


class RankedOut(BaseModel):
    bid_id: int
    supplier_id: int
    price: Money | None = Field(description="Null for an evaluator when the framework hides prices from them.")
    quality_score: Money
    price_score: Money | None
    total: Money | None
    rank: int
    complete: bool = Field(description="Every criterion of the bid has a score.")


class RankingOut(BaseModel):
    lot_id: int
    items: list[RankedOut]
    total: int
    rank_reversal_bids: list[int] = Field(
        description="Under the relative formula: the bids whose removal would change the order of the others.")

    @model_validator(mode="before")
    @classmethod
    def _ranked(cls, result):
        if not isinstance(result, Ranking):
            return result
        hidden = {} if result.sees_prices else {"price": None, "price_score": None, "total": None}
        return {"lot_id": result.lot.id, "items": [Overlay(r, quality_score=r.quality, **hidden) for r in result.rows],
                "total": len(result.rows), "rank_reversal_bids": result.reversals}
