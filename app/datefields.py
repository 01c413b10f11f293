"""The GOV.UK date input: a date typed as its day, month and year, and a deadline's hour and minute, each in an input
of its own (`<name>-day`, `<name>-month`, ...), rendered by the `date_input` macro of macros/forms.html.

A field's `.data` is what the rest of Consort reads: a `date`, or for a deadline an aware UTC datetime. What was typed
is kept in `.typed` so that a form sent back with an error shows it again, and `.parts_in_error` names the inputs to
highlight. The messages follow the Design System's guidance ("Needed by must include a month")."""
from datetime import date, datetime

from wtforms import Field
from wtforms.utils import unset_value

from app.timefields import london_to_utc, utc_to_london

DATE_PARTS = ("day", "month", "year")
TIME_PARTS = ("hour", "minute")
ARTICLES = {"day": "a", "month": "a", "year": "a", "hour": "an", "minute": "a"}
WIDTHS = {"day": 2, "month": 2, "year": 4, "hour": 2, "minute": 2}


class PartsInError(ValueError):
    """What was typed is not a date: the message, and the inputs it is about."""

    def __init__(self, message: str, parts: list[str]):
        super().__init__(message)
        self.parts = tuple(parts)


def _listed(parts: list[str]) -> str:
    """'a day', 'a day and month', 'an hour and minute', 'a day, month and year'."""
    words = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    return f"{ARTICLES[parts[0]]} {words}"


def _numbers(typed: dict[str, str], parts: tuple[str, ...], what: str, kind: str) -> dict[str, int]:
    """The parts as whole numbers, or the error naming those missing or not written in the digits 0 to 9."""
    missing = [p for p in parts if not typed[p]]
    if missing:
        raise PartsInError(f"{what} must include {_listed(missing)}.", missing)
    not_numbers = [p for p in parts if not (typed[p].isascii() and typed[p].isdigit())]
    if not_numbers:
        raise PartsInError(f"{what} must be a real {kind}.", not_numbers)
    return {p: int(typed[p]) for p in parts}


def read_date(typed: dict[str, str], what: str) -> date:
    """The date that the day, month and year typed make."""
    n = _numbers(typed, DATE_PARTS, what, "date")
    if len(typed["year"]) != 4:
        raise PartsInError(f"{what} must include a year of 4 numbers, like 2027.", ["year"])
    try:
        return date(n["year"], n["month"], n["day"])
    except ValueError:
        wrong = [p for p, ok in (("day", 1 <= n["day"] <= 31), ("month", 1 <= n["month"] <= 12),
                                 ("year", n["year"] >= 1)) if not ok]
        raise PartsInError(f"{what} must be a real date.", wrong or ["day"]) from None


def read_time(typed: dict[str, str], what: str) -> tuple[int, int]:
    """The hour and minute typed, on the 24-hour clock."""
    n = _numbers(typed, TIME_PARTS, what, "time")
    wrong = [p for p, top in (("hour", 23), ("minute", 59)) if n[p] > top]
    if wrong:
        raise PartsInError(f"{what} must be a real time, on the 24-hour clock.", wrong)
    return n["hour"], n["minute"]


class DateInputField(Field):
    """A date typed as day, month and year; its data is a `date`.

    `what` names the date in messages; it is the label unless given."""

    parts = DATE_PARTS
    hint = "For example, 27 3 2027"

    def __init__(self, label=None, validators=None, what: str | None = None, **kwargs):
        kwargs.setdefault("description", self.hint)
        super().__init__(label, validators, **kwargs)
        self.what = what or self.label.text
        self.typed: dict[str, str] = {}
        self.parts_in_error: tuple[str, ...] = ()

    def process(self, formdata, data=unset_value, extra_filters=None):
        super().process(None, data, extra_filters)
        self.typed, self.parts_in_error = {}, ()
        if formdata is None:
            return
        self.typed = {p: str(formdata.get(f"{self.name}-{p}", "")).strip() for p in self.parts}
        # What InputRequired looks at: nothing typed in any part is "not entered", anything else is an attempt.
        self.raw_data = [value for value in self.typed.values() if value]
        self.data = None
        if not self.raw_data:
            return
        try:
            self.data = self.read(self.typed)
        except PartsInError as error:
            self.parts_in_error = error.parts
            self.process_errors.append(str(error))

    def read(self, typed: dict[str, str]):
        return read_date(typed, self.what)

    def shown(self) -> dict[str, str]:
        """Each part's value for its input: as typed, else from the data."""
        if self.typed:
            return self.typed
        if self.data is None:
            return dict.fromkeys(self.parts, "")
        return {"day": str(self.data.day), "month": str(self.data.month), "year": str(self.data.year)}

    def part_id(self, part: str) -> str:
        return f"{self.id}-{part}"

    def part_name(self, part: str) -> str:
        return f"{self.name}-{part}"

    def part_width(self, part: str) -> int:
        return WIDTHS[part]

    def part_in_error(self, part: str) -> bool:
        """An error about a part highlights that part; one about the whole date (not entered, or a service's
        refusal) highlights them all."""
        return bool(self.errors) and (part in self.parts_in_error or not self.parts_in_error)

    @property
    def error_anchor(self) -> str:
        """The id the error summary links to: the first input in error."""
        return self.part_id(next((p for p in self.parts if self.part_in_error(p)), self.parts[0]))


class LondonDeadlineField(DateInputField):
    """A deadline typed as day, month, year, hour and minute in London time; its data is an aware UTC datetime."""

    parts = DATE_PARTS + TIME_PARTS
    hint = "For example, 27 3 2027 and 17 00. London time, on the 24-hour clock."

    def read(self, typed: dict[str, str]) -> datetime:
        day = read_date(typed, self.what)
        hour, minute = read_time(typed, self.what)
        try:
            return london_to_utc(datetime(day.year, day.month, day.day, hour, minute))
        except (OverflowError, ValueError):
            raise PartsInError(f"{self.what} must be a real date.", ["year"]) from None

    def shown(self) -> dict[str, str]:
        if self.typed or self.data is None:
            return super().shown()
        local = utc_to_london(self.data)
        return {"day": str(local.day), "month": str(local.month), "year": str(local.year),
                "hour": f"{local.hour:02d}", "minute": f"{local.minute:02d}"}
