"""E-mail leaves the request: kept with its change, sent after the commit through the task queue, retried, swept."""
from datetime import timedelta

import pytest
from sqlalchemy import update

from app import outbox
from app.domain.roles import OrganisationKind
from app.extensions import db
from app.organisations import services as organisations
from app.outbox import OutgoingMail
from app.tasking import huey
from app.types import utcnow


@pytest.fixture
def queue(app):
    """The consumer's way (as on a server): after the commit a task is queued, and nothing is sent here."""
    app.config["MAIL_SEND_INLINE"] = False
    huey.flush()
    yield huey
    huey.flush()


def sent(app) -> list[str]:
    return [message["Subject"] for message in app.extensions.get("mail_outbox", [])]


def a_change_with_mail(subject: str = "Hello") -> OutgoingMail:
    organisations.add(f"London Borough of {subject}", OrganisationKind.AUTHORITY)
    return outbox.send_later("eve@camden.gov.uk", subject, "Body.",
                             attachments=(("a.pdf", b"%PDF-1.7", "application/pdf"),))


def test_a_rolled_back_change_sends_nothing_and_keeps_nothing(app):
    a_change_with_mail()
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(OutgoingMail)) == 0
    assert sent(app) == []


def test_the_mail_leaves_after_the_commit_not_before(app):
    message = a_change_with_mail()
    assert sent(app) == []
    db.session.commit()
    assert sent(app) == ["Hello"]
    [delivered] = app.extensions["mail_outbox"]
    assert [part.get_filename() for part in delivered.iter_attachments()] == ["a.pdf"]
    db.session.expire_all()
    assert db.session.get(OutgoingMail, message.id).sent_at is not None


def test_on_a_server_the_commit_queues_a_task_that_the_consumer_runs_once(app, queue):
    message = a_change_with_mail()
    db.session.commit()
    assert sent(app) == [] and queue.pending_count() == 1
    queue.execute(queue.dequeue())
    assert sent(app) == ["Hello"]
    assert outbox.deliver.call_local(message.id) is False  # a second delivery of the same message sends nothing
    assert sent(app) == ["Hello"]


def test_a_refused_message_is_kept_and_tried_again_later(app, queue):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)  # nothing listens on the discard port here
    message = a_change_with_mail()
    db.session.commit()
    queue.execute(queue.dequeue())
    assert queue.scheduled_count() == 1, "Huey schedules the retry"
    db.session.expire_all()
    kept = db.session.get(OutgoingMail, message.id)
    assert kept.sent_at is None and kept.attempts == 1 and kept.last_error


def test_the_sweep_queues_again_what_was_lost_and_only_that(app, queue):
    _, done, spent = (a_change_with_mail(subject) for subject in ("Lost", "Done", "Spent"))
    db.session.commit()
    queue.flush()  # the queue lost every task (Redis restarted, say)
    long_ago = utcnow() - timedelta(minutes=10)
    db.session.execute(update(OutgoingMail).values(created_at=long_ago))
    db.session.execute(update(OutgoingMail).where(OutgoingMail.id == done.id).values(sent_at=long_ago))
    db.session.execute(update(OutgoingMail).where(OutgoingMail.id == spent.id).values(attempts=outbox.ATTEMPTS))
    db.session.commit()
    assert outbox.send_unsent_mail.call_local() == 1
    queue.execute(queue.dequeue())
    assert sent(app) == ["Lost"]
    assert outbox.send_unsent_mail.call_local() == 0
