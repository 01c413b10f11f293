"""Values read at a glance on the pages: money with separators, quantities with their unit, one date style,
statuses as tags, lots by their number and title; never a raw decimal or "None"."""
import re
from decimal import Decimal

from tests.functional.framework_pages_support import Tables, make_requirement, text_of

RAW_DECIMAL = re.compile(r"(?<![£\d,.])\d{4,}\.\d\d\b")
NONE_CELL = re.compile(r">\s*None\s*<")


def assert_no_raw_values(text: str) -> None:
    assert not RAW_DECIMAL.search(text), RAW_DECIMAL.search(text).group(0)
    assert not NONE_CELL.search(text)


def test_requirements_show_quantities_with_their_unit_money_and_dates_in_one_style(as_, people):
    make_requirement(people("camden"), quantity=Decimal("2500"), estimated_unit_price=Decimal("800.00"))

    text = text_of(as_("camden").get("/requirements"))

    [row] = Tables(text).rows("Requirements")
    assert row[2:4] == ["2,500 laptops", "£2,000,000.00"]
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}", row[4]), row[4]
    assert row[5] == "Open"
    assert '<strong class="tag tag-green">Open</strong>' in text
    assert '<td class="num" data-label="Quantity">2,500 laptops</td>' in text  # right-aligned; labelled when stacked
    assert_no_raw_values(text)


def test_a_framework_s_page_writes_its_pooled_demand_and_shares_for_people(as_, draft):
    framework, _ = draft  # Camden: 200 laptops at £800; Hackney: 100 at £750.50

    text = text_of(as_("admin").get(f"/frameworks/{framework.id}"))

    assert "Pooled demand for lot 1: 300 laptops in all, estimated at £235,050.00" in text
    demand = Tables(text).rows("Pooled demand for lot 1")
    assert demand == [["London Borough of Camden", "200", "£160,000.00", "66.7%"],
                      ["London Borough of Hackney", "100", "£75,050.00", "33.3%"]]
    assert "£5,000,000.00" in text and "25%" in text
    assert '<strong class="tag tag-grey">Draft</strong>' in text
    assert "Apprenticeships in London." in text
    assert '<td data-label="Guidance">—</td>' in text  # a criterion without guidance
    assert_no_raw_values(text)


def test_a_public_notice_names_its_status_as_a_tag_and_its_money_in_pounds(client, published):
    framework, _ = published

    text = text_of(client.get(f"/opportunities/{framework.id}"))

    assert '<strong class="tag tag-green">Open</strong>' in text
    assert "Budget £250,000.00" in text
    assert_no_raw_values(text)
