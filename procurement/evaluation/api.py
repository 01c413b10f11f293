"""API: evaluation panels, conflict declarations, scores, moderated scores, the ranking of a lot."""


from app.api import api_blueprint
from app.api.auth import api_user, token_required
from app.api.openapi import operation
from app.api.validation import json_body
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
