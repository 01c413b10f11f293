"""Pages of savings: a framework's savings shared between its authorities, and the dashboards' tables as CSV."""
from decimal import Decimal

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from app.accounts.access import role_required
from app.csvfiles import csv_response
from app.domain.errors import NotFound
from app.domain.roles import Role
from app.webforms import service_errors
from frameworks import services as frameworks
from procurement.domain import sharing
from procurement.savings import dashboards
from procurement.savings import services as savings

bp = Blueprint("savings", __name__, template_folder="templates")

@bp.get("/frameworks/<int:framework_id>/savings")
@role_required(Role.ADMIN, Role.OFFICER)
def savings_page(framework_id: int):
    """The framework's savings, shared two ways, explained in plain words, with a chart."""
    framework = frameworks.get(framework_id)
    with service_errors() as refused:
        result = savings.of_framework(current_user, framework.id)
    if refused.failed:
        return redirect(url_for("frameworks.detail", framework_id=framework.id))
    rows = savings.visible_rows(current_user, result)
    top = max([abs(r.share_proportional) for r in rows] + [abs(r.share_shapley) for r in rows] + [Decimal(1)])
    return render_template("savings/savings.html", framework=framework, result=result, rows=rows,
                           names=savings.names(result), top=top, explanation=sharing.explain(result))


@bp.get("/dashboard/<table>.csv")
@role_required(Role.ADMIN, Role.OFFICER)
def dashboard_csv(table: str):
    """A dashboard table as CSV: an officer's own, or one of the admins'."""
    if current_user.role == Role.OFFICER and table == "officer":
        found = dashboards.officer_table(current_user.organisation_id)
    elif current_user.role == Role.ADMIN and table in ("pipeline", "levies", "savings"):
        found = dashboards.admin_tables()[table]
    else:
        raise NotFound("There is no such table on your dashboard.")
    return csv_response(f"{table}.csv", found.columns, ([str(value) for value in row] for row in found.rows))
