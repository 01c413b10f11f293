"""A person who has forgotten their password resets it from the e-mailed link, with the keyboard, in a real browser."""
import re

import pytest
from playwright.sync_api import expect

from tests.support import PASSWORD

pytestmark = pytest.mark.browser

EMAIL = "olivia.carter@camden.gov.uk"
NEW_PASSWORD = "a completely different passphrase"


def test_a_user_resets_a_forgotten_password_from_the_emailed_link_and_signs_in_with_it(
        app, live_server, page, make_user):
    make_user(EMAIL, role="officer", org="London Borough of Camden")
    app.config["PUBLIC_BASE_URL"] = live_server  # so that the e-mail's link leads to this server

    page.goto(live_server + "/sign-in")
    forgotten = page.get_by_role("link", name="Forgotten your password?")
    forgotten.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/forgotten-password$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("E-mail address").press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    expect(page.get_by_role("main")).to_contain_text(
        "If an account uses that address, we have sent it a link to reset the password. "
        "The link works once, for one hour.")
    [message] = app.extensions["mail_outbox"]
    assert message["To"] == EMAIL
    link = re.search(r"http://\S+/reset-password/\S+", message.get_body(preferencelist=("plain",)).get_content())
    assert link, "the e-mail holds the reset link"

    page.goto(link.group(0))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD + " but not quite")
    page.get_by_label("Confirm new password").press("Enter")

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("The two passwords do not match.")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_attribute("href", "#confirm")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").press("Enter")

    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.get_by_role("main")).to_contain_text("Sign in with your new password.")
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("The e-mail address or password is not right.")

    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Officer dashboard")

    page.goto(link.group(0))
    expect(page.get_by_role("heading", level=1)).to_have_text("This link cannot be used")
    expect(page.get_by_role("link", name="Ask for a new link to reset your password")).to_be_visible()
