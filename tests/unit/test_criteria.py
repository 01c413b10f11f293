"""A lot's award criteria: weights that make 100 with price, sound bounds and names; and the categories' units."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from frameworks.domain.criteria import MAX_SCORE_LIMIT, PRICE_FORMULAS, CriterionSpec, weight_problems
from frameworks.domain.taxonomy import CATEGORIES, category, unit_problem


def c(name: str = "Quality", weight: int = 30, max_score: int = 10) -> CriterionSpec:
    return CriterionSpec(name, weight, max_score)


SUMS_TO_100 = [
    (40, [c("Quality", 60)]),
    (0, [c("Quality", 100)]),
    (30, [c("Technical", 40), c("Social value", 10), c("Delivery", 20)]),
    (1, [c("A", 99)]),
]


@pytest.mark.parametrize(("price_weight", "criteria"), SUMS_TO_100)
def test_weights_summing_to_100_pass(price_weight, criteria):
    assert weight_problems(price_weight, criteria) == {}


@pytest.mark.parametrize(("price_weight", "criteria", "total"), [
    (40, [c("Quality", 50)], 90),
    (40, [c("Quality", 61)], 101),
    (0, [c("Quality", 99)], 99),
    (60, [c("Technical", 40), c("Social value", 10)], 110),
    (100, [c("Quality", 1)], 101),
])
def test_weights_summing_to_anything_else_fail_with_the_actual_sum(price_weight, criteria, total):
    problems = weight_problems(price_weight, criteria)
    assert problems == {"weights": "The price weight and the criteria weights must add up to 100; "
                                   f"they add up to {total}."}


def test_a_price_only_lot_passes():
    assert weight_problems(100, []) == {}


def test_a_lot_with_neither_criteria_nor_the_whole_price_weight_fails():
    problems = weight_problems(60, [])
    assert problems["weights"].endswith("they add up to 60.")
    assert problems["criteria"] == "Add at least one quality criterion, or give price the whole weight of 100."


@pytest.mark.parametrize("price_weight", [-1, 101, 150])
def test_a_price_weight_outside_0_to_100_fails(price_weight):
    criteria = [c("Quality", 100 - price_weight)] if price_weight <= 100 else []
    problems = weight_problems(price_weight, criteria)
    assert problems["price_weight"] == "The price weight must be between 0 and 100."


@pytest.mark.parametrize(("price_weight", "criteria"), [(0, [c("Quality", 100)]), (100, [])])
def test_price_weights_of_0_and_100_are_within_bounds(price_weight, criteria):
    assert "price_weight" not in weight_problems(price_weight, criteria)


@pytest.mark.parametrize("weight", [0, -5, 101])
def test_a_criterion_weight_outside_1_to_100_fails(weight):
    problems = weight_problems(100 - weight - 10, [c("Quality", 10), c("Delivery", weight)])
    assert problems["criteria.1.weight"] == "Each criterion's weight must be between 1 and 100."
    assert "criteria.0.weight" not in problems


@pytest.mark.parametrize(("price_weight", "weight"), [(99, 1), (0, 100)])
def test_criterion_weights_of_1_and_100_are_within_bounds(price_weight, weight):
    assert weight_problems(price_weight, [c("Quality", weight)]) == {}


@pytest.mark.parametrize("max_score", [0, -1, MAX_SCORE_LIMIT + 1])
def test_a_max_score_outside_1_to_100_fails(max_score):
    problems = weight_problems(40, [c("Quality", 30), c("Delivery", 30, max_score)])
    assert problems == {"criteria.1.max_score": "The maximum score must be between 1 and 100."}


@pytest.mark.parametrize("max_score", [1, 5, MAX_SCORE_LIMIT])
def test_max_scores_from_1_to_100_are_within_bounds(max_score):
    assert MAX_SCORE_LIMIT == 100
    assert weight_problems(40, [c("Quality", 60, max_score)]) == {}


@pytest.mark.parametrize("second", ["Quality", "quality", "QUALITY", "  Quality  ", "qUaLiTy "])
def test_duplicate_criterion_names_fail_whatever_their_case_and_spacing(second):
    problems = weight_problems(40, [c("Quality", 30), c(second, 30)])
    assert problems == {"criteria": "Each criterion needs a different name."}


@pytest.mark.parametrize("name", ["", " ", "\t\n"])
def test_an_empty_criterion_name_fails(name):
    problems = weight_problems(40, [c("Quality", 30), c(name, 30)])
    assert problems["criteria.1.name"] == "Give the criterion a name."
    assert "criteria.0.name" not in problems


def test_every_problem_is_reported_at_once_by_field():
    problems = weight_problems(120, [c("", 0, 0), c("X", 101, 101)])
    assert set(problems) == {"price_weight", "criteria.0.name", "criteria.0.weight", "criteria.0.max_score",
                             "criteria.1.weight", "criteria.1.max_score", "weights"}
    assert problems["weights"].endswith("they add up to 221.")


def test_the_price_formulas_are_the_three_the_design_names():
    assert PRICE_FORMULAS == ("relative", "linear", "absolute")


# Property: the result is empty exactly when every rule holds.

names = st.sampled_from(["Quality", "quality", "Delivery", "Social value", "", "  ", "Security", "SECURITY"])
any_weight = st.integers(min_value=-5, max_value=110)
criteria_lists = st.lists(st.builds(CriterionSpec, names, any_weight, any_weight), max_size=5)


@st.composite
def lots(draw):
    """Criteria and a price weight; half the time the price weight is what makes the sum exactly 100."""
    criteria = draw(criteria_lists)
    balanced = draw(st.booleans())
    price_weight = 100 - sum(x.weight for x in criteria) if balanced else draw(any_weight)
    return price_weight, criteria


@given(lots())
def test_weight_problems_are_empty_exactly_when_the_sum_is_100_and_every_bound_holds(lot):
    price_weight, criteria = lot
    keys = [x.name.strip().lower() for x in criteria]
    sound = (
        price_weight + sum(x.weight for x in criteria) == 100
        and 0 <= price_weight <= 100
        and all(1 <= x.weight <= 100 and 1 <= x.max_score <= 100 and x.name.strip() for x in criteria)
        and len(set(keys)) == len(keys)
    )
    assert (weight_problems(price_weight, criteria) == {}) is sound


@given(lots())
def test_a_wrong_sum_is_always_reported_with_the_sum(lot):
    price_weight, criteria = lot
    total = price_weight + sum(x.weight for x in criteria)
    problems = weight_problems(price_weight, criteria)
    if total == 100:
        assert "weights" not in problems
    else:
        assert problems["weights"].endswith(f"they add up to {total}.")


# The categories and their units


@pytest.mark.parametrize(("key", "unit"), [(k, u) for k, cat in CATEGORIES.items() for u in cat.units])
def test_every_unit_of_a_category_is_accepted(key, unit):
    assert unit_problem(key, unit) is None


def test_an_unknown_category_is_refused_listing_the_categories():
    message = unit_problem("furniture", "chair")
    assert message == ("Choose one of the categories: devices, cloud_hosting, networks, software_licences, "
                       "support_services, telephony, managed_print.")


@pytest.mark.parametrize(("key", "unit"), [("devices", "licence"), ("devices", "Laptop"), ("telephony", ""),
                                           ("cloud_hosting", "vcpu-month")])
def test_a_unit_that_is_not_the_categorys_is_refused_listing_its_units(key, unit):
    found = CATEGORIES[key]
    assert unit_problem(key, unit) == f"For {found.name.lower()}, the unit is one of: {', '.join(found.units)}."


def test_the_devices_message_reads_as_a_sentence():
    assert unit_problem("devices", "page") == (
        "For end-user devices, the unit is one of: device, laptop, desktop, tablet, monitor.")


def test_categories_are_found_by_key_and_carry_a_cpv_code_with_its_check_digit():
    assert category("networks") is CATEGORIES["networks"]
    assert category("nothing") is None
    for key, found in CATEGORIES.items():
        assert found.key == key
        head, check_digit = found.cpv.split("-")
        assert len(head) == 8 and head.isdigit() and len(check_digit) == 1 and check_digit.isdigit()
        assert found.units
