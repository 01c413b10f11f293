"""Sessions: a password change signs out every other session, but not the one that made it."""
from tests.support import PASSWORD, csrf_token, sign_in

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
    from tests.support import api_token, bearer

    make_user("olivia@camden.gov.uk", role="officer")
    token = api_token(client, "olivia@camden.gov.uk")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    laptop = app.test_client()
    sign_in(laptop, "olivia@camden.gov.uk")

    assert change_password(laptop, PASSWORD, NEW_PASSWORD).status_code == 302

    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    fresh = api_token(client, "olivia@camden.gov.uk", NEW_PASSWORD)
    assert client.get("/api/v1/me", headers=bearer(fresh)).status_code == 200
