"""Who may see a page: sign-in and roles, for the HTML views."""
from functools import wraps

from flask_login import current_user, login_required

from app.accounts import sessions
from app.accounts.models import User
from app.domain.errors import Forbidden
from app.domain.roles import Role
from app.extensions import login_manager

login_manager.login_view = "accounts.sign_in"
login_manager.login_message = "Sign in to see that page."
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


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
