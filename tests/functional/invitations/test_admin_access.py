"""Only admins reach the admin pages and buttons; anonymous visitors are sent to sign in."""

import pytest
from sqlalchemy import select

from app.accounts.models import Invitation
from app.audit.models import AuditEvent
from app.extensions import db
from app.organisations import services as organisations
from app.types import utcnow
from tests.functional.invitations.support import (
    count,
    invite,
    page,
)
from tests.support import csrf_token, sign_in

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
