"""Helpers the tests share: signing in through the real forms (with a second factor's code, computed as an
authenticator app would), getting API tokens, writing past the audit log's triggers as the database's owner could."""
import re
import time
from contextlib import contextmanager

import pyotp
from sqlalchemy import event

from app.accounts import services as accounts
from app.accounts import two_factor
from app.accounts.models import TwoFactorCredential
from app.extensions import db
from app.types import utcnow

PASSWORD = "correct horse battery staple"


def csrf_token(client, path: str) -> str:
    """The CSRF token of the form on a page, as a browser would read it."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def date_input(name: str, value) -> dict[str, str]:
    """What a person types into a GOV.UK date input for `value` (a date, or a deadline's London wall-clock time, as
    either objects or ISO text like "2027-07-01" and "2027-07-01T12:00"): the day, month, year (hour, minute)."""
    text = value if isinstance(value, str) else value.isoformat()
    day, _, time = text.partition("T")
    year, month, day_of_month = day.split("-")
    parts = {"day": str(int(day_of_month)), "month": str(int(month)), "year": year}
    if time:
        parts |= dict(zip(("hour", "minute"), time.split(":")[:2], strict=True))
    return {f"{name}-{part}": typed for part, typed in parts.items()}


# The recovery codes shown at each enrolment the helpers made, by secret: for when a test signs one user in more
# often than pyotp's window has fresh codes (three per 30 seconds, as a code is never accepted twice).
_RECOVERY_CODES: dict[str, list[str]] = {}


def sign_in(client, email: str, password: str = PASSWORD):
    """Sign in through the form, then, as a person would, give the code from the app or set up the second factor
    that the user's role needs. The answer to the password step (a redirect when it was right)."""
    token = csrf_token(client, "/sign-in")
    response = client.post("/sign-in", data={"csrf_token": token, "email": email, "password": password})
    if response.status_code == 302 and response.location.endswith("/sign-in/code"):
        given = give_code(client, email)
        assert given.status_code == 302, given.get_data(as_text=True)
        return given
    if response.status_code == 302 and two_factor.must_enrol(accounts.find_by_email(email)):
        enrol(client)
    return response


def give_code(client, email: str, code: str | None = None):
    """The second step of signing in, with `code` or one the server will accept now."""
    code = code or totp_code(email)
    return client.post("/sign-in/code", data={"csrf_token": csrf_token(client, "/sign-in/code"), "code": code})


def enrol(client) -> list[str]:
    """Set up two-factor sign-in from the page, with the key it shows for typing in; the recovery codes shown."""
    page = client.get("/account/two-factor").get_data(as_text=True)
    match = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', page)
    assert match, "no key to type in on the set-up page"
    secret = match.group(1).replace(" ", "")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/account/two-factor", data={"csrf_token": token, "code": code_at(secret, None)})
    assert response.status_code == 200, response.get_data(as_text=True)
    codes = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", response.get_data(as_text=True))
    assert len(codes) == 10, "the recovery codes are not shown"
    _RECOVERY_CODES[secret] = codes
    return codes


STEP_MARGIN_SECONDS = 2  # time enough for a code to reach the server even on a busy machine


def code_at(secret: str, last_step: int | None) -> str | None:
    """The code of the first step of pyotp's window (one step each side of now) after `last_step`, if any. Within the
    last seconds of a step it first waits for the next one: the step before, if sent then, could be out of the server's
    window by the time it arrives."""
    totp = pyotp.TOTP(secret)
    left = totp.interval - utcnow().timestamp() % totp.interval
    if left < STEP_MARGIN_SECONDS:
        time.sleep(left + 0.05)
    now = totp.timecode(utcnow())
    for step in (now - 1, now, now + 1):
        if last_step is None or step > last_step:
            return totp.generate_otp(step)
    return None


def totp_code(email: str) -> str:
    """A code the server will accept now for this enrolled user, computed as their authenticator app would; once the
    window's codes are all used, one of their recovery codes."""
    user = accounts.find_by_email(email)
    secret = two_factor.secret_of(user)
    assert secret, f"{email} has no second factor"
    last_step = db.session.scalar(db.select(TwoFactorCredential.last_step).where(
        TwoFactorCredential.user_id == user.id))
    code = code_at(secret, last_step)
    if code is None:
        assert _RECOVERY_CODES.get(secret), f"no fresh code for {email}, and no recovery code left"
        code = _RECOVERY_CODES[secret].pop()
    return code


def api_token(client, email: str, password: str = PASSWORD) -> str:
    """A bearer token, with the code of the user's second factor when they need one (set up first if need be)."""
    body = {"email": email, "password": password}
    user = accounts.find_by_email(email)
    if user is not None and two_factor.must_enrol(user):
        assert sign_in(client.application.test_client(), email, password).status_code == 302
    if user is not None and two_factor.is_on(user):
        body["otp"] = totp_code(email)
    response = client.post("/api/v1/tokens", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def client_from(app, address: str):
    """A test client whose requests come from another client address (the suite's own come from 127.0.0.1)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def data_sharing_accepted(organisation_id: int) -> None:
    """The authority has accepted the current data-sharing agreement (version 1, made if there is none), as the
    fixtures of every test that pools requirements need. Written directly, as a fixture's set-up, so that it adds
    no audit events to the tests that count them."""
    from datetime import date

    from frameworks.sharing import services as sharing
    from frameworks.sharing.models import AgreementAcceptance, DataSharingAgreement

    agreement = sharing.current()
    if agreement is None:
        agreement = DataSharingAgreement(
            version=1, title="Consortium data-sharing agreement", text="The authorities share their requirements.",
            purpose="Joint procurement.", data_shared="Requirements, quantities, estimated prices, spend, savings.",
            lawful_basis="Public task.", recipients="The consortium and the framework's authorities.",
            review_on=date(2099, 1, 1))
        db.session.add(agreement)
    if sharing.acceptance_in_force(organisation_id, agreement.id) is None:
        db.session.add(AgreementAcceptance(agreement=agreement, organisation_id=organisation_id,
                                           officer_name="Fixture officer", position="Head of procurement"))
    db.session.commit()




@contextmanager
def audit_triggers_off():
    """The current transaction's connection, with the audit tables' append-only triggers out of the way: what the
    suite's cleaning needs, and what an insider who owns the database could do (PostgreSQL: a superuser's
    session_replication_role; SQLite: dropping the triggers, put back after)."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        yield connection
        connection.exec_driver_sql("SET LOCAL session_replication_role = origin")
        return
    triggers = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'audit%'").all()
    for name, _ in triggers:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield connection
    for _, sql in triggers:
        connection.exec_driver_sql(sql)


@contextmanager
def counting_queries():
    """Count the SQL statements sent while the block runs: {"n": how many}."""
    count = {"n": 0}

    def count_one(*args):
        count["n"] += 1

    event.listen(db.engine, "before_cursor_execute", count_one)
    try:
        yield count
    finally:
        event.remove(db.engine, "before_cursor_execute", count_one)
