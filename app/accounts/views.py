"""Pages: sign in, sign out, reset a forgotten password, sign up, accept an invitation, your account."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from wtforms.fields.choices import SelectChoice

from app import throttle
from app.accounts import invitations, resets, sessions, tokens, two_factor
from app.accounts import services as accounts
from app.accounts.access import await_code, start_session
from app.accounts.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    ForgottenPasswordForm,
    OfficerSignUpForm,
    ResetPasswordForm,
    SignInForm,
    SupplierSignUpForm,
)
from app.domain.errors import NotFound, NotSignedIn, ValidationFailed
from app.domain.identity import MIN_PASSWORD_LENGTH
from app.forms import ConfirmForm
from app.organisations import services as organisations
from app.webforms import render_form, safe_next, service_errors

bp = Blueprint("accounts", __name__, template_folder="templates")

# A reset page's address holds its token: no other site is told it, and no cache keeps the page.
_RESET_PAGE_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


@bp.route("/sign-in", methods=["GET", "POST"])
@throttle.limited("sign-in", account=throttle.SIGN_IN_PAGE)
def sign_in():
    """Sign in with an e-mail address and password."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = SignInForm()
    if form.validate_on_submit():
        with service_errors(form, catch=NotSignedIn):
            user = accounts.authenticate(form.email.data, form.password.data)
            next_url = safe_next(request.args.get("next"), url_for("dashboard.index"))
            if two_factor.is_on(user):  # signed in only once the code is given too
                await_code(user, next_url)
                return redirect(url_for("two_factor.code"))
            start_session(user)
            return redirect(next_url)
    return render_form("accounts/sign_in.html", form)


@bp.post("/sign-out")
@login_required
def sign_out():
    """Sign out and end the session, on the server too: a saved copy of its cookie no longer signs anyone in."""
    ending = sessions.current(current_user)
    if ending is not None:
        sessions.end(current_user, ending.id, audited=False)
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/forgotten-password", methods=["GET", "POST"])
@throttle.limited("password-reset", account=throttle.PASSWORD_RESET)
def forgotten_password():
    """Ask for a link to reset a forgotten password: the same answer whether or not the address has an account."""
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        resets.request_link(form.email.data)
        return render_template("accounts/reset_requested.html", lifetime=resets.lifetime())
    return render_form("accounts/forgotten_password.html", form, lifetime=resets.lifetime())


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from the e-mailed link; then every session has ended, and you sign in with it."""
    form = ResetPasswordForm()
    try:
        resets.find_usable(token)
        if form.validate_on_submit():
            with service_errors(form, catch=ValidationFailed):
                user = resets.reset(token, form.password.data)
                if current_user.is_authenticated and current_user.id == user.id:
                    logout_user()
                flash("Your password has been reset, and you are signed out everywhere. "
                      "Sign in with your new password.", "success")
                return redirect(url_for("accounts.sign_in"))
    except NotFound as error:  # unknown, used, replaced or expired: say which, and offer a new link
        return render_template("accounts/reset_link_unusable.html", message=error.message), 404, _RESET_PAGE_HEADERS
    page, status = render_form("accounts/reset_password.html", form, min_length=MIN_PASSWORD_LENGTH)
    return page, status, _RESET_PAGE_HEADERS


@bp.get("/sign-up")
def sign_up():
    """Choose how to join: as a supplier or as an authority's officer."""
    return render_form("accounts/sign_up.html", ConfirmForm())


@bp.route("/sign-up/supplier", methods=["GET", "POST"])
@throttle.limited("sign-up", account=throttle.SIGN_UP)
def sign_up_supplier():
    """A supplier registers its company and first user."""
    form = SupplierSignUpForm()
    if form.validate_on_submit():
        with service_errors(form, catch=ValidationFailed):
            user = accounts.register_supplier(
                company_name=form.company_name.data, companies_house_number=form.companies_house_number.data,
                sme=form.sme.data, name=form.name.data, email=form.email.data, password=form.password.data)
            start_session(user)
            flash(f"{user.organisation.name} is registered on Consort.", "success")
            return redirect(url_for("dashboard.index"))
    return render_form("accounts/sign_up_supplier.html", form)


@bp.route("/sign-up/officer", methods=["GET", "POST"])
@throttle.limited("sign-up", account=throttle.SIGN_UP)
def sign_up_officer():
    """An authority's officer signs up from a work e-mail address at an allowed domain."""
    form = OfficerSignUpForm()
    authorities = organisations.authorities()
    form.authority_id.choices = [SelectChoice(0, "Choose your authority")] + [
        SelectChoice(a.id, a.name) for a in authorities]
    if form.validate_on_submit():
        with service_errors(form, catch=ValidationFailed):
            user = accounts.register_officer(authority_id=form.authority_id.data, name=form.name.data,
                                             email=form.email.data, password=form.password.data)
            start_session(user)
            flash(f"Welcome to Consort. You are an officer of {user.organisation.name}.", "success")
            return redirect(url_for("dashboard.index"))
    return render_form("accounts/sign_up_officer.html", form)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Accept an invitation: choose a name and password, and you are in."""
    invitation = invitations.find_usable(token)
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        with service_errors(form, catch=ValidationFailed):
            user = invitations.accept(token, name=form.name.data, password=form.password.data)
            start_session(user)
            flash(f"Welcome to Consort. You have joined {user.organisation.name}.", "success")
            return redirect(url_for("dashboard.index"))
    return render_form("accounts/accept_invitation.html", form, invitation=invitation)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Your details, your password, your second factor, your sessions and your API tokens."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with service_errors(form, catch=ValidationFailed):
            accounts.change_password(current_user, form.current_password.data, form.new_password.data)
            login_user(current_user._get_current_object())  # this session goes on; every other one ends
            flash("Your password has been changed. Any other sessions have been signed out.", "success")
            return redirect(url_for("accounts.account"))
    return render_form("accounts/account.html", form, api_tokens=tokens.active_for(current_user),
                       signed_in_sessions=sessions.active_for(current_user),
                       current_session=sessions.current(current_user), revoke_form=ConfirmForm(),
                       two_factor_since=two_factor.enabled_since(current_user),
                       two_factor_required=two_factor.is_required(current_user),
                       recovery_codes_left=two_factor.recovery_codes_left(current_user))


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of your own API tokens."""
    form = ConfirmForm()
    token = tokens.get_own(current_user, token_id)
    if form.validate_on_submit() and token is not None:
        tokens.revoke(token, actor=current_user)
        flash("The API token has been revoked.", "success")
    return redirect(url_for("accounts.account"))


@bp.post("/account/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    """End one of your other signed-in sessions."""
    if ConfirmForm().validate_on_submit() and sessions.end(current_user, session_id):
        flash("That session has been ended: the browser is signed out.", "success")
    return redirect(url_for("accounts.account"))
