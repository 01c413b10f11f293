"""Each role starts at its dashboard and reaches every task of its to-do list by the task's link, in a real browser;
the dashboards are photographed at a desktop's and a phone's width into test-artifacts/ for people to look at."""
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from app.extensions import db
from tests.browser.support import ARTIFACTS, as_user, screenshots_on_failure
from tests.browser.test_award_journey import evaluated  # noqa: F401 - fixture
from tests.browser.test_calloff_journey import SUPPLIERS, award_through_the_board
from tests.functional.framework_pages_support import make_framework, make_lot, make_requirement

pytestmark = pytest.mark.browser
WIDTHS = {"desktop": 1280, "phone": 390}


def to_do(page):
    return page.locator("section.todo")


def photograph(page, role: str) -> None:
    """The dashboard at each width, kept as an artefact (never committed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=ARTIFACTS / f"dashboard-{role}-{name}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def follow(page, live_server: str, task: str, heading) -> None:
    """From the dashboard, the task's link leads to the page where it is done."""
    page.goto(f"{live_server}/dashboard")
    to_do(page).get_by_role("link", name=task).click()
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()


def open_framework(admin, officer, title: str):
    from frameworks import services as frameworks
    from frameworks.domain.lifecycle import FrameworkStatus

    framework = make_framework(admin, title=title, min_sme_share=Decimal(0))
    lot = make_lot(admin, framework.id, [make_requirement(officer).id])
    frameworks.transition(admin, framework.id, FrameworkStatus.OPEN)
    return framework, lot


def users():
    from app.accounts.models import User

    return {user.email: user for user in db.session.scalars(db.select(User))}


def test_the_evaluator_declares_and_scores_from_the_dashboard(live_server, browser, evaluated, request):  # noqa: F811
    from frameworks.domain.lifecycle import FrameworkStatus
    from frameworks.models import Framework
    from procurement.evaluation import services as evaluation
    from suppliers import bids
    from suppliers.domain import bidding

    people = users()
    framework, lot = open_framework(people["ada@ldpc.example"], people["olivia@camden.gov.uk"], "Tablets")
    for email in ("sam@thames.example", "alex@albion.example"):
        bid = bids.create(people[email], framework.id, [bidding.LotOffer(lot.id, Decimal("90000"), {
            c.id: "A plan." for c in lot.criteria})], [])
        bids.submit(people[email], bid.id)
    evaluation.set_panel(people["ada@ldpc.example"], lot.id, [people["eve@islington.gov.uk"].id])
    now = datetime.now(UTC)
    db.session.execute(update(Framework).where(Framework.id == framework.id).values(
        question_deadline=now - timedelta(hours=2), bid_deadline=now - timedelta(hours=1),
        status=FrameworkStatus.CLOSED, closed_at=now))
    db.session.commit()
    with screenshots_on_failure([], request) as pages:
        eve = as_user(browser, live_server, "eve@islington.gov.uk")
        pages.append(eve)
        expect(to_do(eve)).to_contain_text("Declare any conflict of interest for")
        photograph(eve, "evaluator")
        follow(eve, live_server, re.compile(r"^Declare any conflict of interest for .*Laptops$"),
               "Conflicts of interest: lot 1, Laptops")
        eve.get_by_label("No").check()
        eve.get_by_role("button", name="Make the declaration").click()
        expect(eve.get_by_text("Your declaration is recorded.")).to_be_visible()
        eve.goto(f"{live_server}/dashboard")
        task = to_do(eve).locator("li", has_text="Score the answers to")
        expect(task).to_contain_text("0 of 4 answers scored")
        task.get_by_role("link").click()
        expect(eve).to_have_url(re.compile(rf"/lots/{lot.id}/evaluate/\d+/\d+$"))  # the first answer to score
        expect(eve.get_by_text("Answer 1 of 4")).to_be_visible()


def test_the_board_member_reaches_the_vote_waiting(live_server, browser, evaluated, make_user, request):  # noqa: F811
    from procurement.award import services as award
    from procurement.board import services as board

    admin = users()["ada@ldpc.example"]
    make_user("bea@ldpc.example", role="board", org="London Digital Purchasing Consortium", kind="consortium")
    record = award.run(admin, evaluated.id)
    board.recommend(admin, record.id)
    with screenshots_on_failure([], request) as pages:
        member = as_user(browser, live_server, "bea@ldpc.example")
        pages.append(member)
        expect(to_do(member)).to_contain_text("0 of 1 members have voted")
        photograph(member, "board")
        follow(member, live_server, f"Vote on the recommended award of {evaluated.reference} {evaluated.title}",
               "Recommendation to the board")


def test_the_officer_the_supplier_and_the_admin_reach_their_tasks(live_server, browser, evaluated, make_user,  # noqa: F811
                                                                  request):
    from app.organisations.models import Organisation
    from frameworks import questions
    from procurement.calloffs import services as calloffs
    from procurement.contracts import services as contracts
    from suppliers import bids
    from suppliers.domain import bidding

    winner_id = award_through_the_board(evaluated, make_user)
    winner = db.session.get(Organisation, winner_id).name
    people = users()
    supplier_user = people[SUPPLIERS[winner]]
    tablets, lot = open_framework(people["ada@ldpc.example"], people["olivia@camden.gov.uk"], "Tablets")
    bids.create(supplier_user, tablets.id, [bidding.LotOffer(lot.id, Decimal("90000"), {})], [])
    questions.ask(supplier_user, tablets.id, "May the tablets be refurbished?")
    with screenshots_on_failure([], request) as pages:
        officer = as_user(browser, live_server, "olivia@camden.gov.uk")
        pages.append(officer)
        photograph(officer, "officer")
        follow(officer, live_server, re.compile(rf"^Place a call-off from {evaluated.reference}"),
               f"Call-offs: {evaluated.title}")
        officer.get_by_label("Value of the order (£)").fill("40000")
        officer.get_by_label("What you are ordering").fill("Forty laptops for the libraries.")
        officer.get_by_label("I confirm this order is a contract").check()
        officer.get_by_role("button", name="Place the call-off").click()
        officer.goto(f"{live_server}/dashboard")
        expect(to_do(officer).locator("p.empty")).to_be_visible()

        supplier = as_user(browser, live_server, SUPPLIERS[winner])
        pages.append(supplier)
        photograph(supplier, "supplier")
        follow(supplier, live_server, "Complete your company profile", winner)
        follow(supplier, live_server, "Make your declaration against the exclusion grounds",
               "Declaration against the exclusion grounds")
        follow(supplier, live_server, f"Finish and submit your bid for {tablets.reference} {tablets.title}",
               f"Your bid on {tablets.title}")
        agreement = next(c for c in contracts.list_for(people["ada@ldpc.example"], evaluated.id)
                         if c.supplier_id == winner_id)
        follow(supplier, live_server, f"Sign contract {agreement.reference}",
               agreement.reference)
        levy = calloffs.levies_for(supplier_user)[0]
        follow(supplier, live_server, f"Pay the levy on a call-off from {evaluated.reference}",
               re.compile(rf"^Pay levy {levy.id}"))

        contracts.sign(supplier_user, agreement.id, "Sam Okafor", "Managing Director", "127.0.0.1")
        admin = as_user(browser, live_server, "ada@ldpc.example")
        pages.append(admin)
        photograph(admin, "admin")
        follow(admin, live_server, f"Answer 1 clarification question on {tablets.reference}", tablets.title)
        expect(admin).to_have_url(re.compile(rf"/frameworks/{tablets.id}#questions$"))
        follow(admin, live_server, f"Countersign contract {agreement.reference}",
               agreement.reference)
