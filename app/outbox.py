"""E-mail that leaves the request: a message is kept in the same transaction as the change that causes it, and sent
by the task consumer once that transaction commits (never if it rolls back), retried while the server fails. A sweep
each minute sends any message whose task was lost (the queue was down at the commit, or the consumer stopped).

So a bid's receipt is never lost because SMTP was slow or down, and no request waits for a mail server.
"""
import base64
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from flask import current_app
from huey import crontab
from sqlalchemy import JSON, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from app import mail
from app.extensions import db
from app.tasking import huey, task_context
from app.types import UTCDateTime, utcnow

log = logging.getLogger("consort.mail")

ATTEMPTS = 5  # then the message is left for an operator, with its last error
RETRY_SECONDS = 60
_PENDING = "outbox_pending"


class OutgoingMail(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # [[file name, MIME type, base64 of the bytes], ...]
    attachments: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))


def send_later(to: str, subject: str, body: str,
               attachments: Sequence[tuple[str, bytes, str]] = ()) -> OutgoingMail:
    """Keep a plain-text message (with (file name, bytes, MIME type) attachments) in the current transaction; it is
    sent once the transaction commits."""
    message = OutgoingMail(to=to, subject=subject, body=body, created_at=utcnow(), attempts=0, attachments=[
        [name, mimetype, base64.b64encode(data).decode()] for name, data, mimetype in attachments])
    db.session.add(message)
    db.session.flush()
    db.session.info.setdefault(_PENDING, []).append(message.id)
    return message


@event.listens_for(Session, "after_commit")
def _dispatch_after_commit(session: Session) -> None:
    for mail_id in session.info.pop(_PENDING, ()):
        try:
            if current_app.config.get("MAIL_SEND_INLINE"):
                deliver_now(mail_id)
            else:
                deliver(mail_id)
        except Exception:  # a server or a queue that is down: the message is kept, and the sweep sends it later
            log.exception("E-mail %s is kept to be sent later", mail_id)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def deliver_now(mail_id: int) -> bool:
    """Send one kept message unless it was sent; whether it was sent now. Raises MailNotSent if the server refuses
    it (the attempt and its error are kept). Its own session, so it may run just after another one commits."""
    with Session(db.engine) as session:
        message = session.get(OutgoingMail, mail_id, with_for_update=True)
        if message is None or message.sent_at is not None:
            return False
        message.attempts += 1
        attachments = tuple((name, base64.b64decode(data), mimetype) for name, mimetype, data in message.attachments)
        try:
            mail.send(message.to, message.subject, message.body, attachments=attachments)
        except mail.MailNotSent as error:
            message.last_error = str(error)[:500]
            session.commit()
            raise
        message.sent_at, message.last_error = utcnow(), None
        session.commit()
        return True


@huey.task(retries=ATTEMPTS - 1, retry_delay=RETRY_SECONDS)
def deliver(mail_id: int) -> bool:
    """The consumer sends a kept message; a refusal raises, and Huey tries again a minute later."""
    with task_context():
        return deliver_now(mail_id)


def unsent(older_than: timedelta = timedelta(minutes=2)) -> list[int]:
    """Messages not sent after a while (their task lost, or all its tries failed) that still have tries left."""
    return list(db.session.scalars(db.select(OutgoingMail.id).where(
        OutgoingMail.sent_at.is_(None), OutgoingMail.attempts < ATTEMPTS,
        OutgoingMail.created_at < utcnow() - older_than).order_by(OutgoingMail.id).limit(500)))


@huey.periodic_task(crontab(minute="*"))
def send_unsent_mail() -> int:
    """Each minute, queue again the messages whose sending was lost; how many."""
    with task_context():
        waiting = unsent()
        db.session.rollback()
        for mail_id in waiting:
            deliver(mail_id)
        return len(waiting)
