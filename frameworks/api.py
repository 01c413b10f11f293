"""API: frameworks, lots, transitions, clarification questions and the OCDS release package."""
from flask import request
from pydantic import BaseModel

from app.api import api_blueprint
from app.api.auth import api_user, token_required
from app.api.openapi import operation
from app.api.pagination import Page, paginate
from app.api.schemas import Overlay
from app.domain.errors import ConsortError
from app.domain.roles import Role
from frameworks import listing, questions
from frameworks import services as frameworks
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.schemas import (
    AnswerIn,
    AskedQuestionOut,
    FrameworkIn,
    FrameworkOut,
    LotIn,
    LotOut,
    QuestionIn,
    QuestionOut,
    TransitionIn,
)

bp = api_blueprint("frameworks_api", __name__)


class JoinIn(BaseModel):
    requirement_id: int


@bp.post("/frameworks")
@token_required(Role.ADMIN)
@operation("Create a framework in draft", body=FrameworkIn, responses={201: FrameworkOut}, errors=(403,))
def create_framework(body: FrameworkIn):
    """An admin creates a framework."""
    return frameworks.create(api_user(), body.model_dump()), 201


@bp.get("/frameworks")
@token_required()
@operation("Frameworks (suppliers see published ones)", responses={200: FrameworkOut}, paginated=True,
           query={"status": "string", "q": "string"},
           description="Newest first, each with its lots inline; paged in the database (20 a page unless `per_page` "
                       "asks for up to 100). `q` searches the title and description for its words, or names a "
                       "reference.")
def list_frameworks():
    """Frameworks the caller may see, newest first."""
    status = request.args.get("status") or None
    if status is not None and status not in {s.value for s in FrameworkStatus}:
        known = ", ".join(s.value for s in FrameworkStatus)
        raise ConsortError(f"There is no framework status '{status}'; filter by one of: {known}.",
                           {"status": f"Use one of: {known}."})
    query = frameworks.visible_query(api_user(), status=FrameworkStatus(status) if status else None,
                                     search=request.args.get("q"))
    page = paginate(query)
    return Page(listing.as_json(page.items), page.total, page.page, page.per_page)


@bp.get("/frameworks/<int:framework_id>")
@token_required()
@operation("One framework with its lots", responses={200: FrameworkOut}, errors=(404,))
def get_framework(framework_id: int):
    """A framework, with lots, criteria and demand."""
    return frameworks.get_visible(api_user(), framework_id)


@bp.post("/frameworks/<int:framework_id>/lots")
@token_required(Role.ADMIN)
@operation("Add a lot pooling requirements, with criteria and weights (draft only)", body=LotIn,
           responses={201: LotOut}, errors=(403, 404, 409))
def add_lot(framework_id: int, body: LotIn):
    """An admin adds a lot to a draft framework."""
    data = frameworks.LotInput(
        title=body.title, description=body.description, requirement_ids=body.requirement_ids,
        max_awards=body.max_awards, budget=body.budget, price_weight=body.price_weight,
        price_formula=body.price_formula,
        criteria=[frameworks.CriterionInput(c.name, c.weight, c.max_score, c.guidance, c.word_limit)
                  for c in body.criteria])
    return frameworks.add_lot(api_user(), framework_id, data), 201


@bp.get("/lots/<int:lot_id>")
@token_required()
@operation("One lot with its criteria and aggregated demand", responses={200: LotOut}, errors=(404,))
def get_lot(lot_id: int):
    """A lot, if its framework is visible to the caller."""
    lot = frameworks.get_lot(lot_id)
    frameworks.get_visible(api_user(), lot.framework_id)
    return lot


@bp.post("/lots/<int:lot_id>/join")
@token_required(Role.OFFICER)
@operation("Pool one of your authority's open requirements into a draft lot", body=JoinIn,
           responses={200: LotOut}, errors=(403, 404, 409))
def join_lot(lot_id: int, body: JoinIn):
    """An officer's authority joins a lot with one of its requirements."""
    return frameworks.join_lot(api_user(), lot_id, body.requirement_id)


@bp.post("/lots/<int:lot_id>/leave")
@token_required(Role.OFFICER)
@operation("Take your authority's requirements out of a draft lot", responses={200: LotOut},
           errors=(403, 404, 409))
def leave_lot(lot_id: int):
    """An officer's authority leaves a lot."""
    return frameworks.leave_lot(api_user(), lot_id)


@bp.post("/frameworks/<int:framework_id>/transition")
@token_required(Role.ADMIN)
@operation("Move a framework to another state", body=TransitionIn, responses={200: FrameworkOut},
           errors=(403, 404, 409), description="409 with the reason when the lifecycle does not allow it now.")
def transition(framework_id: int, body: TransitionIn):
    """An admin moves a framework through its lifecycle."""
    return frameworks.transition(api_user(), framework_id, FrameworkStatus(body.to))


@bp.post("/frameworks/<int:framework_id>/questions")
@token_required(Role.SUPPLIER)
@operation("Ask a clarification question (suppliers, before the question deadline)", body=QuestionIn,
           responses={201: AskedQuestionOut}, errors=(403, 404, 409))
def ask_question(framework_id: int, body: QuestionIn):
    """A supplier asks a question; it is published only once answered, without the asker's identity."""
    return Overlay(questions.ask(api_user(), framework_id, body.text), status="awaiting answer"), 201


@bp.post("/questions/<int:question_id>/answer")
@token_required(Role.ADMIN)
@operation("Answer a question and publish it to every bidder", body=AnswerIn, responses={200: QuestionOut},
           errors=(403, 404, 409))
def answer_question(question_id: int, body: AnswerIn):
    """An admin answers a question once."""
    return questions.answer(api_user(), question_id, body.answer)


@bp.get("/frameworks/<int:framework_id>/questions")
@token_required()
@operation("Published questions and answers, without the askers' identity", responses={200: QuestionOut},
           paginated=True, errors=(404,))
def list_questions(framework_id: int):
    """The published clarifications of a framework."""
    frameworks.get_visible(api_user(), framework_id)
    return paginate(questions.published_query(framework_id))
