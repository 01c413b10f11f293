"""Pages of the data-sharing agreement: read it, accept or withdraw it (officers), publish a version (admins)."""
from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user

from app.accounts.access import role_required
from app.domain.errors import ConsortError, ValidationFailed
from app.domain.roles import Role
from app.forms import ConfirmForm
from app.types import london_today
from app.webforms import render_form, service_errors
from frameworks.sharing import services as sharing
from frameworks.sharing.forms import AcceptForm, AgreementForm

bp = Blueprint("sharing", __name__, template_folder="templates")


def _page(form: AcceptForm):
    agreement = sharing.current()
    mine = None
    if agreement is not None and current_user.role == Role.OFFICER:
        mine = sharing.acceptance_in_force(current_user.organisation_id, agreement.id)
    return render_form(
        "sharing/agreement.html", form, agreement=agreement, mine=mine, withdraw_form=ConfirmForm(),
        acceptances=sharing.acceptances(agreement, current_user) if agreement else [],
        history=sharing.history(current_user.organisation_id) if current_user.role == Role.OFFICER else [],
        versions=sharing.versions())


@bp.get("/data-sharing")
@role_required(Role.OFFICER, Role.ADMIN)
def agreement():
    """The current agreement, and whether your authority has accepted it."""
    return _page(AcceptForm())


@bp.post("/data-sharing/<int:agreement_id>/accept")
@role_required(Role.OFFICER)
def accept(agreement_id: int):
    """Accept the current agreement for your authority, in your name."""
    form = AcceptForm()
    if form.validate_on_submit():
        with service_errors(form, catch=ConsortError):
            sharing.accept(current_user, agreement_id, form.name.data, form.position.data)
            flash("Your authority has accepted the data-sharing agreement; its requirements can be pooled.",
                  "success")
            return redirect(url_for("sharing.agreement"))
    return _page(form)


@bp.post("/data-sharing/<int:agreement_id>/withdraw")
@role_required(Role.OFFICER)
def withdraw(agreement_id: int):
    """Withdraw your authority's acceptance: no new pooling; frameworks already tendered go on."""
    if ConfirmForm().validate_on_submit():
        with service_errors():
            sharing.withdraw(current_user, agreement_id)
            flash("Your authority's acceptance is withdrawn. Its requirements will not be pooled into new "
                  "frameworks; frameworks already tendered go on.", "success")
    return redirect(url_for("sharing.agreement"))


@bp.route("/admin/data-sharing/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_version():
    """Publish a new version of the agreement; every authority then accepts it again."""
    form = AgreementForm()
    previous = sharing.current()
    if not form.is_submitted() and previous is not None:
        for name in sharing.AGREEMENT_FIELDS[:-1]:
            form[name].data = getattr(previous, name)
    if form.validate_on_submit():
        with service_errors(form, catch=ValidationFailed):
            values = sharing.AgreementText(**{name: form[name].data for name in sharing.AGREEMENT_FIELDS})
            published = sharing.publish(current_user, values, london_today())
            flash(f"Version {published.version} is published; every authority must accept it before pooling.",
                  "success")
            return redirect(url_for("sharing.agreement"))
    return render_form("sharing/new_version.html", form, previous=previous)
