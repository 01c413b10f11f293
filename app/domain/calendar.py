"""The standstill period: working days in England and Wales, counted from the day the board approves.

Under the Procurement Act 2023 (s.51) the standstill is a number of working days *beginning with* the day the
award is notified; a working day is any day but a Saturday, a Sunday or a bank holiday in England and Wales. The
bank holidays come from the `holidays` package, which is maintained (special days such as a coronation are added
by its releases), so no list of dates here can expire.
"""
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    # England and Wales share their bank holidays; "ENG" is the subdivision the package names them by.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def bank_holiday_name(day: date) -> str | None:
    return holidays.country_holidays("GB", subdiv="ENG", years=day.year).get(day)


def last_working_day(first: date, working_days: int) -> date:
    """The last day of a period of `working_days` working days beginning with `first`."""
    if working_days < 1:
        return first
    day, counted = first, 0
    while True:
        if is_working_day(day):
            counted += 1
            if counted == working_days:
                return day
        day += timedelta(days=1)


def ends(started: datetime, working_days: int) -> datetime:
    """When a standstill that started at `started` (an aware datetime) ends: midnight in London at the close of its
    last working day, as an aware UTC datetime. A period of no days ends when it starts."""
    if working_days < 1:
        return started
    first = started.astimezone(LONDON).date()
    last = last_working_day(first, working_days)
    closing = datetime.combine(last + timedelta(days=1), time(0, 0), tzinfo=LONDON)
    return closing.astimezone(ZoneInfo("UTC"))
