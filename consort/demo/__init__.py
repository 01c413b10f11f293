"""Demo data for `flask seed-demo`: London's authorities, a consortium, suppliers and a user of each role, then the
demo frameworks, one in each state, taken there through the real services.

Idempotent: every record is looked up by its natural key first, so running it twice changes nothing.
"""
from app.accounts import services as accounts
from app.accounts.models import User
from app.extensions import db
from consort.demo import frameworks as framework_demo
from consort.demo import people
from consort.demo.people import CONSORTIUM, CONSORTIUM_DOMAIN, DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_users

__all__ = ["CONSORTIUM", "DEMO_PASSWORD", "DEMO_TOTP_SECRET", "demo_users", "seed"]


def seed() -> dict[str, int]:
    """Create whatever of the demo data is missing; return how many of each were created."""
    created = people.seed()

    def users() -> int:
        return db.session.scalar(db.select(db.func.count()).select_from(User))

    before = users()  # the demo frameworks add an officer for each authority whose requirements they pool
    created["frameworks"] = framework_demo.seed(accounts.find_by_email(f"admin@{CONSORTIUM_DOMAIN}"))
    created["users"] += users() - before
    return created
