"""Pages of frameworks: the admin's workbench, lots and pooling, and the public tender notices."""
from decimal import Decimal

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app import caching
from app.accounts.access import role_required
from app.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.domain.roles import Role
from app.templating import day, money, quantity
from app.types import utcnow
from app.webforms import page_of, render_form, service_errors
from frameworks import questions, signals, stamps
from frameworks import services as frameworks
from frameworks.domain.lifecycle import FrameworkStatus, next_states
from frameworks.domain.taxonomy import CATEGORIES
from frameworks.forms import AnswerForm, FrameworkForm, JoinLotForm, LotForm, QuestionForm, TransitionForm
from frameworks.presenters import preload
from frameworks.requirements import services as requirements
from frameworks.requirements.models import RequirementStatus

bp = Blueprint("frameworks", __name__, template_folder="templates")
PER_PAGE = 20
TRANSITION_LABELS = {
    FrameworkStatus.OPEN: ("Publish", "Suppliers will see the tender notice and can bid until the deadline. "
                           "Lots and criteria cannot change after this."),
    FrameworkStatus.CLOSED: ("Close for bids", "No bid can be submitted or changed after this."),
    FrameworkStatus.EVALUATION: ("Start evaluation", "Evaluators can then score the bids."),
    FrameworkStatus.CANCELLED: ("Cancel the framework", "This cannot be undone. Bidders will see it was cancelled."),
}

# Reached by itself at the bid deadline (the framework counts as closed from then on), so never offered as a button:
# before the deadline the lifecycle would refuse it.
AUTOMATIC = frozenset({FrameworkStatus.CLOSED})


def _page(query):
    return page_of(query, per_page=PER_PAGE)


def _status_arg():
    value = request.args.get("status") or None
    return FrameworkStatus(value) if value in {s.value for s in FrameworkStatus} else None


@bp.get("/frameworks")
@login_required
def list_frameworks():
    """Frameworks, newest first; suppliers see only published ones."""
    query = frameworks.visible_query(current_user, status=_status_arg(), search=request.args.get("q"))
    return render_form("frameworks/list.html", TransitionForm(), page=_page(preload(query)),
                       statuses=list(FrameworkStatus), now=utcnow())


@bp.route("/frameworks/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_framework():
    """Create a framework in draft."""
    form = FrameworkForm()
    if form.validate_on_submit():
        values = {name: form[name].data for name in frameworks.FRAMEWORK_FIELDS}
        values["min_sme_share"] = form.min_sme_share.data / Decimal(100)
        with service_errors(form, catch=ValidationFailed):
            framework = frameworks.create(current_user, values)
            flash(f"Framework {framework.reference} created in draft. Now add its lots.", "success")
            return redirect(url_for("frameworks.detail", framework_id=framework.id))
    return render_form("frameworks/new.html", form)


@bp.get("/frameworks/<int:framework_id>")
@login_required
def detail(framework_id: int):
    """A framework: its lots and demand, its lifecycle, and the questions to answer."""
    framework = frameworks.get_visible(current_user, framework_id, with_lots=True)
    status = framework.current_status(utcnow())
    context = {"framework": framework, "status": status, "categories": CATEGORIES, "now": utcnow(),
               "demands": {lot.id: frameworks.demand(lot) for lot in framework.lots}}
    if current_user.role == Role.ADMIN:
        context |= {"transitions": [s for s in next_states(status) if s in TRANSITION_LABELS and s not in AUTOMATIC],
                    "labels": TRANSITION_LABELS, "unanswered": questions.unanswered(framework.id),
                    "answer_form": AnswerForm(),
                    "problems": frameworks.publication_problems(framework) if status == FrameworkStatus.DRAFT else ()}
    context["published_questions"] = questions.published(framework.id)
    context |= signals.gathered(signals.page_context, framework, user=current_user)
    return render_form("frameworks/detail.html", TransitionForm(), **context)


@bp.route("/frameworks/<int:framework_id>/transition/<to>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def transition(framework_id: int, to: str):
    """Confirm, then make, a change of state."""
    framework = frameworks.get(framework_id)
    try:
        target = FrameworkStatus(to)
    except ValueError:
        raise NotFound("There is no such state.") from None
    form = TransitionForm(to=target.value)
    if form.validate_on_submit():
        with service_errors():
            frameworks.transition(current_user, framework_id, target)
            flash(f"{framework.reference} is now {target.value}.", "success")
        return redirect(url_for("frameworks.detail", framework_id=framework_id))
    label, consequence = TRANSITION_LABELS.get(target, (f"Move to {target.value}", ""))
    return render_form("frameworks/confirm_transition.html", form, framework=framework, target=target,
                       label=label, consequence=consequence)


@bp.route("/frameworks/<int:framework_id>/lots/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_lot(framework_id: int):
    """Add a lot: pool open requirements, set criteria and weights."""
    framework = frameworks.get(framework_id)
    category = request.args.get("category") or None
    open_requirements = requirements.visible(
        current_user, status=RequirementStatus.OPEN, category=category if category in CATEGORIES else None)
    form = LotForm()
    form.requirement_ids.choices = [
        SelectChoice(r.id, f"{r.organisation.name}: {r.title} — {quantity(r.quantity, r.unit)} "
                           f"at {money(r.estimated_unit_price)} each, needed by {day(r.needed_by)}")
        for r in open_requirements]
    if form.validate_on_submit():
        data = frameworks.LotInput(
            title=form.title.data, description=form.description.data or "",
            requirement_ids=form.requirement_ids.data or [], max_awards=form.max_awards.data,
            budget=form.budget.data, price_weight=form.price_weight.data, price_formula=form.price_formula.data,
            criteria=[frameworks.CriterionInput(c.form.name.data.strip(), c.form.weight.data or 0,
                                                c.form.max_score.data or 0, c.form.guidance.data or "")
                      for c in form.criteria if (c.form.name.data or "").strip()])
        with service_errors(form, catch=(ValidationFailed, Conflict)):
            if not data.requirement_ids:
                raise ValidationFailed("Choose at least one requirement to pool.",
                                       {"requirement_ids": "Choose at least one requirement to pool."})
            lot = frameworks.add_lot(current_user, framework_id, data)
            flash(f"Lot {lot.number} added.", "success")
            return redirect(url_for("frameworks.detail", framework_id=framework_id))
    return render_form("frameworks/new_lot.html", form, framework=framework, categories=CATEGORIES,
                       category=category)


@bp.get("/lots/<int:lot_id>")
@login_required
def lot(lot_id: int):
    """A lot: its demand by authority, its criteria, and for officers a way to join or leave."""
    lot = frameworks.get_lot(lot_id)
    frameworks.get_visible(current_user, lot.framework_id)
    context = {"lot": lot, "framework": lot.framework, "demand": frameworks.demand(lot), "categories": CATEGORIES}
    join_form = JoinLotForm()
    if current_user.role == Role.OFFICER:
        own = requirements.visible(current_user, status=RequirementStatus.OPEN)
        join_form.requirement_id.choices = [SelectChoice(r.id, f"{r.title} ({quantity(r.quantity, r.unit)})")
                                            for r in own]
        context["in_lot"] = any(p.requirement.organisation_id == current_user.organisation_id for p in lot.pooled)
    if current_user.role == Role.ADMIN and lot.framework.status == FrameworkStatus.DRAFT:
        context["suggestions"] = frameworks.suggestions(lot)
    return render_form("frameworks/lot.html", join_form, **context)


@bp.post("/lots/<int:lot_id>/join")
@role_required(Role.OFFICER)
def join_lot(lot_id: int):
    """Your authority joins a draft lot with one of its open requirements."""
    form = JoinLotForm()
    form.requirement_id.choices = []
    if form.validate_on_submit():
        with service_errors():
            frameworks.join_lot(current_user, lot_id, form.requirement_id.data)
            flash("Your requirement is pooled into this lot.", "success")
    else:
        flash("Choose one of your open requirements.", "error")
    return redirect(url_for("frameworks.lot", lot_id=lot_id))


@bp.post("/lots/<int:lot_id>/leave")
@role_required(Role.OFFICER)
def leave_lot(lot_id: int):
    """Your authority leaves a draft lot."""
    if TransitionForm(to="leave").validate_on_submit():
        with service_errors():
            frameworks.leave_lot(current_user, lot_id)
            flash("Your authority has left this lot.", "success")
    return redirect(url_for("frameworks.lot", lot_id=lot_id))


@bp.post("/questions/<int:question_id>/answer")
@role_required(Role.ADMIN)
def answer_question(question_id: int):
    """Answer a clarification question; it is published to every bidder."""
    form = AnswerForm()
    question = questions.get(question_id)
    if form.validate_on_submit():
        with service_errors():
            questions.answer(current_user, question_id, form.answer.data)
            flash("The answer is published to every bidder.", "success")
    else:
        flash("Write the answer before publishing it.", "error")
    return redirect(url_for("frameworks.detail", framework_id=question.framework_id) + "#questions")


# Public pages: no sign-in needed ------------------------------------------------------------------


def _public_form(form_class):
    """The page's form; for a visitor who is not signed in, one without a CSRF token, which would otherwise start a
    session for them and so make the public page theirs alone, never kept by a cache (they cannot post it anyway)."""
    return form_class() if current_user.is_authenticated else form_class(meta={"csrf": False})


@bp.get("/opportunities")
@caching.public(lambda: stamps.opportunities())
def opportunities():
    """Every published framework, newest first, with search and filters (the status narrows it, to open ones say)."""
    status = _status_arg()
    query = frameworks.visible_query(None, status=status, search=request.args.get("q"),
                                     category=request.args.get("category") or None)
    return render_form("frameworks/opportunities.html", _public_form(TransitionForm), page=_page(preload(query)),
                       categories=CATEGORIES, statuses=[s for s in FrameworkStatus if s != FrameworkStatus.DRAFT],
                       status=status, now=utcnow())


@bp.route("/opportunities/<int:framework_id>", methods=["GET", "POST"])
@caching.public(stamps.notice)
def notice(framework_id: int):
    """The tender notice: lots, criteria, weights, formula, dates, and the published clarifications."""
    framework = frameworks.get_published(framework_id)
    form = _public_form(QuestionForm)
    if request.method == "POST":
        if not current_user.is_authenticated or current_user.role != Role.SUPPLIER:
            raise Forbidden("Only a signed-in supplier can ask a question.")
        if form.validate_on_submit():
            with service_errors(form):
                questions.ask(current_user, framework_id, form.text.data)
                flash("Your question has been sent. Its answer will be published here for every bidder.", "success")
                return redirect(url_for("frameworks.notice", framework_id=framework_id) + "#questions")
    own = questions.own(current_user, framework_id) if (
        current_user.is_authenticated and current_user.role == Role.SUPPLIER) else []
    now = utcnow()
    return render_form("frameworks/notice.html", form, framework=framework, status=framework.current_status(now),
                       demands={lot.id: frameworks.demand(lot) for lot in framework.lots}, categories=CATEGORIES,
                       published_questions=questions.published(framework_id), own_questions=own, now=now)

