"""Deadlines are entered and shown in Europe/London time and stored in UTC (typed in app.datefields)."""
from datetime import UTC, datetime

from app.types import LONDON


def london_to_utc(local: datetime) -> datetime:
    """A wall-clock time in London (as typed into a form) as an aware UTC datetime.

    In the autumn hour that happens twice, the first (summer-time) one is meant; a time in the
    skipped spring hour is read as if the clocks had not yet changed.
    """
    return local.replace(tzinfo=LONDON, fold=0).astimezone(UTC)


def utc_to_london(moment: datetime) -> datetime:
    return moment.astimezone(LONDON).replace(tzinfo=None)

