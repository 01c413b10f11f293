"""The GOV.UK date input on the pages: the requirement form's messages and error summary, a stored date shown in its
parts for changing, and the requirements list's filter by dates read from the query string."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.types import london_today
from frameworks.requirements.models import Requirement
from tests.functional.framework_pages_support import (
    Tables,
    assert_summary_links_to,
    count,
    make_requirement,
    requirement_form,
    submit,
    text_of,
)

NEXT_YEAR = london_today().year + 1


def typed_needed_by(**parts: str) -> dict:
    good = {"needed_by-day": "27", "needed_by-month": "3", "needed_by-year": str(NEXT_YEAR)}
    return requirement_form() | good | {f"needed_by-{part}": value for part, value in parts.items()}


def inputs_of(text: str, name: str) -> dict[str, tuple[str, bool]]:
    """Each part's input of a date input: the value it shows and whether it is highlighted as in error."""
    found = re.findall(rf'<input class="([^"]*)" id="{name}-(\w+)"[^>]*value="([^"]*)"', text)
    return {part: (value, "input-error" in classes.split()) for classes, part, value in found}


def test_the_needed_by_date_is_a_govuk_date_input(as_):
    text = text_of(as_("camden").get("/requirements/new"))

    fieldset = re.search(r'<fieldset class="date-fieldset"[^>]*>(.*?)</fieldset>', text, re.S)
    assert fieldset and "<legend>Needed by</legend>" in fieldset.group(1)
    assert '<p class="hint" id="needed_by-hint">For example, 27 3 2027</p>' in fieldset.group(1)
    for part, width in (("day", 2), ("month", 2), ("year", 4)):
        control = re.search(rf'<input [^>]*id="needed_by-{part}"[^>]*>', fieldset.group(1)).group(0)
        assert f'name="needed_by-{part}"' in control and 'inputmode="numeric"' in control
        assert f"input-width-{width}" in control and 'type="text"' in control
        assert f'<label for="needed_by-{part}">{part.capitalize()}</label>' in fieldset.group(1)
    assert 'type="date"' not in text


@pytest.mark.parametrize("parts, message, in_error", [
    ({"day": "", "month": "", "year": ""}, "Enter the date it is needed by.", ["day", "month", "year"]),
    ({"month": ""}, "Needed by must include a month.", ["month"]),
    ({"day": "", "year": ""}, "Needed by must include a day and year.", ["day", "year"]),
    ({"day": "31", "month": "2"}, "Needed by must be a real date.", ["day"]),
    ({"month": "three"}, "Needed by must be a real date.", ["month"]),
    ({"year": "27"}, "Needed by must include a year of 4 numbers, like 2027.", ["year"]),
], ids=["nothing", "no-month", "no-day-or-year", "31-february", "month-in-words", "2-digit-year"])
def test_a_date_not_typed_in_full_gets_the_govuk_message_linked_to_its_first_input_in_error(
        as_, parts, message, in_error):
    response = submit(as_("camden"), "/requirements/new", typed_needed_by(**parts))

    assert response.status_code == 422
    assert_summary_links_to(response, "needed_by", message, f"needed_by-{in_error[0]}")
    shown = inputs_of(text_of(response), "needed_by")
    assert [part for part, (_, in_err) in shown.items() if in_err] == in_error
    typed = typed_needed_by(**parts)
    assert {part: value for part, (value, _) in shown.items()} == {
        part: typed[f"needed_by-{part}"] for part in ("day", "month", "year")}, "what was typed is shown again"
    assert count(Requirement) == 0


def test_a_date_typed_in_parts_is_stored_as_that_date(as_):
    assert submit(as_("camden"), "/requirements/new", typed_needed_by(day="07", month="03")).status_code == 302

    assert db.session.scalar(select(Requirement)).needed_by == date(NEXT_YEAR, 3, 7)


def test_a_stored_date_is_shown_in_its_parts_for_changing(as_, people):
    requirement = make_requirement(people("camden"), needed_by=date(NEXT_YEAR, 11, 5))

    shown = inputs_of(text_of(as_("camden").get(f"/requirements/{requirement.id}/edit")), "needed_by")

    assert shown == {"day": ("5", False), "month": ("11", False), "year": (str(NEXT_YEAR), False)}


def listed_titles(response) -> list[str]:
    return [row[0] for row in Tables(text_of(response)).rows("Requirements")]


def test_the_list_filters_by_the_dates_typed_in_its_date_inputs(as_, people):
    soon, later = london_today() + timedelta(days=30), london_today() + timedelta(days=300)
    make_requirement(people("camden"), title="Soon", needed_by=soon)
    make_requirement(people("camden"), title="Later", needed_by=later)
    middle = soon + timedelta(days=1)

    after = as_("camden").get("/requirements", query_string={
        "needed_from-day": middle.day, "needed_from-month": middle.month, "needed_from-year": middle.year})
    before = as_("camden").get("/requirements", query_string={
        "needed_to-day": middle.day, "needed_to-month": middle.month, "needed_to-year": middle.year})

    assert (after.status_code, before.status_code) == (200, 200)
    assert listed_titles(after) == ["Later"]
    assert listed_titles(before) == ["Soon"]
    assert inputs_of(text_of(after), "needed_from") == {
        "day": (str(middle.day), False), "month": (str(middle.month), False), "year": (str(middle.year), False)}


def test_an_incomplete_filter_date_says_so_and_does_not_filter(as_, people):
    make_requirement(people("camden"), title="Soon", needed_by=london_today() + timedelta(days=30))

    response = as_("camden").get("/requirements?needed_from-day=1&needed_from-month=&needed_from-year=2030")

    assert response.status_code == 200
    assert_summary_links_to(response, "needed_from", "Needed from must include a month.", "needed_from-month")
    assert listed_titles(response) == ["Soon"]


def test_the_list_without_filters_shows_no_error(as_, people):
    make_requirement(people("camden"), title="Soon")

    text = text_of(as_("camden").get("/requirements"))

    assert 'class="error-summary"' not in text and "input-error" not in text
