"""Two-factor sign-in (TOTP): enrolment, checking a code or a recovery code, turning it off, an admin's reset.

The TOTP secret is kept in the database encrypted with Fernet (AES-128-CBC and HMAC-SHA256) under TWO_FACTOR_KEYS,
which come from the environment: a copy of the database alone gives no one a user's codes. Recovery codes are kept
as their SHA-256 only."""
from dataclasses import dataclass
from datetime import datetime

import segno
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

from app.accounts.models import RecoveryCode, TwoFactorCredential, User
from app.audit import services as audit
from app.domain import two_factor as rules
from app.domain.errors import Forbidden, NotSignedIn, OtpRequired, ValidationFailed
from app.extensions import db
from app.types import utcnow

WRONG_CODE = "That code is not right, or it has been used already. Enter the latest code from your app."


@dataclass(frozen=True)
class Enrolment:
    """What a person needs to add Consort to an authenticator app."""

    secret: str
    uri: str
    qr_svg: str

    @property
    def secret_grouped(self) -> str:
        return rules.grouped(self.secret)


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in current_app.config["TWO_FACTOR_KEYS"]])


def _encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def _decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:  # a key was dropped from TWO_FACTOR_KEYS while secrets still need it
        raise RuntimeError("A two-factor secret cannot be decrypted with TWO_FACTOR_KEYS.") from error


def required_roles():
    return rules.required_roles(current_app.config["TWO_FACTOR_REQUIRED_ROLES"])


def is_required(user: User) -> bool:
    """Whether the user's role must sign in with a second factor."""
    return user.role in required_roles()


def _credential(user: User, *, lock: bool = False) -> TwoFactorCredential | None:
    query = db.select(TwoFactorCredential).where(TwoFactorCredential.user_id == user.id).execution_options(
        populate_existing=True)
    if lock:
        query = query.with_for_update()
    return db.session.scalar(query)


def enabled_since(user: User) -> datetime | None:
    """When the user's two-factor sign-in was confirmed; None when it is off."""
    credential = _credential(user)
    return credential.confirmed_at if credential else None


def is_on(user: User) -> bool:
    return enabled_since(user) is not None


def must_enrol(user: User) -> bool:
    """A user whose role needs a second factor and who has none yet: they may do nothing before enrolling."""
    return is_required(user) and not is_on(user)


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def qr_svg(uri: str) -> str:
    """The QR code of an otpauth:// address as inline SVG (no image to fetch, no script)."""
    return segno.make(uri, error="m").svg_inline(scale=5, title="QR code for your authenticator app",
                                                 dark="#000", light="#fff")


def start_enrolment(user: User) -> Enrolment:
    """A secret for the user to add to their app, kept unconfirmed until a first code proves it is there. Commits.

    Reloading the page shows the same secret, so an app set up from it keeps working."""
    credential = _credential(user)
    if credential is not None and credential.confirmed_at is not None:
        raise ValidationFailed("Two-factor sign-in is already on for your account.")
    if credential is None:
        credential = TwoFactorCredential(user_id=user.id, secret_encrypted=_encrypt(rules.new_secret()))
        db.session.add(credential)
        db.session.commit()
    secret = _decrypt(credential.secret_encrypted)
    uri = rules.provisioning_uri(secret, user.email)
    return Enrolment(secret=secret, uri=uri, qr_svg=qr_svg(uri))


def confirm(user: User, code: str, now: datetime | None = None) -> list[str]:
    """Turn two-factor sign-in on with a first valid code; the ten recovery codes, to be shown once. Commits."""
    credential = _credential(user, lock=True)
    if credential is None or credential.confirmed_at is not None:
        raise ValidationFailed("Start again: open the page to set up two-factor sign-in.")
    step = rules.matching_step(_decrypt(credential.secret_encrypted), code, now or utcnow(), credential.last_step)
    if step is None:
        raise ValidationFailed(WRONG_CODE, {"code": WRONG_CODE})
    credential.confirmed_at, credential.last_step = utcnow(), step
    codes = _replace_recovery_codes(user)
    audit.record("two_factor.enrolled", user, actor=user, object_type="User")
    db.session.commit()
    return codes


def enrol_with_secret(user: User, secret: str) -> None:
    """Turn two-factor sign-in on with a secret known beforehand (the demo's users, whose secret is published with
    their password), without recovery codes. Within the caller's transaction."""
    if _credential(user) is not None:
        return
    db.session.add(TwoFactorCredential(user_id=user.id, secret_encrypted=_encrypt(secret), confirmed_at=utcnow()))
    audit.record("two_factor.enrolled", user, object_type="User", after={"by": "operator"})


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = rules.new_recovery_codes()
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=rules.recovery_code_hash(c)) for c in codes)
    return codes


def check(user: User, code: str | None, now: datetime | None = None) -> str:
    """The second step of signing in: a TOTP code not used before, or an unused recovery code (then spent).
    Raises NotSignedIn when it is wrong. Returns "totp" or "recovery". Commits."""
    credential = _credential(user, lock=True)  # the lock: two requests with one code cannot both be accepted
    if credential is None or credential.confirmed_at is None:
        raise NotSignedIn("Two-factor sign-in is not on for this account.")
    code = code or ""
    step = rules.matching_step(_decrypt(credential.secret_encrypted), code, now or utcnow(), credential.last_step)
    if step is not None:
        credential.last_step = step
        db.session.commit()
        return "totp"
    if rules.looks_like_recovery_code(code):
        recovery = db.session.scalar(db.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == rules.recovery_code_hash(code),
            RecoveryCode.used_at.is_(None)).with_for_update())
        if recovery is not None:
            recovery.used_at = utcnow()
            db.session.flush()
            audit.record("two_factor.recovery_code_used", user, actor=user, object_type="User",
                         after={"recovery_codes_left": recovery_codes_left(user)})
            db.session.commit()
            return "recovery"
    db.session.rollback()
    raise NotSignedIn(WRONG_CODE, {"code": WRONG_CODE})


def check_for_token(user: User, otp: str | None) -> None:
    """What POST /tokens asks of a user beyond the password: a code when two-factor sign-in is on, and enrolment
    first when their role needs it. Raises OtpRequired or NotSignedIn."""
    if is_on(user):
        if not otp:
            raise OtpRequired("This account uses two-factor sign-in: send \"otp\", the code from your authenticator "
                              "app or one of your recovery codes.")
        try:
            check(user, otp)
        except NotSignedIn as error:
            raise NotSignedIn(WRONG_CODE, {"otp": WRONG_CODE}) from error
    elif is_required(user):
        raise OtpRequired(f"The role {user.role.value} must sign in with a second factor: sign in on the website "
                          "once to set up two-factor sign-in, then send \"otp\" with your code.")


def disable(user: User, code: str) -> None:
    """Turn off one's own two-factor sign-in, proved by a current code; not for a role that requires it. Commits."""
    if is_required(user):
        raise Forbidden(f"The role {user.role.value} must sign in with a second factor; it cannot be turned off.")
    try:
        check(user, code)
    except NotSignedIn as error:
        raise ValidationFailed(WRONG_CODE, {"code": WRONG_CODE}) from error
    _remove(user)
    audit.record("two_factor.disabled", user, actor=user, object_type="User")
    db.session.commit()


def reset(actor: User, target: User) -> None:
    """An admin removes another user's second factor (a lost phone); they enrol again at their next sign-in if their
    role requires it. Audited with both. Commits."""
    if actor.id == target.id:
        raise ValidationFailed("You cannot reset your own second factor: ask another administrator.")
    had = _remove(target)
    audit.record("two_factor.reset", target, actor=actor, object_type="User",
                 before={"enrolled": had}, after={"enrolled": False, "target_email": target.email})
    db.session.commit()


def _remove(user: User) -> bool:
    credential = _credential(user, lock=True)
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    if credential is None:
        return False
    confirmed = credential.confirmed_at is not None
    db.session.delete(credential)
    return confirmed


def secret_of(user: User) -> str | None:
    """The user's decrypted TOTP secret (for an operator's command or the tests' helper; never shown on a page
    once enrolment is confirmed)."""
    credential = _credential(user)
    return _decrypt(credential.secret_encrypted) if credential else None


def last_step_of(user: User) -> int | None:
    credential = _credential(user)
    return credential.last_step if credential else None
