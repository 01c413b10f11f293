"""Pages of the board and the contracts: the recommendation pack, declaring and voting, the minutes, the
standstill letters, the contracts with their versions, signing and countersigning."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.access import role_required
from app.domain.errors import ConsortError, ValidationFailed
from app.domain.roles import Role
from app.webforms import attach_errors, render_form
from frameworks import services as frameworks
from frameworks.domain.lifecycle import FrameworkStatus
from procurement import board, contracts, pack, pdf, standstill
from procurement.board_forms import BoardDeclarationForm, ConfirmForm, SignForm, VoteForm

bp = Blueprint("board", __name__, template_folder="templates")



@bp.get("/board")
@role_required(Role.BOARD, Role.ADMIN)
def awaiting():
    """Recommendations waiting for the board."""
    items = [(r, board.standing(current_user, r) if current_user.role == Role.BOARD else None,
              frameworks.get(r.framework_id)) for r in board.awaiting(current_user)]
    return render_template("procurement/board.html", items=items)


@bp.get("/award-runs/<int:run_id>/recommendation")
@role_required(Role.ADMIN, Role.BOARD)
def recommendation(run_id: int):
    """The recommendation pack, with the board's declarations and votes."""
    return _recommendation_page(run_id, ConfirmForm(), BoardDeclarationForm(), VoteForm())


def _recommendation_page(run_id: int, confirm: ConfirmForm, declare: BoardDeclarationForm, vote: VoteForm):
    contents = pack.build(current_user, run_id)
    made = board.recommendation_of(run_id)
    where = board.standing(current_user, made) if made is not None and current_user.role == Role.BOARD else None
    names = board.member_names(made) if made is not None else {}
    status = 422 if any(f.errors for f in (confirm, declare, vote)) else 200
    return render_template("procurement/recommendation.html", pack=contents, made=made, where=where,
                           tally=board.tally_of(made) if made else None, confirm=confirm, declare=declare,
                           vote=vote, names=names, explanation=contents.run.result.get("explanation", []),
                           framework=contents.framework), status


@bp.post("/award-runs/<int:run_id>/recommend")
@role_required(Role.ADMIN)
def recommend(run_id: int):
    """The admin recommends the run to the board, after confirming."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _recommendation_page(run_id, form, BoardDeclarationForm(), VoteForm())
    try:
        board.recommend(current_user, run_id)
    except ConsortError as error:
        flash(error.message, "error")
    else:
        flash("Recommended to the board. Its members have been told by e-mail.", "success")
    return redirect(url_for("board.recommendation", run_id=run_id))


@bp.post("/award-runs/<int:run_id>/declaration")
@role_required(Role.BOARD)
def declare(run_id: int):
    """A board member declares any conflict with the winning suppliers."""
    form = BoardDeclarationForm()
    if form.validate_on_submit():
        try:
            board.declare(current_user, run_id, form.conflict.data == "yes", form.details.data or "")
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            flash("Your declaration is recorded." + (" With a conflict you cannot vote on this award."
                                                     if form.conflict.data == "yes" else " You can vote now."),
                  "success")
            return redirect(url_for("board.recommendation", run_id=run_id) + "#vote")
    return _recommendation_page(run_id, ConfirmForm(), form, VoteForm())


@bp.post("/award-runs/<int:run_id>/vote")
@role_required(Role.BOARD)
def vote(run_id: int):
    """A board member votes."""
    form = VoteForm()
    if form.validate_on_submit():
        try:
            result = board.vote(current_user, run_id, form.decision.data, form.comment.data or "")
        except ValidationFailed as error:
            attach_errors(form, error)
        except ConsortError as error:
            flash(error.message, "error")
            return redirect(url_for("board.recommendation", run_id=run_id))
        else:
            outcome = result.tally.outcome.value
            flash({"approved": "Your vote is recorded, and with it the board has approved the award: the standstill "
                               "has started.",
                   "rejected": "Your vote is recorded, and with it the board has rejected the recommendation: the "
                               "framework goes back to evaluation.",
                   }.get(outcome, "Your vote is recorded."), "success")
            return redirect(url_for("board.recommendation", run_id=run_id))
    return _recommendation_page(run_id, ConfirmForm(), BoardDeclarationForm(), form)


@bp.get("/award-runs/<int:run_id>/recommendation.pdf")
@role_required(Role.ADMIN, Role.BOARD)
def recommendation_pdf(run_id: int):
    """The pack as a PDF."""
    return pdf.response(pack.pack_pdf(current_user, run_id), f"recommendation-run-{run_id}.pdf")


@bp.get("/award-runs/<int:run_id>/minutes.pdf")
@role_required(Role.ADMIN, Role.BOARD)
def minutes(run_id: int):
    """The minutes of the board's decision."""
    return pdf.response(board.minutes_pdf(current_user, run_id), f"board-minutes-run-{run_id}.pdf")


@bp.get("/frameworks/<int:framework_id>/standstill-letter")
@role_required(Role.SUPPLIER)
def my_letter(framework_id: int):
    """A supplier's own assessment summary letter."""
    letter = standstill.letter_for(current_user, framework_id, current_user.organisation_id)
    return pdf.response(letter.pdf, f"assessment-summary-{framework_id}.pdf")


@bp.route("/frameworks/<int:framework_id>/award-framework", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def award_framework(framework_id: int):
    """After the standstill, the admin awards the framework, which issues its contracts."""
    framework = frameworks.get(framework_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            frameworks.transition(current_user, framework.id, FrameworkStatus.AWARDED)
        except ConsortError as error:
            flash(error.message, "error")
        else:
            flash("The framework is awarded; its contracts are issued.", "success")
            return redirect(url_for("board.framework_contracts", framework_id=framework.id))
    return render_form("procurement/award_framework.html", form, framework=framework,
                       letters=standstill.progress(framework.id))


@bp.get("/frameworks/<int:framework_id>/contracts")
@role_required(Role.ADMIN, Role.SUPPLIER, Role.OFFICER)
def framework_contracts(framework_id: int):
    """The framework's contracts one may see, with progress while they are rendered."""
    framework = frameworks.get(framework_id)
    items = contracts.list_for(current_user, framework.id)
    rendered, total = contracts.progress(framework.id)
    return render_template("procurement/contracts.html", framework=framework, items=items, rendered=rendered,
                           total=total, names=contracts.party_names(items))


@bp.get("/contracts/<int:contract_id>")
@role_required(Role.ADMIN, Role.SUPPLIER, Role.OFFICER)
def contract(contract_id: int):
    """One contract: its terms, its versions, and the signature it waits for."""
    return _contract_page(contract_id, SignForm(), ConfirmForm())


def _contract_page(contract_id: int, sign_form: SignForm, confirm: ConfirmForm):
    item = contracts.get_for(current_user, contract_id)
    status = 422 if sign_form.errors or confirm.errors else 200
    return render_template("procurement/contract.html", contract=item, sign_form=sign_form, confirm=confirm,
                           framework=frameworks.get(item.framework_id)), status


@bp.post("/contracts/<int:contract_id>/sign")
@role_required(Role.SUPPLIER)
def sign(contract_id: int):
    """The supplier signs."""
    form = SignForm()
    if form.validate_on_submit():
        try:
            contracts.sign(current_user, contract_id, form.name.data, form.position.data, request.remote_addr)
        except ValidationFailed as error:
            attach_errors(form, error)
        except ConsortError as error:
            flash(error.message, "error")
            return redirect(url_for("board.contract", contract_id=contract_id))
        else:
            flash("Signed. The consortium countersigns next; the signed version is below.", "success")
            return redirect(url_for("board.contract", contract_id=contract_id))
    return _contract_page(contract_id, form, ConfirmForm())


@bp.post("/contracts/<int:contract_id>/countersign")
@role_required(Role.ADMIN)
def countersign(contract_id: int):
    """The admin countersigns."""
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            contracts.countersign(current_user, contract_id, request.remote_addr)
        except ConsortError as error:
            flash(error.message, "error")
        else:
            flash("Countersigned: the contract is complete.", "success")
        return redirect(url_for("board.contract", contract_id=contract_id))
    return _contract_page(contract_id, SignForm(), form)


@bp.get("/contracts/<int:contract_id>/pdf")
@role_required(Role.ADMIN, Role.SUPPLIER, Role.OFFICER)
def contract_pdf(contract_id: int):
    """A version of the contract's PDF (the current one by default)."""
    found = contracts.pdf_of(current_user, contract_id, request.args.get("version", type=int))
    return pdf.response(found.pdf, f"{found.contract.reference.replace('/', '-')}-v{found.number}.pdf")
