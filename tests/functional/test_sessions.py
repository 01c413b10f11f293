"""Sessions: a password change signs out every other session, but not the one that made it."""
import re

from app.accounts.models import SignedInSession, User
from app.extensions import db
from tests.support import PASSWORD, api_token, bearer, csrf_token, sign_in

NEW_PASSWORD = "a completely different passphrase"


def change_password(client, current: str, new: str):
    token = csrf_token(client, "/account")
    return client.post("/account", data={"csrf_token": token, "current_password": current,
                                         "new_password": new, "confirm": new})


def test_changing_the_password_signs_out_other_sessions_only(app, make_user):
    make_user("olivia@camden.gov.uk", role="officer")
    laptop, phone = app.test_client(), app.test_client()
    assert sign_in(laptop, "olivia@camden.gov.uk").status_code == 302
    assert sign_in(phone, "olivia@camden.gov.uk").status_code == 302
    assert phone.get("/dashboard").status_code == 200

    assert change_password(laptop, PASSWORD, NEW_PASSWORD).status_code == 302

    assert laptop.get("/dashboard").status_code == 200
    signed_out = phone.get("/dashboard")
    assert signed_out.status_code == 302 and "/sign-in" in signed_out.location


def test_a_refused_password_change_keeps_other_sessions(app, make_user):
    make_user("olivia@camden.gov.uk", role="officer")
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, "olivia@camden.gov.uk")
    sign_in(phone, "olivia@camden.gov.uk")

    assert change_password(laptop, "not my password at all", NEW_PASSWORD).status_code == 422

    assert phone.get("/dashboard").status_code == 200


def test_changing_the_password_revokes_the_api_tokens_issued_before(app, client, make_user):
    make_user("olivia@camden.gov.uk", role="officer")
    token = api_token(client, "olivia@camden.gov.uk")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    laptop = app.test_client()
    sign_in(laptop, "olivia@camden.gov.uk")

    assert change_password(laptop, PASSWORD, NEW_PASSWORD).status_code == 302

    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    fresh = api_token(client, "olivia@camden.gov.uk", NEW_PASSWORD)
    assert client.get("/api/v1/me", headers=bearer(fresh)).status_code == 200


def test_a_saved_session_cookie_no_longer_works_after_signing_out(app, make_user):
    make_user("olivia@camden.gov.uk", role="officer")
    browser = app.test_client()
    assert sign_in(browser, "olivia@camden.gov.uk").status_code == 302
    saved = browser.get_cookie("session").value
    token = csrf_token(browser, "/account")
    assert browser.post("/sign-out", data={"csrf_token": token}).status_code == 302

    thief = app.test_client()
    thief.set_cookie("session", saved)
    replayed = thief.get("/dashboard")
    assert replayed.status_code == 302 and "/sign-in" in replayed.location


def test_the_account_page_lists_the_sessions_and_ends_another_one(app, make_user):
    make_user("olivia@camden.gov.uk", role="officer")
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, "olivia@camden.gov.uk")
    sign_in(phone, "olivia@camden.gov.uk")
    page = laptop.get("/account").get_data(as_text=True)
    assert "Where you are signed in" in page and page.count("This session") == 1
    ids = [int(n) for n in re.findall(r"/account/sessions/(\d+)/end", page)]
    assert len(ids) == 1  # the phone's: this session is left by signing out

    ended = laptop.post(f"/account/sessions/{ids[0]}/end", data={"csrf_token": csrf_token(laptop, "/account")})
    assert ended.status_code == 302
    assert laptop.get("/dashboard").status_code == 200
    signed_out = phone.get("/dashboard")
    assert signed_out.status_code == 302 and "/sign-in" in signed_out.location


def test_nobody_ends_another_person_s_session(app, make_user):
    make_user("olivia@camden.gov.uk", role="officer")
    make_user("oscar@camden.gov.uk", role="officer")
    olivia, oscar = app.test_client(), app.test_client()
    sign_in(olivia, "olivia@camden.gov.uk")
    sign_in(oscar, "oscar@camden.gov.uk")
    olivias = db.session.scalars(db.select(SignedInSession.id).join(User, User.id == SignedInSession.user_id)
                                 .where(User.email == "olivia@camden.gov.uk")).all()
    oscar.post(f"/account/sessions/{olivias[0]}/end", data={"csrf_token": csrf_token(oscar, "/account")})
    assert olivia.get("/dashboard").status_code == 200
