"""Pages: the second step of signing in, setting up two-factor sign-in, turning it off."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import throttle
from app.accounts import two_factor
from app.accounts.access import awaiting_code, awaiting_code_key, enrolled, must_enrol_first, start_session
from app.accounts.forms import TwoFactorCodeForm
from app.domain.errors import Forbidden, NotSignedIn, ValidationFailed
from app.webforms import render_form, service_errors

bp = Blueprint("two_factor", __name__, template_folder="templates")

# What a signed-in user who must set up a second factor may still reach.
_BEFORE_ENROLMENT = {"two_factor.enrol", "accounts.sign_out", "static"}


@bp.before_app_request
def enrol_first():
    """A user whose role needs a second factor is sent to set one up, whatever page they ask for."""
    if request.endpoint not in _BEFORE_ENROLMENT and not request.path.startswith("/api/") and must_enrol_first():
        flash("Your role needs two-factor sign-in. Set it up to continue.", "info")
        return redirect(url_for("two_factor.enrol"))
    return None


@bp.route("/sign-in/code", methods=["GET", "POST"])
@throttle.limited("two-factor", user_key=awaiting_code_key)
def code():
    """The second step of signing in: the code from the authenticator app, or a recovery code."""
    waiting = awaiting_code()
    if waiting is None:
        flash("Sign in with your e-mail address and password first.", "info")
        return redirect(url_for("accounts.sign_in"))
    user, next_url = waiting
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        with service_errors(form, catch=NotSignedIn):
            how = two_factor.check(user, form.code.data)
            start_session(user)
            if how == "recovery":
                left = two_factor.recovery_codes_left(user)
                flash(f"You signed in with a recovery code, which cannot be used again. You have {left} left.",
                      "info")
            return redirect(next_url)
    return render_form("accounts/two_factor_code.html", form)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def enrol():
    """Set up two-factor sign-in: scan the QR code (or type the key), then confirm with a first code."""
    if two_factor.is_on(current_user):
        flash("Two-factor sign-in is already on for your account.", "info")
        return redirect(url_for("accounts.account"))
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        with service_errors(form, catch=ValidationFailed):
            codes = two_factor.confirm(current_user, form.code.data)
            enrolled()
            return render_template("accounts/two_factor_recovery_codes.html", codes=codes)
    return render_form("accounts/two_factor_enrol.html", form, enrolment=two_factor.start_enrolment(current_user),
                       required=two_factor.is_required(current_user))


@bp.route("/account/two-factor/turn-off", methods=["GET", "POST"])
@login_required
def turn_off():
    """Turn off one's own two-factor sign-in, with a current code; not for a role that needs it."""
    if not two_factor.is_on(current_user):
        return redirect(url_for("accounts.account"))
    if two_factor.is_required(current_user):
        raise Forbidden(f"The role {current_user.role.value} must sign in with a second factor; "
                        "it cannot be turned off.")
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        with service_errors(form, catch=ValidationFailed):
            two_factor.disable(current_user, form.code.data)
            flash("Two-factor sign-in is off. You sign in with your password alone.", "success")
            return redirect(url_for("accounts.account"))
    return render_form("accounts/two_factor_turn_off.html", form)
