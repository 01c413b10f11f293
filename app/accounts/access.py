"""Who may see a page: sign-in and roles, for the HTML views."""
import hmac
from functools import wraps

from flask_login import current_user, login_required

from app.accounts.models import User
from app.domain.errors import Forbidden
from app.domain.roles import Role
from app.extensions import db, login_manager

login_manager.login_view = "accounts.sign_in"
login_manager.login_message = "Sign in to see that page."
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, fingerprint = session_id.partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not hmac.compare_digest(user.session_fingerprint(), fingerprint):
        return None  # the password changed since this session began
    return user


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
