"""API: recommending an award run to the board, and the board's votes."""


from app.api import api_blueprint
from app.api.auth import api_user, token_required
from app.api.openapi import operation
from app.api.schemas import Overlay
from app.domain.roles import Role
from frameworks import services as frameworks
from procurement.board import services as board
from procurement.board.schemas import RecommendationOut, VoteIn, VoteOut

bp = api_blueprint("board_api", __name__)

@bp.post("/award-runs/<int:run_id>/recommend")
@token_required(Role.ADMIN)
@operation("Recommend an award run to the board", responses={200: RecommendationOut}, errors=(403, 404, 409),
           description="The framework (in evaluation) becomes `recommended`; the board members are told by e-mail. "
                       "The answer is the framework, with the recommendation's board size and quorum.")
def recommend(run_id: int):
    """An admin recommends an award run."""
    recommendation = board.recommend(api_user(), run_id)
    framework = frameworks.get(recommendation.framework_id)
    return Overlay(framework, recommendation=Overlay(
        recommendation, status=framework.status, framework_status=framework.status,
        standstill_ends=framework.standstill_ends))


@bp.post("/award-runs/<int:run_id>/votes")
@token_required(Role.BOARD)
@operation("A board member's vote on a recommended award run", body=VoteIn, responses={201: VoteOut},
           errors=(400, 403, 404, 409, 422),
           description="Declare any conflict of interest first (POST /lots/{id}/conflict-declaration on the "
                       "framework's lots); a member with a declared conflict cannot vote (403). A vote is final. "
                       "The quorum of approvals moves the framework to `standstill` with `standstill_ends`; a majority "
                       "of rejections (a reject needs a comment) sends it back to `evaluation`.")
def vote(run_id: int, body: VoteIn):
    """A board member votes."""
    result = board.vote(api_user(), run_id, body.decision, body.comment)
    return Overlay(result.vote, award_run_id=result.vote.recommendation.award_run_id, tally=result.tally,
                   framework_status=result.framework.status, standstill_ends=result.framework.standstill_ends), 201
