"""Public pages that are the same for everyone, served so that browsers and the front proxy may keep them: an ETag
derived from what changes the page (a package's `stamp`: its newest publication, answer, deadline passed), its
Last-Modified, and `Cache-Control: public, max-age=PUBLIC_CACHE_SECONDS`. A conditional GET whose copy is still
current is answered 304 from the stamp alone, without building the page. A signed-in visitor's pages are never
served this way (app/security.py keeps them no-store): theirs differ from the public's."""
import hashlib
from collections.abc import Callable
from datetime import datetime
from functools import wraps

from flask import current_app, make_response, request

from app.security import signed_in

Stamp = tuple[str, datetime | None]  # (whatever changes when the page does, when it last changed)


def public(stamp: Callable[..., Stamp]):
    """Serve a GET of the view from cache when the visitor is not signed in; `stamp` takes the view's arguments."""

    def decorate(view):
        @wraps(view)
        def wrapper(**kwargs):
            if request.method not in ("GET", "HEAD") or signed_in():
                return view(**kwargs)
            key, modified = stamp(**kwargs)
            etag = hashlib.sha256(f"{request.full_path}\n{key}".encode()).hexdigest()[:32]
            if _still_current(etag, modified):
                response = current_app.response_class(status=304)
            else:
                response = make_response(view(**kwargs))
                if response.status_code != 200:
                    return response
            response.set_etag(etag)
            if modified is not None:
                response.last_modified = modified
            response.cache_control.public = True
            response.cache_control.max_age = current_app.config["PUBLIC_CACHE_SECONDS"]
            response.vary.add("Cookie")  # a signed-in visitor's request is not answered with the public's copy
            return response

        wrapper.public = True  # deploy/nginx-consort.conf's cache takes these addresses (tests/integration)
        return wrapper

    return decorate


def _still_current(etag: str, modified: datetime | None) -> bool:
    if request.if_none_match:  # it takes precedence over If-Modified-Since (RFC 9110, 13.2.2)
        return request.if_none_match.contains(etag)
    since = request.if_modified_since
    return since is not None and modified is not None and modified.replace(microsecond=0) <= since
