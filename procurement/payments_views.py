"""Pages of call-offs and levies: an officer calls off, a supplier sees and pays its levies, an admin sees them
all with totals by framework and month (and as CSV)."""
import csv
import io
from decimal import Decimal

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.accounts.access import role_required
from app.domain.errors import ConsortError, ValidationFailed
from app.domain.roles import Role
from app.extensions import db
from app.formfields import FiniteDecimalField
from app.timefields import LondonDateTimeField
from app.types import utcnow
from app.webforms import attach_errors, render_form
from frameworks import services as frameworks
from procurement import calloffs, evaluation, payments

bp = Blueprint("payments", __name__, template_folder="templates")


class CallOffForm(FlaskForm):
    lot_id = SelectField("Lot", coerce=int, validators=[InputRequired("Choose the lot to call off from.")])
    value = FiniteDecimalField("Value of the order (£)", places=2, validators=[
        InputRequired("Enter the value of the order."), NumberRange(0.01, None, "Enter a value above £0.00.")])
    description = TextAreaField("What you are ordering", validators=[DataRequired("Say what you are ordering."),
                                                                     Length(max=5_000)])
    confirm = BooleanField("I confirm this order is a contract with the supplier under the framework",
                           validators=[DataRequired("Tick the box to confirm the order.")])
    submit = SubmitField("Place the call-off")


class PayForm(FlaskForm):
    submit = SubmitField("Pay")


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
        try:
            placed = calloffs.call_off(current_user, framework.id, form.lot_id.data,
                                       suppliers[0] if suppliers else 0, form.value.data, form.description.data)
        except ValidationFailed as error:
            attach_errors(form, error)
        except ConsortError as error:
            form.form_errors.append(error.message)
        else:
            flash(f"Call-off placed with {names[placed.call_off.supplier_id]} for £{placed.call_off.value:,.2f}.",
                  "success")
            return redirect(url_for("payments.call_offs", framework_id=framework.id))
    from procurement import minicompetitions

    headroom = framework.maximum_value - calloffs.called_off(framework.id)
    return render_form("procurement/call_offs.html", form, framework=framework, lots=mine, names=names,
                       competitions=minicompetitions.of_framework(current_user, framework.id),
                       shared_lots=[lot for lot in mine if len(winners[lot.id]) > 1],
                       items=calloffs.call_offs_for(current_user, framework.id), headroom=headroom,
                       supplier_names=_names_for(calloffs.call_offs_for(current_user, framework.id)))


def _names_for(items) -> dict[int, str]:
    return evaluation.supplier_names({c.supplier_id for c in items} | {c.organisation_id for c in items})


@bp.get("/levies")
@role_required(Role.SUPPLIER, Role.ADMIN)
def levies():
    """A supplier's levies with a way to pay them; for an admin, all of them with totals."""
    page = db.paginate(calloffs.levies_query(current_user), page=max(request.args.get("page", 1, type=int), 1),
                       per_page=50, error_out=False)
    totals = calloffs.totals() if current_user.role == Role.ADMIN else []
    framework_names = frameworks.references({t.framework_id for t in totals} |
                                            {levy.framework_id for levy in page.items})
    return render_template("procurement/levies.html", page=page, totals=totals, pay=PayForm(),
                           framework_names=framework_names, names=_supplier_names(page.items),
                           test_mode=payments.test_mode(),
                           publishable_key=current_app.config.get("STRIPE_PUBLISHABLE_KEY"))


def _supplier_names(items) -> dict[int, str]:
    return evaluation.supplier_names({levy.supplier_id for levy in items})


@bp.get("/levies.csv")
@role_required(Role.SUPPLIER, Role.ADMIN)
def levies_csv():
    """The levies one may see, as CSV."""
    items = list(db.session.scalars(calloffs.levies_query(current_user)))
    names = _supplier_names(items)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["levy", "supplier", "framework", "call-off", "amount", "status", "created", "paid"])
    for levy in items:
        writer.writerow([levy.id, _cell(names.get(levy.supplier_id, "")), levy.framework_id, levy.call_off_id,
                         f"{levy.amount:.2f}", levy.status, levy.created_at.isoformat(),
                         levy.paid_at.isoformat() if levy.paid_at else ""])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="levies.csv"'})


def _cell(text: str) -> str:
    """A spreadsheet must not read a name as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.route("/levies/<int:levy_id>/pay", methods=["GET", "POST"])
@role_required(Role.SUPPLIER)
def pay(levy_id: int):
    """Pay a levy: Stripe's Payment Element with a publishable key; in test mode without one, Stripe's test card."""
    levy = calloffs.levy_for(current_user, levy_id)
    publishable = current_app.config.get("STRIPE_PUBLISHABLE_KEY")
    form = PayForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            status = payments.pay_with_test_card(current_user, levy.id)
        except ConsortError as error:
            flash(error.message, "error")
        else:
            flash("Payment sent to Stripe" + (" and accepted" if status == "succeeded" else f" ({status})") +
                  ". The levy shows as paid as soon as Stripe confirms it.", "success")
        return redirect(url_for("payments.levies"))
    intent = None
    if publishable and levy.status != "paid":
        try:
            intent = payments.payment_intent(current_user, levy.id)
        except ConsortError as error:
            flash(error.message, "error")
            return redirect(url_for("payments.levies"))
    return render_template("procurement/pay.html", levy=levy, form=form, intent=intent, publishable=publishable,
                           test_mode=payments.test_mode(), amount=Decimal(levy.amount))


@bp.get("/frameworks/<int:framework_id>/savings")
@role_required(Role.ADMIN, Role.OFFICER)
def savings_page(framework_id: int):
    """The framework's savings, shared two ways, explained in plain words, with a chart."""
    from procurement import savings
    from procurement.domain import sharing

    framework = frameworks.get(framework_id)
    try:
        result = savings.of_framework(current_user, framework.id)
    except ConsortError as error:
        flash(error.message, "error")
        return redirect(url_for("frameworks.detail", framework_id=framework.id))
    rows = savings.visible_rows(current_user, result)
    top = max([abs(r.share_proportional) for r in rows] + [abs(r.share_shapley) for r in rows] + [Decimal(1)])
    return render_template("procurement/savings.html", framework=framework, result=result, rows=rows,
                           names=savings.names(result), top=top, explanation=sharing.explain(result))


@bp.get("/dashboard/<table>.csv")
@role_required(Role.ADMIN, Role.OFFICER)
def dashboard_csv(table: str):
    """A dashboard table as CSV: an officer's own, or one of the admins'."""
    from procurement import dashboards

    if current_user.role == Role.OFFICER and table == "officer":
        found = dashboards.officer_table(current_user.organisation_id)
    elif current_user.role == Role.ADMIN and table in ("pipeline", "levies", "savings"):
        found = dashboards.admin_tables()[table]
    else:
        from app.domain.errors import NotFound

        raise NotFound("There is no such table on your dashboard.")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(found.columns)
    for row in found.rows:
        writer.writerow([_cell(str(cell)) for cell in row])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{table}.csv"'})


class MiniCompetitionForm(FlaskForm):
    lot_id = SelectField("Lot", coerce=int, validators=[InputRequired("Choose the lot.")])
    request = TextAreaField("What you need", validators=[DataRequired("Say what you need."), Length(max=10_000)])
    maximum_value = FiniteDecimalField("Most you will pay (£)", places=2, validators=[
        InputRequired("Enter the most you will pay."), NumberRange(0.01, None, "Enter a value above £0.00.")])
    deadline = LondonDateTimeField("Answers by (London time)", validators=[InputRequired("Give the deadline.")])
    submit = SubmitField("Ask the lot's suppliers")


class AnswerForm(FlaskForm):
    price = FiniteDecimalField("Your price (£)", places=2, validators=[
        InputRequired("Enter your price."), NumberRange(0.01, None, "Enter a price above £0.00.")])
    answer = TextAreaField("How you would meet the request",
                           validators=[DataRequired("Say how you would meet the request."), Length(max=10_000)])
    submit = SubmitField("Send my answer")


class ScoreAnswerForm(FlaskForm):
    answer_id = HiddenField()
    score = FiniteDecimalField("Score out of 100", places=2, validators=[
        InputRequired("Enter a score."), NumberRange(0, 100, "Enter a score from 0 to 100.")])
    reason = TextAreaField("Reason", validators=[DataRequired("Give the reason for the score."), Length(max=5_000)])
    submit = SubmitField("Save the score")


@bp.route("/frameworks/<int:framework_id>/mini-competitions/new", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def new_mini_competition(framework_id: int):
    """An officer asks the suppliers of a lot with several winners to compete for an order."""
    from procurement import minicompetitions

    framework = frameworks.get(framework_id)
    winners = calloffs.winners(framework.id)
    lots = [lot for lot in framework.lots if len(winners.get(lot.id, [])) > 1
            and current_user.organisation_id in {a.organisation_id for a in frameworks.demand(lot).authorities}]
    form = MiniCompetitionForm()
    form.lot_id.choices = [(lot.id, f"Lot {lot.number}: {lot.title}") for lot in lots]
    if form.validate_on_submit():
        try:
            competition = minicompetitions.start(current_user, framework.id, form.lot_id.data, form.request.data,
                                                 form.maximum_value.data, form.deadline.data)
        except ValidationFailed as error:
            attach_errors(form, error)
        except ConsortError as error:
            form.form_errors.append(error.message)
        else:
            flash("The lot's suppliers have been asked. Their answers stay sealed until the deadline.", "success")
            return redirect(url_for("payments.mini_competition", competition_id=competition.id))
    return render_form("procurement/mini_competition_new.html", form, framework=framework, lots=lots)


@bp.route("/mini-competitions/<int:competition_id>", methods=["GET", "POST"])
@role_required(Role.OFFICER, Role.SUPPLIER, Role.ADMIN)
def mini_competition(competition_id: int):
    """The request; a supplier's answer; after the deadline, the answers with their scores, and the award."""
    from procurement import minicompetitions

    competition = minicompetitions.get_for(current_user, competition_id)
    answer_form, score_form = AnswerForm(prefix="answer"), ScoreAnswerForm(prefix="score")
    action = request.form.get("action")
    try:
        if action == "answer" and current_user.role == Role.SUPPLIER and answer_form.validate_on_submit():
            minicompetitions.answer(current_user, competition.id, answer_form.price.data, answer_form.answer.data)
            flash("Your answer is sent. You can change it until the deadline.", "success")
            return redirect(url_for("payments.mini_competition", competition_id=competition.id))
        if action == "score" and current_user.role == Role.OFFICER and score_form.validate_on_submit():
            minicompetitions.score(current_user, competition.id, int(score_form.answer_id.data or 0),
                                   score_form.score.data, score_form.reason.data)
            flash("Score saved.", "success")
            return redirect(url_for("payments.mini_competition", competition_id=competition.id))
        if action == "award" and current_user.role == Role.OFFICER and ConfirmAwardForm().validate_on_submit():
            minicompetitions.award(current_user, competition.id)
            flash("Awarded: the call-off is placed with the best-scoring supplier.", "success")
            return redirect(url_for("payments.mini_competition", competition_id=competition.id))
    except ValidationFailed as error:
        attach_errors(answer_form if action == "answer" else score_form, error)
    except ConsortError as error:
        flash(error.message, "error")
        return redirect(url_for("payments.mini_competition", competition_id=competition.id))
    answers = minicompetitions.answers_visible(current_user, competition)
    names = evaluation.supplier_names({a.supplier_id for a in answers})
    status = 422 if request.method == "POST" else 200
    return render_template("procurement/mini_competition.html", competition=competition, answers=answers,
                           names=names, answer_form=answer_form, score_form=score_form, award_form=ConfirmAwardForm(),
                           framework=frameworks.get(competition.framework_id), now=utcnow()), status


class ConfirmAwardForm(FlaskForm):
    confirm = BooleanField("I confirm the award: it places the call-off with the best-scoring supplier",
                           validators=[DataRequired("Tick the box to confirm the award.")])
    submit = SubmitField("Award the mini-competition")


class MembershipForm(FlaskForm):
    confirm = BooleanField("I confirm my authority joins the consortium for a year, invoiced through Stripe",
                           validators=[DataRequired("Tick the box to confirm the membership.")])
    submit = SubmitField("Start the membership")


@bp.route("/membership", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def membership():
    """An authority's annual membership: its state, or starting it."""
    from procurement.models import Membership

    form = MembershipForm()
    if form.validate_on_submit():
        try:
            payments.start_membership(current_user)
        except ConsortError as error:
            form.form_errors.append(error.message)
        else:
            flash("Membership started. Stripe sends the invoice after the 30-day grace period.", "success")
            return redirect(url_for("payments.membership"))
    held = db.session.scalars(db.select(Membership).where(
        Membership.organisation_id == current_user.organisation_id)).first()
    return render_form("procurement/membership.html", form, held=held,
                       fee=Decimal(current_app.config.get("MEMBERSHIP_FEE_PENCE") or 0) / 100)
