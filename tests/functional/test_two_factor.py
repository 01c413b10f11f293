"""Two-factor sign-in through the real pages: enrolment, the code step, replay, recovery codes, turning it off and
the roles that must have it."""
import html
import re

import pyotp
import pytest
from sqlalchemy import func, select

from app.accounts import two_factor
from app.accounts.models import RecoveryCode, TwoFactorCredential
from app.audit.models import AuditEvent
from app.domain import two_factor as rules
from app.extensions import db
from app.types import utcnow
from consort import create_app
from tests.support import PASSWORD, code_at, csrf_token, enrol, give_code, sign_in

OFFICER = "olivia.carter@camden.gov.uk"
ADMIN = "ada@ldpc.example"


@pytest.fixture
def officer(make_user):
    return make_user(OFFICER, "officer", "London Borough of Camden")


@pytest.fixture
def admin(make_user):
    return make_user(ADMIN, "admin", "London Digital Purchasing Consortium")


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def password_step(client, email: str, password: str = PASSWORD):
    return client.post("/sign-in", data={"csrf_token": csrf_token(client, "/sign-in"), "email": email,
                                         "password": password})


def post_code(client, path: str, code: str):
    return client.post(path, data={"csrf_token": csrf_token(client, path), "code": code})


def signed_in(client) -> bool:
    return client.get("/dashboard").status_code == 200


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def secret_of(email: str) -> str:
    from app.accounts import services as accounts

    return two_factor.secret_of(accounts.find_by_email(email))


def typed_key(text: str) -> str:
    return re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', text).group(1).replace(" ", "")


def enrolled_officer(app, officer) -> list[str]:
    client = app.test_client()
    assert sign_in(client, OFFICER).status_code == 302
    return enrol(client)


# --- enrolment ----------------------------------------------------------------------------------------------------

def test_the_set_up_page_shows_the_qr_code_inline_and_the_key_to_type(client, officer):
    sign_in(client, OFFICER)
    assert "Off: you sign in with your password alone." in page(client.get("/account"))

    shown = client.get("/account/two-factor")

    text = page(shown)
    assert shown.status_code == 200
    assert re.search(r"<figure class=\"qr-code\"><svg [^>]*>.*</svg></figure>", text, re.S), "an inline SVG QR code"
    assert "<img" not in text and "<script>" not in text
    assert "'unsafe-inline'" not in shown.headers["Content-Security-Policy"]
    key = typed_key(text)
    assert key == secret_of(OFFICER)
    assert two_factor.qr_svg(rules.provisioning_uri(key, OFFICER)) in shown.get_data(as_text=True), \
        "the QR code carries the otpauth:// address of the key shown"
    assert typed_key(page(client.get("/account/two-factor"))) == key, "reloading shows the same key"
    assert not two_factor.is_on(officer), "not on before a first code confirms it"


def test_a_wrong_first_code_leaves_two_factor_sign_in_off(client, officer):
    sign_in(client, OFFICER)
    client.get("/account/two-factor")

    totp = pyotp.TOTP(secret_of(OFFICER))
    now = totp.timecode(utcnow())
    window = {totp.generate_otp(step) for step in range(now - 2, now + 3)}
    refused = post_code(client, "/account/two-factor", next(c for c in ("000000", "111111", "222222")
                                                            if c not in window))

    assert refused.status_code == 422
    assert "That code is not right" in page(refused)
    assert not two_factor.is_on(officer)
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0
    assert events("two_factor.enrolled") == []


def test_a_first_right_code_turns_it_on_and_shows_ten_recovery_codes_kept_only_hashed(app, officer):
    codes = enrolled_officer(app, officer)

    assert len(set(codes)) == 10
    assert two_factor.is_on(officer)
    credential = db.session.get(TwoFactorCredential, officer.id)
    assert secret_of(OFFICER) not in credential.secret_encrypted, "the secret is stored encrypted"
    stored = set(db.session.scalars(select(RecoveryCode.code_hash)))
    assert len(stored) == 10 and not stored & set(codes) and not stored & {c.replace("-", "") for c in codes}
    [event] = events("two_factor.enrolled")
    assert event.actor_id == officer.id and event.object_id == str(officer.id)


# --- signing in with a code ---------------------------------------------------------------------------------------

def test_signing_in_needs_the_code_after_the_password(app, officer):
    enrolled_officer(app, officer)
    client = app.test_client()

    first = password_step(client, OFFICER)

    assert first.status_code == 302 and first.location.endswith("/sign-in/code")
    assert not signed_in(client), "the password alone signs nobody in"
    assert give_code(client, OFFICER).status_code == 302
    assert signed_in(client)


def test_a_wrong_code_does_not_sign_in(app, officer):
    enrolled_officer(app, officer)
    client = app.test_client()
    password_step(client, OFFICER)
    totp = pyotp.TOTP(secret_of(OFFICER))
    now = totp.timecode(utcnow())
    window = {totp.generate_otp(step) for step in range(now - 2, now + 3)}  # and a step more each side, for the clock
    wrong = next(c for c in ("123456", "654321", "111111") if c not in window)

    refused = post_code(client, "/sign-in/code", wrong)

    assert refused.status_code == 422
    assert "That code is not right" in page(refused)
    assert not signed_in(client)


def test_a_code_cannot_be_used_twice(app, officer):
    enrolled_officer(app, officer)
    code = pyotp.TOTP(secret_of(OFFICER)).now()
    first, second = app.test_client(), app.test_client()
    password_step(first, OFFICER)
    password_step(second, OFFICER)

    assert post_code(first, "/sign-in/code", code).status_code == 302
    replayed = post_code(second, "/sign-in/code", code)

    assert replayed.status_code == 422
    assert not signed_in(second)


def test_the_code_page_needs_the_password_first(client, officer):
    response = client.get("/sign-in/code")

    assert response.status_code == 302 and response.location.endswith("/sign-in")


# --- recovery codes -----------------------------------------------------------------------------------------------

def test_a_recovery_code_signs_in_once(app, officer):
    codes = enrolled_officer(app, officer)
    first, second = app.test_client(), app.test_client()
    password_step(first, OFFICER)
    password_step(second, OFFICER)

    assert post_code(first, "/sign-in/code", codes[0].lower()).status_code == 302
    assert signed_in(first)
    again = post_code(second, "/sign-in/code", codes[0])

    assert again.status_code == 422
    assert not signed_in(second)
    [event] = events("two_factor.recovery_code_used")
    assert event.actor_id == officer.id and event.after == {"recovery_codes_left": 9}
    assert "9 unused recovery codes" in page(first.get("/account"))


# --- turning it off, and the roles that must have it ---------------------------------------------------------------

def test_an_officer_can_turn_it_off_with_a_current_code(app, officer):
    enrolled_officer(app, officer)
    client = app.test_client()
    sign_in(client, OFFICER)

    assert post_code(client, "/account/two-factor/turn-off", "12345").status_code == 422
    assert post_code(client, "/account/two-factor/turn-off",
                     code_at(secret_of(OFFICER), two_factor.last_step_of(officer))).status_code == 302

    assert not two_factor.is_on(officer)
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0
    assert [e.actor_id for e in events("two_factor.disabled")] == [officer.id]
    assert password_step(app.test_client(), OFFICER).location.endswith("/dashboard")


def test_an_admin_must_enrol_before_anything_else(client, admin):
    answer = password_step(client, ADMIN)
    assert answer.status_code == 302

    for path in ("/dashboard", "/admin/users", "/account"):
        sent = client.get(path)
        assert sent.status_code == 302 and sent.location.endswith("/account/two-factor"), path
    assert "Your role (admin) needs a second factor" in page(client.get("/account/two-factor"))

    enrol(client)
    assert signed_in(client)
    assert client.get("/admin/users").status_code == 200
    assert client.get("/account/two-factor/turn-off").status_code == 403, "a role that needs it cannot turn it off"


def test_the_setting_decides_which_roles_must_enrol(app, admin):
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = "board"
    client = app.test_client()

    password_step(client, ADMIN)

    assert signed_in(client), "an admin need not enrol when the setting leaves admins out"


def test_a_mistyped_role_in_the_setting_stops_the_start(database_url):
    with pytest.raises(ValueError, match="adimn"):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                    "TWO_FACTOR_REQUIRED_ROLES": "adimn,board"})
