"""Invitations end to end: an admin invites, the e-mail goes through a real SMTP server, the invitee joins."""
import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import mail, outbox
from app.accounts.models import Invitation, User
from app.accounts.tokens import digest
from app.audit.models import AuditEvent
from app.domain.roles import Role
from app.extensions import db
from app.organisations import services as organisations
from app.outbox import OutgoingMail
from app.types import utcnow
from tests.functional.invitations.support import (
    ADMIN,
    INVITEE,
    LINK,
    accept,
    count,
    field_error,
    free_port,
    invite,
    link_in,
    page,
)
from tests.support import PASSWORD, csrf_token


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
    assert f"Invitation saved; it is being e-mailed to {INVITEE}." in listing
    assert '<strong class="tag tag-yellow">Pending</strong> until' in listing
    [kept] = db.session.scalars(select(OutgoingMail)).all()
    assert (kept.to, kept.attempts, kept.last_error) == (INVITEE, 1, None) and kept.sent_at is not None


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


def test_when_the_smtp_server_is_unreachable_the_email_is_kept_and_sent_once_it_answers(
        app, admin, orgs, smtp, caplog):
    working_port = app.config["MAIL_PORT"]
    app.config.update(MAIL_PORT=free_port())  # nothing listens there

    response = invite(admin, organisation_id=orgs["authority"])

    assert response.status_code == 302
    invitation = db.session.scalar(select(Invitation))
    assert invitation is not None and invitation.email == INVITEE
    listing = page(admin.get("/admin/invitations"))
    path = LINK.search(listing).group(1)  # the admin has the link in case the e-mail never arrives
    assert invitation.token_hash == digest(path.rsplit("/", 1)[1])
    assert any(r.name == "consort.mail" and r.levelno == logging.ERROR for r in caplog.records)
    [kept] = db.session.scalars(select(OutgoingMail)).all()
    assert kept.sent_at is None and kept.attempts == 1 and kept.last_error
    assert smtp.messages == []

    with pytest.raises(mail.MailNotSent):  # the consumer's next try (a minute later): still down, kept again
        outbox.deliver_now(kept.id)
    app.config.update(MAIL_PORT=working_port)  # the server is back: the try after sends it
    assert outbox.deliver_now(kept.id) is True
    assert outbox.deliver_now(kept.id) is False  # once only
    assert [link_in(message) for message in smtp.messages] == [path]
    db.session.expire_all()
    assert db.session.get(OutgoingMail, kept.id).attempts == 3
    assert app.test_client().get(path).status_code == 200


# --- only admins ------------------------------------------------------------------------------------------------
