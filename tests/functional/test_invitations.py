"""Invitations end to end: an admin invites, the e-mail goes through a real SMTP server, the invitee joins."""
import email
import email.policy
import html
import logging
import re
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from app.accounts.models import Invitation, User
from app.accounts.tokens import digest
from app.audit.models import AuditEvent
from app.domain.roles import OrganisationKind, Role
from app.extensions import db
from app.organisations import services as organisations
from app.types import utcnow
from tests.support import PASSWORD, csrf_token, sign_in

ADMIN = "ada.okafor@ldpc.example"
CONSORTIUM = "London Digital Purchasing Consortium"
INVITEE = "eve.nowak@camden.gov.uk"
LINK = re.compile(r"http://localhost(/invitations/[A-Za-z0-9_-]{20,})")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(app):
    """A real SMTP server on 127.0.0.1 that the app is configured to send through."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    yield inbox
    controller.stop()


@pytest.fixture
def orgs(app, make_user) -> dict[str, int]:
    """The consortium (with its admin, signed in by `admin`), an authority and a supplier."""
    make_user(ADMIN, "admin", CONSORTIUM, kind="consortium")
    camden = organisations.add("London Borough of Camden", OrganisationKind.AUTHORITY, gss_code="E09000007")
    bankside = organisations.add("Bankside Cloud Ltd", OrganisationKind.SUPPLIER, sme=True)
    db.session.commit()
    return {"consortium": organisations.find_by_name(CONSORTIUM).id, "authority": camden.id, "supplier": bankside.id}


@pytest.fixture
def admin(app, orgs):
    client = app.test_client()
    assert sign_in(client, ADMIN).status_code == 302
    return client


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_error(response, field_id: str) -> str | None:
    match = re.search(rf'<p class="error-message" id="{field_id}-error">(.*?)</p>', page(response), re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).replace("Error:", "", 1).strip() if match else None


def invite(admin, email_address=INVITEE, role="evaluator", organisation_id=None, orgs=None):
    token = csrf_token(admin, "/admin/invitations")
    return admin.post("/admin/invitations", data={
        "csrf_token": token, "email": email_address, "role": role, "organisation_id": organisation_id})


def link_in(message) -> str:
    match = LINK.search(message.get_body(preferencelist=("plain",)).get_content())
    assert match, "the e-mail contains the invitation link"
    return match.group(1)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def accept(client, path, name="Eve Nowak", password=PASSWORD, confirm=None):
    token = csrf_token(client, path)
    return client.post(path, data={"csrf_token": token, "name": name, "password": password,
                                   "confirm": password if confirm is None else confirm})


# --- inviting ---------------------------------------------------------------------------------------------------

def test_an_admin_invites_and_the_email_arrives_through_smtp_with_the_link(admin, orgs, smtp):
    response = invite(admin, organisation_id=orgs["authority"])

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/invitations"
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert smtp.recipients == [[INVITEE]]
    assert message["To"] == INVITEE
    assert message["Subject"] == "You are invited to Consort"
    assert message["From"] == "Consort <no-reply@consort.example>"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert f"{ADMIN} has invited you to join London Borough of Camden on Consort as evaluator." in body
    path = link_in(message)

    invitation = db.session.scalar(select(Invitation))
    assert invitation.email == INVITEE
    assert invitation.role == Role.EVALUATOR
    assert invitation.organisation_id == orgs["authority"]
    assert invitation.status(utcnow()) == "pending"
    assert invitation.token_hash == digest(path.rsplit("/", 1)[1]), "only the link's hash is stored"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "invitation.created"))
    assert event.object_id == str(invitation.id)
    assert event.after["email"] == INVITEE

    listing = page(admin.get("/admin/invitations"))
    assert f"Invitation sent to {INVITEE}." in listing
    assert "Pending until" in listing


@pytest.mark.parametrize("role, kind", [
    ("officer", "authority"), ("evaluator", "authority"), ("evaluator", "consortium"),
    ("board", "consortium"), ("admin", "consortium"), ("supplier", "supplier"),
])
def test_accepting_creates_the_user_with_the_invited_role_and_organisation_and_signs_them_in(
        app, admin, orgs, smtp, role, kind):
    address = f"new.{role}@example.org"
    invite(admin, address, role, orgs[kind])
    path = link_in(smtp.messages[0])
    invitee = app.test_client()

    shown = invitee.get(path)
    assert shown.status_code == 200
    organisation_name = db.session.get(organisations.Organisation, orgs[kind]).name
    text = page(shown)
    assert f"Join {organisation_name}" in text
    assert f"You are invited as <strong>{role}</strong>" in text
    assert address in text

    response = accept(invitee, path, name="  Eve   Nowak ")

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    user = db.session.scalar(select(User).where(User.email == address))
    assert user.role == Role(role)
    assert user.organisation_id == orgs[kind]
    assert user.name == "Eve Nowak"
    invitation = db.session.scalar(select(Invitation))
    assert invitation.status(utcnow()) == "accepted"
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "user.joined_by_invitation", AuditEvent.object_id == str(user.id))) is not None
    dashboard = invitee.get("/dashboard")
    assert dashboard.status_code == 200
    assert f"Signed in as {address} ({role}, {organisation_name})" in page(dashboard)


def test_an_invitation_link_cannot_be_used_twice(app, admin, orgs, smtp):
    invite(admin, organisation_id=orgs["authority"])
    path = link_in(smtp.messages[0])
    assert accept(app.test_client(), path).status_code == 302
    users = count(User)

    again = app.test_client()
    shown = again.get(path)
    assert shown.status_code == 404
    assert "This invitation has already been used. Sign in instead." in page(shown)
    # even with a CSRF token from another page, the POST is refused too
    token = csrf_token(again, "/sign-in")
    posted = again.post(path, data={"csrf_token": token, "name": "Mallory", "password": "another long password",
                                    "confirm": "another long password"})
    assert posted.status_code == 404
    assert count(User) == users


def test_an_expired_invitation_is_refused_with_a_message(app, admin, orgs, smtp):
    invite(admin, organisation_id=orgs["authority"])
    path = link_in(smtp.messages[0])
    invitee = app.test_client()
    token = csrf_token(invitee, path)  # opened while it still worked
    invitation = db.session.scalar(select(Invitation))
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    shown = invitee.get(path)
    assert shown.status_code == 404
    assert "This invitation has expired. Ask your administrator to send a new one." in page(shown)

    posted = invitee.post(path, data={"csrf_token": token, "name": "Eve Nowak", "password": PASSWORD,
                                      "confirm": PASSWORD})
    assert posted.status_code == 404
    assert count(User) == 1  # only the admin
    assert "Expired" in page(admin.get("/admin/invitations"))


def test_a_second_invitation_to_the_same_address_revokes_the_first(app, admin, orgs, smtp):
    invite(admin, organisation_id=orgs["authority"], role="officer")
    invite(admin, INVITEE.upper(), organisation_id=orgs["authority"], role="evaluator")

    assert len(smtp.messages) == 2
    first, second = (link_in(m) for m in smtp.messages)
    assert first != second
    refused = app.test_client().get(first)
    assert refused.status_code == 404
    assert "This invitation was replaced by a newer one or withdrawn. Use the latest e-mail." in page(refused)
    invitations = db.session.scalars(select(Invitation).order_by(Invitation.id)).all()
    assert [i.status(utcnow()) for i in invitations] == ["revoked", "pending"]
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "invitation.revoked", AuditEvent.object_id == str(invitations[0].id))) is not None

    invitee = app.test_client()
    assert accept(invitee, second).status_code == 302
    assert db.session.scalar(select(User).where(User.email == INVITEE)).role == Role.EVALUATOR


def test_an_admin_can_withdraw_a_pending_invitation(app, admin, orgs, smtp):
    invite(admin, organisation_id=orgs["authority"])
    path = link_in(smtp.messages[0])
    invitation_id = db.session.scalar(select(Invitation.id))
    listing = page(admin.get("/admin/invitations"))
    assert f'action="/admin/invitations/{invitation_id}/revoke"' in listing

    response = admin.post(f"/admin/invitations/{invitation_id}/revoke",
                          data={"csrf_token": csrf_token(admin, "/admin/invitations")})

    assert response.status_code == 302
    assert app.test_client().get(path).status_code == 404
    assert "The invitation has been withdrawn." in page(admin.get("/admin/invitations"))


def article(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


@pytest.mark.parametrize("role, kind, allowed", [
    ("supplier", "authority", "supplier"),
    ("officer", "supplier", "authority"),
    ("officer", "consortium", "authority"),
    ("admin", "authority", "consortium"),
    ("board", "supplier", "consortium"),
    ("evaluator", "supplier", "authority or consortium"),
])
def test_a_role_that_does_not_fit_the_organisation_kind_is_refused(admin, orgs, smtp, role, kind, allowed):
    response = invite(admin, role=role, organisation_id=orgs[kind])

    assert response.status_code == 422
    assert field_error(response, "role") == (
        f"A user with the role '{role}' must belong to {article(allowed)} organisation, not {article(kind)}.")
    assert '<a href="#role">' in page(response)
    assert count(Invitation) == 0
    assert smtp.messages == []


@pytest.mark.parametrize("changes, field, message", [
    ({"email": ""}, "email", "Enter the e-mail address to invite."),
    ({"email": "eve.camden.gov.uk"}, "email", "Enter an e-mail address in the right format"),
    ({"email": ADMIN.upper()}, "email", "Someone with this e-mail address already has an account."),
    ({"organisation_id": 0}, "organisation_id", "Choose the organisation they will belong to."),
    ({"role": "superuser"}, "role", "Not a valid choice"),
], ids=["no-email", "bad-email", "existing-user", "no-organisation", "unknown-role"])
def test_bad_invitation_input_is_refused_beside_its_field_and_sends_nothing(admin, orgs, smtp, changes, field,
                                                                           message):
    data = {"email": INVITEE, "role": "evaluator", "organisation_id": orgs["authority"]} | changes
    response = invite(admin, data["email"], data["role"], data["organisation_id"])

    assert response.status_code == 422
    assert field_error(response, field).startswith(message)
    assert count(Invitation) == 0
    assert smtp.messages == []


@pytest.mark.parametrize("changes, field, message", [
    ({"name": ""}, "name", "Enter your full name."),
    ({"password": "short"}, "password", "Use a password of 12 to 256 characters."),
    ({"password": INVITEE}, "password", "Do not use your e-mail address as your password."),
    ({"confirm": "a different password"}, "confirm", "The two passwords do not match."),
], ids=["no-name", "short-password", "password-is-the-email", "mismatched-confirmation"])
def test_a_bad_acceptance_is_refused_and_leaves_the_invitation_usable(app, admin, orgs, smtp, changes, field,
                                                                     message):
    invite(admin, organisation_id=orgs["authority"])
    path = link_in(smtp.messages[0])
    invitee = app.test_client()
    users = count(User)

    response = accept(invitee, path, **changes)

    assert response.status_code == 422
    assert field_error(response, field).startswith(message)
    assert count(User) == users
    assert db.session.scalar(select(Invitation)).status(utcnow()) == "pending"
    assert accept(invitee, path).status_code == 302


def test_a_made_up_link_is_refused(app, orgs):
    response = app.test_client().get("/invitations/not-a-real-token-at-all-0123456789")

    assert response.status_code == 404
    assert "This invitation link is not valid." in page(response)


# --- when the mail does not go through SMTP ---------------------------------------------------------------------

def test_without_a_mail_server_the_email_goes_to_the_log(app, admin, orgs, caplog):
    assert app.config["MAIL_SERVER"] is None
    caplog.set_level(logging.INFO, logger="consort.mail")

    response = invite(admin, organisation_id=orgs["authority"])

    assert response.status_code == 302
    logged = [r for r in caplog.records if r.name == "consort.mail"]
    assert len(logged) == 1
    text = logged[0].getMessage()
    assert "MAIL_SERVER not set" in text
    assert f"To: {INVITEE}" in text
    path = LINK.search(text).group(1)
    assert app.test_client().get(path).status_code == 200


def test_when_the_smtp_server_is_unreachable_the_invitation_is_kept_and_the_admin_gets_the_link(
        app, admin, orgs, caplog):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nothing listens there

    response = invite(admin, organisation_id=orgs["authority"])

    assert response.status_code == 302
    invitation = db.session.scalar(select(Invitation))
    assert invitation is not None and invitation.email == INVITEE
    listing = page(admin.get("/admin/invitations"))
    warning = re.search(r'<div class="notice notice-warning" role="alert">(.*?)</div>', listing, re.S)
    assert warning, "the admin sees a warning"
    assert f"The invitation to {INVITEE} was saved but the e-mail could not be sent." in warning.group(1)
    path = LINK.search(warning.group(1)).group(1)
    assert invitation.token_hash == digest(path.rsplit("/", 1)[1])
    assert any(r.name == "consort.mail" and r.levelno == logging.ERROR for r in caplog.records)
    assert app.test_client().get(path).status_code == 200


# --- only admins ------------------------------------------------------------------------------------------------

ADMIN_PAGES = ["/admin/users", "/admin/invitations", "/admin/organisations", "/admin/audit",
               "/admin/organisations/{authority}"]
NON_ADMINS = [("officer", "authority"), ("evaluator", "authority"), ("board", "consortium"), ("supplier", "supplier")]


@pytest.mark.parametrize("role, kind", NON_ADMINS, ids=[r for r, _ in NON_ADMINS])
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_non_admins_get_403_on_admin_pages(app, orgs, make_user, role, kind, path):
    organisation_name = db.session.get(organisations.Organisation, orgs[kind]).name
    make_user(f"{role}@example.org", role, organisation_name)
    client = app.test_client()
    sign_in(client, f"{role}@example.org")

    response = client.get(path.format(**orgs))

    assert response.status_code == 403
    assert "You do not have access to this page" in page(response)
    assert "This page is for admin users." in page(response)


@pytest.mark.parametrize("role, kind", NON_ADMINS, ids=[r for r, _ in NON_ADMINS])
def test_non_admins_cannot_send_invitations(app, orgs, make_user, smtp, role, kind):
    organisation_name = db.session.get(organisations.Organisation, orgs[kind]).name
    make_user(f"{role}@example.org", role, organisation_name)
    client = app.test_client()
    sign_in(client, f"{role}@example.org")

    response = client.post("/admin/invitations", data={
        "csrf_token": csrf_token(client, "/account"), "email": "friend@example.org", "role": "admin",
        "organisation_id": orgs["consortium"]})

    assert response.status_code == 403
    assert count(Invitation) == 0
    assert smtp.messages == []


@pytest.mark.parametrize("path", ["/admin/audit/verify", "/admin/invitations/{invitation}/revoke",
                                  "/admin/organisations/{authority}"])
def test_non_admins_cannot_use_the_admin_buttons(app, admin, orgs, make_user, smtp, path):
    invite(admin, organisation_id=orgs["authority"])
    invitation = db.session.scalar(select(Invitation.id))
    make_user("olivia@camden.gov.uk", "officer", "London Borough of Camden")
    officer = app.test_client()
    sign_in(officer, "olivia@camden.gov.uk")
    events = count(AuditEvent)

    response = officer.post(path.format(invitation=invitation, **orgs), data={
        "csrf_token": csrf_token(officer, "/account"), "domains": "evil.example"})

    assert response.status_code == 403
    assert count(AuditEvent) == events
    assert db.session.scalar(select(Invitation)).status(utcnow()) == "pending"
    assert db.session.get(organisations.Organisation, orgs["authority"]).domains == []


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in_from_admin_pages(app, orgs, path):
    response = app.test_client().get(path.format(**orgs))

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")
