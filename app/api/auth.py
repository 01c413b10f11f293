"""Bearer-token authentication for the API."""
from functools import wraps

from flask import g, request

from app.accounts import tokens
from app.domain.errors import Forbidden, NotSignedIn
from app.domain.roles import Role


def _bearer_token() -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def token_required(*roles: Role):
    """Require a valid bearer token, and one of `roles` if any are given."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            raw = _bearer_token()
            if raw is None:
                raise NotSignedIn("Send a bearer token in the Authorization header; get one from POST /api/v1/tokens.")
            found = tokens.user_for(raw)
            if found is None:
                raise NotSignedIn("This token is unknown, expired or revoked. Get a new one from POST /api/v1/tokens.")
            g.api_user, g.api_token = found
            if roles and g.api_user.role not in roles:
                allowed = ", ".join(r.value for r in roles)
                raise Forbidden(f"This needs the role {allowed}; you are signed in as {g.api_user.role.value}.")
            return view(*args, **kwargs)

        wrapper.openapi_roles = roles
        return wrapper

    return decorator


def api_user():
    return g.api_user
