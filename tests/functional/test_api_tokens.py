"""POST /api/v1/tokens, DELETE /api/v1/tokens/current and GET /api/v1/me over real HTTP and a real database:
issuing, using, expiring and revoking bearer tokens, refusing bad input with a clear 4xx, and throttling repeated
attempts (429, never a lock-out)."""
import json
from datetime import datetime, timedelta

import pytest

from app import config
from app.accounts import tokens
from app.accounts.models import ApiToken, User
from app.audit.models import AuditEvent
from app.extensions import db
from app.types import utcnow
from tests.support import PASSWORD, api_token, bearer, client_from, sign_in

EMAIL = "anna@acme.example"
ERROR_KEYS = {"error", "message", "fields"}


@pytest.fixture
def supplier(make_user):
    return make_user(EMAIL, role="supplier", org="Acme Ltd", sme=True)


def assert_error(response, status: int, code: str) -> dict:
    """An answer in the API's error format, with a sentence a person can act on."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json, response.content_type
    body = response.get_json()
    assert set(body) == ERROR_KEYS, body
    assert body["error"] == code, body
    assert isinstance(body["message"], str) and len(body["message"]) > 15 and body["message"].endswith("."), body
    assert isinstance(body["fields"], dict), body
    return body


def token_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(ApiToken))


def token_row(raw: str) -> ApiToken:
    return db.session.scalar(db.select(ApiToken).where(ApiToken.token_hash == tokens.digest(raw)))


def audit_events(action: str, user: User) -> list[AuditEvent]:
    return list(db.session.scalars(db.select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.object_type == "User", AuditEvent.object_id == str(user.id))))


# Issuing


def test_issuing_a_token_answers_201_with_the_token_and_an_expiry_with_an_offset(app, client, supplier):
    before = utcnow()
    response = client.post("/api/v1/tokens", json={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) >= {"token", "expires_at"}
    assert isinstance(body["token"], str) and len(body["token"]) >= 32
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert expires_at.utcoffset() is not None, "expires_at must carry an offset"
    lifetime = timedelta(hours=app.config["API_TOKEN_HOURS"])
    assert before + lifetime - timedelta(seconds=5) <= expires_at <= utcnow() + lifetime + timedelta(seconds=5)
    # Only the token's hash is kept, and that hash is the one that was issued.
    row = token_row(body["token"])
    assert row is not None and row.user_id == supplier.id
    assert body["token"] not in row.token_hash


def test_each_issue_gives_a_different_token(client, supplier):
    assert api_token(client, EMAIL) != api_token(client, EMAIL)
    assert token_count() == 2


@pytest.mark.parametrize("typed", ["ANNA@ACME.EXAMPLE", "Anna@Acme.Example", "anna@ACME.example",
                                   "  anna@acme.example "])
def test_the_email_is_matched_without_regard_to_case_or_surrounding_space(client, supplier, typed):
    response = client.post("/api/v1/tokens", json={"email": typed, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    me = client.get("/api/v1/me", headers=bearer(response.get_json()["token"]))
    assert me.get_json()["email"] == EMAIL


def test_issuing_a_token_is_audited_with_its_user_as_actor(client, supplier):
    raw = api_token(client, EMAIL)
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "api_token.issued"))
    assert event is not None
    assert event.actor_id == supplier.id
    assert event.object_id == str(token_row(raw).id)


# Using


def test_the_token_identifies_its_user_and_organisation_on_me(client, supplier):
    response = client.get("/api/v1/me", headers=bearer(api_token(client, EMAIL)))
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) >= {"id", "email", "role", "organisation"}
    assert (body["id"], body["email"], body["role"]) == (supplier.id, EMAIL, "supplier")
    assert body["organisation"] == {"id": supplier.organisation_id, "name": "Acme Ltd", "kind": "supplier",
                                    "sme": True}


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_the_bearer_scheme_is_matched_without_regard_to_case(client, supplier, scheme):
    token = api_token(client, EMAIL)
    response = client.get("/api/v1/me", headers={"Authorization": f"{scheme} {token}"})
    assert response.status_code == 200


@pytest.mark.parametrize(("expires_in", "status"), [
    (timedelta(days=-1), 401),
    (timedelta(seconds=-1), 401),
    (timedelta(minutes=1), 200),
], ids=["expired-a-day-ago", "expired-a-second-ago", "expires-in-a-minute"])
def test_a_token_is_refused_once_it_has_expired(client, supplier, expires_in, status):
    raw = api_token(client, EMAIL)
    row = token_row(raw)
    row.expires_at = utcnow() + expires_in
    db.session.commit()
    response = client.get("/api/v1/me", headers=bearer(raw))
    if status == 200:
        assert response.status_code == 200, response.get_json()
    else:
        body = assert_error(response, 401, "unauthorised")
        assert "POST /api/v1/tokens" in body["message"]


def test_a_token_of_a_deactivated_user_is_refused(client, supplier):
    raw = api_token(client, EMAIL)
    supplier.active = False
    db.session.commit()
    assert_error(client.get("/api/v1/me", headers=bearer(raw)), 401, "unauthorised")


# Revoking


def test_revoking_the_current_token_answers_204_and_the_token_is_refused_afterwards(client, supplier):
    raw = api_token(client, EMAIL)
    other = api_token(client, EMAIL)
    response = client.delete("/api/v1/tokens/current", headers=bearer(raw))
    assert response.status_code == 204
    assert response.get_data() == b""
    assert_error(client.get("/api/v1/me", headers=bearer(raw)), 401, "unauthorised")
    assert_error(client.delete("/api/v1/tokens/current", headers=bearer(raw)), 401, "unauthorised")
    # Only the token that made the request is revoked.
    assert client.get("/api/v1/me", headers=bearer(other)).status_code == 200
    assert token_row(raw).revoked_at is not None
    assert token_row(other).revoked_at is None
    revoked = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "api_token.revoked")).all()
    assert [(e.object_id, e.actor_id) for e in revoked] == [(str(token_row(raw).id), supplier.id)]


# Missing, malformed and unknown tokens


@pytest.mark.parametrize("authorization", [
    None,
    "",
    "Bearer",
    "Bearer ",
    "Bearer    ",
    "Basic YW5uYUBhY21lLmV4YW1wbGU6cGFzc3dvcmQ=",
    "Token {token}",
    "Bearer{token}",
    "{token}",
    "Bearer cst_this-token-was-never-issued",
    "Bearer {token}x",
    "Bearer x{token}",
], ids=["none", "empty", "scheme-only", "scheme-and-space", "scheme-and-spaces", "basic", "other-scheme",
        "no-space", "no-scheme", "unknown", "altered-end", "altered-start"])
@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/api/v1/me"),
    ("DELETE", "/api/v1/tokens/current"),
])
def test_a_missing_malformed_or_unknown_token_gives_401_in_the_error_format(client, supplier, authorization,
                                                                           method, path):
    token = api_token(client, EMAIL)
    headers = {} if authorization is None else {"Authorization": authorization.format(token=token)}
    assert_error(client.open(path, method=method, headers=headers), 401, "unauthorised")
    # The valid token was never revoked by any of these.
    assert token_row(token).revoked_at is None


# Bad input to POST /api/v1/tokens

# (id, request keyword arguments, status, error code, fields that must be named)
BAD_INPUTS = [
    ("text-plain", {"data": json.dumps({"email": EMAIL, "password": PASSWORD}), "content_type": "text/plain"},
     400, "bad_request", set()),
    ("no-content-type", {"data": json.dumps({"email": EMAIL, "password": PASSWORD})}, 400, "bad_request", set()),
    ("form-encoded", {"data": {"email": EMAIL, "password": PASSWORD}}, 400, "bad_request", set()),
    ("empty-body", {"data": "", "content_type": "application/json"}, 400, "bad_request", set()),
    ("invalid-syntax", {"data": '{"email": "anna@acme.example", "password": ', "content_type": "application/json"},
     400, "bad_request", set()),
    ("single-quotes", {"data": "{'email': 'anna@acme.example'}", "content_type": "application/json"},
     400, "bad_request", set()),
    ("trailing-garbage", {"data": json.dumps({"email": EMAIL, "password": PASSWORD}) + " x",
                          "content_type": "application/json"}, 400, "bad_request", set()),
    ("invalid-utf8", {"data": b'{"email": "\xff\xfe", "password": "x"}', "content_type": "application/json"},
     400, "bad_request", set()),
    ("deeply-nested", {"data": "[" * 100_000 + "]" * 100_000, "content_type": "application/json"},
     400, "bad_request", set()),
    ("json-array", {"json": [{"email": EMAIL, "password": PASSWORD}]}, 400, "bad_request", set()),
    ("json-string", {"json": f"{EMAIL} {PASSWORD}"}, 400, "bad_request", set()),
    ("json-number", {"json": 42}, 400, "bad_request", set()),
    ("json-null", {"data": "null", "content_type": "application/json"}, 400, "bad_request", set()),
    ("empty-object", {"json": {}}, 422, "validation_failed", {"email", "password"}),
    ("missing-email", {"json": {"password": PASSWORD}}, 422, "validation_failed", {"email"}),
    ("missing-password", {"json": {"email": EMAIL}}, 422, "validation_failed", {"password"}),
    ("null-values", {"json": {"email": None, "password": None}}, 422, "validation_failed", {"email", "password"}),
    ("numbers", {"json": {"email": 12345, "password": 67890}}, 422, "validation_failed", {"email", "password"}),
    ("booleans", {"json": {"email": True, "password": False}}, 422, "validation_failed", {"email", "password"}),
    ("lists-and-objects", {"json": {"email": [EMAIL], "password": {"value": PASSWORD}}},
     422, "validation_failed", {"email", "password"}),
    ("empty-strings", {"json": {"email": "", "password": ""}}, 422, "validation_failed", {"email", "password"}),
    ("email-300-chars", {"json": {"email": "a" * 288 + "@acme.example", "password": PASSWORD}},
     422, "validation_failed", {"email"}),
    ("password-300-chars", {"json": {"email": EMAIL, "password": "p" * 300}}, 422, "validation_failed",
     {"password"}),
    ("nul-in-email", {"json": {"email": "anna\u0000@acme.example", "password": PASSWORD}},
     422, "validation_failed", set()),
    ("lone-surrogate", {"data": '{"email": "anna@acme.example", "password": "\\ud800"}',
                        "content_type": "application/json"}, 422, "validation_failed", {"password"}),
]


@pytest.mark.parametrize(("request_kwargs", "status", "code", "fields"),
                         [case[1:] for case in BAD_INPUTS], ids=[case[0] for case in BAD_INPUTS])
def test_bad_input_for_a_token_gets_a_4xx_with_a_clear_message_and_issues_nothing(app, client, supplier,
                                                                                  request_kwargs, status, code, fields):
    app.config["RATE_LIMIT_SIGN_IN_FAILURES_PER_ACCOUNT"] = "1 per 15 minutes"
    response = client.post("/api/v1/tokens", **request_kwargs)
    body = assert_error(response, status, code)
    assert fields <= set(body["fields"]), body
    for name in fields:
        assert body["fields"][name], body
    assert token_count() == 0
    # Bad input is not a failed sign-in: it does not count against the account, so one wrong password is still a
    # 401 (had the bad input counted, this address would now be held back with 429).
    assert_error(client.post("/api/v1/tokens", json={"email": EMAIL, "password": PASSWORD + "!"}), 401, "unauthorised")


def test_a_body_over_the_size_limit_gets_413(app, client, supplier):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/api/v1/tokens", json={"email": EMAIL, "password": PASSWORD, "padding": "x" * 2048})
    assert_error(response, 413, "too_large")
    assert token_count() == 0
    # Just under the limit is still accepted.
    response = client.post("/api/v1/tokens", json={"email": EMAIL, "password": PASSWORD, "padding": "x" * 900})
    assert response.status_code == 201, response.get_json()


def test_a_wrong_password_gets_401(client, supplier):
    body = assert_error(client.post("/api/v1/tokens", json={"email": EMAIL, "password": PASSWORD + "!"}),
                        401, "unauthorised")
    assert "password" in body["message"]
    assert token_count() == 0


def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(client, supplier):
    wrong_password = client.post("/api/v1/tokens", json={"email": EMAIL, "password": PASSWORD + "!"})
    unknown_email = client.post("/api/v1/tokens", json={"email": "nobody@acme.example", "password": PASSWORD})
    assert_error(unknown_email, 401, "unauthorised")
    assert unknown_email.status_code == wrong_password.status_code
    assert unknown_email.get_json() == wrong_password.get_json()
    assert token_count() == 0


# Rate limits, not a lock-out


def assert_rate_limited(response, most_seconds: int) -> dict:
    body = assert_error(response, 429, "rate_limited")
    assert "try again" in body["message"]
    assert 0 < int(response.headers["Retry-After"]) <= most_seconds
    return body


@pytest.mark.parametrize("limit", [None, "3 per 15 minutes"], ids=["default", "configured-3"])
def test_repeated_wrong_passwords_are_throttled_with_429_and_retry_after_and_lock_nothing(app, client, supplier,
                                                                                          limit):
    if limit is None:
        limit = config.RATE_LIMITS["RATE_LIMIT_SIGN_IN_FAILURES_PER_ACCOUNT"]
        assert limit == "10 per 15 minutes"
    app.config["RATE_LIMIT_SIGN_IN_FAILURES_PER_ACCOUNT"] = limit
    allowed = int(limit.split()[0])
    wrong = {"email": EMAIL, "password": PASSWORD + "!"}
    for _ in range(allowed):
        assert_error(client.post("/api/v1/tokens", json=wrong), 401, "unauthorised")

    # Now this address is held back, even with the right password (in any case).
    assert_rate_limited(client.post("/api/v1/tokens", json={"email": EMAIL.upper(), "password": PASSWORD}), 15 * 60)
    assert token_count() == 0
    assert audit_events("user.locked", supplier) == []

    # Another address is not: the right password works there.
    elsewhere = client_from(app, "198.51.100.7")
    response = elsewhere.post("/api/v1/tokens", json={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    assert client.get("/api/v1/me", headers=bearer(response.get_json()["token"])).status_code == 200


def test_too_many_attempts_from_one_address_get_429_whatever_the_accounts(app, client, supplier):
    app.config["RATE_LIMIT_SIGN_IN_PER_ADDRESS"] = "3 per minute"
    for number in range(3):
        assert_error(client.post("/api/v1/tokens", json={"email": f"user{number}@acme.example", "password": "x"}),
                     401, "unauthorised")
    assert_rate_limited(client.post("/api/v1/tokens", json={"email": EMAIL, "password": PASSWORD}), 60)
    api_token(client_from(app, "198.51.100.7"), EMAIL)


def test_the_sign_in_page_and_the_api_share_one_limit_per_address(app, client, supplier):
    app.config["RATE_LIMIT_SIGN_IN_PER_ADDRESS"] = "2 per minute"
    assert sign_in(client, EMAIL, "not the right password").status_code == 422
    assert_error(client.post("/api/v1/tokens", json={"email": EMAIL, "password": "x"}), 401, "unauthorised")
    assert_rate_limited(client.post("/api/v1/tokens", json={"email": EMAIL, "password": PASSWORD}), 60)
    assert sign_in(client, EMAIL).status_code == 429


def test_known_and_unknown_addresses_are_throttled_alike(app, supplier):
    app.config["RATE_LIMIT_SIGN_IN_FAILURES_PER_ACCOUNT"] = "2 per 15 minutes"
    answers = {}
    for email, address in ((EMAIL, "203.0.113.1"), ("nobody@acme.example", "203.0.113.2")):
        attacker = client_from(app, address)
        answers[email] = [attacker.post("/api/v1/tokens", json={"email": email, "password": "wrong"})
                          for _ in range(3)]
    known, unknown = answers[EMAIL], answers["nobody@acme.example"]
    assert [a.status_code for a in known] == [a.status_code for a in unknown] == [401, 401, 429]
    for one, other in zip(known, unknown, strict=True):
        assert one.get_json()["error"] == other.get_json()["error"]
        assert sorted(one.headers.keys()) == sorted(other.headers.keys())
    assert known[0].get_json() == unknown[0].get_json()
    assert abs(int(known[2].headers["Retry-After"]) - int(unknown[2].headers["Retry-After"])) <= 1


def test_a_successful_sign_in_does_not_count_against_the_account(app, client, supplier):
    app.config["RATE_LIMIT_SIGN_IN_FAILURES_PER_ACCOUNT"] = "2 per 15 minutes"
    for _ in range(4):
        api_token(client, EMAIL)
    assert_error(client.post("/api/v1/tokens", json={"email": EMAIL, "password": "wrong"}), 401, "unauthorised")
    api_token(client, EMAIL)
