"""The standstill period: working days in England and Wales, beginning with the day of the decision."""
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.domain.calendar import LONDON, ends, is_working_day, last_working_day


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def test_eight_working_days_beginning_on_a_monday_end_on_the_next_wednesday():
    assert last_working_day(date(2027, 2, 1), 8) == date(2027, 2, 10)


def test_the_period_begins_with_the_day_itself_when_it_is_a_working_day():
    assert last_working_day(date(2027, 2, 3), 1) == date(2027, 2, 3)


def test_a_decision_at_the_weekend_starts_counting_on_the_monday():
    saturday = date(2027, 2, 6)
    assert last_working_day(saturday, 1) == date(2027, 2, 8)
    assert last_working_day(saturday, 8) == date(2027, 2, 17)


def test_a_bank_holiday_is_not_a_working_day():
    # The late summer bank holiday, Monday 31 August 2026.
    assert not is_working_day(date(2026, 8, 31))
    # Friday 28 August + 8 working days: 28, 1, 2, 3, 4, 7, 8, 9 September (the Monday and weekend skipped).
    assert last_working_day(date(2026, 8, 28), 8) == date(2026, 9, 9)


def test_christmas_boxing_day_and_their_substitutes_are_skipped():
    # Christmas 2026 is a Friday; Boxing Day a Saturday, so it is observed on Monday 28 December.
    for day in (date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1)):
        assert not is_working_day(day)
    # From Wednesday 23 December 2026: 23, 24, 29, 30, 31 Dec, 4, 5, 6 Jan.
    assert last_working_day(date(2026, 12, 23), 8) == date(2027, 1, 6)


def test_easter_is_skipped():
    # Good Friday 26 March and Easter Monday 29 March 2027.
    assert last_working_day(date(2027, 3, 25), 2) == date(2027, 3, 30)


def test_the_end_is_midnight_in_london_at_the_close_of_the_last_day_in_utc():
    # In winter London is on GMT; in summer on BST, an hour ahead of UTC.
    assert ends(london(2027, 2, 1, 15, 0), 8) == datetime(2027, 2, 11, 0, 0, tzinfo=UTC)
    assert ends(london(2027, 6, 1, 15, 0), 1) == datetime(2027, 6, 1, 23, 0, tzinfo=UTC)


def test_a_decision_late_in_the_evening_counts_the_london_date_not_the_utc_one():
    # 23:30 BST on Friday 4 June 2027 is 22:30 UTC the same day; 00:30 BST on Saturday is still Friday in UTC.
    saturday_morning = london(2027, 6, 5, 0, 30)
    assert saturday_morning.astimezone(UTC).day == 4
    assert ends(saturday_morning, 1) == datetime(2027, 6, 7, 23, 0, tzinfo=UTC)  # Monday's close


def test_a_standstill_of_no_days_ends_when_it_starts():
    start = datetime(2027, 2, 1, 12, tzinfo=UTC)
    assert ends(start, 0) == start


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2035, 12, 1)), st.integers(1, 30))
def test_the_period_holds_exactly_that_many_working_days(first, days):
    last = last_working_day(first, days)
    span = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    assert sum(1 for day in span if is_working_day(day)) == days
    assert is_working_day(last)


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2035, 12, 1)), st.integers(1, 20))
def test_a_longer_standstill_never_ends_earlier(first, days):
    start = datetime.combine(first, datetime.min.time(), tzinfo=LONDON)
    assert ends(start, days + 1) > ends(start, days) > start
