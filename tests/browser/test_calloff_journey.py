"""Call-off to paid levy in a real browser: an officer calls off from an awarded framework, the supplier sees the
levy and pays it (Stripe's test card, against a localstripe server that delivers its signed webhook to the app),
and the dashboards show the paid levy and the savings."""
import re
from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import expect
from sqlalchemy import update

from app.extensions import db
from tests.browser.support import as_user, screenshots_on_failure
from tests.browser.test_award_journey import evaluated  # noqa: F401 - fixture
from tests.stripe_support import SECRET_KEY, WEBHOOK_SECRET

pytestmark = pytest.mark.browser
SUPPLIERS = {"Thames Digital Ltd": "sam@thames.example", "Albion Technology plc": "alex@albion.example",
             "Bankside Cloud Ltd": "bo@bankside.example"}



def award_through_the_board(framework, make_user):
    """The award run, the board's approval and the award, through the services (their pages have a journey)."""
    from app.accounts.models import User
    from frameworks import services as frameworks
    from frameworks.domain.lifecycle import FrameworkStatus
    from frameworks.models import Framework, Lot
    from procurement.award import services as award
    from procurement.board import services as board

    db.session.execute(update(Lot).where(Lot.framework_id == framework.id).values(max_awards=1))
    db.session.commit()
    admin = db.session.scalar(db.select(User).where(User.email == "ada@ldpc.example"))
    record = award.run(admin, framework.id)
    board.recommend(admin, record.id)
    for email in ("bea@ldpc.example", "bob@ldpc.example", "bel@ldpc.example"):
        member = make_user(email, role="board", org="London Digital Purchasing Consortium", kind="consortium")
        board.declare(member, record.id, False, "")
        board.vote(member, record.id, "approve", "Approved.")
    db.session.execute(update(Framework).where(Framework.id == framework.id).values(
        standstill_ends=datetime.now(UTC) - timedelta(minutes=1)))
    db.session.commit()
    frameworks.transition(admin, framework.id, FrameworkStatus.AWARDED)
    return record.result["awards"][0]["supplier_id"]


def test_an_officer_calls_off_the_supplier_pays_the_levy_and_the_dashboards_show_it(
        live_server, browser, app, evaluated, make_user, localstripe, request):  # noqa: F811
    from app.organisations.models import Organisation

    app.config.update(STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_API_BASE=localstripe,
                      STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    requests.post(f"{localstripe}/_config/webhooks/consort", data={"url": f"{live_server}/stripe/webhook",
                                                                  "secret": WEBHOOK_SECRET}, timeout=5)
    winner_id = award_through_the_board(evaluated, make_user)
    winner = db.session.get(Organisation, winner_id).name
    with screenshots_on_failure([], request) as pages:
        officer = as_user(browser, live_server, "olivia@camden.gov.uk")
        pages.append(officer)
        officer.goto(f"{live_server}/frameworks/{evaluated.id}")
        officer.get_by_role("link", name="Call off from this framework").click()
        officer.get_by_label("Value of the order (£)").fill("40000")
        officer.get_by_label("What you are ordering").fill("Forty laptops for the libraries.")
        officer.get_by_label("I confirm this order is a contract").check()
        officer.get_by_role("button", name="Place the call-off").click()
        expect(officer.get_by_role("heading", level=1, name="Call-off placed")).to_be_visible()
        expect(officer.get_by_role("status")).to_contain_text(f"{evaluated.reference} call-off")
        expect(officer.locator("dt:has-text('Supplier') + dd")).to_have_text(winner)
        expect(officer.locator("dt:has-text('Value') + dd")).to_have_text("£40,000.00")

        supplier = as_user(browser, live_server, SUPPLIERS[winner])
        pages.append(supplier)
        supplier.get_by_role("navigation", name="Main").get_by_role("link", name="Levies").click()
        pay = supplier.get_by_role("link", name=re.compile(r"^Pay levy \d+$"))
        expect(pay).to_be_visible()
        pay.click()
        supplier.get_by_role("button", name=re.compile(r"with Stripe's test card")).click()
        expect(supplier.get_by_text("Payment sent to Stripe")).to_be_visible()
        for _ in range(50):  # localstripe's webhook reaches the app a moment after the payment
            supplier.reload()
            if supplier.get_by_role("link", name=re.compile(r"^Pay levy")).count() == 0:
                break
            supplier.wait_for_timeout(200)
        expect(supplier.get_by_role("table", name="Levies")).to_contain_text("Paid")

        admin = as_user(browser, live_server, "ada@ldpc.example")
        pages.append(admin)
        levies = admin.locator("section", has=admin.get_by_role("heading", name="Levies due and paid"))
        expect(levies).to_contain_text(evaluated.reference)
        expect(levies.get_by_role("table")).to_contain_text("0.00")
        expect(admin.get_by_role("heading", name="Savings by authority")).to_be_visible()

        officer.goto(f"{live_server}/dashboard")
        mine = officer.locator("section", has=officer.get_by_role("heading", name="Your authority's frameworks"))
        expect(mine).to_contain_text(evaluated.reference)
        expect(mine).to_contain_text("£40,000.00")
