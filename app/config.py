"""Configuration, read from the environment."""
import base64
import os
import secrets
from pathlib import Path

from app.domain.processing import BY_KEY


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


# Rate limits (see app/throttle.py), in the limits library's notation, each overridable from the environment; none
# that a real user meets. Per client address every attempt counts (everyone behind one NAT shares an address: raise
# them for a large office); per account, the failed sign-ins, and every sign-up or reset request, for that address.
RATE_LIMITS = {
    "RATE_LIMIT_SIGN_IN_PER_ADDRESS": "60 per minute; 600 per hour",
    "RATE_LIMIT_SIGN_IN_FAILURES_PER_ACCOUNT": "10 per 15 minutes",
    "RATE_LIMIT_SIGN_UP_PER_ADDRESS": "20 per hour",
    "RATE_LIMIT_SIGN_UP_PER_ACCOUNT": "10 per hour",
    "RATE_LIMIT_PASSWORD_RESET_PER_ADDRESS": "20 per hour",
    "RATE_LIMIT_PASSWORD_RESET_PER_ACCOUNT": "5 per hour",
    # The second step of signing in: codes guessed by whoever has the password, per address and per account.
    "RATE_LIMIT_TWO_FACTOR_PER_ADDRESS": "30 per minute; 300 per hour",
    "RATE_LIMIT_TWO_FACTOR_PER_USER": "10 per 15 minutes",
    "RATE_LIMIT_UPLOAD_PER_ADDRESS": "120 per minute; 2000 per hour",
    "RATE_LIMIT_UPLOAD_PER_USER": "60 per minute; 1000 per hour",
}


def from_environment(instance_path: str) -> dict:
    """Build the settings from environment variables, with defaults fit for `make run`."""
    instance = Path(instance_path)
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _instance_secret(instance),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL")
        or f"sqlite:///{instance / 'consort.sqlite3'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE"),
        # A request may carry one document of at most DOCUMENT_MAX_BYTES with room for the form around it.
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 21 * 1024 * 1024),
        # How long a browser or the front proxy may keep a public page before asking again (app/caching.py).
        "PUBLIC_CACHE_SECONDS": _int("PUBLIC_CACHE_SECONDS", 60),
        "DOCUMENT_MAX_BYTES": _int("DOCUMENT_MAX_BYTES", 20 * 1024 * 1024),
        # Bid documents live here, outside the web root, under generated names.
        "DOCUMENT_STORE": os.environ.get("DOCUMENT_STORE") or str(instance / "documents"),
        # `local` (the folder above) or `s3`: a bucket several web machines share (app/storage.py); boto3 reads the
        # credentials from its usual variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, ...).
        "DOCUMENT_STORAGE": os.environ.get("DOCUMENT_STORAGE") or "local",
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL") or None,
        "S3_BUCKET": os.environ.get("S3_BUCKET") or None,
        "S3_REGION": os.environ.get("S3_REGION") or None,
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS"),
        "MAIL_CA_FILE": os.environ.get("MAIL_CA_FILE") or None,  # a private authority for the server's certificate
        # Send e-mail right after the commit, in the process that committed, not through the task consumer (the
        # suite does, to read what was sent; a server should not).
        "MAIL_SEND_INLINE": _bool("MAIL_SEND_INLINE"),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "Consort <no-reply@consort.example>"),
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        # The publication policy every OCDS package names; unset, the app's own page of the default policy.
        "OCDS_PUBLICATION_POLICY_URL": os.environ.get("OCDS_PUBLICATION_POLICY_URL") or None,
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY") or None,
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET") or None,
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE") or None,
        # Given, the levy page uses Stripe's Payment Element; without it, in test mode, Stripe's test card.
        "STRIPE_PUBLISHABLE_KEY": os.environ.get("STRIPE_PUBLISHABLE_KEY") or None,
        "MEMBERSHIP_FEE_PENCE": _int("MEMBERSHIP_FEE_PENCE", 250_000),
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD", "scrypt:32768:8:1"),
        **{name: os.environ.get(name) or default for name, default in RATE_LIMITS.items()},
        "API_TOKEN_HOURS": _int("API_TOKEN_HOURS", 24),
        "INVITATION_DAYS": _int("INVITATION_DAYS", 7),
        "PASSWORD_RESET_MINUTES": _int("PASSWORD_RESET_MINUTES", 60),
        # An award problem with more offers than this is solved by the task consumer, off the request path.
        "AWARD_ASYNC_OFFERS": _int("AWARD_ASYNC_OFFERS", 400),
        # A batch of more PDFs than this (contracts, standstill letters) is rendered by the task consumer.
        "PDF_INLINE_LIMIT": _int("PDF_INLINE_LIMIT", 6),
        # Approvals the board needs; unset: a majority of the board, and never fewer than three.
        "BOARD_QUORUM": _int("BOARD_QUORUM", 0) or None,
        # Background tasks (Huey): through Redis when REDIS_URL is set, else a SQLite file beside the database.
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        # app/memo.py: how long a costly result is kept (its key changes when it would), how many in one process.
        "MEMO_SECONDS": _int("MEMO_SECONDS", 3600),
        "MEMO_ENTRIES": _int("MEMO_ENTRIES", 2000),
        "MEMO_PREFIX": os.environ.get("MEMO_PREFIX") or "consort:",
        "HUEY_SQLITE_PATH": os.environ.get("HUEY_SQLITE_PATH") or str(instance / "huey.sqlite3"),
        "HUEY_IMMEDIATE": _bool("HUEY_IMMEDIATE"),
        # The front proxies (addresses or networks, comma-separated) whose X-Request-Start and X-Forwarded-For are
        # believed; a bid is judged by the time its request reached them (see app/edge.py).
        "TRUSTED_PROXIES": [address.strip() for address in os.environ.get("TRUSTED_PROXIES", "").split(",")
                            if address.strip()],
        # A bid received before its deadline but processed later than this after it is refused with 503.
        "DEADLINE_GRACE_SECONDS": _int("DEADLINE_GRACE_SECONDS", 120),
        # Who must sign in with a second factor (comma-separated roles; empty: nobody must, anyone may).
        "TWO_FACTOR_REQUIRED_ROLES": os.environ.get("TWO_FACTOR_REQUIRED_ROLES", "admin,board,evaluator"),
        # Fernet keys (comma-separated, the first encrypts, any decrypts) for the TOTP secrets kept in the database.
        "TWO_FACTOR_KEYS": [key.strip() for key in os.environ.get("TWO_FACTOR_KEYS", "").split(",") if key.strip()]
        or [_instance_fernet_key(instance)],
        # The audit log's checkpoints are signed with this Ed25519 key: base64 of its 32 raw private bytes.
        "AUDIT_SIGNING_KEY": os.environ.get("AUDIT_SIGNING_KEY") or _instance_signing_key(instance),
        # After a rotation, the public keys (base64, comma-separated) that signed older checkpoints.
        "AUDIT_PREVIOUS_PUBLIC_KEYS": [
            key.strip() for key in os.environ.get("AUDIT_PREVIOUS_PUBLIC_KEYS", "").split(",") if key.strip()],
        # Retention periods of the record of processing, in years, per purpose: "evaluation=7,contracts=10".
        "RETENTION_YEARS": retention_years(os.environ.get("RETENTION_YEARS", "")),
    }


def retention_years(text: str) -> dict[str, int]:
    """`purpose=years` pairs, comma-separated; a mistyped one stops the start rather than keep data wrongly."""
    years = {}
    for pair in filter(None, (part.strip() for part in text.split(","))):
        key, _, value = pair.partition("=")
        if not value.strip().isdigit() or key.strip() not in BY_KEY:
            raise ValueError(f"RETENTION_YEARS: '{pair}' is not purpose=years with a purpose of the record "
                             f"({', '.join(BY_KEY)})")
        years[key.strip()] = int(value)
    return years


def _instance_signing_key(instance: Path) -> str:
    """An Ed25519 private key (any 32 random bytes are one) kept in the instance folder for a local run."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "audit-signing-key"
    if not path.exists():
        path.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
        path.chmod(0o600)
    return path.read_text().strip()


def _instance_fernet_key(instance: Path) -> str:
    """A key for the TOTP secrets, kept in the instance folder for a local run (production sets TWO_FACTOR_KEYS)."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "two-factor-key"
    if not path.exists():
        path.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
        path.chmod(0o600)
    return path.read_text().strip()


def _instance_secret(instance: Path) -> str:
    """A secret key kept in the instance folder, so a local run needs no set-up.

    Production sets SECRET_KEY in the environment instead (see the README).
    """
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
