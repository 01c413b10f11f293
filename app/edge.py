"""When a request reached us: the time a bid is judged by.

In production a front proxy (nginx, with request buffering on) holds the whole body before it passes a request on,
and stamps `X-Request-Start: t=<epoch seconds with milliseconds>` as it does. The app trusts that header, and the
proxy's `X-Forwarded-For` and `X-Forwarded-Proto` (through Werkzeug's ProxyFix), only from the addresses in
TRUSTED_PROXIES; from anyone else they are dropped. Without a proxy (`make run`, the tests) the app stamps the time
itself, as the first thing the request meets. A stamp later than the app's own clock is taken as now.
"""
import ipaddress
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache

from flask import has_request_context, request
from werkzeug.middleware.proxy_fix import ProxyFix

from app.types import utcnow

RECEIVED_AT = "consort.received_at"
_FORWARDED = ("HTTP_X_REQUEST_START", "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
              "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX")
# nginx's `t=${msec}`: seconds since the epoch with milliseconds; plain seconds are taken too.
_STAMP = re.compile(r"^\s*(?:t=)?(\d{9,11}(?:\.\d{1,6})?)\s*$")


@lru_cache(maxsize=8)
def trusted_networks(addresses: tuple[str, ...]) -> tuple:
    """TRUSTED_PROXIES' addresses or networks (`127.0.0.1`, `10.0.0.0/8`, `::1`)."""
    return tuple(ipaddress.ip_network(address.strip(), strict=False) for address in addresses if address.strip())


def stamped_time(header: str | None) -> float | None:
    match = _STAMP.match(header or "")
    return float(match.group(1)) if match else None


class ReceivedAt:
    """WSGI middleware, outermost: stamps each request's receipt time in its environ."""

    def __init__(self, wsgi_app, config: Mapping):
        self.app = wsgi_app
        self.behind_proxy = ProxyFix(wsgi_app, x_for=1, x_proto=1)
        self.config = config  # read at each request: TRUSTED_PROXIES

    def _is_trusted(self, address: str) -> bool:
        trusted = trusted_networks(tuple(self.config.get("TRUSTED_PROXIES") or ()))
        try:
            peer = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(peer in network for network in trusted)

    def __call__(self, environ, start_response):
        now = time.time()
        if self._is_trusted(environ.get("REMOTE_ADDR", "")):
            stamp = stamped_time(environ.get("HTTP_X_REQUEST_START"))
            environ[RECEIVED_AT] = now if stamp is None else min(stamp, now)
            return self.behind_proxy(environ, start_response)
        for header in _FORWARDED:  # from an untrusted address, a forged stamp or client address is ignored
            environ.pop(header, None)
        environ[RECEIVED_AT] = now
        return self.app(environ, start_response)


def received_at() -> datetime:
    """When the current request reached us (outside a request, now)."""
    if has_request_context() and RECEIVED_AT in request.environ:
        return datetime.fromtimestamp(request.environ[RECEIVED_AT], UTC)
    return utcnow()
