"""Helpers the tests share: signing in through the real forms, getting API tokens, writing past the audit log's
triggers as the database's owner could."""
import re
from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db

PASSWORD = "correct horse battery staple"


def csrf_token(client, path: str) -> str:
    """The CSRF token of the form on a page, as a browser would read it."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client, email: str, password: str = PASSWORD):
    token = csrf_token(client, "/sign-in")
    return client.post("/sign-in", data={"csrf_token": token, "email": email, "password": password})


def api_token(client, email: str, password: str = PASSWORD) -> str:
    response = client.post("/api/v1/tokens", json={"email": email, "password": password})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


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
