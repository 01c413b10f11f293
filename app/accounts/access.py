"""Who may see a page: sign-in (its two steps) and roles, for the HTML views."""
import time
from functools import wraps

from flask import request, session
from flask_login import current_user, login_required, login_user

from app.accounts import sessions, two_factor
from app.accounts.models import User
from app.domain.errors import Forbidden
from app.domain.roles import Role
from app.extensions import login_manager

login_manager.login_view = "accounts.sign_in"
login_manager.login_message = "Sign in to see that page."
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


# Between the password and the code: who has given the right password, when, and where they were going.
_AWAITING_CODE = "awaiting_second_factor"
AWAITING_CODE_SECONDS = 600
# Set for a session whose user's role needs a second factor they have not set up: they may only enrol (or sign out).
MUST_ENROL = "must_enrol_second_factor"


def start_session(user: User) -> None:
    """Sign the user in, in a fresh session, so an earlier one cannot be fixed upon."""
    session.clear()
    sessions.start(user, request.user_agent.string, request.remote_addr or "")
    login_user(user)
    if two_factor.must_enrol(user):
        session[MUST_ENROL] = True


def await_code(user: User, next_url: str) -> None:
    """The password was right and the user has a second factor: nobody is signed in until the code is given."""
    session.clear()
    session[_AWAITING_CODE] = {"user_id": user.id, "fingerprint": user.session_fingerprint(),
                               "since": int(time.time()), "next": next_url}


def awaiting_code_key() -> str:
    """Whose code this browser's sign-in waits for, as a rate limit's key ("" when none)."""
    waiting = session.get(_AWAITING_CODE)
    return f"user:{waiting.get('user_id')}" if isinstance(waiting, dict) else ""


def awaiting_code() -> tuple[User, str] | None:
    """The user who gave their password in this browser in the last ten minutes, and where they were going."""
    waiting = session.get(_AWAITING_CODE)
    if not isinstance(waiting, dict) or time.time() - waiting.get("since", 0) > AWAITING_CODE_SECONDS:
        return None
    user = sessions.user(waiting.get("user_id"))
    if user is None or not user.active or user.session_fingerprint() != waiting.get("fingerprint"):
        return None  # the password changed meanwhile
    return user, waiting.get("next") or "/"


def enrolled() -> None:
    """This session's user has just set up their second factor: they may go anywhere now."""
    session.pop(MUST_ENROL, None)


def must_enrol_first() -> bool:
    return bool(session.get(MUST_ENROL)) and current_user.is_authenticated


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    return sessions.resume(session_id)


def role_required(*roles: Role):
    """Require a signed-in user holding one of `roles`."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if current_user.role not in roles:
                raise Forbidden("This page is for " + " or ".join(r.value for r in roles) + " users.")
            return view(*args, **kwargs)

        return wrapper

    return decorator
