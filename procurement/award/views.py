"""Pages of award runs: running the optimiser on a framework, a run with its explanation, two runs compared."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.accounts.access import role_required
from app.domain.errors import NotFound
from app.domain.roles import Role
from app.webforms import render_form, service_errors
from frameworks import services as frameworks
from procurement.award import services as award
from procurement.award.forms import AwardRunForm
from procurement.evaluation import report as evaluation_report
from procurement.evaluation import services as evaluation

bp = Blueprint("award", __name__, template_folder="templates")

@bp.route("/frameworks/<int:framework_id>/award", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def award_page(framework_id: int):
    """Run the award (or a what-if), read the result and its explanation, and see the earlier runs."""
    framework = frameworks.get(framework_id)
    form = AwardRunForm()
    suppliers = evaluation_report.bidders(framework)
    form.exclude_supplier_ids.choices = [SelectChoice(s_id, name) for s_id, name in suppliers]
    if form.validate_on_submit():
        options = award.Options(frozenset(form.exclude_supplier_ids.data or ()), form.max_lots_per_supplier.data,
                                float(form.time_limit.data))
        with service_errors(form):
            record = award.run(current_user, framework.id, options)
            flash(f"The award run is done, in {record.seconds:.2f} s." if record.status == "done"
                  else "The award run has started; this page will show it when it is ready.", "success")
            return redirect(url_for("award.award_run", run_id=record.id))
    return render_form("award/award.html", form, framework=framework, runs=award.runs_of(framework.id))


@bp.get("/award-runs/<int:run_id>")
@role_required(Role.ADMIN)
def award_run(run_id: int):
    """One run: the awards, the optimum beside greedy, the explanation."""
    record = award.get(current_user, run_id)
    return render_template("award/award_run.html", run=award.as_json(record), record=record,
                           framework=frameworks.get(record.framework_id), names=_names(record),
                           runs=award.runs_of(record.framework_id),
                           beside_greedy=award.beside_greedy(record.result) if record.status == "done" else "")


@bp.get("/frameworks/<int:framework_id>/award-runs/compare")
@role_required(Role.ADMIN)
def compare_runs(framework_id: int):
    """Two runs side by side, lot by lot."""
    framework = frameworks.get(framework_id)
    ids = [request.args.get("a", type=int), request.args.get("b", type=int)]
    if not all(ids):
        flash("Choose two runs to compare.", "error")
        return redirect(url_for("award.award_page", framework_id=framework.id))
    records = [award.get(current_user, run_id) for run_id in ids]
    if any(r.framework_id != framework.id for r in records):
        raise NotFound("Those runs are not of this framework.")
    runs = [award.as_json(r) for r in records]
    names = _names(*records)
    lots = sorted(framework.lots, key=lambda lot: lot.number)
    return render_template("award/compare.html", framework=framework, runs=runs, lots=lots, names=names)


def _names(*records) -> dict[int, str]:
    supplier_ids = {a["supplier_id"] for r in records for a in r.result.get("awards", [])}
    return evaluation.supplier_names(supplier_ids)
