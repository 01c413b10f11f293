"""How pages write values: money in pounds, numbers with separators, dates and times in London, statuses as tags.

One set of filters, so that a value reads the same on every page. CSV downloads do not use them: they keep the
machine's values ("3000000.00", ISO 8601).
"""
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

LONDON = ZoneInfo("Europe/London")
ABSENT = "\N{EM DASH}"  # what a page shows where a value was never given

# A status's colour, after GOV.UK's tag: green once it is done well, blue while it moves on, yellow while it waits for
# someone, red when it stopped or failed, grey for a draft or what is over. Unlisted statuses are grey.
TAG_COLOURS = {
    "open": "green", "awarded": "green", "approved": "green", "paid": "green", "signed": "green",
    "countersigned": "green", "active": "green", "complete": "green", "submitted": "green", "accepted": "green",
    "placed": "green", "done": "green",
    "closed": "blue", "evaluation": "blue", "recommended": "blue", "standstill": "blue", "pooled": "blue",
    "issued": "blue", "scored": "blue", "solved": "blue",
    "pending": "yellow", "due": "yellow", "awaiting": "yellow", "queued": "yellow", "running": "yellow",
    "unpaid": "yellow", "past_due": "yellow", "incomplete": "yellow",
    "cancelled": "red", "rejected": "red", "withdrawn": "red", "failed": "red", "overdue": "red",
    "deactivated": "red", "locked": "red", "expired": "grey", "draft": "grey",
}


def _decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def money(value: Decimal | int | float | None) -> str:
    """An amount in pounds and pence with thousands separators: £631,800.00."""
    if value is None:
        return ABSENT
    amount = _decimal(value)
    return f"-£{-amount:,.2f}" if amount < 0 else f"£{amount:,.2f}"


def number(value: Decimal | int | float | None, places: int | None = None) -> str:
    """A number with thousands separators: whole numbers without decimals (4,200), others as given (12.5)."""
    if value is None:
        return ABSENT
    amount = _decimal(value)
    if places is not None:
        return f"{amount:,.{places}f}"
    if amount == amount.to_integral_value():
        return f"{amount:,.0f}"
    return f"{amount.normalize():,f}"


def quantity(value: Decimal | int | float | None, unit: str | None) -> str:
    """A count of a unit, the unit made plural when it is not one: 250 laptops, 1 site, 2,400 vCPU-months."""
    if value is None:
        return ABSENT
    if not unit:
        return number(value)
    plural = _decimal(value) != 1 and not unit.endswith("s")
    return f"{number(value)} {unit}{'s' if plural else ''}"


def percent(value: Decimal | float | None, places: int = 1) -> str:
    """A fraction as a percentage: 0.3 is 30%, 0.125 is 12.5%."""
    if value is None:
        return ABSENT
    return number(round(_decimal(value) * 100, places)) + "%"


def _moment(value: str | date | datetime) -> date | datetime:
    """A date or time, read from ISO 8601 where it comes as text (as in a stored JSON result)."""
    if isinstance(value, str):
        return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    return value


def day(value: str | date | datetime | None) -> str:
    """A date as people read it: 1 Dec 2026 (a time is taken as London's day)."""
    if value is None:
        return ABSENT
    value = _moment(value)
    if isinstance(value, datetime):
        value = value.astimezone(LONDON)
    return f"{value.day} {value:%b %Y}"


def london_time(value: str | datetime | None) -> str:
    """A time as people in London read it, the zone named: 1 Dec 2026, 14:05 GMT (BST in summer)."""
    if value is None:
        return ABSENT
    local = _moment(value).astimezone(LONDON)
    return f"{local.day} {local:%b %Y, %H:%M %Z}"


def given(value, absent: str = ABSENT):
    """The value, or an em dash (or the words given) where there is none: never "None" on a page."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return absent
    return value


def status_label(value) -> str:
    text = str(getattr(value, "value", value)).replace("_", " ")
    return text[:1].upper() + text[1:]


def tag(value, colour: str | None = None) -> Markup:
    """A status as a coloured tag: <strong class="tag tag-green">Open</strong>."""
    if value is None:
        return escape(ABSENT)
    key = str(getattr(value, "value", value))
    chosen = colour or TAG_COLOURS.get(key, "grey")
    return Markup('<strong class="tag tag-{}">{}</strong>').format(chosen, escape(status_label(value)))


def lot_name(lot) -> str:
    """A lot by its number within its framework and its title: Lot 1: Kiosks (never its database id)."""
    if lot is None:
        return ABSENT
    return f"Lot {lot.number}: {lot.title}"


FILTERS = {
    "money": money, "number": number, "quantity": quantity, "percent": percent, "day": day,
    "london_time": london_time, "given": given, "tag": tag, "status_label": status_label, "lot_name": lot_name,
}


def register(app) -> None:
    for name, function in FILTERS.items():
        app.add_template_filter(function, name)
