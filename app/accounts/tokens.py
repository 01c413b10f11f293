"""API bearer tokens: issued for a password, expiring, revocable. Only their hash is stored."""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app

from app.accounts import services as accounts
from app.accounts import two_factor
from app.accounts.models import ApiToken, User
from app.audit import services as audit
from app.extensions import db
from app.types import utcnow


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue(email: str, password: str, otp: str | None = None) -> tuple[ApiToken, str]:
    """A new token for these credentials (and the second factor's code, when the user has one), and its secret
    value (shown once). Commits."""
    user = accounts.authenticate(email, password)
    two_factor.check_for_token(user, otp)
    raw = "cst_" + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(user=user, token_hash=digest(raw), created_at=now,
                     expires_at=now + timedelta(hours=current_app.config["API_TOKEN_HOURS"]))
    db.session.add(token)
    audit.record("api_token.issued", token, actor=user, after={"expires_at": token.expires_at.isoformat()})
    db.session.commit()
    return token, raw


def user_for(raw: str) -> tuple[User, ApiToken] | None:
    """The user a presented token stands for, if it is known, unexpired and not revoked."""
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.token_hash == digest(raw)))
    if token is None or not token.is_usable(utcnow()) or not token.user.active:
        return None
    return token.user, token


def revoke(token: ApiToken, *, actor: User) -> None:
    """Revoke a token so it is refused from now on. Commits."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("api_token.revoked", token, actor=actor)
        db.session.commit()


def active_for(user: User) -> list[ApiToken]:
    return list(db.session.scalars(
        db.select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > utcnow())
        .order_by(ApiToken.created_at.desc())
    ))


def get_own(user: User, token_id: int) -> ApiToken | None:
    token = db.session.get(ApiToken, token_id)
    return token if token is not None and token.user_id == user.id else None
