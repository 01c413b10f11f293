"""Pages: sign in, sign out, sign up, accept an invitation, your account."""
from flask import Blueprint, flash, redirect, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from wtforms.fields.choices import SelectChoice

from app.accounts import invitations, sessions, tokens
from app.accounts import services as accounts
from app.accounts.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    OfficerSignUpForm,
    SignInForm,
    SupplierSignUpForm,
)
from app.domain.errors import AccountLocked, NotSignedIn, ValidationFailed
from app.forms import ConfirmForm
from app.organisations import services as organisations
from app.webforms import render_form, safe_next, service_errors

bp = Blueprint("accounts", __name__, template_folder="templates")


def _start_session(user) -> None:
    session.clear()  # a fresh session on sign-in, so an earlier one cannot be fixed upon
    sessions.start(user, request.user_agent.string, request.remote_addr or "")
    login_user(user)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Sign in with an e-mail address and password."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = SignInForm()
    if form.validate_on_submit():
        with service_errors(form, catch=(NotSignedIn, AccountLocked)):
            user = accounts.authenticate(form.email.data, form.password.data)
            _start_session(user)
            return redirect(safe_next(request.args.get("next"), url_for("dashboard.index")))
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


@bp.get("/sign-up")
def sign_up():
    """Choose how to join: as a supplier or as an authority's officer."""
    return render_form("accounts/sign_up.html", ConfirmForm())


@bp.route("/sign-up/supplier", methods=["GET", "POST"])
def sign_up_supplier():
    """A supplier registers its company and first user."""
    form = SupplierSignUpForm()
    if form.validate_on_submit():
        with service_errors(form, catch=ValidationFailed):
            user = accounts.register_supplier(
                company_name=form.company_name.data, companies_house_number=form.companies_house_number.data,
                sme=form.sme.data, name=form.name.data, email=form.email.data, password=form.password.data)
            _start_session(user)
            flash(f"{user.organisation.name} is registered on Consort.", "success")
            return redirect(url_for("dashboard.index"))
    return render_form("accounts/sign_up_supplier.html", form)


@bp.route("/sign-up/officer", methods=["GET", "POST"])
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
            _start_session(user)
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
            _start_session(user)
            flash(f"Welcome to Consort. You have joined {user.organisation.name}.", "success")
            return redirect(url_for("dashboard.index"))
    return render_form("accounts/accept_invitation.html", form, invitation=invitation)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Your details, your password and your API tokens."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with service_errors(form, catch=ValidationFailed):
            accounts.change_password(current_user, form.current_password.data, form.new_password.data)
            login_user(current_user._get_current_object())  # this session goes on; every other one ends
            flash("Your password has been changed. Any other sessions have been signed out.", "success")
            return redirect(url_for("accounts.account"))
    return render_form("accounts/account.html", form, api_tokens=tokens.active_for(current_user),
                       signed_in_sessions=sessions.active_for(current_user),
                       current_session=sessions.current(current_user), revoke_form=ConfirmForm())


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
