"""Pages of the board: awaiting decisions, the recommendation pack, declaring and voting, the minutes."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from app import pdf
from app.accounts.access import role_required
from app.domain.errors import ValidationFailed
from app.domain.roles import Role
from app.forms import ConfirmForm
from app.webforms import service_errors
from frameworks import services as frameworks
from procurement.award import pack
from procurement.board import services as board
from procurement.board.forms import BoardDeclarationForm, VoteForm, confirm_form

bp = Blueprint("board", __name__, template_folder="templates")

@bp.get("/board")
@role_required(Role.BOARD, Role.ADMIN)
def awaiting():
    """Recommendations waiting for the board."""
    items = [(r, board.standing(current_user, r) if current_user.role == Role.BOARD else None,
              frameworks.get(r.framework_id)) for r in board.awaiting(current_user)]
    return render_template("board/board.html", items=items)


@bp.get("/award-runs/<int:run_id>/recommendation")
@role_required(Role.ADMIN, Role.BOARD)
def recommendation(run_id: int):
    """The recommendation pack, with the board's declarations and votes."""
    return _recommendation_page(run_id, confirm_form(), BoardDeclarationForm(), VoteForm())


def _recommendation_page(run_id: int, confirm: ConfirmForm, declare: BoardDeclarationForm, vote: VoteForm):
    contents = pack.build(current_user, run_id)
    made = board.recommendation_of(run_id)
    where = board.standing(current_user, made) if made is not None and current_user.role == Role.BOARD else None
    names = board.member_names(made) if made is not None else {}
    status = 422 if any(f.errors for f in (confirm, declare, vote)) else 200
    return render_template("board/recommendation.html", pack=contents, made=made, where=where,
                           tally=board.tally_of(made) if made else None, confirm=confirm, declare=declare,
                           vote=vote, names=names, explanation=contents.run.result.get("explanation", []),
                           framework=contents.framework), status


@bp.post("/award-runs/<int:run_id>/recommend")
@role_required(Role.ADMIN)
def recommend(run_id: int):
    """The admin recommends the run to the board, after confirming."""
    form = confirm_form()
    if not form.validate_on_submit():
        return _recommendation_page(run_id, form, BoardDeclarationForm(), VoteForm())
    with service_errors():
        board.recommend(current_user, run_id)
        flash("Recommended to the board. Its members have been told by e-mail.", "success")
    return redirect(url_for("board.recommendation", run_id=run_id))


@bp.post("/award-runs/<int:run_id>/declaration")
@role_required(Role.BOARD)
def declare(run_id: int):
    """A board member declares any conflict with the winning suppliers."""
    form = BoardDeclarationForm()
    if form.validate_on_submit():
        with service_errors(form, catch=ValidationFailed):
            board.declare(current_user, run_id, form.conflict.data == "yes", form.details.data or "")
            flash("Your declaration is recorded." + (" With a conflict you cannot vote on this award."
                                                     if form.conflict.data == "yes" else " You can vote now."),
                  "success")
            return redirect(url_for("board.recommendation", run_id=run_id) + "#vote")
    return _recommendation_page(run_id, confirm_form(), form, VoteForm())


@bp.post("/award-runs/<int:run_id>/vote")
@role_required(Role.BOARD)
def vote(run_id: int):
    """A board member votes."""
    form = VoteForm()
    if form.validate_on_submit():
        with service_errors() as refused, service_errors(form, catch=ValidationFailed):
            result = board.vote(current_user, run_id, form.decision.data, form.comment.data or "")
            if result.tally.outcome.value in ("approved", "rejected"):  # the deciding vote
                return redirect(url_for("board.decision", run_id=run_id))
            flash("Your vote is recorded.", "success")
            return redirect(url_for("board.recommendation", run_id=run_id))
        if refused.failed:  # not a problem with the vote's fields: it is flashed above the pack
            return redirect(url_for("board.recommendation", run_id=run_id))
    return _recommendation_page(run_id, confirm_form(), BoardDeclarationForm(), form)


@bp.get("/award-runs/<int:run_id>/decision")
@role_required(Role.ADMIN, Role.BOARD)
def decision(run_id: int):
    """The end of the board's vote: its decision, the framework's reference and what happens next."""
    made = board.for_board(current_user, run_id)
    if made.outcome == "pending":
        return redirect(url_for("board.recommendation", run_id=run_id))
    return render_template("board/decision.html", made=made, framework=frameworks.get(made.framework_id),
                           tally=board.tally_of(made), run_id=run_id)


@bp.get("/award-runs/<int:run_id>/recommendation.pdf")
@role_required(Role.ADMIN, Role.BOARD)
def recommendation_pdf(run_id: int):
    """The pack as a PDF."""
    data, fingerprint = board.pack_of(current_user, run_id)
    return pdf.response(data, f"recommendation-run-{run_id}.pdf", fingerprint)


@bp.get("/award-runs/<int:run_id>/minutes.pdf")
@role_required(Role.ADMIN, Role.BOARD)
def minutes(run_id: int):
    """The minutes of the board's decision."""
    return pdf.response(board.minutes_pdf(current_user, run_id), f"board-minutes-run-{run_id}.pdf")
