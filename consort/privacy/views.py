"""Data-protection pages that read across the features: who sees an authority's data."""
from flask import Blueprint, render_template
from flask_login import current_user, login_required, logout_user

from app import pdf
from app.accounts.access import role_required
from app.domain.roles import Role
from app.forms import ConfirmForm
from app.types import utcnow
from app.webforms import render_form, service_errors
from consort.privacy import erasure, exposure, subject_access
from consort.privacy.api import download
from consort.privacy.forms import PostalRequestForm
from frameworks.sharing import services as sharing

bp = Blueprint("privacy_pages", __name__, template_folder="templates")


@bp.get("/data-sharing/who-sees")
@role_required(Role.OFFICER)
def who_sees():
    """Which organisations see which of your authority's data, framework by framework, under which agreement."""
    agreement = sharing.current()
    in_force = sharing.acceptance_in_force(current_user.organisation_id, agreement.id) if agreement else None
    return render_template("privacy_pages/who_sees.html", frameworks=exposure.who_sees(current_user.organisation_id),
                           agreement=agreement, in_force=in_force)


@bp.get("/account/data-export.json")
@login_required
def my_data_json():
    """Everything held about you, as a JSON file."""
    return download(subject_access.export(current_user), f"consort-data-{current_user.id}.json")


@bp.get("/account/data-export.pdf")
@login_required
def my_data_pdf():
    """Everything held about you, as a readable PDF."""
    data = subject_access.as_pdf(current_user, utcnow())
    return pdf.response(data, f"consort-data-{current_user.id}.pdf")


@bp.route("/admin/users/<int:user_id>/data-export", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def postal_request(user_id: int):
    """An admin produces a person's data for a request received by post; audited."""
    form = PostalRequestForm()
    if form.validate_on_submit():
        user = subject_access.for_postal_request(current_user, user_id, form.reference.data)
        if form.format.data == "json":
            return download(subject_access.export(user), f"consort-data-{user.id}.json")
        return pdf.response(subject_access.as_pdf(user, utcnow()), f"consort-data-{user.id}.pdf")
    return render_form("privacy_pages/postal_request.html", form, user=subject_access.person(user_id))


CONFIRM_ERASURE = "I understand that my account closes now and cannot be reopened"


@bp.route("/account/erasure", methods=["GET", "POST"])
@login_required
def erase_me():
    """Ask for your data to be erased: what goes at once, what is kept, why and until when; then confirm."""
    form = ConfirmForm(label=CONFIRM_ERASURE, message="Tick the box to confirm the erasure.", submit="Erase my data")
    if form.validate_on_submit():
        with service_errors(form):
            done = erasure.request(current_user._get_current_object())
            logout_user()
            return render_template("privacy_pages/erased.html", erasure=done)
    return render_form("privacy_pages/erasure.html", form, plan=erasure.plan(current_user))
