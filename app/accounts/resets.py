"""Resetting a forgotten password by e-mail: a link that works once, for PASSWORD_RESET_MINUTES.

Asking for one answers alike whether or not the address has an account, so the form tells nobody who is on Consort;
and on a server it does the same work for any address: the request only queues one task with the address, and the
task consumer looks it up and, for an active account, stores the link, audits it and e-mails it (so no difference in
time shows in the answer). Only the SHA-256 of a link's token is stored.
"""
import secrets
from datetime import datetime, timedelta

from flask import current_app

from app import outbox, throttle
from app.accounts import services as accounts
from app.accounts.models import PasswordReset, User
from app.accounts.tokens import digest
from app.audit import services as audit
from app.domain.errors import NotFound
from app.domain.identity import normalise_email
from app.extensions import db
from app.links import public_url
from app.tasking import huey, task_context
from app.templating import london_time
from app.types import utcnow

# A token is 43 characters; anything much longer is not one, and is not worth hashing.
_LONGEST_TOKEN = 128
UNKNOWN_LINK = "This link to reset a password is not valid. Check you copied the whole link from the e-mail."


def lifetime() -> str:
    """How long a link works, as the pages and the e-mail say it: "one hour", "30 minutes", "2 hours"."""
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    if minutes == 60:
        return "one hour"
    if minutes % 60 == 0:
        return f"{minutes // 60} hours"
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def request_link(email: str, now: datetime | None = None) -> None:
    """Ask for a reset link to be e-mailed to this address: the same work whatever the address, one task queued for
    the consumer (with MAIL_SEND_INLINE, as the suite runs, the link is issued here and now instead)."""
    email, now = normalise_email(email or ""), now or utcnow()
    if current_app.config.get("MAIL_SEND_INLINE"):
        issue_link(email, now)
    else:
        issue_link_in_consumer(email, now)


@huey.task()
def issue_link_in_consumer(email: str, requested_at: datetime) -> None:
    """The consumer issues the link that a request asked for."""
    with task_context():
        issue_link(email, requested_at)


def issue_link(email: str, now: datetime) -> None:
    """E-mail a reset link (after the commit) if an active account uses this address, replacing any earlier link
    of its. The user's row is locked first, so that two requests at once leave one live link. Audited for an account
    only: an unknown address is neither stored nor logged. Commits."""
    raw = secrets.token_urlsafe(32)
    token_hash = digest(raw)
    expires_at = now + timedelta(minutes=current_app.config["PASSWORD_RESET_MINUTES"])
    user = db.session.scalar(db.select(User).where(User.email == normalise_email(email)).with_for_update(of=User)
                             .execution_options(populate_existing=True))
    if user is None:
        db.session.rollback()  # the lock, where one was taken, ends here
        return
    if not user.active:
        audit.record("user.password_reset_requested", user, after={"link_sent": False, "reason": "deactivated"})
        db.session.commit()
        return
    _replace_earlier_links(user, now)
    reset = PasswordReset(user=user, token_hash=token_hash, created_at=now, expires_at=expires_at)
    db.session.add(reset)
    db.session.flush()
    audit.record("user.password_reset_requested", user,
                 after={"link_sent": True, "password_reset_id": reset.id, "expires_at": expires_at.isoformat()})
    link = public_url("accounts.reset_password", token=raw)
    outbox.send_later(user.email, "Reset your Consort password", _email_text(link, expires_at))
    db.session.commit()


def _email_text(link: str, expires_at: datetime) -> str:
    return (
        "Someone, we hope you, asked to reset the password of your Consort account.\n\n"
        f"Choose a new password here:\n{link}\n\n"
        f"The link works once, until {london_time(expires_at)} ({lifetime()}). Resetting the password signs you "
        "out everywhere and revokes your API tokens.\n\n"
        "If you did not ask, you can ignore this message: your password stays as it is.\n"
    )


def _replace_earlier_links(user: User, now: datetime) -> None:
    """Only the newest link works: the earlier ones that were not used stop."""
    for earlier in db.session.scalars(db.select(PasswordReset).where(
            PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None),
            PasswordReset.replaced_at.is_(None)).with_for_update(of=PasswordReset)):
        earlier.replaced_at = now


def find_usable(raw: str, now: datetime | None = None, *, lock: bool = False) -> PasswordReset:
    """The live reset link behind a token, or NotFound with the reason it cannot be used."""
    if not raw or len(raw) > _LONGEST_TOKEN:
        raise NotFound(UNKNOWN_LINK)
    query = db.select(PasswordReset).where(PasswordReset.token_hash == digest(raw))
    if lock:  # and read afresh, not from the session, so a link spent meanwhile is seen as spent
        query = query.with_for_update(of=PasswordReset).execution_options(populate_existing=True)
    reset = db.session.scalar(query)
    if reset is None:
        raise NotFound(UNKNOWN_LINK)
    status = reset.status(now or utcnow())
    if status == "used":
        raise NotFound("This link to reset a password has already been used. Sign in, or ask for a new link.")
    if status == "replaced":
        raise NotFound("A newer link to reset this password has been sent. Use the latest e-mail, "
                       "or ask for a new link.")
    if status == "expired":
        raise NotFound(f"This link to reset a password has expired: a link works for {lifetime()}. "
                       "Ask for a new one.")
    if not reset.user.active:
        raise NotFound("This account has been deactivated. Ask your Consort administrator.")
    return reset


def reset(raw: str, new_password: str, now: datetime | None = None) -> User:
    """Set a new password from a link and spend the link: every session of the user ends, every API token is
    revoked, and the account's failed sign-ins no longer hold anyone back. Commits."""
    now = now or utcnow()
    link = find_usable(raw, now, lock=True)  # locked: two tabs sending the form at once spend it once
    accounts.reset_password(link.user, new_password)
    link.used_at = now
    db.session.commit()
    throttle.forget_sign_in_failures(link.user.email)
    return link.user
