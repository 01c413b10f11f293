"""Pages of requirements: officers state their authority's needs; admins see London's demand."""
from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user

from app.accounts.access import role_required
from app.domain.errors import ValidationFailed
from app.domain.roles import Role
from app.extensions import db
from app.types import london_today
from app.webforms import attach_errors, render_form
from frameworks.domain.taxonomy import CATEGORIES
from frameworks.requirements import services as requirements
from frameworks.requirements.forms import RequirementForm
from frameworks.requirements.models import RequirementStatus

bp = Blueprint("requirements", __name__, template_folder="templates")
FIELDS = ("title", "description", "category", "quantity", "unit", "estimated_unit_price", "needed_by")


def _date_arg(name: str):
    from datetime import date

    try:
        return date.fromisoformat(request.args[name]) if request.args.get(name) else None
    except ValueError:
        return None


@bp.get("/requirements")
@role_required(Role.OFFICER, Role.ADMIN)
def list_requirements():
    """Your authority's requirements, or (for admins) everyone's with London's demand by category."""
    status = request.args.get("status") or None
    category = request.args.get("category") or None
    query = requirements.visible_query(
        current_user, status=RequirementStatus(status) if status in {s.value for s in RequirementStatus} else None,
        category=category if category in CATEGORIES else None,
        needed_from=_date_arg("from"), needed_to=_date_arg("to"))
    page = db.paginate(query, page=max(request.args.get("page", 1, type=int), 1), per_page=25, error_out=False)
    demand = requirements.demand_by_category() if current_user.role == Role.ADMIN else []
    return render_form("requirements/list.html", RequirementForm(), page=page, demand=demand,
                       categories=CATEGORIES, statuses=list(RequirementStatus))


@bp.route("/requirements/new", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def new_requirement():
    """State a new requirement for your authority."""
    form = RequirementForm()
    if form.validate_on_submit():
        try:
            requirement = requirements.create(current_user, {f: form[f].data for f in FIELDS}, london_today())
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            flash(f"Requirement “{requirement.title}” saved.", "success")
            return redirect(url_for("requirements.list_requirements"))
    return render_form("requirements/form.html", form, heading="State a requirement")


@bp.route("/requirements/<int:requirement_id>/edit", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def edit_requirement(requirement_id: int):
    """Change one of your authority's open requirements."""
    requirement = requirements.get_visible(current_user, requirement_id)
    form = RequirementForm(obj=requirement)
    if form.validate_on_submit():
        try:
            requirements.update(current_user, requirement_id, {f: form[f].data for f in FIELDS}, london_today())
        except ValidationFailed as error:
            attach_errors(form, error)
        else:
            flash("Requirement updated.", "success")
            return redirect(url_for("requirements.list_requirements"))
    return render_form("requirements/form.html", form, heading=f"Change “{requirement.title}”")
