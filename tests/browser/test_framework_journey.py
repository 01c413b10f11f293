"""From two boroughs' needs to a published framework and an answered question, in a real browser.

Every step is taken as a person takes it: by the labels of fields and the names of links and buttons.
All four requirements are stated through the requirement form by the officers themselves. Each person
has their own browser context (their own cookies), as they would have their own computer.
"""
import re
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.types import london_today
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.models import Framework, Question
from tests.support import PASSWORD, code_at, totp_code

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
NEXT_YEAR = london_today().year + 1
QUESTION = "Must the laptops come with a UK keyboard layout?"
ANSWER = "Yes: every laptop in lot 1 must have a UK keyboard."


@contextmanager
def people(browser, request):
    """Open a browser context per person; on failure, screenshot what each of them sees into test-artifacts/."""
    pages = {}

    def open_for(who: str):
        context = browser.new_context()
        pages[who] = context.new_page()
        pages[who].set_default_timeout(10_000)
        return pages[who]

    try:
        yield open_for
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        for who, page in pages.items():
            with suppress(Exception):  # a screenshot must never hide the real failure
                page.screenshot(path=ARTIFACTS / f"{request.node.name}-{who}.png", full_page=True)
        raise
    finally:
        for page in pages.values():
            page.context.close()


def sign_in(page, live_server: str, email: str) -> None:
    """Sign in as a person would: the password, then the code from their app, or setting one up if their role
    needs it."""
    page.goto(live_server + "/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/(dashboard|sign-in/code|account/two-factor)$"))
    if page.url.endswith("/sign-in/code"):
        page.get_by_label("Code").fill(totp_code(email))
        page.get_by_role("button", name="Continue").click()
    elif page.url.endswith("/account/two-factor"):
        key = page.locator("#two-factor-secret").inner_text().replace(" ", "")
        page.get_by_label("Code").fill(code_at(key, None))
        page.get_by_role("button", name="Turn on two-factor sign-in").click()
        page.get_by_role("link", name="I have kept them: continue").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))


def fill_date(page, legend: str, when) -> None:
    """Type a date (or a deadline's London time) into the GOV.UK date input whose legend is `legend`."""
    group = page.get_by_role("group", name=legend, exact=True)
    parts = {"Day": str(when.day), "Month": str(when.month), "Year": str(when.year)}
    if isinstance(when, datetime):
        parts |= {"Hour": f"{when.hour:02d}", "Minute": f"{when.minute:02d}"}
    for label, typed in parts.items():
        group.get_by_label(label, exact=True).fill(typed)


def state_requirement(page, title: str, category: str, unit: str, quantity: str, unit_price: str) -> None:
    """An officer, from anywhere signed in, states a requirement through the form."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Requirements").click()
    page.get_by_role("link", name="State a requirement").click()
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Category").select_option(label=category)
    page.get_by_label("Quantity").fill(quantity)
    page.get_by_label("Unit", exact=True).select_option(unit)
    page.get_by_label("Estimated unit price (£)").fill(unit_price)
    fill_date(page, "Needed by", london_today() + timedelta(days=150))
    page.get_by_role("button", name="Save requirement").click()
    expect(page.get_by_role("status")).to_have_text(f"Requirement “{title}” saved.")
    expect(page.get_by_role("row", name=re.compile(re.escape(title)))).to_contain_text(f"{int(quantity):,} {unit}s")


def add_lot(page, *, category: str, requirements: list[str], title: str, budget: str, price_weight: str,
            formula: str, criteria: list[tuple[str, str]]) -> None:
    page.get_by_role("link", name="Add a lot").click()
    page.get_by_label("Show open requirements in").select_option(label=category)
    page.get_by_role("button", name="Show").click()
    page.get_by_label("Lot title").fill(title)
    for requirement in requirements:
        page.get_by_label(requirement).check()
    page.get_by_label("Budget (£)").fill(budget)
    page.get_by_label("Most suppliers to award").fill("2")
    page.get_by_label("Price weight").fill(price_weight)
    page.get_by_label("Price formula").select_option(value=formula)
    for number, (name, weight) in enumerate(criteria, start=1):
        page.get_by_label(f"Criterion {number} name").fill(name)
        page.get_by_label(f"Criterion {number} weight").fill(weight)
        page.get_by_label(f"Criterion {number} maximum score").fill("10")
    page.get_by_role("button", name="Add lot").click()


def test_boroughs_pool_laptops_and_cloud_an_admin_publishes_and_a_supplier_s_question_is_answered(
        live_server, browser, request, make_user):
    make_user("olivia.carter@camden.gov.uk", role="officer", org="London Borough of Camden")
    make_user("kwame.mensah@hackney.gov.uk", role="officer", org="London Borough of Hackney")
    make_user("ada.okafor@ldpc.example", role="admin", org="London Digital Purchasing Consortium")

    with people(browser, request) as open_for:
        # 1. Camden's officer states what the borough needs: laptops, and virtual servers.
        camden = open_for("camden")
        sign_in(camden, live_server, "olivia.carter@camden.gov.uk")
        state_requirement(camden, "Laptops for social workers", "End-user devices (CPV 30200000-1)", "laptop",
                          "200", "800")
        state_requirement(camden, "Servers for the housing system", "Cloud hosting (CPV 72415000-2)", "vCPU-month",
                          "1200", "20")

        # 2. Hackney's officer does the same.
        hackney = open_for("hackney")
        sign_in(hackney, live_server, "kwame.mensah@hackney.gov.uk")
        state_requirement(hackney, "Laptops for libraries", "End-user devices (CPV 30200000-1)", "laptop",
                          "100", "750")
        state_requirement(hackney, "Servers for planning", "Cloud hosting (CPV 72415000-2)", "vCPU-month",
                          "800", "22")

        # 3. The admin sees London's demand and creates a framework, deadlines typed in London time.
        admin = open_for("admin")
        sign_in(admin, live_server, "ada.okafor@ldpc.example")
        admin.get_by_role("navigation", name="Main").get_by_role("link", name="Requirements").click()
        demand = admin.get_by_role("region", name="Demand across London by category")
        expect(demand.get_by_role("row", name=re.compile("End-user devices"))).to_contain_text("£235,000.00")
        expect(demand.get_by_role("row", name=re.compile("Cloud hosting"))).to_contain_text("£41,600.00")

        admin.get_by_role("navigation", name="Main").get_by_role("link", name="Frameworks").click()
        admin.get_by_role("link", name="Create a framework").click()
        admin.get_by_label("Title").fill("London technology 2027")
        admin.get_by_label("Description").fill("Laptops and cloud hosting for Camden and Hackney.")
        admin.get_by_label("Maximum value (£)").fill("2000000")
        fill_date(admin, "Question deadline", datetime(NEXT_YEAR, 1, 10, 12, 0))
        fill_date(admin, "Bid deadline", datetime(NEXT_YEAR, 7, 1, 12, 0))
        admin.get_by_label("Duration (months)").fill("24")
        admin.get_by_role("button", name="Create framework").click()

        expect(admin.get_by_role("status")).to_contain_text("created in draft. Now add its lots.")
        expect(admin.get_by_role("heading", level=1)).to_have_text("London technology 2027")
        expect(admin.get_by_role("main")).to_contain_text(f"10 Jan {NEXT_YEAR}, 12:00 GMT")
        expect(admin.get_by_role("main")).to_contain_text(f"1 Jul {NEXT_YEAR}, 12:00 BST")
        framework_id = int(re.search(r"/frameworks/(\d+)$", admin.url).group(1))
        stored = db.session.get(Framework, framework_id)
        assert (stored.question_deadline, stored.bid_deadline) == (
            datetime(NEXT_YEAR, 1, 10, 12, tzinfo=UTC), datetime(NEXT_YEAR, 7, 1, 11, tzinfo=UTC))

        # 4. Lot 1 pools both boroughs' laptops. A first try whose weights make 95 is refused and explained.
        add_lot(admin, category="End-user devices", title="Laptops", budget="240000", price_weight="40",
                formula="relative", criteria=[("Technical quality", "35"), ("Social value", "20")],
                requirements=["London Borough of Camden: Laptops for social workers",
                              "London Borough of Hackney: Laptops for libraries"])
        summary = admin.get_by_role("alert")
        expect(summary).to_contain_text("they add up to 95")
        expect(summary).to_be_focused()
        admin.get_by_label("Criterion 2 weight").fill("25")
        admin.get_by_role("button", name="Add lot").click()
        expect(admin.get_by_role("status")).to_have_text("Lot 1 added.")

        # Lot 2 pools both boroughs' virtual servers.
        add_lot(admin, category="Cloud hosting", title="Virtual servers", budget="45000", price_weight="30",
                formula="linear", criteria=[("Resilience", "50"), ("Support", "20")],
                requirements=["London Borough of Camden: Servers for the housing system",
                              "London Borough of Hackney: Servers for planning"])
        expect(admin.get_by_role("status")).to_have_text("Lot 2 added.")

        laptops = admin.get_by_role("table", name=re.compile("Pooled demand for lot 1"))
        expect(laptops).to_contain_text("300 laptops in all, estimated at £235,000.00")
        expect(laptops.get_by_role("row", name=re.compile("London Borough of Camden"))).to_contain_text("66.7%")
        expect(laptops.get_by_role("row", name=re.compile("London Borough of Hackney"))).to_contain_text("33.3%")
        servers = admin.get_by_role("table", name=re.compile("Pooled demand for lot 2"))
        expect(servers.get_by_role("row", name=re.compile("London Borough of Camden"))).to_contain_text("60%")
        expect(admin.get_by_role("table", name=re.compile("How lot 2 is scored"))).to_contain_text(
            "Price (linear formula)")

        # 5. The admin publishes, through the confirmation page.
        admin.get_by_role("link", name="Publish").click()
        expect(admin.get_by_role("heading", level=1)).to_have_text("Publish?")
        expect(admin.get_by_role("main")).to_contain_text("will move from draft to open")
        assert db.session.get(Framework, framework_id).status == FrameworkStatus.DRAFT, "a GET changes nothing"
        admin.get_by_role("button", name="Publish", exact=True).click()
        expect(admin.get_by_role("status")).to_contain_text("is now open.")
        expect(admin.get_by_role("main")).to_contain_text(re.compile(r"CNS-\d{4}-\d{4} · Open"))

        # 6. A supplier registers, finds the opportunity by searching, reads the notice and asks a question.
        supplier = open_for("supplier")
        supplier.goto(live_server + "/opportunities")
        supplier.get_by_role("main").get_by_role("link", name="register").click()
        supplier.get_by_label("Company name").fill("Thames Digital Services Ltd")
        supplier.get_by_label("Companies House number").fill("09123451")
        supplier.get_by_label("We are a small or medium-sized enterprise").check()
        supplier.get_by_label("Your full name").fill("Sam Patel")
        supplier.get_by_label("Your work e-mail address").fill("sam@thamesdigital.example")
        supplier.get_by_label("Password", exact=True).fill(PASSWORD)
        supplier.get_by_label("Confirm password").fill(PASSWORD)
        supplier.get_by_role("button", name="Register company").click()
        expect(supplier.get_by_role("status")).to_have_text("Thames Digital Services Ltd is registered on Consort.")

        supplier.get_by_role("navigation", name="Main").get_by_role("link", name="Opportunities").click()
        supplier.get_by_role("textbox", name="Search").fill("cloud hosting")
        supplier.get_by_role("button", name="Search").click()
        supplier.get_by_role("link", name="London technology 2027").click()
        expect(supplier.get_by_role("heading", level=1)).to_have_text("London technology 2027")
        main = supplier.get_by_role("main")
        expect(main).to_contain_text("Lot 1: Laptops")
        expect(main).to_contain_text("Lot 2: Virtual servers")
        expect(main).to_contain_text(f"10 Jan {NEXT_YEAR}, 12:00 GMT")
        expect(supplier.get_by_role("table", name=re.compile("How lot 1 is scored")).get_by_role(
            "row", name=re.compile("Technical quality"))).to_contain_text("35")
        supplier.get_by_label("Your question").fill(QUESTION)
        supplier.get_by_role("button", name="Send question").click()
        expect(supplier.get_by_role("status")).to_contain_text("Your question has been sent.")
        expect(main).to_contain_text(f"{QUESTION} — awaiting an answer")

        # 7. The admin answers it on the framework page.
        admin.reload()
        expect(admin.get_by_role("region", name="Clarification questions")).to_contain_text(QUESTION)
        admin.get_by_label("Answer to this question").fill(ANSWER)
        admin.get_by_role("button", name="Publish answer").click()
        expect(admin.get_by_role("status")).to_have_text("The answer is published to every bidder.")
        expect(admin.get_by_text("No questions are waiting for an answer.")).to_be_visible()

        # 8. Anyone reading the notice sees the question and its answer, but not who asked.
        visitor = open_for("visitor")
        visitor.goto(live_server + f"/opportunities/{framework_id}")
        answers = visitor.get_by_role("region", name="Clarification questions and answers")
        expect(answers).to_contain_text(f"Q1. {QUESTION}")
        expect(answers).to_contain_text(ANSWER)
        page_text = visitor.get_by_role("main").inner_text()
        for identity in ("Thames Digital", "Sam Patel", "sam@thamesdigital.example"):
            assert identity not in page_text
        supplier.reload()
        expect(supplier.get_by_role("main")).to_contain_text(f"{QUESTION} — answered above")

    db.session.expire_all()
    question = db.session.scalar(select(Question))
    assert (question.framework_id, question.answer) == (framework_id, ANSWER)
