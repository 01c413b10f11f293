"""Rate limits, in place of lock-outs: how often a client address, and an account, may try to sign in, sign up, ask
for a password reset link or upload a bid document. Flask-Limiter keeps the counts: in memory for `make run` and the
tests, in Redis when REDIS_URL is set (so that every worker shares them).

Each limited action has a limit per client address, counting every attempt (the sign-in page and `POST /tokens`
share theirs), and a limit per account:
- sign-in, sign-up and forgotten-password requests are counted against the e-mail address submitted, normalised, known
  or not (so an unknown address answers as a known one does; the store keeps only the address's SHA-256). Sign-in
  counts only failures; the others count every request. Over its limit, an account holds back only the client
  addresses that have themselves counted against it in the window: an attacker elsewhere who exhausts an account's
  limit is refused, while its real user, from an address that has not failed, still signs in with the right
  password. (A distributed attacker thus gets one try per address and window; each address also has its own limit.)
- uploads are counted against the signed-in user (only its holder can spend that).

Over a limit, the API answers 429 `rate_limited` in its error format and a page answers 429 saying when to try again,
both with `Retry-After`. Limits are in the limits library's notation ("10 per 15 minutes; 100 per day"), read at each
request from the RATE_LIMIT_* settings.
"""
import hashlib
import ipaddress
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial, wraps

from flask import Flask, after_this_request, current_app, g, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_login import current_user
from limits import parse_many

from app.domain.errors import ConsortError
from app.domain.identity import normalise_email
from app.errors import json_error, page_error, wants_json
from app.templating import london_time

log = logging.getLogger("consort.throttle")


class RateLimited(ConsortError):
    status = 429
    code = "rate_limited"

    def __init__(self, retry_after: int):
        self.retry_after = max(1, retry_after)
        super().__init__(_message(self.retry_after))


def client_address() -> str:
    """Who is asking: the client's address (from a trusted proxy's X-Forwarded-For, see app/edge.py). An IPv6 client
    holds at least a /64, so it counts as that network."""
    address = request.remote_addr or ""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if parsed.version == 6:
        if parsed.ipv4_mapped:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


KEY_PREFIX = "consort"  # every key in the store starts with it, beside what else shares a Redis
limiter = Limiter(key_func=client_address, key_prefix=KEY_PREFIX)


def _signed_in_user() -> str:
    user = g.get("api_user") or (current_user if current_user.is_authenticated else None)
    return f"user:{user.id}" if user is not None else ""


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


@dataclass(frozen=True)
class AccountRule:
    """A limit per account, named by the e-mail address a form or a JSON body submits."""

    setting: str
    counts: Callable[[int], bool]  # which answers (by status) count against the account

    def items(self):
        return parse_many(current_app.config[self.setting])


def _every_answer(status: int) -> bool:
    return True


SIGN_IN_PAGE = AccountRule("RATE_LIMIT_SIGN_IN_FAILURES_PER_ACCOUNT", lambda status: status == 422)
SIGN_IN_API = AccountRule("RATE_LIMIT_SIGN_IN_FAILURES_PER_ACCOUNT", lambda status: status == 401)
SIGN_UP = AccountRule("RATE_LIMIT_SIGN_UP_PER_ACCOUNT", _every_answer)
PASSWORD_RESET = AccountRule("RATE_LIMIT_PASSWORD_RESET_PER_ACCOUNT", _every_answer)


def limited(action: str, *, account: AccountRule | None = None, per_user: bool = False,
            user_key: Callable[[], str] | None = None):
    """Limit a view's POSTs per client address (RATE_LIMIT_<ACTION>_PER_ADDRESS, shared by every view of the action),
    and per account (`account`) or per user (RATE_LIMIT_<ACTION>_PER_USER): the signed-in one, or the one `user_key`
    names (such as the user whose second factor a sign-in is waiting for)."""
    setting = f"RATE_LIMIT_{action.upper().replace('-', '_')}"

    def decorator(view):
        wrapped = _account_limited(view, action, account) if account is not None else view
        limits = [limiter.shared_limit(_setting(f"{setting}_PER_ADDRESS"), scope=f"{action}:address",
                                       methods=["POST"])]
        if per_user or user_key is not None:
            limits.append(limiter.shared_limit(_setting(f"{setting}_PER_USER"), scope=f"{action}:user",
                                               key_func=user_key or _signed_in_user, methods=["POST"]))
        for limit in limits:
            wrapped = limit(wrapped)
        return wrapped

    return decorator


def _account_key(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode("utf-8", "replace")).hexdigest()


def forget_sign_in_failures(email: str) -> None:
    """The account's failed sign-ins no longer count (its holder has just proved they hold the address)."""
    for item in SIGN_IN_PAGE.items():
        limiter.limiter.clear(item, KEY_PREFIX, "sign-in", _account_key(email))


def _submitted_account() -> str:
    """The SHA-256 of the e-mail address the request submits, normalised; empty if it names none."""
    if request.is_json:
        try:
            body = request.get_json(silent=True)
        except RecursionError:  # nested too deeply to be a sign-in: the view refuses it as bad input
            body = None
        email = body.get("email") if isinstance(body, dict) else None
    else:
        email = request.form.get("email")
    if not isinstance(email, str) or not normalise_email(email):
        return ""
    return _account_key(email)


def _account_limited(view, action: str, rule: AccountRule):
    @wraps(view)
    def wrapper(*args, **kwargs):
        account = _submitted_account() if request.method == "POST" else ""
        if account:
            _hold_back(action, rule, account)
            after_this_request(partial(_count, action, rule, account, client_address()))
        return view(*args, **kwargs)

    return wrapper


def _mark(item):
    """The same window as `item`, holding one entry: whether an address has counted against the account in it."""
    return type(item)(1, item.multiples, item.namespace)


def _hold_back(action: str, rule: AccountRule, account: str) -> None:
    """Refuse the request if the account is over its limit and this address has counted against it lately."""
    strategy, address = limiter.limiter, client_address()
    for item in rule.items():
        if strategy.test(_mark(item), KEY_PREFIX, action, "from", account, address):
            continue  # this address has not counted against the account in this window: not held back
        if not strategy.test(item, KEY_PREFIX, action, account):
            reset_at = strategy.get_window_stats(item, KEY_PREFIX, action, account).reset_time
            raise RateLimited(math.ceil(reset_at - time.time()))


def _count(action: str, rule: AccountRule, account: str, address: str, response):
    if rule.counts(response.status_code):
        for item in rule.items():
            limiter.limiter.hit(item, KEY_PREFIX, action, account)
            limiter.limiter.hit(_mark(item), KEY_PREFIX, action, "from", account, address)
    return response


def _message(retry_after: int) -> str:
    minutes = math.ceil(retry_after / 60)
    wait = f"{retry_after} second{'s' if retry_after != 1 else ''}" if retry_after < 60 else \
        f"{minutes} minute{'s' if minutes != 1 else ''}"
    after = london_time(datetime.fromtimestamp(time.time() + retry_after, UTC))
    return f"There have been too many attempts. Wait {wait} and try again, after {after}."


def _answer(retry_after: int):
    message = _message(retry_after)
    body, status = (json_error(429, message, RateLimited.code) if wants_json() else page_error(429, message))
    return body, status, {"Retry-After": str(retry_after)}


def register(app: Flask) -> None:
    """Count in memory, or in Redis when REDIS_URL is set; answer 429 with Retry-After over a limit."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    limiter.init_app(app)

    @app.errorhandler(RateLimited)
    def rate_limited(error: RateLimited):
        return _answer(error.retry_after)

    @app.errorhandler(RateLimitExceeded)
    def limit_exceeded(error: RateLimitExceeded):
        breached = limiter.current_limit
        retry_after = math.ceil(breached.window.reset_time - time.time()) if breached is not None else 60
        return _answer(max(1, retry_after))
