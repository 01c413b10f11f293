"""Rate limits beyond signing in (whose own are in test_sign_in.py and test_api_tokens.py): sign-up, forgotten-password
requests and bid document uploads, per client address and per account, over real HTTP; who counts as a client
address; and the OpenAPI document's 429s. Each test sets the tight limits it needs (the suite's are generous)."""
import html
import io

import pytest

from app.accounts.models import User
from app.extensions import db
from tests.support import PASSWORD, api_token, bearer, client_from, csrf_token, sign_in

ATTACKER, REAL_USER = "203.0.113.9", "198.51.100.7"


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def assert_page_429(response, most_seconds: int) -> None:
    assert response.status_code == 429, response.status_code
    assert response.mimetype == "text/html"
    assert 0 < int(response.headers["Retry-After"]) <= most_seconds
    text = page(response)
    assert "<title>Too many attempts" in text and "try again, after" in text


def assert_api_429(response, most_seconds: int) -> None:
    assert response.status_code == 429, response.status_code
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"error", "message", "fields"} and body["error"] == "rate_limited"
    assert 0 < int(response.headers["Retry-After"]) <= most_seconds


# --- sign-up ----------------------------------------------------------------------------------------------------

def supplier_sign_up(client, email: str, company: str = "Bankside Cloud Ltd"):
    return client.post("/sign-up/supplier", data={
        "csrf_token": csrf_token(client, "/sign-up/supplier"), "company_name": company,
        "companies_house_number": "10234562", "name": "Sam Patel", "email": email,
        "password": PASSWORD, "confirm": "not the same"})  # refused as a form error: nothing is made


def officer_sign_up(client, email: str):
    return client.post("/sign-up/officer", data={
        "csrf_token": csrf_token(client, "/sign-up/officer"), "authority_id": "0", "name": "Olivia Carter",
        "email": email, "password": PASSWORD, "confirm": PASSWORD})


def test_sign_ups_from_one_address_are_limited_across_both_forms(app, client):
    app.config["RATE_LIMIT_SIGN_UP_PER_ADDRESS"] = "3 per hour"
    answers = [supplier_sign_up(client, f"sam{number}@bankside.example") for number in range(2)]
    answers.append(officer_sign_up(client, "olivia@camden.gov.uk"))
    assert [a.status_code for a in answers] == [422] * 3

    assert_page_429(supplier_sign_up(client, "another@bankside.example"), 3600)
    assert_page_429(officer_sign_up(client, "another@camden.gov.uk"), 3600)
    assert client.get("/sign-up/supplier").status_code == 200, "only the sending is limited, not the form"
    assert supplier_sign_up(client_from(app, REAL_USER), "sam@bankside.example").status_code == 422


def test_sign_ups_for_one_address_hold_back_the_client_that_sent_them_not_another(app):
    app.config["RATE_LIMIT_SIGN_UP_PER_ACCOUNT"] = "2 per hour"
    attacker = client_from(app, ATTACKER)
    for _ in range(2):
        assert supplier_sign_up(attacker, "Sam@Bankside.example ").status_code == 422
    assert_page_429(supplier_sign_up(attacker, "sam@bankside.example"), 3600)

    assert supplier_sign_up(client_from(app, REAL_USER), "sam@bankside.example").status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


# --- forgotten passwords ----------------------------------------------------------------------------------------

def ask(client, email: str):
    return client.post("/forgotten-password", data={
        "csrf_token": csrf_token(client, "/forgotten-password"), "email": email})


@pytest.fixture
def officer(make_user):
    return make_user("olivia@camden.gov.uk", "officer", "London Borough of Camden")


def test_reset_requests_from_one_address_are_limited(app, client, officer):
    app.config["RATE_LIMIT_PASSWORD_RESET_PER_ADDRESS"] = "2 per hour"
    assert [ask(client, f"person{number}@camden.gov.uk").status_code for number in range(2)] == [200, 200]

    assert_page_429(ask(client, "olivia@camden.gov.uk"), 3600)
    assert ask(client_from(app, REAL_USER), "olivia@camden.gov.uk").status_code == 200


def test_reset_requests_for_known_and_unknown_addresses_are_limited_alike(app, officer):
    app.config["RATE_LIMIT_PASSWORD_RESET_PER_ACCOUNT"] = "2 per hour"
    answers = {}
    for email, address in (("olivia@camden.gov.uk", "203.0.113.1"), ("nobody@camden.gov.uk", "203.0.113.2")):
        asker = client_from(app, address)
        answers[email] = [ask(asker, email) for _ in range(3)]
    known, unknown = answers["olivia@camden.gov.uk"], answers["nobody@camden.gov.uk"]

    assert [a.status_code for a in known] == [a.status_code for a in unknown] == [200, 200, 429]
    assert sorted(known[2].headers.keys()) == sorted(unknown[2].headers.keys())
    assert abs(int(known[2].headers["Retry-After"]) - int(unknown[2].headers["Retry-After"])) <= 1


def test_someone_asking_again_and_again_for_an_account_does_not_stop_its_user_asking(app, officer):
    app.config["RATE_LIMIT_PASSWORD_RESET_PER_ACCOUNT"] = "2 per hour"
    attacker = client_from(app, ATTACKER)
    for _ in range(2):
        ask(attacker, "olivia@camden.gov.uk")
    assert_page_429(ask(attacker, "olivia@camden.gov.uk"), 3600)

    assert ask(client_from(app, REAL_USER), "olivia@camden.gov.uk").status_code == 200


# --- bid document uploads ---------------------------------------------------------------------------------------

NO_SUCH_BID = "/api/v1/bids/987654/documents"  # the limit counts every upload sent, before the bid is looked for


def upload(client, token: str):
    return client.post(NO_SUCH_BID, headers=bearer(token), content_type="multipart/form-data",
                       data={"file": (io.BytesIO(b"%PDF-1.7\n%%EOF\n"), "a.pdf")})


@pytest.fixture
def suppliers(make_user):
    return [make_user(f"sam{n}@supplier{n}.example", role="supplier", org=f"Supplier {n} Ltd") for n in range(2)]


def test_api_uploads_are_limited_per_supplier_wherever_they_come_from(app, client, suppliers):
    app.config["RATE_LIMIT_UPLOAD_PER_USER"] = "2 per minute"
    first, second = (api_token(client, supplier.email) for supplier in suppliers)
    assert [upload(client, first).status_code, upload(client_from(app, REAL_USER), first).status_code] == [404, 404]

    assert_api_429(upload(client_from(app, ATTACKER), first), 60)
    assert upload(client, second).status_code == 404, "another supplier at the same address is not held back"


def test_uploads_from_one_address_are_limited_for_every_supplier_there(app, client, suppliers):
    app.config["RATE_LIMIT_UPLOAD_PER_ADDRESS"] = "2 per minute"
    first, second = (api_token(client, supplier.email) for supplier in suppliers)
    assert [upload(client, first).status_code, upload(client, second).status_code] == [404, 404]

    assert_api_429(upload(client, second), 60)
    assert upload(client_from(app, REAL_USER), first).status_code == 404


def test_page_uploads_share_the_limits_and_answer_a_429_page(app, client, suppliers):
    app.config["RATE_LIMIT_UPLOAD_PER_USER"] = "1 per minute"
    assert sign_in(client, suppliers[0].email).status_code == 302
    token = csrf_token(client, "/account")
    assert upload(client, api_token(client_from(app, REAL_USER), suppliers[0].email)).status_code == 404

    response = client.post("/bids/987654/documents", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(b"%PDF-1.7\n%%EOF\n"), "a.pdf")})

    assert_page_429(response, 60)


# --- who a client is --------------------------------------------------------------------------------------------

def test_an_ipv6_client_counts_as_its_64_network(app):
    app.config["RATE_LIMIT_PASSWORD_RESET_PER_ADDRESS"] = "1 per hour"
    assert ask(client_from(app, "2001:db8:1:2::1"), "a@camden.gov.uk").status_code == 200

    assert_page_429(ask(client_from(app, "2001:db8:1:2:ffff::9"), "b@camden.gov.uk"), 3600)
    assert ask(client_from(app, "2001:db8:1:3::1"), "c@camden.gov.uk").status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(app):
    app.config["RATE_LIMIT_PASSWORD_RESET_PER_ADDRESS"] = "1 per hour"
    app.config["TRUSTED_PROXIES"] = ["10.0.0.2"]
    proxy = client_from(app, "10.0.0.2")
    proxy.environ_base["HTTP_X_FORWARDED_FOR"] = ATTACKER
    assert ask(proxy, "a@camden.gov.uk").status_code == 200
    assert_page_429(ask(proxy, "b@camden.gov.uk"), 3600)

    proxy.environ_base["HTTP_X_FORWARDED_FOR"] = REAL_USER
    assert ask(proxy, "b@camden.gov.uk").status_code == 200
    untrusted = client_from(app, ATTACKER)  # a forged header from anyone else is ignored: it is ATTACKER's own
    untrusted.environ_base["HTTP_X_FORWARDED_FOR"] = "192.0.2.55"
    assert_page_429(ask(untrusted, "c@camden.gov.uk"), 3600)


# --- the document -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/v1/tokens", "/api/v1/bids/{bid_id}/documents"])
def test_each_limited_operation_documents_its_429_and_retry_after(client, path):
    document = client.get("/api/v1/openapi.json").get_json()
    answer = document["paths"][path]["post"]["responses"]["429"]
    assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert answer["headers"]["Retry-After"]["required"] is True
    assert "401" in document["paths"]["/api/v1/tokens"]["post"]["responses"]
    assert "403" not in document["paths"]["/api/v1/tokens"]["post"]["responses"], "no account is locked any more"


# --- the second step of signing in ------------------------------------------------------------------------------

def test_codes_guessed_at_the_second_step_are_limited_per_account_from_any_address(app, make_user):
    app.config["RATE_LIMIT_TWO_FACTOR_PER_USER"] = "3 per 15 minutes"
    make_user("ada@ldpc.example", "admin", "London Digital Purchasing Consortium", kind="consortium")
    assert sign_in(app.test_client(), "ada@ldpc.example").status_code == 302  # enrols, as an admin must

    def password_step(address: str):
        client = client_from(app, address)
        answer = client.post("/sign-in", data={"csrf_token": csrf_token(client, "/sign-in"),
                                               "email": "ada@ldpc.example", "password": PASSWORD})
        assert answer.status_code == 302 and answer.headers["Location"].endswith("/sign-in/code")
        return client

    def guess(client):
        return client.post("/sign-in/code", data={"csrf_token": csrf_token(client, "/sign-in/code"),
                                                  "code": "000000"})

    attacker = password_step(ATTACKER)
    assert [guess(attacker).status_code for _ in range(3)] == [422] * 3
    assert_page_429(guess(attacker), 900)
    assert_page_429(guess(password_step(REAL_USER)), 900)  # the account's count, whichever address guesses
