"""Pages of requirements: officers state their authority's needs; admins see London's demand."""
from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user

from app.accounts.access import role_required
from app.domain.errors import ValidationFailed
from app.domain.roles import Role
from app.types import london_today
from app.webforms import page_of, render_form, service_errors
from frameworks.domain.taxonomy import CATEGORIES
from frameworks.requirements import services as requirements
from frameworks.requirements.forms import RequirementFilterForm, RequirementForm
from frameworks.requirements.models import RequirementStatus

bp = Blueprint("requirements", __name__, template_folder="templates")
FIELDS = ("title", "description", "category", "quantity", "unit", "estimated_unit_price", "needed_by")


@bp.get("/requirements")
@role_required(Role.OFFICER, Role.ADMIN)
def list_requirements():
    """Your authority's requirements, or (for admins) everyone's with London's demand by category."""
    status = request.args.get("status") or None
    category = request.args.get("category") or None
    filters = RequirementFilterForm(request.args)
    filters.validate()  # a date not typed in full is said above the list, and that date does not filter
    query = requirements.visible_query(
        current_user, status=RequirementStatus(status) if status in {s.value for s in RequirementStatus} else None,
        category=category if category in CATEGORIES else None,
        needed_from=filters.needed_from.data, needed_to=filters.needed_to.data)
    page = page_of(query, per_page=25)
    demand = requirements.demand_by_category() if current_user.role == Role.ADMIN else []
    return render_form("requirements/list.html", filters, page=page, demand=demand,
                       categories=CATEGORIES, statuses=list(RequirementStatus))


@bp.route("/requirements/new", methods=["GET", "POST"])
@role_required(Role.OFFICER)
def new_requirement():
    """State a new requirement for your authority."""
    form = RequirementForm()
    if form.validate_on_submit():
        with service_errors(form, catch=ValidationFailed):
            requirement = requirements.create(current_user, {f: form[f].data for f in FIELDS}, london_today())
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
        with service_errors(form, catch=ValidationFailed):
            requirements.update(current_user, requirement_id, {f: form[f].data for f in FIELDS}, london_today())
            flash("Requirement updated.", "success")
            return redirect(url_for("requirements.list_requirements"))
    return render_form("requirements/form.html", form, heading=f"Change “{requirement.title}”")
