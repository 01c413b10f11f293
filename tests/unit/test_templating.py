"""The filters every page writes values with: money, numbers, quantities, dates and times, tags, lots."""
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from app.templating import day, given, london_time, lot_name, money, number, percent, quantity, tag

EM_DASH = "\N{EM DASH}"


@pytest.mark.parametrize(("value", "shown"), [
    (Decimal("631800.00"), "£631,800.00"), (Decimal("3000000"), "£3,000,000.00"), (0, "£0.00"),
    (Decimal("0.5"), "£0.50"), (Decimal("-1234.5"), "-£1,234.50"), (None, EM_DASH), (48960, "£48,960.00"),
])
def test_money_is_pounds_and_pence_with_thousands_separators(value, shown):
    assert money(value) == shown


@pytest.mark.parametrize(("value", "shown"), [
    (Decimal("4200.00"), "4,200"), (Decimal("12.50"), "12.5"), (1234567, "1,234,567"), (Decimal("0.125"), "0.125"),
    (None, EM_DASH), (Decimal("71.8"), "71.8"),
])
def test_number_has_separators_and_no_decimals_when_whole(value, shown):
    assert number(value) == shown


def test_number_to_fixed_places_for_scores():
    assert number(Decimal("71.808"), 2) == "71.81"
    assert number(7.0, 2) == "7.00"


@pytest.mark.parametrize(("value", "unit", "shown"), [
    (Decimal("250.00"), "laptop", "250 laptops"), (Decimal("1.00"), "site", "1 site"),
    (Decimal("2400"), "vCPU-month", "2,400 vCPU-months"), (Decimal("12.5"), "day", "12.5 days"),
    (Decimal("3"), None, "3"), (None, "laptop", EM_DASH),
])
def test_quantity_names_its_unit_in_the_plural_unless_one(value, unit, shown):
    assert quantity(value, unit) == shown


def test_percent_of_a_fraction():
    assert percent(Decimal("0.3")) == "30%"
    assert percent(Decimal("0.125")) == "12.5%"
    assert percent(None) == EM_DASH


def test_times_are_in_london_with_the_zone_named_in_winter_and_summer():
    assert london_time(datetime(2026, 12, 1, 14, 5, tzinfo=UTC)) == "1 Dec 2026, 14:05 GMT"
    assert london_time(datetime(2026, 7, 1, 14, 5, tzinfo=UTC)) == "1 Jul 2026, 15:05 BST"
    assert london_time("2026-12-01T14:05:00+00:00") == "1 Dec 2026, 14:05 GMT"
    assert london_time(None) == EM_DASH


def test_dates_in_one_style_a_time_taken_as_londons_day():
    assert day(date(2026, 12, 1)) == "1 Dec 2026"
    assert day("2026-03-09") == "9 Mar 2026"
    # 23:30 UTC on 30 June is already 1 July in London (BST)
    assert day(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == "1 Jul 2026"
    assert day(None) == EM_DASH


@pytest.mark.parametrize("value", [None, "", "   "])
def test_given_never_shows_none(value):
    assert given(value) == EM_DASH
    assert given(value, "Not given") == "Not given"


def test_given_keeps_a_value_even_a_falsy_number():
    assert given(0) == 0
    assert given("Kiosks") == "Kiosks"


def test_a_status_is_a_coloured_tag_with_its_words():
    assert str(tag("open")) == '<strong class="tag tag-green">Open</strong>'
    assert str(tag(SimpleNamespace(value="past_due"))) == '<strong class="tag tag-yellow">Past due</strong>'
    assert str(tag("cancelled")) == '<strong class="tag tag-red">Cancelled</strong>'
    assert str(tag("something new")) == '<strong class="tag tag-grey">Something new</strong>'
    assert str(tag("<b>", "blue")) == '<strong class="tag tag-blue">&lt;b&gt;</strong>'


def test_a_lot_is_named_by_its_number_in_its_framework_and_its_title():
    assert lot_name(SimpleNamespace(id=10, number=1, title="Kiosks")) == "Lot 1: Kiosks"
    assert lot_name(None) == EM_DASH
