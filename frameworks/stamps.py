"""What changes the public pages of frameworks (the opportunities and each notice), for app/caching.py: a framework
published or moved on (each move stamps its time), an open one's deadline passing (it shows as closed from then,
before any job records it), a clarification answered. Lots and criteria change only in draft, which is never public.
One query each."""
from datetime import datetime

from app.caching import Stamp
from app.extensions import db
from app.types import utcnow
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.models import STATE_TIMESTAMPS, Framework, Question


def _stamp(query) -> Stamp:
    row = db.session.execute(query).one()
    moments = [value for value in row if isinstance(value, datetime)]
    return "|".join(str(value) for value in row), max(moments, default=None)


def _columns(now: datetime) -> list:
    passed = db.case((db.and_(Framework.status == FrameworkStatus.OPEN, Framework.bid_deadline <= now),
                      Framework.bid_deadline))
    return [db.func.count(Framework.id), db.func.max(Framework.id), db.func.max(passed),
            *(db.func.max(getattr(Framework, column)) for column in STATE_TIMESTAMPS.values())]


def opportunities() -> Stamp:
    """Every published framework's: the list of opportunities."""
    return _stamp(db.select(*_columns(utcnow())).where(Framework.status != FrameworkStatus.DRAFT))


def notice(framework_id: int) -> Stamp:
    """One published framework's, with its newest answer: its notice."""
    answered = (db.select(db.func.max(Question.answered_at)).where(Question.framework_id == framework_id)
                .scalar_subquery())
    return _stamp(db.select(*_columns(utcnow()), answered)
                  .where(Framework.id == framework_id, Framework.status != FrameworkStatus.DRAFT))
