"""Signed-in sessions, kept on the server: the cookie carries a random key whose hash is stored here, so that signing
out ends the session for good (a saved cookie no longer works), and a person can see and end their other sessions."""
import hashlib
import hmac
import secrets
from datetime import timedelta

from app.accounts.models import SignedInSession, User
from app.audit import services as audit
from app.extensions import db
from app.types import utcnow

# How stale a session's "last seen" may get before a request writes it again.
LAST_SEEN_EVERY = timedelta(minutes=5)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def start(user: User, user_agent: str, address: str) -> str:
    """A new session for a user who has just signed in; returns its key, for the cookie. Commits."""
    key = secrets.token_urlsafe(32)
    record = SignedInSession(user_id=user.id, key_hash=_digest(key), user_agent=(user_agent or "")[:200],
                             address=(address or "")[:45])
    db.session.add(record)  # a sign-in is not an audited event (last_sign_in_at says when); ending another one is
    db.session.commit()
    user.session_key = key
    return key


def resume(session_id: str) -> User | None:
    """The user a session cookie stands for, if its password fingerprint still matches and its session goes on."""
    user_id, _, rest = session_id.partition(":")
    fingerprint, _, key = rest.partition(":")
    if not user_id.isdigit() or not key:
        return None
    # One query, on every signed-in request: the user (and its organisation) with the session.
    found = db.session.execute(
        db.select(User, SignedInSession).join(SignedInSession, SignedInSession.user_id == User.id)
        .where(User.id == int(user_id), SignedInSession.key_hash == _digest(key))).first()
    if found is None:
        return None
    user, record = found
    if not hmac.compare_digest(user.session_fingerprint(), fingerprint):
        return None  # the password changed since this session began
    if record.ended_at is not None:
        return None
    now = utcnow()
    if now - record.last_seen_at > LAST_SEEN_EVERY:
        record.last_seen_at = now
        db.session.commit()
    user.session_key = key
    return user


def user(user_id) -> User | None:
    return db.session.get(User, user_id) if isinstance(user_id, int) else None


def current(user: User) -> SignedInSession | None:
    if not user.session_key:
        return None
    return db.session.scalar(db.select(SignedInSession).where(SignedInSession.key_hash == _digest(user.session_key)))


def active_for(user: User) -> list[SignedInSession]:
    return list(db.session.scalars(db.select(SignedInSession).where(
        SignedInSession.user_id == user.id, SignedInSession.ended_at.is_(None))
        .order_by(SignedInSession.last_seen_at.desc())))


def end(user: User, session_id: int, *, audited: bool = True) -> bool:
    """End one of the user's own sessions: another from the account page (audited), or the current one at sign-out
    (`audited=False`, as signing in is not). Commits. Returns whether there was one to end."""
    record = db.session.get(SignedInSession, session_id)
    if record is None or record.user_id != user.id or record.ended_at is not None:
        return False
    record.ended_at = utcnow()
    if audited:
        audit.record("session.ended", record, actor=user)
    db.session.commit()
    return True


def end_others(user: User, *, reason: str = "password changed") -> int:
    """End every session of the user but this one, within the caller's transaction; how many were ended."""
    return _end_every(user, reason, keep=_digest(user.session_key) if user.session_key else "")


def end_all(user: User, *, reason: str) -> int:
    """End every session of the user, this one too, within the caller's transaction; how many were ended."""
    return _end_every(user, reason, keep="")


def _end_every(user: User, reason: str, *, keep: str) -> int:
    others = list(db.session.scalars(db.select(SignedInSession).where(
        SignedInSession.user_id == user.id, SignedInSession.ended_at.is_(None), SignedInSession.key_hash != keep)))
    now = utcnow()
    for record in others:
        record.ended_at = now
        audit.record("session.ended", record, actor=user, after={"reason": reason})
    return len(others)
