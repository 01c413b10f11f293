"""The pages people use: dashboards, the account page and admin lists. The error pages are in test_error_pages.py
and the accessibility basics of every page in test_page_accessibility.py."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import ApiToken, Invitation, User
from app.accounts.services import hash_password
from app.accounts.tokens import digest
from app.audit.models import AuditCheckpoint, AuditEvent
from app.domain.roles import OrganisationKind, Role
from app.extensions import db
from app.organisations import services as organisations
from app.organisations.models import Organisation
from app.types import utcnow
from tests.functional.pages_support import USERS, count, make_world, page, signed_in
from tests.support import PASSWORD, api_token, bearer, csrf_token, sign_in


@pytest.fixture
def world(app, make_user) -> dict[str, int]:
    return make_world(make_user)


# --- dashboards -------------------------------------------------------------------------------------------------

STAT = re.compile(r'<p class="stat-value">(\d+)</p>\s*<p class="stat-label">(?:<a [^>]*>)?([^<]+)')


def stats(response) -> dict[str, int]:
    return {label: int(value) for value, label in STAT.findall(page(response))}


@pytest.mark.parametrize("role, heading", [
    ("admin", "Administrator dashboard"), ("board", "Board dashboard"), ("officer", "Officer dashboard"),
    ("evaluator", "Evaluator dashboard"), ("supplier", "Supplier dashboard"),
])
def test_each_role_reaches_its_dashboard_with_counts_from_the_database(app, world, role, heading):
    client = signed_in(app, role)

    response = client.get("/dashboard")

    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in page(response)
    counted = stats(response)
    assert (counted["authorities"], counted["suppliers"], counted["of them SMEs"]) == (3, 4, 2)

    organisations.add("London Borough of Hackney Two", OrganisationKind.AUTHORITY)
    organisations.add("Peckham Print & Devices Ltd", OrganisationKind.SUPPLIER, sme=True)
    db.session.commit()
    counted = stats(client.get("/dashboard"))
    assert (counted["authorities"], counted["suppliers"], counted["of them SMEs"]) == (4, 5, 3)


@pytest.mark.parametrize("role, colleagues", [
    ("officer", "2 officers"), ("evaluator", "1 evaluator"), ("board", "1 admin"), ("supplier", "1 supplier"),
])
def test_a_dashboard_counts_the_users_of_your_own_organisation(app, world, make_user, role, colleagues):
    make_user("oscar@camden.gov.uk", "officer", "London Borough of Camden")

    text = page(signed_in(app, role).get("/dashboard"))

    organisation_name = USERS[role][1]
    panel = re.search(rf'<h2 id="org-heading">{re.escape(organisation_name)}</h2>\s*<ul class="inline-list">(.*?)</ul>',
                      text, re.S)
    assert panel, "the organisation panel names your organisation"
    assert f"<li>{colleagues}</li>" in panel.group(1)


def test_the_admin_dashboard_counts_people_invitations_and_audit_events(app, world, make_user):
    make_user("oscar@camden.gov.uk", "officer", "London Borough of Camden")
    camden = organisations.find_by_name("London Borough of Camden").id
    now = utcnow()
    for n, (expires, revoked, accepted) in enumerate([
            (now + timedelta(days=1), None, None), (now + timedelta(days=2), None, None),
            (now - timedelta(days=1), None, None), (now + timedelta(days=1), now, None),
            (now + timedelta(days=1), None, now)]):
        db.session.add(Invitation(email=f"invitee{n}@camden.gov.uk", role=Role.OFFICER, organisation_id=camden,
                                  token_hash=digest(f"token-{n}"), created_at=now, expires_at=expires,
                                  revoked_at=revoked, accepted_at=accepted))
    db.session.commit()

    response = signed_in(app, "admin").get("/dashboard")

    counted = stats(response)
    assert {k: counted[k] for k in ("admin", "officers", "evaluator", "board", "supplier")} == {
        "admin": 1, "officers": 2, "evaluator": 1, "board": 1, "supplier": 1}
    assert counted["pending invitations"] == 2
    events = count(AuditEvent)
    assert f"{events} audit events recorded." in page(response)
    # The five latest: the admin set up their second factor when they signed in, after four users were created.
    assert len(re.findall(r"<li>[^<]*: two_factor\.enrolled \(User \d+\)", page(response))) == 1
    assert len(re.findall(r"<li>[^<]*: user\.created \(User \d+\)", page(response))) == 4


def test_an_anonymous_visitor_is_sent_from_the_dashboard_to_sign_in(client):
    response = client.get("/dashboard")

    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=%2Fdashboard"


def test_the_home_page_sends_a_signed_in_user_to_the_dashboard(app, world):
    response = signed_in(app, "supplier").get("/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


# --- your account -----------------------------------------------------------------------------------------------

NEW_PASSWORD = "a brand new passphrase for olivia"


def change_password(client, current, new, confirm=None):
    return client.post("/account", data={
        "csrf_token": csrf_token(client, "/account"), "current_password": current, "new_password": new,
        "confirm": new if confirm is None else confirm})


def error_beside(response, field_id):
    match = re.search(rf'<p class="error-message" id="{field_id}-error">(.*?)</p>', page(response), re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).replace("Error:", "", 1).strip() if match else None


@pytest.mark.parametrize("current, new, confirm, field, message", [
    ("not my password at all", NEW_PASSWORD, None, "current_password", "Your current password is not right."),
    ("", NEW_PASSWORD, None, "current_password", "Enter your current password."),
    (PASSWORD, "short", None, "new_password", "Use a password of 12 to 256 characters."),
    (PASSWORD, "olivia@camden.gov.uk", None, "new_password", "Do not use your e-mail address as your password."),
    (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "?", "confirm", "The two passwords do not match."),
], ids=["wrong-current", "no-current", "short-new", "new-is-the-email", "mismatched-confirmation"])
def test_a_refused_password_change_says_why_and_keeps_the_old_password(app, world, current, new, confirm, field,
                                                                     message):
    client = signed_in(app, "officer")
    events = count(AuditEvent)

    response = change_password(client, current, new, confirm)

    assert response.status_code == 422
    assert error_beside(response, field) == message
    assert count(AuditEvent) == events
    assert sign_in(app.test_client(), "olivia@camden.gov.uk", PASSWORD).status_code == 302


def test_after_changing_the_password_only_the_new_one_signs_in(app, world):
    client = signed_in(app, "officer")

    response = change_password(client, PASSWORD, NEW_PASSWORD)

    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert "Your password has been changed." in page(client.get("/account"))
    assert count(AuditEvent, AuditEvent.action == "user.password_changed",
                 AuditEvent.object_id == str(world["officer"])) == 1
    old = sign_in(app.test_client(), "olivia@camden.gov.uk", PASSWORD)
    assert old.status_code == 422
    assert sign_in(app.test_client(), "olivia@camden.gov.uk", NEW_PASSWORD).status_code == 302


def revoke_action(account_page: str) -> list[str]:
    return re.findall(r'<form method="post" action="(/account/tokens/\d+/revoke)"', account_page)


def test_an_api_token_can_be_revoked_from_the_account_page(app, world):
    client = signed_in(app, "officer")
    token = api_token(app.test_client(), "olivia@camden.gov.uk")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    actions = revoke_action(page(client.get("/account")))
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.token_hash == digest(token)))
    assert actions == [f"/account/tokens/{token_id}/revoke"]

    response = client.post(actions[0], data={"csrf_token": csrf_token(client, "/account")})

    assert response.status_code == 302
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    account = page(client.get("/account"))
    assert "The API token has been revoked." in account
    assert "You have no active API tokens." in account
    assert count(AuditEvent, AuditEvent.action == "api_token.revoked", AuditEvent.object_id == str(token_id)) == 1


def test_revoking_needs_the_csrf_token(app, world):
    client = signed_in(app, "officer")
    token = api_token(app.test_client(), "olivia@camden.gov.uk")
    action = revoke_action(page(client.get("/account")))[0]

    response = client.post(action, data={})

    assert response.status_code == 400
    assert app.test_client().get("/api/v1/me", headers=bearer(token)).status_code == 200


def test_nobody_can_revoke_someone_else_s_token(app, world):
    token = api_token(app.test_client(), "olivia@camden.gov.uk")
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.token_hash == digest(token)))
    other = signed_in(app, "evaluator")

    other.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_token(other, "/account")})

    assert app.test_client().get("/api/v1/me", headers=bearer(token)).status_code == 200
    assert revoke_action(page(other.get("/account"))) == []


# --- admin lists: pagination and filters ------------------------------------------------------------------------

def table_rows(response) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", page(response), re.S)
    return re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S) if body else []


def first_cells(response) -> list[str]:
    return [re.sub(r"<[^>]+>", "", re.search(r"<td\b[^>]*>(.*?)</td>", row, re.S).group(1)).strip()
            for row in table_rows(response)]


@pytest.fixture
def many_users(world) -> list[str]:
    """25 more officers and 2 more suppliers: 32 users in all."""
    camden = organisations.find_by_name("London Borough of Camden")
    thames = organisations.find_by_name("Thames Digital Services Ltd")
    password_hash = hash_password(PASSWORD)
    for n in range(25):
        db.session.add(User(email=f"officer{n:02}@camden.gov.uk", password_hash=password_hash, role=Role.OFFICER,
                            organisation=camden))
    for n in range(2):
        db.session.add(User(email=f"seller{n}@thamesdigital.example", password_hash=password_hash,
                            role=Role.SUPPLIER, organisation=thames))
    db.session.commit()
    return sorted(db.session.scalars(select(User.email)))


def test_the_users_page_shows_25_a_page_and_the_rest_on_page_2(app, many_users):
    admin = signed_in(app, "admin")

    first, second = admin.get("/admin/users"), admin.get("/admin/users?page=2")

    assert len(many_users) == 32
    assert first_cells(first) == many_users[:25]
    assert first_cells(second) == many_users[25:]
    assert "Page 1 of 2 (32 in all)" in page(first)
    assert "Page 2 of 2 (32 in all)" in page(second)
    assert 'href="/admin/users?page=2" rel="next"' in page(first)
    assert 'href="/admin/users?page=1" rel="prev"' in page(second)


def test_the_users_page_filters_by_role_across_pages(app, many_users):
    admin = signed_in(app, "admin")

    first = admin.get("/admin/users?role=officer")
    second = admin.get("/admin/users?role=officer&page=2")
    suppliers = admin.get("/admin/users?role=supplier")

    officers = sorted(e for e in many_users if "officer" in e or e == "olivia@camden.gov.uk")
    assert len(officers) == 26
    assert first_cells(first) + first_cells(second) == officers
    assert "Page 1 of 2 (26 in all)" in page(first)
    assert re.search(r'href="/admin/users\?(role=officer&amp;page=2|page=2&amp;role=officer)" rel="next"',
                     first.get_data(as_text=True))
    assert first_cells(suppliers) == sorted(["sam@thamesdigital.example", "seller0@thamesdigital.example",
                                             "seller1@thamesdigital.example"])
    assert '<option value="supplier" selected>' in page(suppliers)


@pytest.mark.parametrize("query", ["role=superuser", "role=", "page=0", "page=-3", "page=abc"])
def test_odd_users_page_parameters_fall_back_to_sensible_defaults(app, many_users, query):
    response = signed_in(app, "admin").get(f"/admin/users?{query}")

    assert response.status_code == 200
    assert first_cells(response) == many_users[:25]


def test_a_page_past_the_end_is_empty_not_an_error(app, many_users):
    response = signed_in(app, "admin").get("/admin/users?page=9")

    assert response.status_code == 200
    assert table_rows(response) == []
    assert "No users yet." in page(response)


@pytest.fixture
def many_organisations(world) -> list[str]:
    for n in range(24):
        organisations.add(f"Supplier {n:02} Ltd", OrganisationKind.SUPPLIER, sme=n % 2 == 0)
    db.session.commit()
    return sorted(db.session.scalars(select(Organisation.name)))


def test_the_organisations_page_paginates_and_filters_by_kind(app, many_organisations):
    admin = signed_in(app, "admin")

    first, second = admin.get("/admin/organisations"), admin.get("/admin/organisations?page=2")
    authorities = admin.get("/admin/organisations?kind=authority")
    suppliers_2 = admin.get("/admin/organisations?kind=supplier&page=2")

    assert len(many_organisations) == 32
    assert first_cells(first) + first_cells(second) == many_organisations
    assert len(first_cells(first)) == 25
    assert "Page 2 of 2 (32 in all)" in page(second)
    assert first_cells(authorities) == ["London Borough of Camden", "London Borough of Hackney",
                                        "London Borough of Islington"]
    assert "3 in all." in page(authorities)
    supplier_names = sorted(n for n in many_organisations if n.endswith(("Ltd", "plc")))
    assert len(supplier_names) == 28
    assert first_cells(suppliers_2) == supplier_names[25:]
    assert "(28 in all)" in page(suppliers_2)


def test_the_audit_page_paginates_newest_first_and_filters(app, many_organisations):
    admin = signed_in(app, "admin")
    all_events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).all()
    assert len(all_events) > 25

    first, second = admin.get("/admin/audit"), admin.get("/admin/audit?page=2")
    by_action = admin.get("/admin/audit?action=user.created")
    by_type = admin.get("/admin/audit?object_type=Organisation&page=2")

    shown = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", row.split("</td>")[3])).strip()
             for row in table_rows(first) + table_rows(second)]
    assert shown == [f"{e.object_type} {e.object_id}" for e in all_events]
    assert len(table_rows(first)) == 25
    assert f"Page 2 of 2 ({len(all_events)} in all)" in page(second)
    actions = [re.sub(r"<[^>]+>", "", row.split("</td>")[2]).strip() for row in table_rows(by_action)]
    assert actions == ["user.created"] * 5
    organisation_events = count(AuditEvent, AuditEvent.object_type == "Organisation")
    assert organisation_events == 32
    assert len(table_rows(by_type)) == organisation_events - 25
    assert all("Organisation" in row for row in table_rows(by_type))
    assert 'value="Organisation"' in page(by_type)


def test_the_audit_page_signs_a_checkpoint_and_shows_it(app, world):
    admin = signed_in(app, "admin")
    assert "No checkpoint has been signed yet." in page(admin.get("/admin/audit"))

    response = admin.post("/admin/audit/checkpoints", data={"csrf_token": csrf_token(admin, "/admin/audit")})

    assert response.status_code == 302
    [checkpoint] = db.session.scalars(select(AuditCheckpoint)).all()
    shown = page(admin.get("/admin/audit"))
    assert f"Checkpoint signed: {checkpoint.tree_size} events." in shown
    assert checkpoint.root_hash in shown and "python -m app.audit.witness" in shown
    response = admin.post("/admin/audit/verify", data={"csrf_token": csrf_token(admin, "/admin/audit")})
    assert f"All {count(AuditEvent)} audit events are intact and extend the latest checkpoint." in page(
        admin.get("/admin/audit"))


def test_the_audit_page_checks_the_chain_on_request(app, world):
    admin = signed_in(app, "admin")

    response = admin.post("/admin/audit/verify", data={"csrf_token": csrf_token(admin, "/admin/audit")})

    assert response.status_code == 302
    assert f"All {count(AuditEvent)} audit events are intact." in page(admin.get("/admin/audit"))
