"""Pages of evaluation: the panel, declaring and scoring, moderation, the ranking with its chart, and the reports."""
from decimal import Decimal

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.accounts.access import role_required
from app.domain.errors import ValidationFailed
from app.domain.roles import Role
from app.webforms import page_of_list, render_form, service_errors
from frameworks import services as frameworks
from procurement.evaluation import moderation as moderating
from procurement.evaluation import report as evaluation_report
from procurement.evaluation import scoresheet
from procurement.evaluation import services as evaluation
from procurement.evaluation.forms import DeclarationForm, ModerateForm, PanelForm, ScoreForm

bp = Blueprint("evaluation", __name__, template_folder="templates")
RANKING_PAGE = 50  # bids a page of the ranking shows, in its table and its chart

def _answer_key(raw: str) -> tuple[int, int] | None:
    try:
        bid_id, criterion_id = (int(x) for x in raw.split("-", 1))
    except ValueError:
        return None
    return bid_id, criterion_id


@bp.route("/lots/<int:lot_id>/panel", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def panel(lot_id: int):
    """The admin names the lot's evaluators."""
    lot = frameworks.get_lot(lot_id)
    form = PanelForm(data={"user_ids": [u.id for u in evaluation.panel(lot.id)]})
    form.user_ids.choices = [SelectChoice(u.id, f"{u.name or u.email} ({u.email}, {u.organisation.name})")
                             for u in evaluation.evaluators()]
    if form.validate_on_submit():
        with service_errors(form, catch=ValidationFailed):
            evaluation.set_panel(current_user, lot.id, form.user_ids.data)
            flash("The panel is saved. Its evaluators declare conflicts before they see the bids.", "success")
            return redirect(url_for("evaluation.panel", lot_id=lot.id))
    return render_form("evaluation/panel.html", form, lot=lot, members=evaluation.panel(lot.id))


@bp.route("/lots/<int:lot_id>/evaluate", methods=["GET", "POST"])
@role_required(Role.EVALUATOR)
def evaluate(lot_id: int):
    """An evaluator declares conflicts, then sees every answer of the lot to score and how many are scored."""
    lot = frameworks.get_lot(lot_id)
    declaration = evaluation.latest_declaration(current_user, lot.id)
    if declaration is None or declaration.conflict or request.method == "POST":
        return _declaration(lot, declaration)
    return render_template("evaluation/evaluate.html", lot=lot, sheet=scoresheet.sheet(current_user, lot.id))


def _declaration(lot, declaration):
    """The declaration of conflicts, which comes before the bids: its form, and recording it."""
    form = DeclarationForm()
    if form.validate_on_submit():
        with service_errors(form):
            evaluation.declare(current_user, lot.id, form.conflict.data == "yes", form.details.data or "")
            flash("Your declaration is recorded.", "success")
            return redirect(url_for("evaluation.evaluate", lot_id=lot.id))
    return render_form("evaluation/declare.html", form, lot=lot, declaration=declaration,
                       bidders=evaluation.bidder_names(lot))


@bp.get("/lots/<int:lot_id>/evaluate/next")
@role_required(Role.EVALUATOR)
def next_answer(lot_id: int):
    """The next answer the evaluator has to score; the lot's list when none is left or a declaration comes first."""
    lot = frameworks.get_lot(lot_id)
    declaration = evaluation.latest_declaration(current_user, lot.id)
    following = None
    if declaration is not None and not declaration.conflict:
        following = scoresheet.sheet(current_user, lot.id).next_unscored()
    if following is None:
        return redirect(url_for("evaluation.evaluate", lot_id=lot.id))
    return redirect(_answer_url(lot.id, following))


@bp.route("/lots/<int:lot_id>/evaluate/<int:bid_id>/<int:criterion_id>", methods=["GET", "POST"])
@role_required(Role.EVALUATOR)
def score_answer(lot_id: int, bid_id: int, criterion_id: int):
    """One answer to score: the criterion with its guidance and scale, the answer, and the score with its reason."""
    lot = frameworks.get_lot(lot_id)
    if evaluation.latest_declaration(current_user, lot.id) is None:
        return redirect(url_for("evaluation.evaluate", lot_id=lot.id))  # the declaration comes first
    sheet = scoresheet.sheet(current_user, lot.id)
    entry = sheet.entry(bid_id, criterion_id)
    form = ScoreForm(data={"score": entry.score.score, "rationale": entry.score.rationale} if entry.scored else {})
    form.score.description = f"From 0 to {entry.criterion.max_score}."
    if request.method == "POST":
        valid = form.validate_on_submit()
        if form.score.data is not None and (problem := evaluation.scale_problem(entry.criterion, form.score.data)):
            form.score.errors = [*form.score.errors, problem]  # checked with the other rules, in one pass
        if valid and not form.errors:
            with service_errors(form):
                evaluation.record_score(current_user, lot.id, bid_id, criterion_id, form.score.data,
                                        form.rationale.data)
                return _after_saving(sheet, entry, request.form.get("then"))
    previous, following = sheet.neighbours(entry)
    return render_form("evaluation/answer.html", form, lot=lot, sheet=sheet, entry=entry,
                       answer_text=scoresheet.answer_text(sheet, entry), previous=previous, following=following,
                       others=scoresheet.others_on(current_user, sheet, entry))


def _answer_url(lot_id: int, entry: scoresheet.Entry) -> str:
    return url_for("evaluation.score_answer", lot_id=lot_id, bid_id=entry.bid_id, criterion_id=entry.criterion.id)


def _after_saving(sheet: scoresheet.Sheet, entry: scoresheet.Entry, then: str | None):
    """Save and next goes on to the next answer not yet scored; otherwise, or when none is left, to the list."""
    following = sheet.next_unscored(after=entry)
    if following is None:
        flash(f"Score saved. You have scored all {len(sheet.entries)} answers: you can now see the other "
              "evaluators' scores and the ranking.", "success")
    else:
        flash("Score saved.", "success")
    if then == "next" and following is not None:
        return redirect(_answer_url(sheet.lot.id, following))
    anchor = f"#answer-{entry.bid_id}-{entry.criterion.id}"
    return redirect(url_for("evaluation.evaluate", lot_id=sheet.lot.id) + anchor)


@bp.route("/lots/<int:lot_id>/moderation", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def moderation(lot_id: int):
    """Every answer's scores side by side, wide spreads flagged, and the moderated score with its reason."""
    lot, rows = moderating.moderation_rows(current_user, lot_id)
    form = ModerateForm()
    status = 200
    key = _answer_key(form.answer.data or "") if request.method == "POST" else None
    if request.method == "POST":
        valid = form.validate_on_submit()
        criterion = evaluation.criterion_of(lot, key[1]) if key else None
        if criterion is None:
            form.form_errors.append("Choose an answer of this lot to moderate.")
        elif form.score.data is not None and (problem := evaluation.scale_problem(criterion, form.score.data)):
            form.score.errors = [*form.score.errors, problem]  # checked with the other rules, in one pass
        if valid and not form.errors and not form.form_errors:
            with service_errors(form):
                evaluation.moderate(current_user, lot.id, key[0], key[1], form.score.data, form.reason.data)
                flash("The moderated score is recorded; the evaluators' scores stay beside it.", "success")
                return redirect(url_for("evaluation.moderation", lot_id=lot.id))
        status = 422
    return render_template("evaluation/moderation.html", lot=lot, rows=rows, form=form, posted=key,
                           fraction=evaluation.SPREAD_FRACTION), status


@bp.get("/lots/<int:lot_id>/ranking")
@role_required(Role.ADMIN, Role.EVALUATOR)
def ranking(lot_id: int):
    """The lot's ranked bids, with a chart of quality and price scores."""
    result = evaluation.ranking(current_user, lot_id)
    page = page_of_list(result.rows, per_page=RANKING_PAGE)
    reversed_rows = [r for r in result.rows if r.bid_id in result.reversals]
    names = evaluation.supplier_names({r.supplier_id for r in [*page.items, *reversed_rows]})
    most = max((r.total if result.sees_prices else r.quality for r in page.items), default=Decimal(0))
    return render_template("evaluation/ranking.html", result=result, lot=result.lot, names=names, page=page,
                           reversed_rows=reversed_rows, scale=Decimal(100) if most <= 100 else most)


@bp.get("/frameworks/<int:framework_id>/evaluation")
@role_required(Role.ADMIN)
def portfolio(framework_id: int):
    """Each supplier's bids across the lots side by side, and each lot's ranking."""
    result = evaluation_report.portfolio(current_user, framework_id)
    return render_template("evaluation/portfolio.html", result=result, framework=result.framework)


@bp.get("/frameworks/<int:framework_id>/evaluation.xlsx")
@role_required(Role.ADMIN)
def workbook(framework_id: int):
    """The full evaluation as a spreadsheet, for the file."""
    framework = frameworks.get(framework_id)
    data = evaluation_report.workbook(current_user, framework_id)
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{framework.reference}-evaluation.xlsx"',
                             "Cache-Control": "private, no-store"})


@bp.get("/lots/<int:lot_id>/assessment/<int:bid_id>")
@role_required(Role.ADMIN)
def assessment(lot_id: int, bid_id: int):
    """One bidder's assessment summary on a lot: its scores beside the winner's, with the recorded reasons."""
    return render_template("evaluation/assessment.html",
                           summary=evaluation_report.assessment(current_user, lot_id, bid_id))
