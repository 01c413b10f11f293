"""API: evaluation panels, conflict declarations, scores, moderated scores, the ranking of a lot."""


from app import memo
from app.api import api_blueprint
from app.api.auth import api_user, token_required
from app.api.openapi import operation
from app.api.schemas import Overlay, Serialised
from app.domain.roles import Role
from procurement.evaluation import services as evaluation
from procurement.evaluation.schemas import (
    DeclarationIn,
    DeclarationOut,
    ModeratedIn,
    ModeratedOut,
    PanelIn,
    PanelOut,
    RankingOut,
    ScoreIn,
    ScoreOut,
)

bp = api_blueprint("evaluation_api", __name__)

@bp.post("/lots/<int:lot_id>/panel")
@token_required(Role.ADMIN)
@operation("Replace a lot's evaluation panel", body=PanelIn, responses={200: PanelOut}, errors=(403, 404))
def set_panel(lot_id: int, body: PanelIn):
    """An admin names the lot's evaluators."""
    lot, members = evaluation.set_panel(api_user(), lot_id, body.user_ids)
    return {"lot_id": lot.id, "evaluators": members}


@bp.post("/lots/<int:lot_id>/conflict-declaration")
@token_required(Role.EVALUATOR, Role.BOARD)
@operation("Declare conflicts of interest with the lot's bidders", body=DeclarationIn,
           responses={201: DeclarationOut}, errors=(403, 404),
           description="Evaluators on the lot's panel, and board members. A declared conflict removes access to "
                       "the lot's bids; the latest declaration counts, and every one is kept.")
def declare(lot_id: int, body: DeclarationIn):
    """An evaluator or board member declares."""
    return evaluation.declare(api_user(), lot_id, body.conflict, body.details), 201


@bp.post("/lots/<int:lot_id>/scores")
@token_required(Role.EVALUATOR)
@operation("Score one answer, with the reason", body=ScoreIn, responses={201: ScoreOut}, errors=(403, 404, 409),
           description="An evaluator on the panel who declared no conflict, after the bid deadline. "
                       "A new score of the same answer is kept beside the old one; the latest counts.")
def score(lot_id: int, body: ScoreIn):
    """An evaluator scores an answer."""
    return evaluation.record_score(api_user(), lot_id, body.bid_id, body.criterion_id, body.score,
                                   body.rationale), 201


@bp.post("/lots/<int:lot_id>/moderated-scores")
@token_required(Role.ADMIN)
@operation("Set the moderated score of an answer, with the reason", body=ModeratedIn,
           responses={201: ModeratedOut}, errors=(403, 404, 409),
           description="The evaluators' scores stay, and are returned beside it.")
def moderate(lot_id: int, body: ModeratedIn):
    """An admin moderates."""
    entry = evaluation.moderate(api_user(), lot_id, body.bid_id, body.criterion_id, body.score, body.reason)
    return Overlay(entry, original_scores=evaluation.original_scores(entry)), 201


@bp.get("/lots/<int:lot_id>/ranking")
@token_required(Role.ADMIN, Role.EVALUATOR)
@operation("The lot's bids, scored and ranked", responses={200: RankingOut}, errors=(403, 404, 409),
           description="Admins, and evaluators cleared for the lot once they have scored all of its answers; after "
                       "the bid deadline. Ties go to quality, then to the earlier submission.")
def ranking(lot_id: int):
    """The ranking of a lot: a settled lot's JSON kept beside its ranking (app/memo.py), as admins or as evaluators
    (who may not see prices) read it."""
    result = evaluation.ranking(api_user(), lot_id)
    if result.key is None:
        return result
    def build() -> Serialised:
        return Serialised(RankingOut.model_validate(result, from_attributes=True).model_dump(mode="json"))
    return memo.remembered(RANKING_JSON_MEMO, (*result.key, result.sees_prices), build)


RANKING_JSON_MEMO = "ranking-json.v1"
