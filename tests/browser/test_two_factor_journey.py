"""An admin sets up two-factor sign-in when first signing in (their role needs it), signs out, signs in with a code
from the app, then with a recovery code, which does not work a second time: in a real browser."""
import re

import pytest
from playwright.sync_api import expect

from tests.support import PASSWORD, code_at, totp_code

pytestmark = pytest.mark.browser

ADMIN = "ada.okafor@ldpc.example"


def password_step(page, live_server: str) -> None:
    page.goto(live_server + "/sign-in")
    page.get_by_label("E-mail address").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))


def test_an_admin_enrols_signs_in_with_a_code_and_with_a_recovery_code_once(app, live_server, page, make_user):
    make_user(ADMIN, "admin", "London Digital Purchasing Consortium")

    password_step(page, live_server)
    expect(page).to_have_url(re.compile(r"/account/two-factor$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.locator("figure.qr-code svg")).to_be_visible()
    page.get_by_role("link", name="Audit log").click()  # nothing else before enrolment
    expect(page).to_have_url(re.compile(r"/account/two-factor$"))
    key = page.locator("#two-factor-secret").inner_text().replace(" ", "")
    page.get_by_label("Code").fill("000000" if code_at(key, None) != "000000" else "111111")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not right")
    page.get_by_label("Code").fill(code_at(key, None))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in is on")
    codes = page.get_by_role("list", name="Recovery codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    sign_out(page)

    password_step(page, live_server)
    expect(page).to_have_url(re.compile(r"/sign-in/code$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    page.get_by_label("Code").fill(totp_code(ADMIN))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    sign_out(page)

    password_step(page, live_server)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("main")).to_contain_text("You signed in with a recovery code, which cannot be used again. "
                                                     "You have 9 left.")
    sign_out(page)

    password_step(page, live_server)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/sign-in/code$"))
    expect(page.get_by_role("alert")).to_contain_text("That code is not right, or it has been used already.")
    page.goto(live_server + "/dashboard")
    expect(page).to_have_url(re.compile(r"/sign-in"))
