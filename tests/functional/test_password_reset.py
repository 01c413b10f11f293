"""Resetting a forgotten password by e-mail, through the real pages: the same answer for any address, a link that
works once and expires, and a reset that signs out every session and revokes every API token."""
import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts import resets
from app.accounts.models import ApiToken, PasswordReset, SignedInSession, User
from app.accounts.tokens import digest
from app.audit.models import AuditEvent
from app.domain.errors import NotFound
from app.extensions import db
from app.outbox import OutgoingMail
from tests.functional.test_page_accessibility import check_accessibility_basics
from tests.support import PASSWORD, api_token, bearer, csrf_token, sign_in

EMAIL = "olivia.carter@camden.gov.uk"
NEW_PASSWORD = "a completely different passphrase"
SENT = ("If an account uses that address, we have sent it a link to reset the password. "
        "The link works once, for one hour.")
LINK = re.compile(r"http://localhost(/reset-password/([A-Za-z0-9_-]{20,}))")


@pytest.fixture
def officer(make_user) -> int:
    return make_user(EMAIL, "officer", "London Borough of Camden").id


def page(response) -> str:
    return " ".join(html.unescape(response.get_data(as_text=True)).split())


def without_csrf(text: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "", text)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def outbox(app) -> list:
    return app.extensions.get("mail_outbox", [])


def ask(client, email: str = EMAIL):
    return client.post("/forgotten-password", data={"csrf_token": csrf_token(client, "/forgotten-password"),
                                                    "email": email})


def link_in(message) -> tuple[str, str]:
    """The path of the link in a reset e-mail, and its token."""
    match = LINK.search(message.get_body(preferencelist=("plain",)).get_content())
    assert match, "the e-mail holds the reset link"
    return match.group(1), match.group(2)


def asked_link(app, client, email: str = EMAIL) -> tuple[str, str]:
    assert ask(client, email).status_code == 200
    return link_in(outbox(app)[-1])


def choose(client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    """Send the new password to a link's page (with the session's CSRF token, as a page spent meanwhile has none)."""
    return client.post(path, data={"csrf_token": csrf_token(client, "/forgotten-password"), "password": password,
                                   "confirm": password if confirm is None else confirm})


def is_signed_in(client) -> bool:
    return client.get("/dashboard").status_code == 200


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- asking for a link ------------------------------------------------------------------------------------------

def test_the_sign_in_page_links_to_the_forgotten_password_form(client):
    sign_in_page = client.get("/sign-in").get_data(as_text=True)

    assert '<a href="/forgotten-password">Forgotten your password?</a>' in sign_in_page
    form = client.get("/forgotten-password")
    assert form.status_code == 200
    assert '<label for="email">E-mail address</label>' in form.get_data(as_text=True)


def test_known_and_unknown_addresses_get_the_same_answer_but_only_the_known_one_an_email(app, officer):
    known, unknown = app.test_client(), app.test_client()
    events_before = count(AuditEvent)

    for_known = ask(known, EMAIL)
    mails_after_known = len(outbox(app))
    for_unknown = ask(unknown, "nobody@camden.gov.uk")

    assert for_known.status_code == for_unknown.status_code == 200
    assert SENT in page(for_known)
    assert without_csrf(page(for_known)) == without_csrf(page(for_unknown))
    assert mails_after_known == 1 and len(outbox(app)) == 1, "no e-mail for the unknown address"
    [message] = outbox(app)
    assert message["To"] == EMAIL
    assert message["Subject"] == "Reset your Consort password"
    assert [m.to for m in db.session.scalars(select(OutgoingMail))] == [EMAIL]
    assert count(PasswordReset) == 1
    assert count(AuditEvent) == events_before + 1, "the unknown address is not audited"
    [requested] = events("user.password_reset_requested")
    assert requested.object_type == "User" and requested.object_id == str(officer)
    assert "@" not in str(requested.after), "the event names the user, not the address"


def test_the_address_is_matched_without_regard_to_case_or_surrounding_space(app, client, officer):
    assert ask(client, "  Olivia.Carter@CAMDEN.gov.uk ").status_code == 200

    assert [m["To"] for m in outbox(app)] == [EMAIL]


def test_a_deactivated_account_gets_the_same_answer_and_no_link(app, client, officer):
    db.session.get(User, officer).active = False
    db.session.commit()

    response = ask(client)

    assert response.status_code == 200
    assert SENT in page(response)
    assert outbox(app) == []
    assert count(PasswordReset) == 0
    [requested] = events("user.password_reset_requested")
    assert requested.after == {"link_sent": False, "reason": "deactivated"}


def test_only_the_links_hash_is_stored_and_the_email_says_how_long_it_works(app, client, officer):
    _, token = asked_link(app, client)

    stored = db.session.scalar(select(PasswordReset))
    assert stored.token_hash == digest(token)
    assert token not in str(db.session.execute(select(PasswordReset.__table__)).all())
    assert stored.expires_at - stored.created_at == timedelta(minutes=60)
    body = outbox(app)[0].get_body(preferencelist=("plain",)).get_content()
    assert "The link works once, until" in body and "(one hour)" in body


@pytest.mark.parametrize("email, message", [
    ("", "Enter your e-mail address."),
    ("not an address", "Enter an e-mail address in the right format, like name@example.org."),
])
def test_a_missing_or_malformed_address_is_a_form_error_linked_from_the_summary(app, client, email, message):
    response = ask(client, email)

    assert response.status_code == 422
    assert f'<a href="#email">{message}</a>' in page(response)
    assert 'aria-invalid="true"' in page(response)
    assert outbox(app) == []


def test_asking_without_a_csrf_token_is_refused_and_sends_nothing(app, client, officer):
    client.get("/forgotten-password")

    response = client.post("/forgotten-password", data={"email": EMAIL})

    assert response.status_code == 400
    assert outbox(app) == [] and count(PasswordReset) == 0


# --- using the link ---------------------------------------------------------------------------------------------

def test_the_link_sets_a_new_password_once_and_the_old_one_stops_working(app, client, officer):
    path, _ = asked_link(app, client)

    form = client.get(path)
    assert form.status_code == 200
    assert form.headers["Referrer-Policy"] == "no-referrer" and form.headers["Cache-Control"] == "no-store"
    assert '<label for="password">New password</label>' in form.get_data(as_text=True)

    done = choose(client, path)
    assert done.status_code == 302 and done.headers["Location"] == "/sign-in"
    assert "Your password has been reset, and you are signed out everywhere." in page(client.get("/sign-in"))

    assert sign_in(app.test_client(), EMAIL, PASSWORD).status_code == 422
    assert sign_in(client, EMAIL, NEW_PASSWORD).status_code == 302

    again = app.test_client()
    for answer in (again.get(path), choose(again, path, "yet another long passphrase")):
        assert answer.status_code == 404
        assert "has already been used" in page(answer)
        assert '<a href="/forgotten-password">Ask for a new link' in page(answer)
    assert sign_in(app.test_client(), EMAIL, NEW_PASSWORD).status_code == 302
    reset = db.session.scalar(select(PasswordReset))
    assert reset.used_at is not None
    [audited] = events("user.password_reset")
    assert audited.object_id == str(officer) and audited.actor_id == officer


def test_a_reset_ends_every_session_and_revokes_every_api_token(app, officer):
    laptop, phone, script = app.test_client(), app.test_client(), app.test_client()
    assert sign_in(laptop, EMAIL).status_code == 302
    assert sign_in(phone, EMAIL).status_code == 302
    saved_cookie = phone.get_cookie("session").value
    token = api_token(script, EMAIL)
    assert script.get("/api/v1/me", headers=bearer(token)).status_code == 200
    stranger = app.test_client()
    path, _ = asked_link(app, stranger)

    assert choose(stranger, path).status_code == 302

    assert not is_signed_in(laptop) and not is_signed_in(phone)
    replayed = app.test_client()
    replayed.set_cookie("session", saved_cookie)
    assert not is_signed_in(replayed)
    refused = script.get("/api/v1/me", headers=bearer(token))
    assert refused.status_code == 401
    assert db.session.scalar(select(func.count()).select_from(SignedInSession).where(
        SignedInSession.ended_at.is_(None))) == 0
    assert all(t.revoked_at is not None for t in db.session.scalars(select(ApiToken)))
    assert {e.after["reason"] for e in events("session.ended") + events("api_token.revoked")} == {"password reset"}
    fresh = api_token(script, EMAIL, NEW_PASSWORD)
    assert script.get("/api/v1/me", headers=bearer(fresh)).status_code == 200


def test_a_reset_from_a_browser_signed_in_as_that_user_signs_it_out_too(app, client, officer):
    assert sign_in(client, EMAIL).status_code == 302
    path, _ = asked_link(app, client)

    assert choose(client, path).status_code == 302

    assert not is_signed_in(client)
    assert sign_in(client, EMAIL, NEW_PASSWORD).status_code == 302


def test_a_reset_lets_an_address_held_back_by_its_own_failures_sign_in_at_once(app, client, officer):
    app.config["RATE_LIMIT_SIGN_IN_FAILURES_PER_ACCOUNT"] = "3 per 15 minutes"
    for _ in range(3):
        sign_in(client, EMAIL, "not the right password at all")
    assert sign_in(client, EMAIL).status_code == 429
    path, _ = asked_link(app, client)

    assert choose(client, path).status_code == 302

    assert sign_in(client, EMAIL, NEW_PASSWORD).status_code == 302


def test_the_link_expires_after_the_configured_minutes(app, client, officer):
    app.config["PASSWORD_RESET_MINUTES"] = 30
    path, token = asked_link(app, client)
    reset = db.session.scalar(select(PasswordReset))
    assert reset.expires_at - reset.created_at == timedelta(minutes=30)
    assert "(30 minutes)" in outbox(app)[0].get_body(preferencelist=("plain",)).get_content()

    assert resets.find_usable(token, now=reset.created_at + timedelta(minutes=29, seconds=59)) == reset
    with pytest.raises(NotFound, match="expired"):
        resets.find_usable(token, now=reset.created_at + timedelta(minutes=30))

    # as if the link had been e-mailed 31 minutes ago
    reset.created_at -= timedelta(minutes=31)
    reset.expires_at -= timedelta(minutes=31)
    db.session.commit()
    for answer in (client.get(path), choose(client, path)):
        assert answer.status_code == 404
        assert "has expired: a link works for 30 minutes. Ask for a new one." in page(answer)
    assert sign_in(app.test_client(), EMAIL, PASSWORD).status_code == 302


def test_a_newer_link_replaces_the_older_one(app, client, officer):
    older, _ = asked_link(app, client)
    newer, _ = asked_link(app, client)

    refused = client.get(older)
    assert refused.status_code == 404
    assert "A newer link to reset this password has been sent" in page(refused)
    assert choose(client, older).status_code == 404
    assert choose(client, newer).status_code == 302
    assert sign_in(client, EMAIL, NEW_PASSWORD).status_code == 302


def test_a_link_spent_by_another_request_meanwhile_is_seen_as_spent(app, client, officer):
    path, token = asked_link(app, client)
    held = resets.find_usable(token)  # this session now holds the link, unspent
    assert held.used_at is None

    assert choose(app.test_client(), path).status_code == 302  # another tab, another session, spends it

    with pytest.raises(NotFound, match="already been used"):
        resets.reset(token, "yet another long passphrase")
    db.session.rollback()
    assert sign_in(app.test_client(), EMAIL, NEW_PASSWORD).status_code == 302


# --- bad input --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("password, confirm, field, message", [
    (NEW_PASSWORD, NEW_PASSWORD + "!", "confirm", "The two passwords do not match."),
    ("too short", "too short", "password", "Use a password of 12 to 256 characters."),
    ("", "", "password", "Choose a password."),
    ("a" * 257, "a" * 257, "password", "Use a password of 12 to 256 characters."),
    ("aaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaa", "password", "Use a password with more than a few different characters."),
    (EMAIL.upper(), EMAIL.upper(), "password", "Do not use your e-mail address as your password."),
], ids=["mismatched", "short", "empty", "too-long", "few-characters", "the-address"])
def test_a_refused_password_is_a_form_error_and_leaves_the_link_and_the_password_as_they_were(
        app, client, officer, password, confirm, field, message):
    path, _ = asked_link(app, client)

    response = choose(client, path, password, confirm)

    assert response.status_code == 422
    text = page(response)
    assert "<title>Error: Choose a new password" in text
    assert f'<a href="#{field}">{message}</a>' in text
    assert f'id="{field}-error"' in text
    assert db.session.scalar(select(PasswordReset)).used_at is None
    assert sign_in(app.test_client(), EMAIL, PASSWORD).status_code == 302
    assert choose(client, path).status_code == 302, "the link still works"


def test_the_new_password_without_a_csrf_token_is_refused_and_changes_nothing(app, client, officer):
    path, _ = asked_link(app, client)
    client.get(path)

    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert response.status_code == 400
    assert db.session.scalar(select(PasswordReset)).used_at is None
    assert sign_in(app.test_client(), EMAIL, PASSWORD).status_code == 302


def _mangled(token: str) -> list[str]:
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    return [flipped, token[:-1], token + "x", token.upper() if token.upper() != token else token.lower()]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_mangled_token_is_a_404_page_that_offers_a_new_link(app, client, officer, method):
    _, token = asked_link(app, client)
    for wrong in _mangled(token):
        response = client.open(f"/reset-password/{wrong}", method=method,
                               data={"csrf_token": csrf_token(client, "/forgotten-password"),
                                     "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        assert response.status_code == 404, wrong
        assert "This link to reset a password is not valid." in page(response)
        assert '<a href="/forgotten-password">Ask for a new link' in page(response)
    assert sign_in(app.test_client(), EMAIL, PASSWORD).status_code == 302


@pytest.mark.parametrize("token", [
    "x" * 10_000, "A" * 129, "%00", "%FF%FE", "caf%C3%A9", "..", "%20", "'%3B--", "%E2%80%AE",
], ids=["very-long", "just-too-long", "nul", "bad-utf-8", "accented", "dots", "space", "quote", "bidi"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_odd_tokens_answer_404_never_500(client, officer, token, method):
    response = client.open(f"/reset-password/{token}", method=method,
                           data={"csrf_token": csrf_token(client, "/forgotten-password"),
                                 "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert response.status_code == 404
    assert "Ask for a new link" in page(response)


def test_a_token_with_a_slash_is_no_reset_page_at_all(client):
    assert client.get("/reset-password/a%2F..%2Fsign-in").status_code == 404


def test_the_service_refuses_an_empty_or_unknown_token(app):
    for raw in ("", "nothing-like-a-token"):
        with pytest.raises(NotFound):
            resets.find_usable(raw)


# --- accessibility ----------------------------------------------------------------------------------------------

def test_the_pages_have_a_skip_link_landmarks_and_labelled_fields(app, client, officer):
    path, _ = asked_link(app, client)
    for response in (client.get("/forgotten-password"), ask(client, "nobody@camden.gov.uk"), client.get(path),
                     choose(client, path, "short", "other"), client.get("/reset-password/not-a-token")):
        assert response.status_code in {200, 404, 422}
        check_accessibility_basics(response)
