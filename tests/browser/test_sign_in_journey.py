"""A person signs in with the keyboard and reaches their dashboard, in a real browser."""
import re

import pytest
from playwright.sync_api import expect

from tests.support import PASSWORD

pytestmark = pytest.mark.browser


def test_an_officer_signs_in_and_reaches_the_dashboard(live_server, page, make_user):
    make_user("olivia.carter@camden.gov.uk", role="officer", org="London Borough of Camden")
    make_user("sam@thamesdigital.example", role="supplier", org="Thames Digital Services Ltd", sme=True)

    page.goto(live_server + "/dashboard")
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))

    page.get_by_label("E-mail address").fill("Olivia.Carter@camden.gov.uk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")

    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Officer dashboard")
    expect(page.get_by_role("main")).to_contain_text("London Borough of Camden")
    on_consort = page.get_by_role("region", name="On Consort")
    expect(on_consort).to_contain_text(re.compile(r"1\s+authorities"))
    expect(on_consort).to_contain_text(re.compile(r"1\s+suppliers"))


def test_a_wrong_password_shows_an_error_summary_that_takes_focus(live_server, page, make_user):
    make_user("olivia.carter@camden.gov.uk", role="officer", org="London Borough of Camden")
    page.goto(live_server + "/sign-in")
    page.get_by_label("E-mail address").fill("olivia.carter@camden.gov.uk")
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_focused()
    summary.get_by_role("link").click()
    expect(page.get_by_label("E-mail address")).to_be_focused()


def test_the_skip_link_is_first_and_moves_focus_to_the_main_content(live_server, page):
    page.goto(live_server + "/sign-in")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_on_a_phone_the_navigation_opens_from_the_menu_button_with_scripts_off(live_server, browser, make_user):
    make_user("olivia.carter@camden.gov.uk", role="officer", org="London Borough of Camden")
    context = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=False)
    try:
        phone = context.new_page()
        phone.goto(live_server + "/sign-in")
        phone.get_by_label("E-mail address").fill("olivia.carter@camden.gov.uk")
        phone.get_by_label("Password").fill(PASSWORD)
        phone.get_by_role("button", name="Sign in").click()
        expect(phone.get_by_role("heading", level=1)).to_have_text("Officer dashboard")
        requirements = phone.get_by_role("navigation", name="Main").get_by_role("link", name="Requirements")
        expect(requirements).to_be_hidden()
        phone.get_by_text("Menu", exact=True).click()
        requirements.click()
        expect(phone.get_by_role("heading", level=1)).to_have_text("Requirements")
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling"
    finally:
        context.close()
