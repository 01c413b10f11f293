"""Results that are costly to build and the same for many requests, kept under a key that names everything they
depend on (Flask-Caching): in Redis when REDIS_URL is set, so that every worker shares them, else in the process.
A key changes whenever its result would, so nothing is ever invalidated by hand and a stale entry is never read;
old entries simply age out (`MEMO_SECONDS`). Keys start with `MEMO_PREFIX`, so two deployments may share one Redis."""
import hashlib
import logging
from collections.abc import Callable
from typing import TypeVar

from flask import Flask
from flask_caching import Cache

T = TypeVar("T")

cache = Cache()
log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    seconds = app.config["MEMO_SECONDS"]
    if app.config.get("REDIS_URL"):
        settings = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": app.config["REDIS_URL"]}
    else:
        settings = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": app.config["MEMO_ENTRIES"]}
    cache.init_app(app, config=settings | {"CACHE_DEFAULT_TIMEOUT": seconds,
                                           "CACHE_KEY_PREFIX": app.config["MEMO_PREFIX"]})


def _name(kind: str, key: tuple) -> str:
    return f"{kind}:" + hashlib.sha256("\x1f".join(map(str, key)).encode()).hexdigest()[:40]


def remembered(kind: str, key: tuple, build: Callable[[], T]) -> T:
    """`build()`, or what it gave before under the same `kind` and `key` (whose parts' str() must name everything
    the result depends on)."""
    found = recall(kind, key)
    if found is None:
        found = build()
        keep(kind, key, found)
    return found


def recall(kind: str, key: tuple):
    """What was kept under `kind` and `key`, or None; None too when the store does not answer (Redis down): a
    result is then built, as if never kept, rather than the request failing."""
    try:
        return cache.get(_name(kind, key))
    except Exception:  # whatever the store's client raises, the answer can still be built
        log.warning("The store of kept results did not answer; building %s afresh", kind, exc_info=True)
        return None


def keep(kind: str, key: tuple, value) -> None:
    try:
        cache.set(_name(kind, key), value)
    except Exception:
        log.warning("The store of kept results did not answer; %s not kept", kind, exc_info=True)


def forget_all() -> None:
    """Empty the store (the tests' databases are emptied between tests, and their ids used again)."""
    cache.clear()
