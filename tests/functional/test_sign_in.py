"""Signing in and out through the real pages: passwords, rate limits (not a lock-out), safe redirects and CSRF."""
import html
import re
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.extensions import db
from app.organisations.models import Organisation
from tests.support import PASSWORD, client_from, csrf_token, sign_in

EMAIL = "olivia.carter@camden.gov.uk"
WRONG = "not the right password at all"


@pytest.fixture
def officer(make_user):
    user = make_user(EMAIL, "officer", "London Borough of Camden")
    return user.id


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def is_signed_in(client) -> bool:
    response = client.get("/dashboard")
    return response.status_code == 200


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- signing in -------------------------------------------------------------------------------------------------

def test_the_right_password_signs_in_and_lands_on_the_dashboard(client, officer):
    response = sign_in(client, EMAIL)

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200
    assert f"Signed in as {EMAIL}" in page(dashboard)
    assert db.session.get(User, officer).last_sign_in_at is not None


@pytest.mark.parametrize("typed", ["OLIVIA.CARTER@CAMDEN.GOV.UK", "Olivia.Carter@Camden.gov.uk", f"  {EMAIL}  "])
def test_the_email_address_is_matched_without_regard_to_case_or_surrounding_space(client, officer, typed):
    response = sign_in(client, typed)

    assert response.status_code == 302
    assert is_signed_in(client)


@pytest.mark.parametrize("email, password", [(EMAIL, WRONG), ("nobody@camden.gov.uk", PASSWORD)],
                         ids=["wrong-password", "unknown-email"])
def test_wrong_credentials_rerender_the_form_with_a_summary_linking_to_the_email_field(
        client, officer, email, password):
    response = sign_in(client, email, password)

    assert response.status_code == 422
    text = page(response)
    assert "<title>Error: Sign in" in text
    assert 'class="error-summary"' in text
    assert '<a href="#email">The e-mail address or password is not right.</a>' in text
    assert 'id="email-error"' in text
    assert 'aria-invalid="true"' in text
    assert not is_signed_in(client)


def test_an_empty_form_names_each_missing_field(client, officer):
    token = csrf_token(client, "/sign-in")
    response = client.post("/sign-in", data={"csrf_token": token, "email": "", "password": ""})

    assert response.status_code == 422
    text = page(response)
    assert '<a href="#email">Enter your e-mail address.</a>' in text
    assert '<a href="#password">Enter your password.</a>' in text


# --- rate limits, not a lock-out --------------------------------------------------------------------------------

def retry_after(response) -> int:
    return int(response.headers["Retry-After"])


def test_failures_for_an_account_are_throttled_with_429_a_page_saying_when_and_retry_after(app, client, officer):
    app.config["RATE_LIMIT_SIGN_IN_FAILURES_PER_ACCOUNT"] = "3 per 15 minutes"
    answers = [sign_in(client, EMAIL, WRONG) for _ in range(3)]
    assert [a.status_code for a in answers] == [422] * 3

    refused = sign_in(client, EMAIL, PASSWORD)  # even the right password, from the address that failed

    assert refused.status_code == 429
    assert 0 < retry_after(refused) <= 15 * 60
    text = page(refused)
    assert "<title>Too many attempts" in text
    assert re.search(r"Wait 1[45] minutes and try again, after [^<]*\d{1,2}:\d{2} (GMT|BST)\.", text), text
    assert not is_signed_in(client)
    assert not hasattr(db.session.get(User, officer), "locked_until"), "no lock is stored on the account"


def test_the_real_user_still_signs_in_while_an_attacker_elsewhere_is_throttled(app, officer):
    app.config["RATE_LIMIT_SIGN_IN_FAILURES_PER_ACCOUNT"] = "3 per 15 minutes"
    attacker, real_user = client_from(app, "203.0.113.9"), client_from(app, "198.51.100.7")
    for _ in range(3):
        assert sign_in(attacker, EMAIL, WRONG).status_code == 422
    assert sign_in(attacker, EMAIL, WRONG).status_code == 429
    assert sign_in(attacker, EMAIL, PASSWORD).status_code == 429, "the attacker's address is held back"

    assert sign_in(real_user, EMAIL, PASSWORD).status_code == 302
    assert is_signed_in(real_user)


def test_an_address_that_fails_while_the_account_is_over_its_limit_is_held_back_after_that_one_try(app, officer):
    app.config["RATE_LIMIT_SIGN_IN_FAILURES_PER_ACCOUNT"] = "2 per 15 minutes"
    for _ in range(2):
        sign_in(client_from(app, "203.0.113.9"), EMAIL, WRONG)
    second = client_from(app, "203.0.113.10")

    assert sign_in(second, EMAIL, WRONG).status_code == 422  # its one try
    assert sign_in(second, EMAIL, PASSWORD).status_code == 429


def test_too_many_attempts_from_one_address_are_throttled_whatever_the_accounts(app, client, officer, make_user):
    app.config["RATE_LIMIT_SIGN_IN_PER_ADDRESS"] = "4 per minute"
    for number in range(4):
        assert sign_in(client, f"someone{number}@camden.gov.uk", WRONG).status_code == 422

    refused = sign_in(client, EMAIL, PASSWORD)

    assert refused.status_code == 429 and 0 < retry_after(refused) <= 60
    assert "try again" in page(refused)
    assert sign_in(client_from(app, "198.51.100.7"), EMAIL, PASSWORD).status_code == 302
    assert client.get("/sign-in").status_code == 200, "only the attempts are limited, not the page"


def test_known_and_unknown_addresses_are_throttled_alike(app, officer):
    app.config["RATE_LIMIT_SIGN_IN_FAILURES_PER_ACCOUNT"] = "2 per 15 minutes"
    answers = {}
    for email, address in ((EMAIL, "203.0.113.1"), ("nobody@camden.gov.uk", "203.0.113.2")):
        attacker = client_from(app, address)
        answers[email] = [sign_in(attacker, email, WRONG) for _ in range(3)]
    known, unknown = answers[EMAIL], answers["nobody@camden.gov.uk"]

    assert [a.status_code for a in known] == [a.status_code for a in unknown] == [422, 422, 429]
    assert sorted(known[2].headers.keys()) == sorted(unknown[2].headers.keys())
    assert abs(retry_after(known[2]) - retry_after(unknown[2])) <= 1
    assert re.sub(r"\d", "0", page(known[2])) == re.sub(r"\d", "0", page(unknown[2]))


def test_a_successful_sign_in_is_not_counted_against_the_account(app, client, officer):
    app.config["RATE_LIMIT_SIGN_IN_FAILURES_PER_ACCOUNT"] = "2 per 15 minutes"
    for _ in range(3):
        assert sign_in(client, EMAIL).status_code == 302
        client.post("/sign-out", data={"csrf_token": csrf_token(client, "/account")})
    assert sign_in(client, EMAIL, WRONG).status_code == 422
    assert sign_in(client, EMAIL).status_code == 302


def test_a_deactivated_account_cannot_sign_in(client, officer):
    db.session.get(User, officer).active = False
    db.session.commit()

    response = sign_in(client, EMAIL)

    assert response.status_code == 422
    assert "This account has been deactivated" in page(response)
    assert not is_signed_in(client)


# --- signing out ------------------------------------------------------------------------------------------------

def test_sign_out_with_get_is_not_allowed_and_keeps_the_session(client, officer):
    sign_in(client, EMAIL)

    response = client.get("/sign-out")

    assert response.status_code == 405
    assert is_signed_in(client)


@pytest.mark.parametrize("token", [None, "", "forged-token"], ids=["missing", "empty", "forged"])
def test_sign_out_without_a_valid_csrf_token_is_refused_and_keeps_the_session(client, officer, token):
    sign_in(client, EMAIL)
    data = {} if token is None else {"csrf_token": token}

    response = client.post("/sign-out", data=data)

    assert response.status_code == 400
    assert "This form had expired" in page(response)
    assert is_signed_in(client)


def test_sign_out_with_its_csrf_token_ends_the_session(client, officer):
    sign_in(client, EMAIL)
    dashboard = page(client.get("/dashboard"))
    form = re.search(r'<form method="post" action="/sign-out"[^>]*>\s*<input type="hidden" name="csrf_token" '
                     r'value="([^"]+)"', dashboard)
    assert form, "the sign-out button is a form with a CSRF token"

    response = client.post("/sign-out", data={"csrf_token": form.group(1)})

    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in"
    assert "You have signed out." in page(client.get("/sign-in"))
    after = client.get("/dashboard")
    assert after.status_code == 302
    assert after.headers["Location"].startswith("/sign-in")
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_signing_in_gives_a_fresh_session(client, officer):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"

    sign_in(client, EMAIL)

    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].partition(":")[0] == str(officer)  # id:password fingerprint


# --- where sign-in leads ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("target, expected", [
    ("/account", "/account"),
    ("/admin/users?role=officer", "/admin/users?role=officer"),
    ("https://evil.example", "/dashboard"),
    ("https://evil.example/dashboard", "/dashboard"),
    ("http://localhost.evil.example/", "/dashboard"),
    ("//evil.example", "/dashboard"),
    ("/\t/evil.example", "/dashboard"),
    ("javascript:alert(1)", "/dashboard"),
    ("account", "/dashboard"),
    ("", "/dashboard"),
])
def test_next_only_redirects_to_a_local_path(client, officer, target, expected):
    token = csrf_token(client, "/sign-in")

    response = client.post("/sign-in", query_string={"next": target},
                           data={"csrf_token": token, "email": EMAIL, "password": PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_a_backslash_in_next_cannot_lead_off_the_site(client, officer):
    token = csrf_token(client, "/sign-in")

    response = client.post("/sign-in", query_string={"next": "/\\evil.example"},
                           data={"csrf_token": token, "email": EMAIL, "password": PASSWORD})

    assert response.status_code == 302
    location = response.headers["Location"]
    assert "\\" not in location
    assert urlsplit(urljoin("http://localhost/sign-in", location)).hostname == "localhost"


def test_a_protected_page_sends_you_to_sign_in_and_back(client, officer):
    first = client.get("/account")
    assert first.status_code == 302
    sign_in_url = first.headers["Location"]
    assert sign_in_url.startswith("/sign-in?next=")

    token = csrf_token(client, sign_in_url)
    response = client.post(sign_in_url, data={"csrf_token": token, "email": EMAIL, "password": PASSWORD})

    assert response.headers["Location"] == "/account"


def test_the_sign_in_page_sends_a_signed_in_user_to_the_dashboard(client, officer):
    sign_in(client, EMAIL)

    response = client.get("/sign-in")

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


# --- CSRF on real forms -----------------------------------------------------------------------------------------

def _foreign_token(app) -> str:
    return csrf_token(app.test_client(), "/sign-in")


@pytest.mark.parametrize("token_kind", ["missing", "forged", "from-another-session"])
def test_sign_in_without_a_valid_csrf_token_is_refused_and_records_nothing(app, client, officer, token_kind):
    events_before = count(AuditEvent)
    data = {"email": EMAIL, "password": WRONG}
    if token_kind == "forged":
        data["csrf_token"] = "IjAwMDAi.forged.signature"
    elif token_kind == "from-another-session":
        data["csrf_token"] = _foreign_token(app)
    client.get("/sign-in")  # this client has a session of its own

    response = client.post("/sign-in", data=data)

    assert response.status_code == 400
    assert response.mimetype == "text/html"
    text = page(response)
    assert "This form had expired or was sent from another site, so nothing was saved." in text
    assert count(AuditEvent) == events_before

    # and the right password without a token does not sign in either
    data["password"] = PASSWORD
    assert client.post("/sign-in", data=data).status_code == 400
    assert not is_signed_in(client)


SUPPLIER_FORM = {
    "company_name": "Bankside Cloud Ltd", "companies_house_number": "10234562", "sme": "y",
    "name": "Sam Patel", "email": "sam@bankside.example", "password": PASSWORD, "confirm": PASSWORD,
}


@pytest.mark.parametrize("token_kind", ["missing", "forged", "from-another-session"])
def test_supplier_sign_up_without_a_valid_csrf_token_is_refused_and_writes_nothing(app, client, token_kind):
    before = (count(Organisation), count(User), count(AuditEvent))
    data = dict(SUPPLIER_FORM)
    if token_kind == "forged":
        data["csrf_token"] = "IjAwMDAi.forged.signature"
    elif token_kind == "from-another-session":
        data["csrf_token"] = _foreign_token(app)
    client.get("/sign-up/supplier")

    response = client.post("/sign-up/supplier", data=data)

    assert response.status_code == 400
    assert "This form had expired" in page(response)
    assert (count(Organisation), count(User), count(AuditEvent)) == before
    assert not is_signed_in(client)


def test_the_same_supplier_sign_up_with_its_csrf_token_is_accepted(client):
    """The control for the test above: the only difference is the token."""
    data = dict(SUPPLIER_FORM, csrf_token=csrf_token(client, "/sign-up/supplier"))

    response = client.post("/sign-up/supplier", data=data)

    assert response.status_code == 302
    assert count(Organisation) == 1
    assert count(User) == 1
