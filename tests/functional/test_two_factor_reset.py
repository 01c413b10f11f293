"""An admin resets another user's second factor: a confirmation page, an audit event naming both, and enrolment
again at the next sign-in when the role needs it."""
import html

import pytest
from sqlalchemy import func, select

from app.accounts import two_factor
from app.accounts.models import RecoveryCode
from app.audit.models import AuditEvent
from app.extensions import db
from tests.support import PASSWORD, csrf_token, enrol, sign_in

ADMIN = "ada@ldpc.example"
EVALUATOR = "eve@islington.gov.uk"
OFFICER = "olivia@camden.gov.uk"


@pytest.fixture
def people(make_user):
    return {"admin": make_user(ADMIN, "admin", "London Digital Purchasing Consortium"),
            "evaluator": make_user(EVALUATOR, "evaluator", "London Borough of Islington"),
            "officer": make_user(OFFICER, "officer", "London Borough of Camden")}


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def signed_in_as(app, email: str):
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def reset_path(user) -> str:
    return f"/admin/users/{user.id}/two-factor/reset"


def test_an_admin_resets_an_evaluators_second_factor_after_confirming(app, people):
    evaluator = people["evaluator"]
    signed_in_as(app, EVALUATOR)  # enrols, as the role needs
    assert two_factor.is_on(evaluator)
    admin = signed_in_as(app, ADMIN)

    shown = admin.get(reset_path(evaluator))
    assert shown.status_code == 200
    assert f"Reset the second factor of {EVALUATOR}" in page(shown)
    unticked = admin.post(reset_path(evaluator), data={"csrf_token": csrf_token(admin, reset_path(evaluator))})
    assert unticked.status_code == 422 and two_factor.is_on(evaluator)

    done = admin.post(reset_path(evaluator), data={"csrf_token": csrf_token(admin, reset_path(evaluator)),
                                                   "confirm": "y"})

    assert done.status_code == 302
    assert not two_factor.is_on(evaluator)
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == evaluator.id)) == 0
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "two_factor.reset"))
    assert event.actor_id == people["admin"].id and event.object_id == str(evaluator.id)
    assert event.before == {"enrolled": True} and event.after["target_email"] == EVALUATOR

    again = app.test_client()
    answer = again.post("/sign-in", data={"csrf_token": csrf_token(again, "/sign-in"), "email": EVALUATOR,
                                          "password": PASSWORD})
    assert answer.location.endswith("/dashboard"), "the password step, and then..."
    assert again.get("/dashboard").location.endswith("/account/two-factor"), "...enrolment again"
    enrol(again)
    assert again.get("/dashboard").status_code == 200


def test_after_a_reset_an_officer_signs_in_with_the_password_alone(app, people):
    officer = signed_in_as(app, OFFICER)
    enrol(officer)
    admin = signed_in_as(app, ADMIN)
    admin.post(reset_path(people["officer"]), data={"csrf_token": csrf_token(admin, reset_path(people["officer"])),
                                                    "confirm": "y"})

    client = app.test_client()
    answer = client.post("/sign-in", data={"csrf_token": csrf_token(client, "/sign-in"), "email": OFFICER,
                                           "password": PASSWORD})

    assert answer.location.endswith("/dashboard")
    assert client.get("/dashboard").status_code == 200


def test_an_admin_cannot_reset_their_own_and_others_cannot_reset_at_all(app, people):
    admin = signed_in_as(app, ADMIN)
    own = reset_path(people["admin"])
    admin.post(own, data={"csrf_token": csrf_token(admin, own), "confirm": "y"})
    assert two_factor.is_on(people["admin"])
    assert "You cannot reset your own second factor" in page(admin.get("/admin/users"))

    evaluator = signed_in_as(app, EVALUATOR)
    assert evaluator.get(reset_path(people["officer"])).status_code == 403
    assert admin.get("/admin/users/987654/two-factor/reset").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "two_factor.reset")) == 0
