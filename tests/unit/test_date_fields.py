"""The GOV.UK date input's fields: a date typed as day, month and year, a London deadline with its hour and minute."""
from datetime import UTC, date, datetime

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.validators import InputRequired

from app.datefields import DateInputField, LondonDeadlineField


class NeededForm(Form):
    needed_by = DateInputField("Needed by", validators=[InputRequired("Enter the date it is needed by.")])


class DeadlineForm(Form):
    bid_deadline = LondonDeadlineField("Bid deadline", validators=[InputRequired("Enter the bid deadline.")])


def typed(name: str, **parts: str) -> MultiDict:
    return MultiDict({f"{name}-{part}": value for part, value in parts.items()})


def needed(**parts: str) -> NeededForm:
    form = NeededForm(typed("needed_by", **parts))
    form.validate()
    return form


def deadline(**parts: str) -> DeadlineForm:
    form = DeadlineForm(typed("bid_deadline", **parts))
    form.validate()
    return form


def test_a_real_date_is_a_date():
    form = needed(day="27", month="3", year="2027")
    assert form.errors == {}
    assert form.needed_by.data == date(2027, 3, 27)


def test_leading_zeros_and_spaces_are_read():
    assert needed(day=" 07 ", month="03", year="2027").needed_by.data == date(2027, 3, 7)


def test_nothing_typed_is_the_required_message_and_highlights_every_part():
    form = needed(day="", month="", year="")
    assert form.needed_by.errors == ["Enter the date it is needed by."]
    assert [form.needed_by.part_in_error(p) for p in ("day", "month", "year")] == [True, True, True]
    assert form.needed_by.error_anchor == "needed_by-day"


def test_a_form_without_the_inputs_at_all_is_not_entered():
    form = NeededForm(MultiDict({"other": "x"}))
    assert not form.validate()
    assert form.needed_by.errors == ["Enter the date it is needed by."]


@pytest.mark.parametrize(("parts", "message", "in_error"), [
    ({"day": "27", "month": "", "year": "2027"}, "Needed by must include a month.", ["month"]),
    ({"day": "", "month": "", "year": "2027"}, "Needed by must include a day and month.", ["day", "month"]),
    ({"day": "27", "month": "3", "year": ""}, "Needed by must include a year.", ["year"]),
], ids=["month", "day and month", "year"])
def test_a_missing_part_is_named_and_only_it_is_highlighted(parts, message, in_error):
    field = needed(**parts).needed_by
    assert field.errors == [message]
    assert field.data is None
    assert [p for p in field.parts if field.part_in_error(p)] == in_error
    assert field.error_anchor == f"needed_by-{in_error[0]}"


@pytest.mark.parametrize(("parts", "in_error"), [
    ({"day": "31", "month": "2", "year": "2027"}, ["day"]),
    ({"day": "29", "month": "2", "year": "2027"}, ["day"]),
    ({"day": "12", "month": "13", "year": "2027"}, ["month"]),
    ({"day": "0", "month": "0", "year": "2027"}, ["day", "month"]),
    ({"day": "1", "month": "1", "year": "0000"}, ["year"]),
], ids=["31 February", "29 February in a common year", "month 13", "day and month 0", "year 0"])
def test_a_date_that_does_not_exist_is_not_a_real_date(parts, in_error):
    field = needed(**parts).needed_by
    assert field.errors == ["Needed by must be a real date."]
    assert [p for p in field.parts if field.part_in_error(p)] == in_error


def test_29_february_in_a_leap_year_is_real():
    assert needed(day="29", month="2", year="2028").needed_by.data == date(2028, 2, 29)


@pytest.mark.parametrize(("parts", "in_error"), [
    ({"day": "27th", "month": "3", "year": "2027"}, ["day"]),
    ({"day": "27", "month": "March", "year": "2027"}, ["month"]),
    ({"day": "-1", "month": "3", "year": "2027"}, ["day"]),
    ({"day": "\uff12\uff17", "month": "3", "year": "2027"}, ["day"]),
], ids=["27th", "March in words", "negative", "fullwidth digits"])
def test_a_part_not_in_the_digits_0_to_9_is_not_a_real_date(parts, in_error):
    field = needed(**parts).needed_by
    assert field.errors == ["Needed by must be a real date."]
    assert [p for p in field.parts if field.part_in_error(p)] == in_error


@pytest.mark.parametrize("year", ["27", "202", "20270"])
def test_a_year_not_of_4_numbers_is_refused(year):
    field = needed(day="27", month="3", year=year).needed_by
    assert field.errors == ["Needed by must include a year of 4 numbers, like 2027."]
    assert [p for p in field.parts if field.part_in_error(p)] == ["year"]


def test_what_was_typed_is_shown_again_after_an_error():
    field = needed(day="31", month="2", year="27").needed_by
    assert field.shown() == {"day": "31", "month": "2", "year": "27"}


def test_a_stored_date_is_shown_in_its_parts():
    field = NeededForm(data={"needed_by": date(2027, 3, 7)}).needed_by
    assert field.shown() == {"day": "7", "month": "3", "year": "2027"}
    assert not any(field.part_in_error(p) for p in field.parts)


def test_an_optional_date_left_empty_is_none_without_an_error():
    class Filters(Form):
        needed_from = DateInputField("Needed from")

    form = Filters(MultiDict())
    assert form.validate()
    assert form.needed_from.data is None


def test_a_service_error_on_the_field_highlights_every_part():
    field = needed(day="27", month="3", year="2027").needed_by
    field.errors = ["Needed by must be today or later."]
    assert all(field.part_in_error(p) for p in field.parts)
    assert field.error_anchor == "needed_by-day"


@pytest.mark.parametrize(("parts", "moment"), [
    ({"day": "1", "month": "7", "year": "2027", "hour": "12", "minute": "00"}, datetime(2027, 7, 1, 11, tzinfo=UTC)),
    ({"day": "10", "month": "1", "year": "2027", "hour": "12", "minute": "00"}, datetime(2027, 1, 10, 12, tzinfo=UTC)),
    ({"day": "31", "month": "12", "year": "2027", "hour": "23", "minute": "59"},
     datetime(2027, 12, 31, 23, 59, tzinfo=UTC)),
    ({"day": "28", "month": "3", "year": "2027", "hour": "0", "minute": "5"}, datetime(2027, 3, 28, 0, 5, tzinfo=UTC)),
], ids=["summer: an hour ahead", "winter: London is UTC", "last minute of the year", "before the spring change"])
def test_a_deadline_is_london_time_stored_in_utc(parts, moment):
    form = deadline(**parts)
    assert form.errors == {}
    assert form.bid_deadline.data == moment
    assert form.bid_deadline.data.tzinfo is UTC


def test_a_stored_deadline_is_shown_in_london_time():
    field = DeadlineForm(data={"bid_deadline": datetime(2027, 7, 1, 11, 5, tzinfo=UTC)}).bid_deadline
    assert field.shown() == {"day": "1", "month": "7", "year": "2027", "hour": "12", "minute": "05"}


@pytest.mark.parametrize(("parts", "message", "in_error"), [
    ({"day": "1", "month": "7", "year": "2027", "hour": "", "minute": ""},
     "Bid deadline must include an hour and minute.", ["hour", "minute"]),
    ({"day": "1", "month": "7", "year": "2027", "hour": "12", "minute": ""},
     "Bid deadline must include a minute.", ["minute"]),
    ({"day": "1", "month": "7", "year": "2027", "hour": "24", "minute": "00"},
     "Bid deadline must be a real time, on the 24-hour clock.", ["hour"]),
    ({"day": "1", "month": "7", "year": "2027", "hour": "5pm", "minute": "00"},
     "Bid deadline must be a real time.", ["hour"]),
    ({"day": "1", "month": "7", "year": "2027", "hour": "12", "minute": "60"},
     "Bid deadline must be a real time, on the 24-hour clock.", ["minute"]),
    ({"day": "31", "month": "6", "year": "2027", "hour": "12", "minute": "00"},
     "Bid deadline must be a real date.", ["day"]),
    ({"day": "", "month": "7", "year": "2027", "hour": "12", "minute": "00"},
     "Bid deadline must include a day.", ["day"]),
], ids=["no time", "no minute", "hour 24", "5pm", "minute 60", "31 June", "no day"])
def test_a_deadline_not_typed_in_full_or_not_real_says_why(parts, message, in_error):
    field = deadline(**parts).bid_deadline
    assert field.errors == [message]
    assert field.data is None
    assert [p for p in field.parts if field.part_in_error(p)] == in_error
    assert field.error_anchor == f"bid_deadline-{in_error[0]}"


def test_a_deadline_at_the_end_of_the_calendar_is_read_not_a_crash():
    field = deadline(day="31", month="12", year="9999", hour="23", minute="59").bid_deadline
    assert field.data == datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
