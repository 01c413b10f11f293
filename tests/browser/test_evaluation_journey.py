"""Evaluation in a real browser: an evaluator declares no conflict and scores a lot answer by answer (an error on
the way, Save and next, and once back to the list); the admin moderates one score and reads the ranking."""
import re
from contextlib import suppress
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.extensions import db
from frameworks.domain.lifecycle import FrameworkStatus
from procurement.evaluation.models import ModeratedScore, Score
from tests.browser.test_framework_journey import sign_in
from tests.functional.framework_pages_support import make_framework, make_lot, make_requirement, move_deadlines

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def tendered_lot(make_user):
    from frameworks import services as frameworks
    from procurement.evaluation import services as evaluation
    from suppliers import bids
    from suppliers.domain import bidding

    admin = make_user("ada@ldpc.example", role="admin", org="London Digital Purchasing Consortium",
                      kind="consortium")
    camden = make_user("olivia@camden.gov.uk", role="officer", org="London Borough of Camden", kind="authority")
    evaluator = make_user("eve@islington.gov.uk", role="evaluator", org="London Borough of Islington",
                          kind="authority")
    framework = make_framework(admin)
    lot = make_lot(admin, framework.id, [make_requirement(camden).id])
    frameworks.transition(admin, framework.id, FrameworkStatus.OPEN)
    for email, org, price in (("sam@thames.example", "Thames Digital Ltd", "180000"),
                              ("alex@albion.example", "Albion Technology plc", "150000")):
        supplier = make_user(email, role="supplier", org=org, kind="supplier")
        bid = bids.create(supplier, framework.id, [bidding.LotOffer(lot.id, Decimal(price), {
            c.id: f"{org} answers {c.name.lower()} with a plan." for c in lot.criteria})], [])
        bids.submit(supplier, bid.id)
    evaluation.set_panel(admin, lot.id, [evaluator.id])
    move_deadlines(framework.id, question_hours=-2, bid_hours=-1)
    return framework, lot


def test_an_evaluator_scores_and_the_admin_moderates_and_ranks(live_server, browser, tendered_lot, request):
    framework, _ = tendered_lot
    contexts = []
    try:
        evaluator = browser.new_context().new_page()
        contexts.append(evaluator)
        _evaluator_scores(evaluator, live_server, framework)
        admin = browser.new_context().new_page()
        contexts.append(admin)
        _admin_moderates(admin, live_server, framework)
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        for i, page in enumerate(contexts):
            with suppress(Exception):
                page.screenshot(path=ARTIFACTS / f"{request.node.name}-{i}.png", full_page=True)
        raise
    finally:
        for page in contexts:
            page.context.close()


def _evaluator_scores(page, live_server, framework):
    page.set_default_timeout(10_000)
    sign_in(page, live_server, "eve@islington.gov.uk")
    page.goto(f"{live_server}/frameworks/{framework.id}")
    page.get_by_role("link", name="Evaluate lot 1").click()
    expect(page.get_by_text("Albion Technology plc")).to_be_visible()  # the bidders, by name
    details = page.get_by_label(re.compile("^If yes"))
    expect(details).to_be_hidden()  # the "If yes" box shows only once yes is chosen, by CSS alone
    page.get_by_label("Yes", exact=True).check()
    expect(details).to_be_visible()
    page.get_by_label("No", exact=True).check()
    expect(details).to_be_hidden()
    page.get_by_role("button", name="Make the declaration").click()
    expect(page.get_by_text("Your declaration is recorded.")).to_be_visible()
    expect(page.get_by_text("Prices are hidden from quality evaluators.")).to_be_visible()
    expect(page.get_by_text("0 of 4 answers scored")).to_be_visible()
    expect(page.locator(".task-list .tag", has_text="Not started")).to_have_count(4)
    page.get_by_role("link", name="Start scoring").click()
    expect(page.get_by_text("Answer 1 of 4")).to_be_visible()
    page.get_by_label("Score").fill("4")
    page.get_by_role("button", name="Save and next").click()  # no rationale: told so, on the same page
    expect(page.get_by_role("alert")).to_contain_text("Give the reason for this score.")
    expect(page.get_by_text("Answer 1 of 4")).to_be_visible()
    for position, (value, rationale) in enumerate((("4", "A dated delivery plan."), ("6", "Two apprenticeships."),
                                                   ("3", "A plan without dates."), ("8", "Four apprenticeships.")),
                                                  start=1):
        expect(page.get_by_text(f"Answer {position} of 4")).to_be_visible()
        page.get_by_label("Score").fill(value)
        page.get_by_label("Rationale").fill(rationale)
        if position == 2:  # back to the list, and on from there to the next answer
            page.get_by_role("button", name="Save and return to the list").click()
            expect(page.get_by_text("2 of 4 answers scored")).to_be_visible()
            page.get_by_role("link", name="Score the next answer").click()
        else:
            page.get_by_role("button", name="Save and next").click()
            if position < 4:
                expect(page.get_by_text("Score saved.")).to_be_visible()
    expect(page.get_by_text("You have scored all 4 answers")).to_be_visible()
    expect(page.get_by_text("4 of 4 answers scored")).to_be_visible()
    expect(page.locator(".task-list .tag", has_text="Scored")).to_have_count(4)
    page.get_by_role("link", name="See the ranking").click()
    expect(page.get_by_role("heading", name=re.compile("^Ranking"))).to_be_visible()
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(Score)) == 4


def _admin_moderates(page, live_server, framework):
    page.set_default_timeout(10_000)
    sign_in(page, live_server, "ada@ldpc.example")
    page.goto(f"{live_server}/frameworks/{framework.id}")
    page.get_by_role("link", name="Moderation of lot 1").click()
    row = page.locator("tr").filter(has_text="Thames Digital Ltd").first
    row.get_by_label(re.compile("^Moderated score")).fill("5")
    row.get_by_label(re.compile("^Reason")).fill("The panel agreed the plan is complete.")
    row.get_by_role("button", name=re.compile("^Moderate")).click()
    expect(page.get_by_text("The moderated score is recorded")).to_be_visible()
    expect(page.get_by_text("The panel agreed the plan is complete.")).to_be_visible()
    page.get_by_role("link", name="Ranking").click()
    table = page.get_by_role("table", name="Ranked bids")
    expect(table).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(3)
    expect(page.locator("figure.chart svg rect.chart-bar.chart-bar-2")).to_have_count(2)
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(ModeratedScore)) == 1
