"""Asking for a password reset link: on a server the request does the same work for a known and an unknown address
(one task queued, nothing read or written), and the consumer does the rest; two requests at the same instant for one
account leave one live link (its user's row is locked first, on PostgreSQL)."""
import threading
from datetime import timedelta

import pytest

from app.accounts import resets
from app.accounts.models import PasswordReset
from app.extensions import db
from app.tasking import huey
from app.types import utcnow
from consort import create_app
from tests.support import counting_queries, csrf_token

EMAIL = "olivia@camden.gov.uk"


@pytest.fixture
def officer(make_user):
    return make_user(EMAIL, "officer", "London Borough of Camden")


@pytest.fixture
def queue(app):
    """The consumer's way, as on a server: the request queues a task, and nothing more happens here."""
    app.config["MAIL_SEND_INLINE"] = False
    huey.flush()
    yield huey
    huey.flush()


def queries_to_ask(app, email: str) -> int:
    client = app.test_client()
    token = csrf_token(client, "/forgotten-password")
    with counting_queries() as count:
        response = client.post("/forgotten-password", data={"csrf_token": token, "email": email})
    assert response.status_code == 200
    return count["n"]


def links() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(PasswordReset))


def test_a_known_and_an_unknown_address_take_the_same_queries_and_queue_the_same_task(app, officer, queue):
    known = queries_to_ask(app, EMAIL)
    unknown = queries_to_ask(app, "nobody@camden.gov.uk")

    assert known == unknown
    assert queue.pending_count() == 2, "one task each, whatever the address"
    assert links() == 0 and app.extensions.get("mail_outbox", []) == [], "nothing is done in the request"

    # The consumer does the work: a link and an e-mail for the account, nothing for the unknown address.
    app.config["MAIL_SEND_INLINE"] = True  # so that the e-mail it keeps is sent here, where the test can read it
    while queue.pending_count():
        queue.execute(queue.dequeue())
    assert links() == 1
    assert [message["To"] for message in app.extensions["mail_outbox"]] == [EMAIL]


def test_the_control_issuing_the_link_in_the_request_would_show_in_the_queries(app, officer):
    """MAIL_SEND_INLINE (the suite's way) issues the link in the request: then a known address costs more, which is
    what the test above would catch."""
    assert app.config["MAIL_SEND_INLINE"]
    assert queries_to_ask(app, EMAIL) > queries_to_ask(app, "nobody@camden.gov.uk")


def test_a_link_expires_counting_from_the_request_not_from_when_the_consumer_got_to_it(app, officer, queue):
    asked_at = utcnow() - timedelta(minutes=10)
    resets.request_link(EMAIL, asked_at)
    queue.execute(queue.dequeue())

    link = db.session.scalar(db.select(PasswordReset))
    assert link.created_at == asked_at
    assert link.expires_at == asked_at + timedelta(minutes=app.config["PASSWORD_RESET_MINUTES"])


def test_two_requests_at_the_same_instant_leave_one_live_link(app, database_url, officer):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one writer at a time: the race needs PostgreSQL's row locks")
    barrier, errors = threading.Barrier(2), []

    # The apps are made here, one after another: Werkzeug compiles the URL rules with ast.parse, which CPython 3.11
    # does not always survive in several threads at once ("AST constructor recursion depth mismatch").
    workers = [create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True, "SECRET_KEY": "t",
                           "MAIL_SEND_INLINE": True, "PUBLIC_BASE_URL": "http://localhost"}) for _ in range(2)]

    def ask(worker):
        with worker.app_context(), worker.test_request_context():
            try:
                barrier.wait()
                resets.issue_link(EMAIL, utcnow())
            except Exception as error:  # collected and asserted below
                errors.append(error)
            finally:
                db.session.remove()
                db.engine.dispose()

    threads = [threading.Thread(target=ask, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    db.session.expire_all()
    found = db.session.scalars(db.select(PasswordReset)).all()
    assert len(found) == 2
    assert sum(link.status(utcnow()) == "usable" for link in found) == 1
