"""The dashboard: one page, with the panels of the signed-in user's role."""
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.domain.roles import Role
from consort.dashboard import services as dashboard
from consort.dashboard import todo
from frameworks import services as frameworks
from frameworks.requirements import services as requirements
from procurement.savings import dashboards

bp = Blueprint("dashboard", __name__, template_folder="templates")


@bp.get("/")
def home():
    """Signed-in users go to their dashboard; everyone else sees what Consort is."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    return render_template("dashboard/home.html", organisations=dashboard.organisation_counts())


@bp.get("/dashboard")
@login_required
def index():
    """The signed-in user's dashboard: their to-do list first, then the counts for their role."""
    context = {
        "tasks": todo.tasks_for(current_user),
        "organisations": dashboard.organisation_counts(),
        "sme_suppliers": dashboard.sme_supplier_count(),
        "colleagues": dashboard.users_by_role(current_user.organisation_id),
    }
    context["frameworks"] = frameworks.counts_by_status()
    if current_user.role == Role.OFFICER:
        context["money"] = dashboards.officer_table(current_user.organisation_id)
        context["joined"] = frameworks.count_joined_by(current_user.organisation_id)
        context["open_requirements"] = requirements.count_open(current_user.organisation_id)
    if current_user.role == Role.ADMIN:
        context |= {
            "users": dashboard.users_by_role(),
            "pending_invitations": dashboard.pending_invitations(),
            "audit_events": dashboard.audit_event_count(),
            "recent_events": dashboard.recent_events(),
            "money": dashboards.admin_tables(),
            "value_under_management": dashboards.value_under_management(),
        }
    return render_template(f"dashboard/{current_user.role.value}.html", **context)
