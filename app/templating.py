"""Template helpers: times in London, money in pounds."""
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def london_time(value: datetime | None) -> str:
    """A UTC time as people in London read it: 26 Nov 2026, 16:05 GMT."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    return local.strftime("%-d %b %Y, %H:%M %Z")


def money(value: Decimal | int | None) -> str:
    if value is None:
        return ""
    return f"£{Decimal(value):,.2f}"


def register(app) -> None:
    app.add_template_filter(london_time, "london_time")
    app.add_template_filter(money, "money")
