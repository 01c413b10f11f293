"""API: evaluation panels, conflict declarations, scores, moderated scores, the ranking of a lot; award runs."""
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from app.api import api_blueprint
from app.api.auth import api_user, token_required
from app.api.openapi import operation
from app.api.validation import json_body
from app.domain.roles import Role
from app.extensions import db
from frameworks import services as frameworks
from procurement import award, evaluation

bp = api_blueprint("evaluation_api", __name__)
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
    declared_at: datetime


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
    score: str
    rationale: str
    scored_at: datetime


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
    score: str
    reason: str
    moderated_at: datetime
    original_scores: list[ScoreOut]


class RankedOut(BaseModel):
    bid_id: int
    supplier_id: int
    price: str | None = Field(description="Null for an evaluator when the framework hides prices from them.")
    quality_score: str
    price_score: str | None
    total: str | None
    rank: int
    complete: bool = Field(description="Every criterion of the bid has a score.")


class RankingOut(BaseModel):
    lot_id: int
    items: list[RankedOut]
    total: int
    rank_reversal_bids: list[int] = Field(
        description="Under the relative formula: the bids whose removal would change the order of the others.")


@bp.post("/lots/<int:lot_id>/panel")
@operation("Replace a lot's evaluation panel", body=PanelIn, responses={200: PanelOut}, errors=(403, 404))
@token_required(Role.ADMIN)
def set_panel(lot_id: int):
    """An admin names the lot's evaluators."""
    lot, members = evaluation.set_panel(api_user(), lot_id, json_body(PanelIn).user_ids)
    return {"lot_id": lot.id, "evaluators": [{"id": u.id, "email": u.email} for u in members]}


@bp.post("/lots/<int:lot_id>/conflict-declaration")
@operation("Declare conflicts of interest with the lot's bidders", body=DeclarationIn,
           responses={201: DeclarationOut}, errors=(403, 404),
           description="Evaluators on the lot's panel, and board members. A declared conflict removes access to "
                       "the lot's bids; the latest declaration counts, and every one is kept.")
@token_required(Role.EVALUATOR, Role.BOARD)
def declare(lot_id: int):
    """An evaluator or board member declares."""
    body = json_body(DeclarationIn)
    return evaluation.declaration_json(evaluation.declare(api_user(), lot_id, body.conflict, body.details)), 201


@bp.post("/lots/<int:lot_id>/scores")
@operation("Score one answer, with the reason", body=ScoreIn, responses={201: ScoreOut}, errors=(403, 404, 409),
           description="An evaluator on the panel who declared no conflict, after the bid deadline. "
                       "A new score of the same answer is kept beside the old one; the latest counts.")
@token_required(Role.EVALUATOR)
def score(lot_id: int):
    """An evaluator scores an answer."""
    body = json_body(ScoreIn)
    entry = evaluation.record_score(api_user(), lot_id, body.bid_id, body.criterion_id, body.score, body.rationale)
    return evaluation.score_json(entry), 201


@bp.post("/lots/<int:lot_id>/moderated-scores")
@operation("Set the moderated score of an answer, with the reason", body=ModeratedIn,
           responses={201: ModeratedOut}, errors=(403, 404, 409),
           description="The evaluators' scores stay, and are returned beside it.")
@token_required(Role.ADMIN)
def moderate(lot_id: int):
    """An admin moderates."""
    body = json_body(ModeratedIn)
    entry = evaluation.moderate(api_user(), lot_id, body.bid_id, body.criterion_id, body.score, body.reason)
    return evaluation.moderated_json(entry), 201


@bp.get("/lots/<int:lot_id>/ranking")
@operation("The lot's bids, scored and ranked", responses={200: RankingOut}, errors=(403, 404, 409),
           description="Admins, and evaluators cleared for the lot once they have scored all of its answers; after "
                       "the bid deadline. Ties go to quality, then to the earlier submission.")
@token_required(Role.ADMIN, Role.EVALUATOR)
def ranking(lot_id: int):
    """The ranking of a lot."""
    return evaluation.ranking_json(evaluation.ranking(api_user(), lot_id))


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
    created_at: datetime


@bp.post("/frameworks/<int:framework_id>/award-runs")
@operation("Run the award optimiser on a framework in evaluation", body=AwardRunIn,
           responses={201: AwardRunOut, 202: AwardRunOut},
           errors=(403, 404, 409),
           description="An exact mixed-integer programme (HiGHS) with the greedy baseline beside it and an "
                       "explanation. `exclude_supplier_ids` and `max_lots_per_supplier` make a what-if run. A large "
                       "problem answers 202 with `\"status\": \"running\"`: poll GET /award-runs/{id} until it is "
                       "`done` (or `failed`).")
@token_required(Role.ADMIN)
def run_award(framework_id: int):
    """An admin runs the award."""
    body = json_body(AwardRunIn)
    options = award.Options(frozenset(body.exclude_supplier_ids), body.max_lots_per_supplier, body.time_limit)
    record = award.run(api_user(), framework_id, options)
    return award.as_json(record), 201 if record.status != "running" else 202


@bp.get("/award-runs/<int:run_id>")
@operation("An award run", responses={200: AwardRunOut}, errors=(403, 404),
           description="For the consortium's admins and its board (who vote on a recommended run).")
@token_required(Role.ADMIN, Role.BOARD)
def get_award_run(run_id: int):
    """One stored run."""
    return award.as_json(award.get(api_user(), run_id))


@bp.get("/frameworks/<int:framework_id>/award-runs")
@operation("A framework's award runs, newest first", responses={200: AwardRunOut}, paginated=True,
           errors=(403, 404))
@token_required(Role.ADMIN)
def list_award_runs(framework_id: int):
    """Every run of a framework."""
    from app.api.pagination import paginate
    from procurement.models import AwardRun

    frameworks.get(framework_id)
    query = db.select(AwardRun).where(AwardRun.framework_id == framework_id).order_by(AwardRun.id.desc())
    return paginate(query, award.as_json)
