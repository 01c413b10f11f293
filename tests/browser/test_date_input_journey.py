"""An officer types a date that does not exist into the GOV.UK date input, follows the error summary to it, puts it
right, then filters the requirements by a date typed the same way, in a real browser (axe-checked at every width,
with the inputs in error)."""
import re

import pytest
from playwright.sync_api import expect

from app.types import london_today
from tests.browser.test_framework_journey import sign_in

pytestmark = pytest.mark.browser

NEXT_YEAR = london_today().year + 1


def test_an_officer_corrects_a_date_that_does_not_exist_and_filters_by_date(live_server, page, make_user):
    make_user("olivia@camden.gov.uk", "officer", org="London Borough of Camden")
    sign_in(page, live_server, "olivia@camden.gov.uk")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Requirements").click()
    page.get_by_role("link", name="State a requirement").click()
    page.get_by_label("Title", exact=True).fill("Laptops for social workers")
    page.get_by_label("Quantity").fill("200")
    page.get_by_label("Estimated unit price (£)").fill("800")
    needed_by = page.get_by_role("group", name="Needed by", exact=True)
    expect(needed_by).to_contain_text("For example, 27 3 2027")
    needed_by.get_by_label("Day").fill("31")
    needed_by.get_by_label("Month").fill("2")
    needed_by.get_by_label("Year").fill(str(NEXT_YEAR))
    page.get_by_role("button", name="Save requirement").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(needed_by).to_contain_text("Needed by must be a real date.")
    expect(needed_by.get_by_label("Day")).to_have_attribute("aria-invalid", "true")
    expect(needed_by.get_by_label("Month")).not_to_have_attribute("aria-invalid", "true")
    expect(needed_by.get_by_label("Month")).to_have_value("2")
    summary.get_by_role("link", name="Needed by must be a real date.").click()
    expect(needed_by.get_by_label("Day")).to_be_focused()

    page.keyboard.press("Control+A")
    page.keyboard.type("28")
    page.get_by_role("button", name="Save requirement").click()
    expect(page.get_by_role("status")).to_have_text("Requirement “Laptops for social workers” saved.")
    row = page.get_by_role("row", name=re.compile("Laptops for social workers"))
    expect(row).to_contain_text(f"28 Feb {NEXT_YEAR}")

    needed_from = page.get_by_role("group", name="Needed from", exact=True)
    needed_from.get_by_label("Day").fill("1")
    needed_from.get_by_label("Year").fill(str(NEXT_YEAR))
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("alert")).to_contain_text("Needed from must include a month.")
    expect(needed_from.get_by_label("Month")).to_have_attribute("aria-invalid", "true")
    expect(row).to_be_visible()

    needed_from.get_by_label("Month").fill("3")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.get_by_role("main")).to_contain_text("No requirements match.")
