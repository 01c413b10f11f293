"""The award in a real browser: the admin runs it, reads the explanation, runs a what-if and compares the two."""
import re
from contextlib import suppress
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from frameworks.domain.lifecycle import FrameworkStatus
from tests.browser.test_framework_journey import sign_in
from tests.functional.framework_pages_support import make_framework, make_lot, make_requirement, move_deadlines

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def evaluated(make_user):
    """A framework in evaluation: one lot (budget £250,000, two places), three scored bids."""
    from frameworks import services as frameworks
    from procurement.evaluation import services as evaluation
    from suppliers import bids
    from suppliers.domain import bidding

    admin = make_user("ada@ldpc.example", role="admin", org="London Digital Purchasing Consortium",
                      kind="consortium")
    camden = make_user("olivia@camden.gov.uk", role="officer", org="London Borough of Camden", kind="authority")
    evaluator = make_user("eve@islington.gov.uk", role="evaluator", org="London Borough of Islington",
                          kind="authority")
    framework = make_framework(admin, min_sme_share=Decimal(0))
    lot = make_lot(admin, framework.id, [make_requirement(camden).id])
    frameworks.transition(admin, framework.id, FrameworkStatus.OPEN)
    bid_ids = []
    for email, org, price in (("sam@thames.example", "Thames Digital Ltd", "120000"),
                              ("alex@albion.example", "Albion Technology plc", "100000"),
                              ("bo@bankside.example", "Bankside Cloud Ltd", "140000")):
        supplier = make_user(email, role="supplier", org=org, kind="supplier")
        bid = bids.create(supplier, framework.id, [bidding.LotOffer(lot.id, Decimal(price), {
            c.id: f"{org}: a plan." for c in lot.criteria})], [])
        bids.submit(supplier, bid.id)
        bid_ids.append(bid.id)
    evaluation.set_panel(admin, lot.id, [evaluator.id])
    move_deadlines(framework.id, question_hours=-2, bid_hours=-1)
    evaluation.declare(evaluator, lot.id, False, "")
    for bid_id, marks in zip(bid_ids, ((4, 8), (3, 6), (5, 9)), strict=True):
        for criterion, mark in zip(lot.criteria, marks, strict=True):
            evaluation.record_score(evaluator, lot.id, bid_id, criterion.id, Decimal(mark), "Reason.")
    frameworks.transition(admin, framework.id, FrameworkStatus.EVALUATION)
    return framework


def test_the_admin_runs_the_award_reads_why_runs_a_what_if_and_compares(live_server, page, evaluated, request):
    try:
        page.set_default_timeout(15_000)
        sign_in(page, live_server, "ada@ldpc.example")
        page.goto(f"{live_server}/frameworks/{evaluated.id}")
        page.get_by_role("link", name="The award").click()
        page.get_by_role("button", name="Run the award").click()
        expect(page.get_by_text(re.compile(r"^The award run is done, in"))).to_be_visible()
        expect(page.get_by_text("Proven optimal")).to_be_visible()
        explanation = page.locator("ul.explanation")
        expect(explanation).to_contain_text("Lot 1: won by")
        expect(explanation).to_contain_text("Binding: the number of winners a lot may have")
        winners = page.get_by_role("table").first.inner_text()
        page.get_by_role("link", name="Back to the award").click()
        leaving = "Bankside Cloud Ltd" if "Bankside" in winners else "Thames Digital Ltd"
        page.get_by_label(leaving).check()
        page.get_by_role("button", name="Run the award").click()
        expect(page.get_by_text("1 supplier left out.")).to_be_visible()
        assert leaving not in page.get_by_role("table").first.inner_text()
        page.get_by_role("link", name="Back to the award").click()
        page.get_by_role("button", name="Compare the two runs").click()
        table = page.get_by_role("table", name="Winners by lot")
        expect(table).to_be_visible()
        expect(table).to_contain_text("As published")
        expect(table).to_contain_text("1 supplier left out")
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        with suppress(Exception):
            page.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
        raise
