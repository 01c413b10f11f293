"""The board and the contracts in a real browser: the admin recommends, three board members declare and vote,
the standstill shows its end date, the framework is awarded, the supplier signs, the admin countersigns, and
the signed PDF opens."""
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import update

from app.extensions import db
from tests.browser.support import as_user, screenshots_on_failure
from tests.browser.test_award_journey import evaluated  # noqa: F401 - fixture

pytestmark = pytest.mark.browser
SUPPLIERS = {"Thames Digital Ltd": "sam@thames.example", "Albion Technology plc": "alex@albion.example",
             "Bankside Cloud Ltd": "bo@bankside.example"}
BOARD = ["bea@ldpc.example", "bob@ldpc.example", "bel@ldpc.example"]



def test_recommend_vote_standstill_award_sign_and_countersign(live_server, browser, evaluated, make_user,  # noqa: F811
                                                             request):
    from app.accounts.models import User
    from frameworks.models import Framework
    from procurement.award import services as award

    for email in BOARD:
        make_user(email, role="board", org="London Digital Purchasing Consortium", kind="consortium")
    admin_user = db.session.scalar(db.select(User).where(User.email == "ada@ldpc.example"))
    record = award.run(admin_user, evaluated.id)
    with screenshots_on_failure([], request) as pages:
        admin = as_user(browser, live_server, "ada@ldpc.example")
        pages.append(admin)
        admin.goto(f"{live_server}/award-runs/{record.id}")
        admin.get_by_role("link", name="Prepare the recommendation to the board").click()
        expect(admin.get_by_role("heading", name="Recommendation to the board")).to_be_visible()
        expect(admin.get_by_text("Savings against the authorities' own estimates")).to_be_visible()
        admin.get_by_label("I understand this cannot be undone").check()
        admin.get_by_role("button", name="Recommend this award to the board").click()
        expect(admin.get_by_text("Recommended to the board.")).to_be_visible()
        expect(admin.get_by_text("3 members; 3 approvals are needed")).to_be_visible()

        for number, email in enumerate(BOARD, start=1):
            member = as_user(browser, live_server, email)
            pages.append(member)
            member.goto(f"{live_server}/board")
            member.get_by_role("link", name=re.compile(evaluated.reference)).click()
            member.get_by_label("No").check()
            member.get_by_role("button", name="Make the declaration").click()
            expect(member.get_by_text("Your declaration is recorded.")).to_be_visible()
            member.get_by_label("Approve the recommendation").check()
            member.get_by_label("Comment").fill(f"Member {number}: value for money is clear.")
            member.get_by_role("button", name="Cast my vote (final)").click()
            if number < len(BOARD):
                expect(member.get_by_text("Your vote is recorded")).to_be_visible()
        # The deciding vote ends on the decision's confirmation panel, and what happens next.
        expect(member.get_by_role("heading", level=1, name="Award approved")).to_be_visible()
        expect(member.get_by_role("status")).to_contain_text(evaluated.reference)
        expect(member.get_by_text("The standstill ends")).to_be_visible()
        member.get_by_role("link", name="See the recommendation and the votes").click()
        ends = member.locator("dt:has-text('Standstill ends') + dd")
        expect(ends).to_contain_text(re.compile(r"\d{1,2} \w{3} 20\d\d, 00:00"))
        assert "Member 3: value for money is clear." in member.get_by_role("table", name="Votes").inner_text()

        # The standstill passes (as if eight working days had gone by); the admin awards the framework.
        db.session.execute(update(Framework).where(Framework.id == evaluated.id).values(
            standstill_ends=datetime.now(UTC) - timedelta(minutes=1)))
        db.session.commit()
        admin.goto(f"{live_server}/frameworks/{evaluated.id}")
        admin.get_by_role("link", name="Award the framework and issue the contracts").click()
        admin.get_by_label("I understand this cannot be undone").check()
        admin.get_by_role("button", name="Award the framework and issue the contracts").click()
        expect(admin.get_by_text("The framework is awarded; its contracts are issued.")).to_be_visible()
        agreement_row = admin.get_by_role("row").filter(has_text="Framework agreement").first
        winner = next(name for name in SUPPLIERS if name in agreement_row.inner_text())
        reference = agreement_row.get_by_role("link").inner_text()

        supplier = as_user(browser, live_server, SUPPLIERS[winner])
        pages.append(supplier)
        supplier.goto(f"{live_server}/frameworks/{evaluated.id}/contracts")
        supplier.get_by_role("link", name=reference).click()
        supplier.get_by_label("Your full name").fill("Sam Okafor")
        supplier.get_by_label("Your position in the company").fill("Managing Director")
        supplier.get_by_label("I am authorised to sign this contract for the supplier").check()
        supplier.get_by_role("button", name="Sign the contract").click()
        expect(supplier.get_by_text("Signed. The consortium countersigns next")).to_be_visible()

        admin.get_by_role("link", name=reference).click()
        admin.get_by_label("I understand this cannot be undone").check()
        admin.get_by_role("button", name="Countersign the contract").click()
        expect(admin.get_by_text("Countersigned: the contract is complete.")).to_be_visible()
        link = admin.get_by_role("link", name="Version 3 (PDF)")
        answer = admin.request.get(live_server + link.get_attribute("href"))
        assert answer.ok and answer.headers["content-type"] == "application/pdf"
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.body())).pages)
        assert "Sam Okafor" in text and "Managing Director" in text and "For the consortium" in text
        assert reference in text
