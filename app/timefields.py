"""Deadlines are entered and shown in Europe/London time and stored in UTC."""
from datetime import UTC, datetime

from wtforms import DateTimeLocalField

from app.types import LONDON


def london_to_utc(local: datetime) -> datetime:
    """A wall-clock time in London (as typed into a form) as an aware UTC datetime.

    In the autumn hour that happens twice, the first (summer-time) one is meant; a time in the
    skipped spring hour is read as if the clocks had not yet changed.
    """
    return local.replace(tzinfo=LONDON, fold=0).astimezone(UTC)


def utc_to_london(moment: datetime) -> datetime:
    return moment.astimezone(LONDON).replace(tzinfo=None)


class LondonDateTimeField(DateTimeLocalField):
    """A date and time picker in London time whose data is an aware UTC datetime."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None:
            self.data = london_to_utc(self.data)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return utc_to_london(self.data).strftime("%Y-%m-%dT%H:%M") if self.data else ""
