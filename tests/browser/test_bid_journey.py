"""A new supplier, in a real browser: registers, declares, drafts a bid from its task list (a page per lot, a
bundle, a document), checks its answers and submits, reads the receipt, revises and submits again.

Every step is taken by the labels of fields and the names of links and buttons, as a person takes it.
"""
import re
from contextlib import suppress
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from frameworks.domain.lifecycle import FrameworkStatus
from suppliers.models import Bid, BidStatus
from tests.functional.framework_pages_support import make_framework, make_lot, make_requirement
from tests.support import PASSWORD

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def open_framework(make_user):
    from frameworks import services as frameworks

    admin = make_user("ada@ldpc.example", role="admin", org="London Digital Purchasing Consortium",
                      kind="consortium")
    camden = make_user("olivia@camden.gov.uk", role="officer", org="London Borough of Camden", kind="authority")
    laptops = make_requirement(camden)
    tablets = make_requirement(camden, title="Tablets for carers", unit="tablet", quantity=50)
    framework = make_framework(admin, title="London end-user devices")
    make_lot(admin, framework.id, [laptops.id], title="Laptops")
    make_lot(admin, framework.id, [tablets.id], title="Tablets")
    frameworks.transition(admin, framework.id, FrameworkStatus.OPEN)
    return framework


def test_a_new_supplier_bids_submits_revises_and_submits_again(live_server, page, open_framework, request):
    try:
        _journey(live_server, page, open_framework)
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        with suppress(Exception):
            page.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
        raise


def _journey(live_server, page, framework):
    # Registers the company.
    page.goto(live_server + "/sign-up/supplier")
    page.get_by_label("Company name").fill("Wapping Widgets Ltd")
    page.get_by_label("Companies House number").fill("12345678")
    page.get_by_label("We are a small or medium-sized enterprise", exact=False).check()
    page.get_by_label("Your full name").fill("Wendy Walker")
    page.get_by_label("Your work e-mail address").fill("wendy@wappingwidgets.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Register company").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))

    # The dashboard says at the start what a bid needs; the supplier completes the declaration from the profile.
    expect(page.locator("section.todo")).to_contain_text("Make your declaration against the exclusion grounds")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Profile").click()
    expect(page.get_by_text("You have not made a declaration yet")).to_be_visible()
    page.get_by_role("link", name="Make the declaration").click()
    for group in page.get_by_role("group").all():
        answer = group.get_by_label("No", exact=True)
        if answer.count():  # a group of grounds, not a wrapper around them (a short timeout here failed under load)
            answer.first.check()
    page.get_by_role("button", name="Make this declaration").click()
    expect(page.get_by_text("Declared that no exclusion ground applies.")).to_be_visible()

    # Opens the bid's task list: the organisation's tasks first, then a task per lot, bundles and documents.
    page.goto(f"{live_server}/frameworks/{framework.id}")
    page.get_by_role("link", name="Your bid", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Your bid on London end-user devices")).to_be_visible()
    expect(page.locator("#declaration-status")).to_have_text("Completed")
    expect(page.locator("#profile-status")).not_to_have_text("Completed")  # no address or contact yet
    expect(page.locator("#check-status")).to_have_text("Cannot start yet")

    # Prices and answers each lot on its own page; the draft saves itself as it is typed.
    for number, price in ((1, "180000.00"), (2, "45000.00")):
        page.get_by_role("link", name=re.compile(rf"^Lot {number}:")).click()
        expect(page.get_by_role("heading", level=1, name=re.compile(rf"^Lot {number}:"))).to_be_visible()
        page.get_by_label(re.compile(rf"^Price for lot {number}")).fill(price)
        page.get_by_label("Quality of the devices").fill(f"Lot {number}: business-grade devices, 3-year warranty.")
        page.get_by_label("Social value").fill(f"Lot {number}: two apprentices from Tower Hamlets.")
        # The word count under the answer follows what is typed (without scripts it states the limit).
        expect(page.locator(".word-count").last).to_have_text(
            re.compile(r"^You have \d+ words remaining \(7 of \d+\)$"))
        expect(page.get_by_text(re.compile(r"^Draft saved at"))).to_be_visible(timeout=15_000)
        page.get_by_role("button", name="Save and continue").click()
        expect(page.get_by_text(f"Lot {number} is saved in your draft.")).to_be_visible()
        expect(page.locator(".task-status").filter(has_text="Completed")).to_have_count(number + 1)

    # Offers a bundle of both lots, on the bundles page: one block, as two lots make one bundle.
    page.get_by_role("link", name="Bundles (optional)").click()
    bundle = page.get_by_role("group", name="Bundle 1: lots")
    bundle.get_by_label(re.compile(r"^Lot 1:")).check()
    bundle.get_by_label(re.compile(r"^Lot 2:")).check()
    expect(page.get_by_role("group", name="Bundle 2: lots")).to_have_count(0)
    page.get_by_label("Bundle 1: one price for all its lots (£)").fill("210000.00")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Your bundles are saved in your draft.")).to_be_visible()

    # Uploads a document.
    page.get_by_role("link", name="Documents (optional)").click()
    page.get_by_label("Document", exact=True).set_input_files(
        {"name": "method-statement.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("link", name="method-statement.pdf")).to_be_visible()
    page.get_by_role("link", name="Continue").click()

    # Checks the answers, changes one from there, and submits; then reads the receipt.
    page.get_by_role("link", name="Check your answers and submit").click()
    expect(page.get_by_role("heading", level=1, name="Check your answers before submitting your bid")).to_be_visible()
    expect(page.get_by_text("Lot 2: two apprentices from Tower Hamlets.")).to_be_visible()
    page.get_by_role("link", name="Change Social value for lot 2").click()
    expect(page.get_by_label("Social value")).to_have_value("Lot 2: two apprentices from Tower Hamlets.")
    page.get_by_label("Social value").fill("Lot 2: three apprentices from Tower Hamlets.")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Check your answers and submit").click()
    expect(page.get_by_text("Lot 2: three apprentices from Tower Hamlets.")).to_be_visible()
    page.get_by_role("button", name="Submit the bid").click()
    expect(page.get_by_role("heading", level=1, name="Bid submitted")).to_be_visible()
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    confirmed = page.locator(".panel-reference").inner_text()
    page.get_by_role("link", name="See your bid and its receipt").click()
    expect(page.get_by_role("heading", name="Receipt")).to_be_visible()
    first = page.locator("[data-receipt-sha256]").inner_text()
    assert first == confirmed
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    db.session.expire_all()
    bid = db.session.scalar(select(Bid).where(Bid.framework_id == framework.id))
    assert (bid.status, bid.receipt_sha256) == (BidStatus.SUBMITTED, first)

    # Revises (which takes it back to draft) and submits again: a new receipt.
    page.get_by_role("link", name="Change the bid").click()
    expect(page.locator("#check-status")).to_have_text("Completed")
    page.get_by_role("link", name=re.compile(r"^Lot 2:")).click()
    expect(page.get_by_text("Saving a change takes it back to draft")).to_be_visible()
    page.get_by_label(re.compile(r"^Price for lot 2")).fill("43500.00")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#check-status")).to_have_text("Not started")
    page.get_by_role("link", name="Check your answers and submit").click()
    page.get_by_role("button", name="Submit the bid").click()
    expect(page.get_by_role("heading", level=1, name="Bid submitted")).to_be_visible()
    page.get_by_role("link", name="See your bid and its receipt").click()
    expect(page.get_by_role("heading", name="Receipt")).to_be_visible()
    second = page.locator("[data-receipt-sha256]").inner_text()
    assert second != first
    db.session.expire_all()
    bid = db.session.get(Bid, bid.id)
    assert (bid.status, bid.receipt_sha256, bid.submissions) == (BidStatus.SUBMITTED, second, 2)
    assert [str(o.price) for o in bid.lots] == ["180000.00", "43500.00"]
    assert [(sorted(x.lot_id for x in b.lots), str(b.price)) for b in bid.bundles] == [
        (sorted(o.lot_id for o in bid.lots), "210000.00")]
    assert [d.filename for d in bid.documents] == ["method-statement.pdf"]
