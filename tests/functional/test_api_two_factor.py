"""POST /api/v1/tokens with a second factor: "otp" required (401 otp_required without it), a wrong one 401, a code
or a recovery code once."""
import pyotp
import pytest

from app.accounts import services as accounts
from app.accounts import two_factor
from app.types import utcnow
from tests.support import PASSWORD, enrol, sign_in, totp_code

OFFICER = "olivia@camden.gov.uk"
ADMIN = "ada@ldpc.example"


@pytest.fixture
def officer(make_user):
    return make_user(OFFICER, "officer", "London Borough of Camden")


@pytest.fixture
def recovery_codes(app, officer):
    client = app.test_client()
    sign_in(client, OFFICER)
    return enrol(client)


def token(client, **body):
    return client.post("/api/v1/tokens", json={"email": OFFICER, "password": PASSWORD} | body)


def test_without_otp_the_answer_is_401_otp_required(client, recovery_codes):
    response = token(client)

    assert response.status_code == 401
    body = response.get_json()
    assert body["error"] == "otp_required"
    assert "otp" in body["message"] and body["fields"] == {}


def test_a_wrong_otp_is_401_and_a_right_one_gives_a_token(client, recovery_codes):
    totp = pyotp.TOTP(two_factor.secret_of(accounts.find_by_email(OFFICER)))
    now = totp.timecode(utcnow())
    window = {totp.generate_otp(step) for step in range(now - 2, now + 3)}

    wrong = token(client, otp=next(c for c in ("123456", "654321", "111111") if c not in window))
    assert wrong.status_code == 401 and wrong.get_json()["error"] == "unauthorised"
    assert "otp" in wrong.get_json()["fields"]

    code = totp_code(OFFICER)
    right = token(client, otp=code)
    assert right.status_code == 201 and right.get_json()["token"].startswith("cst_")
    assert token(client, otp=code).status_code == 401, "the same code twice"
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {right.get_json()['token']}"}).status_code == 200


def test_a_recovery_code_gives_one_token(client, recovery_codes):
    assert token(client, otp=recovery_codes[3]).status_code == 201
    assert token(client, otp=recovery_codes[3]).status_code == 401


def test_an_admin_who_has_not_enrolled_gets_no_token(client, make_user):
    make_user(ADMIN, "admin", "London Digital Purchasing Consortium")

    response = client.post("/api/v1/tokens", json={"email": ADMIN, "password": PASSWORD, "otp": "123456"})

    assert response.status_code == 401
    assert response.get_json()["error"] == "otp_required"
    assert "set up two-factor sign-in" in response.get_json()["message"]


def test_a_user_without_two_factor_needs_no_otp(client, officer):
    assert token(client).status_code == 201


def test_the_openapi_document_describes_otp(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/tokens"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    assert "otp" in schema["properties"] and "otp" not in schema.get("required", [])
    assert "otp_required" in operation["description"]
    assert "401" in operation["responses"]
