"""Pages of call-offs and mini-competitions: an officer calls off directly or runs a mini-competition."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.access import role_required
from app.domain.errors import ValidationFailed
from app.domain.roles import Role
from app.types import utcnow
from app.webforms import render_form, service_errors
from frameworks import services as frameworks
from procurement.calloffs import minicompetitions
from procurement.calloffs import services as calloffs
from procurement.calloffs.forms import (
    AnswerForm,
    CallOffForm,
    MiniCompetitionForm,
    ScoreAnswerForm,
    confirm_award_form,
)
from procurement.evaluation import services as evaluation

bp = Blueprint("calloffs", __name__, template_folder="templates")

@bp.route("/frameworks/<int:framework_id>/call-offs", methods=["GET", "POST"])
@role_required(Role.OFFICER, Role.ADMIN, Role.SUPPLIER)
def call_offs(framework_id: int):
    """The framework's call-offs one may see; an officer of a participating authority places one here."""
    framework = frameworks.get(framework_id)
    winners = calloffs.winners(framework.id)
    names = evaluation.supplier_names({s for suppliers in winners.values() for s in suppliers})
    mine = [lot for lot in framework.lots if current_user.role == Role.OFFICER and lot.id in winners
            and current_user.organisation_id in {a.organisation_id for a in frameworks.demand(lot).authorities}]
    form = CallOffForm()
    form.lot_id.choices = [(lot.id, f"Lot {lot.number}: {lot.title} — " +
                            ", ".join(names[s] for s in winners[lot.id])) for lot in mine]
    if request.method == "POST" and current_user.role == Role.OFFICER and form.validate_on_submit():
        suppliers = winners.get(form.lot_id.data, [])
        with service_errors(form):
            placed = calloffs.call_off(current_user, framework.id, form.lot_id.data,
                                       suppliers[0] if suppliers else 0, form.value.data, form.description.data)
            return redirect(url_for("calloffs.placed", call_off_id=placed.call_off.id))
    headroom = framework.maximum_value - calloffs.called_off(framework.id)
    return render_form("calloffs/call_offs.html", form, framework=framework, lots=mine, names=names,
                       competitions=minicompetitions.of_framework(current_user, framework.id),
                       shared_lots=[lot for lot in mine if len(winners[lot.id]) > 1],
                       items=calloffs.call_offs_for(current_user, framework.id), headroom=headroom,
                       supplier_names=_names_for(calloffs.call_offs_for(current_user, framework.id)))


@bp.get("/call-offs/<int:call_off_id>/placed")
@role_required(Role.OFFICER, Role.ADMIN)
def placed(call_off_id: int):
    """The end of placing a call-off: its reference and what happens next."""
    placed = calloffs.placed_for(current_user, call_off_id)
    framework = frameworks.get(placed.call_off.framework_id)
    lot = next(lot for lot in framework.lots if lot.id == placed.call_off.lot_id)
    return render_template("calloffs/placed.html", call_off=placed.call_off, levy=placed.levy, framework=framework,
                           lot=lot, names=_names_for([placed.call_off]))


def _names_for(items) -> dict[int, str]:
    return evaluation.supplier_names({c.supplier_id for c in items} | {c.organisation_id for c in items})


@bp.route("/frameworks/<int:framework_id>/mini-competitions/new", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def new_mini_competition(framework_id: int):
    """An officer asks the suppliers of a lot with several winners to compete for an order."""
    framework = frameworks.get(framework_id)
    winners = calloffs.winners(framework.id)
    lots = [lot for lot in framework.lots if len(winners.get(lot.id, [])) > 1
            and current_user.organisation_id in {a.organisation_id for a in frameworks.demand(lot).authorities}]
    form = MiniCompetitionForm()
    form.lot_id.choices = [(lot.id, f"Lot {lot.number}: {lot.title}") for lot in lots]
    if form.validate_on_submit():
        with service_errors(form):
            competition = minicompetitions.start(current_user, framework.id, form.lot_id.data, form.request.data,
                                                 form.maximum_value.data, form.deadline.data)
            flash("The lot's suppliers have been asked. Their answers stay sealed until the deadline.", "success")
            return redirect(url_for("calloffs.mini_competition", competition_id=competition.id))
    return render_form("calloffs/mini_competition_new.html", form, framework=framework, lots=lots)


@bp.route("/mini-competitions/<int:competition_id>", methods=["GET", "POST"])
@role_required(Role.OFFICER, Role.SUPPLIER, Role.ADMIN)
def mini_competition(competition_id: int):
    """The request; a supplier's answer; after the deadline, the answers with their scores, and the award."""
    competition = minicompetitions.get_for(current_user, competition_id)
    answer_form, score_form = AnswerForm(prefix="answer"), ScoreAnswerForm(prefix="score")
    award_form = confirm_award_form()
    action = request.form.get("action")
    fields = answer_form if action == "answer" else score_form
    with service_errors() as refused, service_errors(fields, catch=ValidationFailed):
        if action == "answer" and current_user.role == Role.SUPPLIER and answer_form.validate_on_submit():
            minicompetitions.answer(current_user, competition.id, answer_form.price.data, answer_form.answer.data)
            flash("Your answer is sent. You can change it until the deadline.", "success")
            return redirect(url_for("calloffs.mini_competition", competition_id=competition.id))
        if action == "score" and current_user.role == Role.OFFICER and score_form.validate_on_submit():
            minicompetitions.score(current_user, competition.id, int(score_form.answer_id.data or 0),
                                   score_form.score.data, score_form.reason.data)
            flash("Score saved.", "success")
            return redirect(url_for("calloffs.mini_competition", competition_id=competition.id))
        if action == "award" and current_user.role == Role.OFFICER and award_form.validate_on_submit():
            minicompetitions.award(current_user, competition.id)
            return redirect(url_for("calloffs.awarded", competition_id=competition.id))
    if refused.failed:
        return redirect(url_for("calloffs.mini_competition", competition_id=competition.id))
    answers = minicompetitions.answers_visible(current_user, competition)
    names = evaluation.supplier_names({a.supplier_id for a in answers})
    status = 422 if request.method == "POST" else 200
    return render_template("calloffs/mini_competition.html", competition=competition, answers=answers,
                           names=names, answer_form=answer_form, score_form=score_form, award_form=award_form,
                           framework=frameworks.get(competition.framework_id), now=utcnow()), status


@bp.get("/mini-competitions/<int:competition_id>/awarded")
@role_required(Role.OFFICER, Role.ADMIN)
def awarded(competition_id: int):
    """The end of a mini-competition's award: the call-off's reference and what happens next."""
    competition, placed = minicompetitions.awarded_for(current_user, competition_id)
    framework = frameworks.get(competition.framework_id)
    lot = next(lot for lot in framework.lots if lot.id == competition.lot_id)
    return render_template("calloffs/awarded.html", competition=competition, call_off=placed.call_off,
                           levy=placed.levy, framework=framework, lot=lot,
                           names=_names_for([placed.call_off]), answers=len(competition.answers))
