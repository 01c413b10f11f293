"""The rules of two-factor sign-in: who must use it, which time step a code belongs to, replay, recovery codes."""
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime

import pyotp

from app.domain.roles import Role

# pyotp's default window: a code of the step before or after the current one is accepted too (clocks drift).
VALID_WINDOW = 1
RECOVERY_CODE_COUNT = 10
# Recovery codes are read off paper and typed: no 0/O or 1/I/L to confuse.
_RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_RECOVERY_LENGTH = 10
ISSUER = "Consort"


def required_roles(setting: str | Iterable[str]) -> frozenset[Role]:
    """The roles a TWO_FACTOR_REQUIRED_ROLES setting names (comma-separated text or a list); unknown names refused."""
    names = setting.split(",") if isinstance(setting, str) else list(setting)
    roles = set()
    for name in (n.strip().lower() for n in names):
        if not name:
            continue
        if name not in {r.value for r in Role}:
            raise ValueError(f"TWO_FACTOR_REQUIRED_ROLES names {name!r}, which is not a role "
                             f"({', '.join(r.value for r in Role)}).")
        roles.add(Role(name))
    return frozenset(roles)


def new_secret() -> str:
    """A fresh TOTP secret: 160 random bits in base32, as authenticator apps expect."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// address a QR code carries to an authenticator app."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it in by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def normalise_code(code: str | None) -> str:
    """What the person typed, without spaces or dashes, upper case."""
    return "".join((code or "").split()).replace("-", "").upper()


def looks_like_totp(code: str) -> bool:
    return len(code) == 6 and code.isascii() and code.isdigit()


def matching_step(secret: str, code: str, now: datetime, after_step: int | None) -> int | None:
    """The time step (within ±VALID_WINDOW of now) whose code this is, and which comes after `after_step`, the last
    step used: a code used once cannot be used again, nor one older than it. None when it matches no such step."""
    code = normalise_code(code)
    if not looks_like_totp(code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if after_step is not None and step <= after_step:
            continue
        if hmac.compare_digest(code, totp.generate_otp(step)):
            return step
    return None


def code_now(secret: str, now: datetime) -> str:
    """The code an authenticator app shows at `now`."""
    return pyotp.TOTP(secret).at(now)


def new_recovery_codes() -> list[str]:
    """Ten single-use recovery codes, shown as XXXXX-XXXXX."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def recovery_code_hash(code: str) -> str:
    """A recovery code's SHA-256 (of its normalised form): 50 random bits need no slow hash, and it is not
    reversible."""
    return hashlib.sha256(normalise_code(code).encode("ascii", "replace")).hexdigest()


def looks_like_recovery_code(code: str) -> bool:
    code = normalise_code(code)
    return len(code) == _RECOVERY_LENGTH and all(c in _RECOVERY_ALPHABET for c in code)
