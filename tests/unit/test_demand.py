"""Pooling demand: a lot's totals, each authority's part and share, and which requirements pool together."""
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frameworks.domain.demand import (
    NEEDED_BY_WINDOW,
    AuthorityDemand,
    LotDemand,
    RequirementLine,
    aggregate,
    fits,
    pooling_problems,
)

DAY = date(2027, 4, 1)
_ids = count(1)


def line(organisation_id: int = 1, quantity: str = "10", price: str = "500.00", *, category: str = "devices",
         unit: str = "laptop", needed_by: date = DAY) -> RequirementLine:
    return RequirementLine(next(_ids), organisation_id, category, unit, Decimal(quantity), Decimal(price), needed_by)


# Quantities and unit prices as the requirement columns hold them: Numeric(14, 2), quantity > 0, price >= 0.
quantities = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000000000"), places=2)
prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("100000000"), places=2)
lines = st.lists(
    st.builds(lambda org, q, p: RequirementLine(next(_ids), org, "devices", "laptop", q, p, DAY),
              st.integers(min_value=1, max_value=8), quantities, prices),
    max_size=30,
)


@given(lines)
def test_total_quantity_and_value_are_the_sums_of_the_lines(pooled):
    demand = aggregate(pooled)
    assert demand.quantity == sum((x.quantity for x in pooled), Decimal(0))
    assert demand.estimated_value == sum((x.quantity * x.estimated_unit_price for x in pooled), Decimal(0))


@given(lines)
def test_each_authoritys_numbers_are_the_sums_of_its_own_lines(pooled):
    quantity, value = defaultdict(Decimal), defaultdict(Decimal)
    for x in pooled:
        quantity[x.organisation_id] += x.quantity
        value[x.organisation_id] += x.estimated_value
    demand = aggregate(pooled)
    assert [a.organisation_id for a in demand.authorities] == sorted(quantity)
    for authority in demand.authorities:
        assert authority.quantity == quantity[authority.organisation_id]
        assert authority.estimated_value == value[authority.organisation_id]


@given(lines)
def test_the_authorities_parts_add_up_to_the_lots_totals(pooled):
    demand = aggregate(pooled)
    assert sum((a.quantity for a in demand.authorities), Decimal(0)) == demand.quantity
    assert sum((a.estimated_value for a in demand.authorities), Decimal(0)) == demand.estimated_value


@given(lines.filter(bool))
def test_shares_are_each_authoritys_fraction_of_the_quantity_and_sum_to_one_within_1e_20(pooled):
    # The code divides in Decimal's 28-digit context, so a third is 0.333…3 and three thirds make 0.999…9:
    # the honest property is "1 to within rounding", far finer than a penny on any lot.
    demand = aggregate(pooled)
    for authority in demand.authorities:
        assert authority.share == authority.quantity / demand.quantity
        assert 0 < authority.share <= 1
    assert abs(sum((a.share for a in demand.authorities), Decimal(0)) - 1) <= Decimal("1e-20")


def test_shares_that_divide_exactly_sum_to_exactly_one():
    demand = aggregate([line(1, "1"), line(2, "1"), line(3, "2")])
    assert [a.share for a in demand.authorities] == [Decimal("0.25"), Decimal("0.25"), Decimal("0.5")]
    assert sum(a.share for a in demand.authorities) == 1


def test_shares_that_do_not_divide_exactly_are_rounded_so_their_sum_misses_one_by_rounding_only():
    demand = aggregate([line(1, "1"), line(2, "1"), line(3, "1")])
    total = sum(a.share for a in demand.authorities)
    assert total != 1
    assert abs(total - 1) <= Decimal("1e-20")


def test_an_authoritys_several_lines_are_added_together():
    demand = aggregate([line(7, "10", "500.00"), line(3, "5", "100.00"), line(7, "30", "450.00")])
    assert demand == LotDemand(
        quantity=Decimal("45"), estimated_value=Decimal("19000.00"),
        authorities=(
            AuthorityDemand(3, Decimal("5"), Decimal("500.00"), Decimal(5) / Decimal(45)),
            AuthorityDemand(7, Decimal("40"), Decimal("18500.00"), Decimal(40) / Decimal(45)),
        ),
    )


def test_no_requirements_make_an_empty_demand():
    assert aggregate([]) == LotDemand(Decimal(0), Decimal(0), ())
    assert aggregate(iter([])) == LotDemand(Decimal(0), Decimal(0), ())


def test_lines_of_zero_quantity_give_zero_shares_rather_than_dividing_by_zero():
    demand = aggregate([line(1, "0"), line(2, "0")])
    assert demand.quantity == 0
    assert [a.share for a in demand.authorities] == [0, 0]


def test_aggregate_accepts_a_one_shot_iterator():
    demand = aggregate(x for x in [line(1, "2"), line(2, "6")])
    assert demand.quantity == 8
    assert [a.share for a in demand.authorities] == [Decimal("0.25"), Decimal("0.75")]


# Which requirements can be pooled into one lot


def test_requirements_of_one_category_and_unit_pool_without_problems():
    assert pooling_problems([line(1), line(2), line(3)]) == []


def test_no_requirements_or_one_requirement_have_no_pooling_problems():
    assert pooling_problems([]) == []
    assert pooling_problems([line()]) == []


def test_mixed_categories_cannot_be_pooled():
    problems = pooling_problems([line(category="devices", unit="device"),
                                 line(category="managed_print", unit="device")])
    assert problems == ["All requirements in a lot must be of the same category."]


def test_mixed_units_cannot_be_pooled():
    problems = pooling_problems([line(unit="laptop"), line(unit="laptop"), line(unit="tablet")])
    assert problems == ["All requirements in a lot must be counted in the same unit."]


def test_mixed_categories_and_units_give_both_problems():
    problems = pooling_problems([line(category="devices", unit="laptop"),
                                 line(category="software_licences", unit="licence")])
    assert problems == ["All requirements in a lot must be of the same category.",
                        "All requirements in a lot must be counted in the same unit."]


# Suggestions: does a candidate fit a lot's requirements?


def test_any_requirement_fits_an_empty_lot():
    assert fits(line(category="telephony", unit="handset", needed_by=date(2030, 1, 1)), [])


def test_a_requirement_of_another_category_does_not_fit():
    assert not fits(line(category="managed_print", unit="device"), [line(category="devices", unit="device")])


def test_a_requirement_in_another_unit_does_not_fit():
    assert not fits(line(unit="tablet"), [line(unit="laptop")])


@pytest.mark.parametrize(("offset_days", "expected"), [
    (0, True), (1, True), (179, True), (180, True), (181, False), (400, False),
    (-1, True), (-180, True), (-181, False),
])
def test_a_requirement_fits_only_within_180_days_of_the_lots_earliest_date(offset_days, expected):
    assert timedelta(days=180) == NEEDED_BY_WINDOW
    lot = [line(needed_by=DAY + timedelta(days=90)), line(needed_by=DAY), line(needed_by=DAY + timedelta(days=30))]
    assert fits(line(needed_by=DAY + timedelta(days=offset_days)), lot) is expected


@given(offset=st.integers(min_value=-1000, max_value=1000))
def test_the_window_is_measured_from_the_earliest_date_not_the_first_line(offset):
    later_first = [line(needed_by=DAY + timedelta(days=100)), line(needed_by=DAY)]
    candidate = line(needed_by=DAY + timedelta(days=offset))
    assert fits(candidate, later_first) is (abs(offset) <= 180)
