"""The demo's admin, board and evaluator users sign in with the published demo key: `flask demo-code` gives the code."""
import pyotp
from sqlalchemy import select

from app.accounts import services as accounts
from app.accounts import two_factor
from app.audit.models import AuditEvent
from app.extensions import db
from consort import demo
from consort.demo import people
from tests.support import csrf_token


def test_the_demo_admin_signs_in_with_the_code_flask_demo_code_prints(app, runner):
    people.seed()  # the demo's people only: the frameworks are not needed here
    for user in demo.demo_users():
        found = accounts.find_by_email(user.email)
        assert two_factor.is_on(found) == (user.role.value in {"admin", "board", "evaluator"}), user.email
        assert two_factor.secret_of(found) in (None, demo.DEMO_TOTP_SECRET)
    client = app.test_client()
    client.post("/sign-in", data={"csrf_token": csrf_token(client, "/sign-in"), "email": "admin@ldpc.example",
                                  "password": demo.DEMO_PASSWORD})

    code = runner.invoke(args=["demo-code"]).stdout.strip()

    assert pyotp.TOTP(demo.DEMO_TOTP_SECRET).verify(code, valid_window=1)
    signed_in = client.post("/sign-in/code", data={"csrf_token": csrf_token(client, "/sign-in/code"), "code": code})
    assert signed_in.status_code == 302 and signed_in.location.endswith("/dashboard")
    assert client.get("/dashboard").status_code == 200


def test_seeding_again_enrols_nobody_twice(app):
    people.seed()
    enrolled = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "two_factor.enrolled")).all()
    people.seed()

    again = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "two_factor.enrolled")).all()
    assert len(enrolled) == 5 and len(again) == 5  # the admin, three board members and the evaluator
