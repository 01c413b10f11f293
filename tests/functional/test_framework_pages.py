"""The pages of requirements, frameworks, lots and tender notices, over HTTP with CSRF as a browser sends them;
and the jobs that close frameworks at their deadline and seed the demo.

Data a page is not about is built through the real services; the page under test is always driven through
its form."""
import html
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select, update

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.extensions import db
from app.types import LONDON, london_today, utcnow
from frameworks import ocds, questions
from frameworks import services as frameworks
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.models import Framework, Lot, Question
from procurement import requirements
from procurement.models import Requirement, RequirementStatus
from tests.support import csrf_token, sign_in

# who -> (e-mail, role, organisation)
PEOPLE = {
    "admin": ("ada@ldpc.example", "admin", "London Digital Purchasing Consortium"),
    "board": ("bernard@ldpc.example", "board", "London Digital Purchasing Consortium"),
    "camden": ("olivia@camden.gov.uk", "officer", "London Borough of Camden"),
    "hackney": ("kwame@hackney.gov.uk", "officer", "London Borough of Hackney"),
    "islington": ("ines@islington.gov.uk", "officer", "London Borough of Islington"),
    "evaluator": ("eve@islington.gov.uk", "evaluator", "London Borough of Islington"),
    "supplier": ("sam@thamesdigital.example", "supplier", "Thames Digital Services Ltd"),
}
NEXT_YEAR = london_today().year + 1


# --- helpers ----------------------------------------------------------------------------------------------------

def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def audit_actions(object_type: str | None = None) -> list[str]:
    query = select(AuditEvent.action).order_by(AuditEvent.id)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    return list(db.session.scalars(query))


def fresh(model, object_id):
    """The row as the database holds it now, not as this test's session last saw it."""
    db.session.expire_all()
    return db.session.get(model, object_id)


def submit(client, form_page: str, data: dict, action: str | None = None):
    """Post a form as a browser would: with the CSRF token of the page that shows it."""
    return client.post(action or form_page, data={"csrf_token": csrf_token(client, form_page), **data})


def assert_summary_links_to(response, field_id: str, message: str) -> None:
    """The error summary links the message to its field, and the field shows the message and is marked invalid."""
    text = text_of(response)
    summary = re.search(r'<div class="error-summary".*?</div>', text, re.S)
    assert summary, "no error summary on the page"
    assert f'<a href="#{field_id}">{message}</a>' in summary.group(0), summary.group(0)
    assert re.search(rf'<p class="error-message" id="{field_id}-error">.*?{re.escape(message)}</p>', text)
    control = re.search(rf'<(?:input|select|textarea)[^>]*\bid="{field_id}"[^>]*>', text)
    assert control and 'aria-invalid="true"' in control.group(0), control


class Tables(HTMLParser):
    """Every table on a page: its caption and its rows of cell texts, with whitespace collapsed."""

    def __init__(self, text: str):
        super().__init__()
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption":
            self._caption = []
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"] = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[-1]["rows"][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        elif self._caption is not None:
            self._caption.append(data)

    def rows(self, caption_starts: str) -> list[list[str]]:
        """The body rows of the one table whose caption starts so (its header row left out)."""
        [table] = [t for t in self.tables if t["caption"].startswith(caption_starts)]
        return table["rows"][1:]


@pytest.fixture
def people(app, make_user):
    """Make people when first asked for (hashing passwords is deliberately slow)."""
    made = {}

    def person(who: str):
        if who not in made:
            email, role, organisation = PEOPLE[who]
            made[who] = make_user(email, role=role, org=organisation)
        return made[who]

    return person


@pytest.fixture
def as_(app, people):
    """A test client signed in as someone, through the sign-in form."""
    clients = {}

    def client_for(who: str):
        if who not in clients:
            client = app.test_client()
            assert sign_in(client, people(who).email).status_code == 302
            clients[who] = client
        return clients[who]

    return client_for


def make_requirement(officer, **changes) -> Requirement:
    values = {"title": "Laptops for social workers", "description": "", "category": "devices",
              "quantity": Decimal("200"), "unit": "laptop", "estimated_unit_price": Decimal("800.00"),
              "needed_by": london_today() + timedelta(days=120)} | changes
    return requirements.create(officer, values, london_today())


def make_framework(admin, **changes) -> Framework:
    now = utcnow()
    values = {"title": "London end-user devices", "description": "Laptops for London's boroughs.",
              "maximum_value": Decimal("5000000"), "question_deadline": now + timedelta(days=20),
              "bid_deadline": now + timedelta(days=30), "duration_months": 36, "max_lots_per_supplier": 2,
              "min_sme_share": Decimal("0.25"), "standstill_working_days": 8, "levy_percent": Decimal("1.50")}
    return frameworks.create(admin, values | changes)


def make_lot(admin, framework_id: int, requirement_ids: list[int], title: str = "Laptops") -> Lot:
    return frameworks.add_lot(admin, framework_id, frameworks.LotInput(
        title=title, description="Standard laptops.", requirement_ids=requirement_ids, max_awards=2,
        budget=Decimal("250000"), price_weight=40, price_formula="relative",
        criteria=[frameworks.CriterionInput("Quality of the devices", 35, 5),
                  frameworks.CriterionInput("Social value", 25, 10, "Apprenticeships in London.")]))


@pytest.fixture
def draft(people):
    """A draft framework with one lot of laptops from Camden (200 at £800) and Hackney (100 at £750.50)."""
    camden = make_requirement(people("camden"))
    hackney = make_requirement(people("hackney"), quantity=Decimal("100"), estimated_unit_price=Decimal("750.50"))
    framework = make_framework(people("admin"))
    lot = make_lot(people("admin"), framework.id, [camden.id, hackney.id])
    return framework, lot


@pytest.fixture
def published(people, draft):
    framework, lot = draft
    frameworks.transition(people("admin"), framework.id, FrameworkStatus.OPEN)
    return framework, lot


def move_deadlines(framework_id: int, *, question_hours: float, bid_hours: float) -> None:
    """As if time had passed: the deadlines, relative to now, straight in the database."""
    now = datetime.now(UTC)
    db.session.execute(update(Framework).where(Framework.id == framework_id).values(
        question_deadline=now + timedelta(hours=question_hours), bid_deadline=now + timedelta(hours=bid_hours)))
    db.session.commit()


# --- requirements -----------------------------------------------------------------------------------------------

def requirement_form(**changes) -> dict:
    return {"title": "Laptops for social workers", "description": "Light laptops with a three-year warranty.",
            "category": "devices", "quantity": "200", "unit": "laptop", "estimated_unit_price": "800.00",
            "needed_by": (london_today() + timedelta(days=90)).isoformat()} | changes


def test_an_officer_states_a_requirement_for_their_authority(as_, people):
    response = submit(as_("camden"), "/requirements/new", requirement_form())

    assert response.status_code == 302
    assert response.headers["Location"] == "/requirements"
    requirement = db.session.scalar(select(Requirement))
    assert requirement.organisation_id == people("camden").organisation_id
    assert requirement.created_by_id == people("camden").id
    assert (requirement.quantity, requirement.unit, requirement.estimated_unit_price) == (
        Decimal("200"), "laptop", Decimal("800.00"))
    assert requirement.status == RequirementStatus.OPEN
    assert audit_actions("Requirement") == ["requirement.created"]
    listing = text_of(as_("camden").get("/requirements"))
    assert "Requirement “Laptops for social workers” saved." in listing
    assert "200.00 laptop" in listing and "£160,000.00" in listing


@pytest.mark.parametrize("changes, field_id, message", [
    ({"quantity": "0"}, "quantity", "Enter a quantity above 0."),
    ({"category": "devices", "unit": "vCPU-month"}, "unit",
     "For end-user devices, the unit is one of: device, laptop, desktop, tablet, monitor."),
    ({"needed_by": (london_today() - timedelta(days=1)).isoformat()}, "needed_by",
     "The date it is needed by cannot be in the past."),
    ({"quantity": "sNaN"}, "quantity", "Enter a number, like 1250.00."),
    ({"estimated_unit_price": "Infinity"}, "estimated_unit_price", "Enter a number, like 1250.00."),
], ids=["zero-quantity", "unit-not-of-the-category", "date-in-the-past", "snan-quantity", "infinite-price"])
def test_a_bad_requirement_is_refused_with_the_message_linked_from_the_error_summary(
        as_, changes, field_id, message):
    response = submit(as_("camden"), "/requirements/new", requirement_form(**changes))

    assert response.status_code == 422
    assert_summary_links_to(response, field_id, message)
    assert "<title>Error: State a requirement" in text_of(response)
    assert count(Requirement) == 0


def test_an_officer_changes_their_own_open_requirement(as_, people):
    requirement = make_requirement(people("camden"))
    page = f"/requirements/{requirement.id}/edit"

    form = text_of(as_("camden").get(page))
    assert 'value="Laptops for social workers"' in form
    response = submit(as_("camden"), page, requirement_form(title="Rugged laptops", quantity="250"))

    assert response.status_code == 302
    changed = fresh(Requirement, requirement.id)
    assert (changed.title, changed.quantity) == ("Rugged laptops", Decimal("250"))
    assert audit_actions("Requirement") == ["requirement.created", "requirement.updated"]


@pytest.mark.parametrize("who", ["hackney", "admin", "supplier"])
def test_nobody_else_can_change_an_authority_s_requirement(as_, people, who):
    requirement = make_requirement(people("camden"))
    page = f"/requirements/{requirement.id}/edit"
    token = csrf_token(as_(who), "/opportunities")

    assert as_(who).get(page).status_code == 403
    response = as_(who).post(page, data={"csrf_token": token, **requirement_form(title="Hijacked")})

    assert response.status_code == 403
    assert fresh(Requirement, requirement.id).title == "Laptops for social workers"


def test_a_pooled_requirement_cannot_be_changed(as_, people, draft):
    _, lot = draft
    camden = people("camden").organisation_id
    pooled = next(p.requirement for p in lot.pooled if p.requirement.organisation_id == camden)
    page = f"/requirements/{pooled.id}/edit"

    response = submit(as_("camden"), page, requirement_form(quantity="999"))

    assert response.status_code == 409
    assert "This requirement is pooled; only an open one can be changed." in text_of(response)
    assert fresh(Requirement, pooled.id).quantity == Decimal("200")
    listing = text_of(as_("camden").get("/requirements"))
    assert f'href="{page}"' not in listing, "a pooled requirement is not offered for editing"


def test_the_admin_sees_london_s_demand_by_category_with_its_totals(as_, people):
    make_requirement(people("camden"))  # 200 at £800: £160,000
    make_requirement(people("hackney"), quantity=Decimal("100"), estimated_unit_price=Decimal("750.50"))  # £75,050
    make_requirement(people("camden"), title="Monitors", unit="monitor", quantity=Decimal("30"),
                     estimated_unit_price=Decimal("150"))  # £4,500
    make_requirement(people("hackney"), title="Virtual servers", category="cloud_hosting", unit="vCPU-month",
                     quantity=Decimal("1000"), estimated_unit_price=Decimal("22.25"))  # £22,250
    withdrawn = make_requirement(people("camden"), title="Old servers", category="cloud_hosting",
                                 unit="vCPU-month", quantity=Decimal("99"), estimated_unit_price=Decimal("10"))
    db.session.execute(update(Requirement).where(Requirement.id == withdrawn.id)
                       .values(status=RequirementStatus.WITHDRAWN))
    db.session.commit()

    response = as_("admin").get("/requirements")

    assert response.status_code == 200
    demand = Tables(text_of(response)).rows("Open and pooled requirements by category")
    assert demand == [
        ["Cloud hosting", "1", "1", "£22,250.00"],
        ["End-user devices", "3", "2", "£239,550.00"],
    ]
    assert "Demand across London by category" not in text_of(as_("camden").get("/requirements"))


# --- frameworks -------------------------------------------------------------------------------------------------

def framework_form(**changes) -> dict:
    return {"title": "London end-user devices", "description": "Laptops and tablets for London's boroughs.",
            "maximum_value": "5000000.00", "question_deadline": f"{NEXT_YEAR}-01-10T12:00",
            "bid_deadline": f"{NEXT_YEAR}-07-01T12:00", "duration_months": "36", "max_lots_per_supplier": "2",
            "min_sme_share": "25", "standstill_working_days": "8", "levy_percent": "1.5"} | changes


def test_an_admin_creates_a_framework_in_draft_and_lands_on_its_page(as_, people):
    response = submit(as_("admin"), "/frameworks/new", framework_form())

    assert response.status_code == 302
    framework = db.session.scalar(select(Framework))
    assert response.headers["Location"] == f"/frameworks/{framework.id}"
    assert framework.status == FrameworkStatus.DRAFT
    assert framework.reference == f"CNS-{framework.created_at.year}-{framework.id:04d}"
    assert (framework.maximum_value, framework.min_sme_share, framework.levy_percent) == (
        Decimal("5000000.00"), Decimal("0.25"), Decimal("1.50"))
    assert framework.created_by_id == people("admin").id
    assert audit_actions("Framework") == ["framework.created"]
    page = text_of(as_("admin").get(response.headers["Location"]))
    assert f"Framework {framework.reference} created in draft. Now add its lots." in page
    assert '<strong class="tag tag-draft">draft</strong>' in page
    assert "Before publishing: add at least one lot." in page


@pytest.mark.parametrize("typed, stored_utc, shown", [
    (f"{NEXT_YEAR}-07-01T12:00", datetime(NEXT_YEAR, 7, 1, 11, 0, tzinfo=UTC), f"1 Jul {NEXT_YEAR}, 12:00 BST"),
    (f"{NEXT_YEAR}-10-25T09:30", datetime(NEXT_YEAR, 10, 25, 8, 30, tzinfo=UTC), f"25 Oct {NEXT_YEAR}, 09:30 BST"),
    (f"{NEXT_YEAR}-01-10T12:00", datetime(NEXT_YEAR, 1, 10, 12, 0, tzinfo=UTC), f"10 Jan {NEXT_YEAR}, 12:00 GMT"),
], ids=["summer", "last-week-of-summer-time", "winter"])
def test_a_deadline_typed_in_london_time_is_stored_in_utc(as_, typed, stored_utc, shown):
    response = submit(as_("admin"), "/frameworks/new", framework_form(
        question_deadline=f"{london_today() + timedelta(days=7):%Y-%m-%d}T12:00", bid_deadline=typed))

    assert response.status_code == 302, text_of(response)
    framework = db.session.scalar(select(Framework))
    assert framework.bid_deadline == stored_utc
    assert shown in text_of(as_("admin").get(response.headers["Location"]))


@pytest.mark.parametrize("changes, field_id, message", [
    ({"question_deadline": "2020-03-02T09:00"}, "question_deadline", "The question deadline must be in the future."),
    ({"bid_deadline": "2020-03-02T09:00"}, "bid_deadline", "The bid deadline must be in the future."),
    ({"question_deadline": f"{NEXT_YEAR}-07-01T12:00", "bid_deadline": f"{NEXT_YEAR}-07-01T11:59"},
     "question_deadline", "The question deadline must come before the bid deadline."),
    ({"duration_months": "49"}, "duration_months", "A framework lasts 1 to 48 months."),
    ({"maximum_value": "0"}, "maximum_value", "Enter more than £0."),
    ({"maximum_value": "10000000000000"}, "maximum_value", "Enter at most £100,000,000,000."),
], ids=["question-deadline-past", "bid-deadline-past", "question-after-bid", "duration-49", "no-value",
        "value-beyond-the-column"])
def test_a_bad_framework_is_refused_with_the_message_linked_from_the_error_summary(
        as_, changes, field_id, message):
    response = submit(as_("admin"), "/frameworks/new", framework_form(**changes))

    assert response.status_code == 422
    assert_summary_links_to(response, field_id, message)
    assert count(Framework) == 0


def test_a_refused_framework_form_keeps_the_deadlines_as_typed_in_london_time(as_):
    response = submit(as_("admin"), "/frameworks/new", framework_form(duration_months="49"))

    assert response.status_code == 422
    typed = re.findall(r'<input id="(\w+_deadline)"[^>]*type="datetime-local" value="([^"]*)"', text_of(response))
    inputs = dict(typed)
    assert inputs == {"question_deadline": f"{NEXT_YEAR}-01-10T12:00", "bid_deadline": f"{NEXT_YEAR}-07-01T12:00"}


@pytest.mark.parametrize("who", ["camden", "evaluator", "board", "supplier"])
def test_only_an_admin_can_create_a_framework(as_, who):
    token = csrf_token(as_(who), "/opportunities")

    assert as_(who).get("/frameworks/new").status_code == 403
    assert as_(who).post("/frameworks/new", data={"csrf_token": token, **framework_form()}).status_code == 403
    assert count(Framework) == 0


# --- lots -------------------------------------------------------------------------------------------------------

def lot_form(requirement_ids: list[int], weights=(35, 25), price_weight: int = 40, **changes) -> dict:
    data = {"title": "Laptops", "description": "Standard laptops.", "requirement_ids": requirement_ids,
            "budget": "250000", "max_awards": "2", "price_weight": str(price_weight), "price_formula": "relative"}
    names = ["Quality of the devices", "Social value", "Delivery", "Support"]
    for i, weight in enumerate(weights):
        data |= {f"criteria-{i}-name": names[i], f"criteria-{i}-weight": str(weight),
                 f"criteria-{i}-max_score": "10", f"criteria-{i}-guidance": ""}
    return data | changes


@pytest.fixture
def laptops(people):
    """Open laptop requirements of Camden (200 at £800) and Hackney (100 at £750.50), and a draft framework."""
    camden = make_requirement(people("camden"))
    hackney = make_requirement(people("hackney"), quantity=Decimal("100"), estimated_unit_price=Decimal("750.50"))
    return make_framework(people("admin")), camden, hackney


def test_a_lot_pools_requirements_and_the_framework_page_shows_each_authority_s_share(as_, laptops):
    framework, camden, hackney = laptops
    page = f"/frameworks/{framework.id}/lots/new"

    form = text_of(as_("admin").get(page))
    assert "London Borough of Camden: Laptops for social workers — 200.00 laptop at £800.00" in form
    response = submit(as_("admin"), page, lot_form([camden.id, hackney.id]))

    assert response.status_code == 302
    assert response.headers["Location"] == f"/frameworks/{framework.id}"
    lot = db.session.scalar(select(Lot))
    assert [(c.name, c.weight, c.max_score) for c in lot.criteria] == [
        ("Quality of the devices", 35, 10), ("Social value", 25, 10)]
    assert {fresh(Requirement, r.id).status for r in (camden, hackney)} == {RequirementStatus.POOLED}
    tables = Tables(text_of(as_("admin").get(response.headers["Location"])))
    assert tables.rows("Pooled demand for lot 1: 300.00 in all, estimated at £235,050.00") == [
        ["London Borough of Camden", "200.00", "£160,000.00", "66.7%"],
        ["London Borough of Hackney", "100.00", "£75,050.00", "33.3%"],
    ]
    assert tables.rows("How lot 1 is scored") == [
        ["Price (relative formula)", "40", "—", "Lowest price ÷ your price × weight."],
        ["Quality of the devices", "35", "10", ""],
        ["Social value", "25", "10", ""],
    ]


@pytest.mark.parametrize("price_weight, weights, total", [(40, (35, 20), 95), (50, (35, 25), 110), (0, (60,), 60)])
def test_a_lot_whose_weights_do_not_make_100_is_refused_with_their_sum(as_, laptops, price_weight, weights, total):
    framework, camden, hackney = laptops
    page = f"/frameworks/{framework.id}/lots/new"

    response = submit(as_("admin"), page, lot_form([camden.id, hackney.id], weights, price_weight))

    assert response.status_code == 422
    assert (f"The price weight and the criteria weights must add up to 100; they add up to {total}."
            in text_of(response))
    assert count(Lot) == 0
    assert fresh(Requirement, camden.id).status == RequirementStatus.OPEN


@pytest.mark.parametrize("row, field, value, message", [
    (1, "weight", "200", "Weights are 1 to 100."),
    (0, "max_score", "0", "Maximum scores are 1 to 100."),
    (1, "weight", "heavy", "Not a valid integer value."),
])
def test_a_bad_criterion_row_is_linked_from_the_error_summary(as_, laptops, row, field, value, message):
    framework, camden, _ = laptops

    response = submit(as_("admin"), f"/frameworks/{framework.id}/lots/new",
                      lot_form([camden.id], **{f"criteria-{row}-{field}": value}))

    assert response.status_code == 422
    summary = re.search(r'<div class="error-summary".*?</div>', text_of(response), re.S).group(0)
    assert re.findall(r"<li>(.*?)</li>", summary) == [f'<a href="#criteria-{row}-{field}">{message}</a>']
    assert f'id="criteria-{row}-{field}"' in text_of(response)
    assert count(Lot) == 0


@pytest.mark.parametrize("field, value, message", [
    ("budget", "0", "Enter more than £0."),
    ("budget", "10000000000000", "Enter at most £100,000,000,000."),
    ("max_awards", "0", "Enter 1 to 100."),
    ("price_weight", "101", "Enter 0 to 100."),
])
def test_a_bad_lot_field_is_linked_from_the_error_summary(as_, laptops, field, value, message):
    framework, camden, _ = laptops

    response = submit(as_("admin"), f"/frameworks/{framework.id}/lots/new", lot_form([camden.id], **{field: value}))

    assert response.status_code == 422
    assert_summary_links_to(response, field, message)
    assert count(Lot) == 0


def test_a_lot_without_requirements_is_refused(as_, laptops):
    framework, _, _ = laptops

    response = submit(as_("admin"), f"/frameworks/{framework.id}/lots/new", lot_form([]))

    assert response.status_code == 422
    assert '<a href="#requirement_ids">Choose at least one requirement to pool.</a>' in text_of(response)
    assert count(Lot) == 0


def test_requirements_of_different_units_cannot_share_a_lot(as_, people, laptops):
    framework, camden, _ = laptops
    monitors = make_requirement(people("hackney"), title="Monitors", unit="monitor")

    response = submit(as_("admin"), f"/frameworks/{framework.id}/lots/new", lot_form([camden.id, monitors.id]))

    assert response.status_code == 422
    assert ('<a href="#requirement_ids">All requirements in a lot must be counted in the same unit.</a>'
            in text_of(response))
    assert count(Lot) == 0


def test_the_lot_form_can_show_one_category_s_requirements(as_, people, laptops):
    framework, _, _ = laptops
    make_requirement(people("hackney"), title="Virtual servers", category="cloud_hosting", unit="vCPU-month")

    page = text_of(as_("admin").get(f"/frameworks/{framework.id}/lots/new?category=cloud_hosting"))

    assert "Virtual servers" in page
    assert "Laptops for social workers" not in page


# --- transitions ------------------------------------------------------------------------------------------------

def test_the_confirmation_page_changes_nothing_and_its_post_publishes(as_, draft):
    framework, _ = draft
    page = f"/frameworks/{framework.id}/transition/open"

    confirmation = as_("admin").get(page)

    assert confirmation.status_code == 200
    text = text_of(confirmation)
    assert "<h1>Publish?</h1>" in text
    assert f"{framework.reference} London end-user devices will move from <strong>draft</strong> to " \
           f"<strong>open</strong>." in text
    assert "Lots and criteria cannot change after this." in text
    assert fresh(Framework, framework.id).status == FrameworkStatus.DRAFT
    assert "framework.open" not in audit_actions()

    response = submit(as_("admin"), page, {"to": "open"})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/frameworks/{framework.id}"
    published = fresh(Framework, framework.id)
    assert published.status == FrameworkStatus.OPEN
    assert published.published_at is not None
    assert audit_actions("Framework") == ["framework.created", "framework.open"]
    after = text_of(as_("admin").get(response.headers["Location"]))
    assert f"{framework.reference} is now open." in after
    assert f'href="/opportunities/{framework.id}"' in after


def offered(response) -> list[str]:
    """The changes of state the framework page offers as buttons."""
    section = re.search(r'<section aria-labelledby="lifecycle-heading">.*?</section>', text_of(response), re.S)
    return re.findall(r'href="/frameworks/\d+/transition/\w+">([^<]+)</a>', section.group(0))


@pytest.mark.parametrize("state, buttons, note", [
    ("draft", ["Publish", "Cancel the framework"], "Before publishing"),
    ("open", ["Cancel the framework"], "Bids are open. The framework closes by itself at the bid deadline."),
    ("past-deadline", ["Start evaluation", "Cancel the framework"], None),
    ("cancelled", [], "Nothing to do here at this stage."),
])
def test_the_framework_page_offers_the_admin_only_the_changes_that_can_be_made(as_, people, state, buttons, note):
    admin = people("admin")
    framework = make_framework(admin)
    if state != "draft":
        make_lot(admin, framework.id, [make_requirement(people("camden")).id])
        frameworks.transition(admin, framework.id, FrameworkStatus.OPEN)
    if state == "past-deadline":
        move_deadlines(framework.id, question_hours=-3, bid_hours=-1)  # before the closing job has run
    if state == "cancelled":
        frameworks.transition(admin, framework.id, FrameworkStatus.CANCELLED)

    response = as_("admin").get(f"/frameworks/{framework.id}")

    assert offered(response) == buttons
    if note:
        assert note in text_of(response)
    assert "Close for bids" not in text_of(response), "closing happens by itself at the deadline"


def test_publishing_without_lots_shows_the_reason_and_changes_nothing(as_, people):
    framework = make_framework(people("admin"))
    page = f"/frameworks/{framework.id}/transition/open"

    response = submit(as_("admin"), page, {"to": "open"})

    assert response.status_code == 302
    assert fresh(Framework, framework.id).status == FrameworkStatus.DRAFT
    after = text_of(as_("admin").get(response.headers["Location"]))
    assert "It cannot be published yet: add at least one lot." in after
    assert audit_actions("Framework") == ["framework.created"]


def test_an_unknown_state_is_a_404_and_an_illegal_move_is_refused(as_, draft):
    framework, _ = draft

    assert as_("admin").get(f"/frameworks/{framework.id}/transition/sideways").status_code == 404
    response = submit(as_("admin"), f"/frameworks/{framework.id}/transition/evaluation", {"to": "evaluation"})

    assert response.status_code == 302
    assert ("A framework cannot go from draft to evaluation; from draft it can go to open, cancelled."
            in text_of(as_("admin").get(response.headers["Location"])))
    assert fresh(Framework, framework.id).status == FrameworkStatus.DRAFT


@pytest.mark.parametrize("who", ["camden", "evaluator", "board", "supplier"])
def test_only_an_admin_can_move_a_framework(as_, draft, who):
    framework, _ = draft
    token = csrf_token(as_(who), "/opportunities")

    response = as_(who).post(f"/frameworks/{framework.id}/transition/cancelled",
                             data={"csrf_token": token, "to": "cancelled"})

    assert response.status_code == 403
    assert fresh(Framework, framework.id).status == FrameworkStatus.DRAFT


# --- officers join and leave lots -------------------------------------------------------------------------------

def test_an_officer_joins_a_draft_lot_and_leaves_it_through_the_lot_page(as_, people, draft):
    _, lot = draft
    mine = make_requirement(people("islington"), title="Laptops for schools", quantity=Decimal("50"))
    page = f"/lots/{lot.id}"

    before = text_of(as_("islington").get(page))
    assert "takes part in this lot" not in before
    assert f'<option value="{mine.id}">Laptops for schools (50.00 laptop)</option>' in before

    joined = submit(as_("islington"), page, {"requirement_id": str(mine.id)}, action=f"/lots/{lot.id}/join")

    assert joined.status_code == 302 and joined.headers["Location"] == page
    assert fresh(Requirement, mine.id).status == RequirementStatus.POOLED
    after_join = text_of(as_("islington").get(page))
    assert "Your requirement is pooled into this lot." in after_join
    assert "London Borough of Islington takes part in this lot." in after_join
    assert Tables(after_join).rows("Pooled demand for lot 1: 350.00 in all") == [
        ["London Borough of Camden", "200.00", "£160,000.00", "57.1%"],
        ["London Borough of Hackney", "100.00", "£75,050.00", "28.6%"],
        ["London Borough of Islington", "50.00", "£40,000.00", "14.3%"],
    ]

    left = submit(as_("islington"), page, {"to": "leave"}, action=f"/lots/{lot.id}/leave")

    assert left.status_code == 302
    assert fresh(Requirement, mine.id).status == RequirementStatus.OPEN
    assert {p.requirement.organisation.name for p in fresh(Lot, lot.id).pooled} == {
        "London Borough of Camden", "London Borough of Hackney"}
    after_leave = text_of(as_("islington").get(page))
    assert "Your authority has left this lot." in after_leave
    assert "takes part in this lot" not in after_leave
    assert audit_actions("Lot") == ["lot.created", "lot.joined", "lot.left"]


def test_an_officer_cannot_pool_another_authority_s_requirement(as_, people, draft):
    _, lot = draft
    theirs = make_requirement(people("hackney"), title="Hackney's spare laptops")

    response = submit(as_("camden"), f"/lots/{lot.id}", {"requirement_id": str(theirs.id)},
                      action=f"/lots/{lot.id}/join")

    assert response.status_code == 302
    assert "You can only see your own authority's requirements." in text_of(as_("camden").get(f"/lots/{lot.id}"))
    assert fresh(Requirement, theirs.id).status == RequirementStatus.OPEN


def test_an_officer_cannot_join_a_published_lot(as_, people, published):
    _, lot = published
    mine = make_requirement(people("camden"), title="Late laptops")

    page = text_of(as_("camden").get(f"/lots/{lot.id}"))
    assert "Join this lot" not in page
    response = submit(as_("camden"), "/opportunities", {"requirement_id": str(mine.id)}, action=f"/lots/{lot.id}/join")

    assert response.status_code == 302
    assert "Lots can only be joined while the framework is in draft; it is open." in text_of(
        as_("camden").get(f"/lots/{lot.id}"))
    assert fresh(Requirement, mine.id).status == RequirementStatus.OPEN


# --- the public opportunities ------------------------------------------------------------------------------------

@pytest.fixture
def market(people):
    """Two open frameworks (devices; cloud hosting), a draft one, and a cancelled one."""
    admin = people("admin")

    def framework(title, description, category, unit, status):
        requirement = make_requirement(people("camden"), title=f"{title} need", category=category, unit=unit)
        framework = make_framework(admin, title=title, description=description)
        make_lot(admin, framework.id, [requirement.id], title=title)
        if status != FrameworkStatus.DRAFT:
            frameworks.transition(admin, framework.id, FrameworkStatus.OPEN)
        if status == FrameworkStatus.CANCELLED:
            frameworks.transition(admin, framework.id, FrameworkStatus.CANCELLED)
        return framework

    return {
        "devices": framework("Laptops for London", "Light laptops.", "devices", "laptop", FrameworkStatus.OPEN),
        "cloud": framework("Cloud hosting", "Virtual servers and backup.", "cloud_hosting", "vCPU-month",
                           FrameworkStatus.OPEN),
        "draft": framework("Secret draft telephony", "Not yet public.", "telephony", "handset",
                           FrameworkStatus.DRAFT),
        "cancelled": framework("Cancelled print", "Printers.", "managed_print", "device", FrameworkStatus.CANCELLED),
    }


def listed(response) -> list[str]:
    return re.findall(r'<h2><a href="/opportunities/\d+">([^<]+)</a></h2>', text_of(response))


def test_anyone_can_list_the_open_opportunities_without_signing_in(client, market):
    response = client.get("/opportunities")

    assert response.status_code == 200
    assert sorted(listed(response)) == ["Cloud hosting", "Laptops for London"]
    assert "Secret draft telephony" not in text_of(response)


@pytest.mark.parametrize("query, expected", [
    ({"status": "all"}, ["Cancelled print", "Cloud hosting", "Laptops for London"]),
    ({"status": "cancelled"}, ["Cancelled print"]),
    ({"status": "draft"}, []),
    ({"q": "LAPTOPS"}, ["Laptops for London"]),
    ({"q": "backup"}, ["Cloud hosting"]),
    ({"q": "telephony", "status": "all"}, []),
    ({"category": "cloud_hosting"}, ["Cloud hosting"]),
    ({"category": "devices", "q": "cloud"}, []),
    ({"category": "telephony", "status": "all"}, []),
    ({"category": "managed_print", "status": "all"}, ["Cancelled print"]),
], ids=["all", "cancelled", "draft-never", "search-title", "search-description", "search-never-drafts",
        "category", "category-and-search", "category-never-drafts", "category-any-status"])
def test_the_opportunities_can_be_searched_and_filtered_and_never_show_drafts(client, market, query, expected):
    response = client.get("/opportunities", query_string=query)

    assert response.status_code == 200
    assert sorted(listed(response)) == expected
    assert "Secret draft telephony" not in text_of(response)


def test_a_supplier_does_not_see_drafts_even_when_signed_in(as_, market):
    assert "Secret draft telephony" not in text_of(as_("supplier").get("/opportunities?status=all"))
    assert "Secret draft telephony" not in text_of(as_("supplier").get("/frameworks"))
    assert as_("supplier").get(f"/frameworks/{market['draft'].id}").status_code == 404


@pytest.mark.parametrize("path", ["/opportunities/{id}", "/opportunities/{id}/ocds.json"])
def test_a_draft_has_no_public_notice(client, market, path):
    assert client.get(path.format(id=market["draft"].id)).status_code == 404
    assert client.get(path.format(id=999_999)).status_code == 404


def test_the_notice_shows_the_lots_criteria_weights_formula_and_dates(client, published):
    framework, _ = published
    framework = fresh(Framework, framework.id)

    response = client.get(f"/opportunities/{framework.id}")

    assert response.status_code == 200
    text = text_of(response)
    assert f"Tender notice {framework.reference}" in text
    assert '<strong class="tag tag-open">open</strong>' in text
    assert "Lot 1: Laptops" in text
    assert "laptop, CPV 30200000-1" in text
    for label, moment in [("Questions until", framework.question_deadline), ("Bids until", framework.bid_deadline),
                          ("Published", framework.published_at)]:
        local = moment.astimezone(LONDON)
        assert f"<dt>{label}</dt><dd>{local:%-d %b %Y, %H:%M %Z}</dd>" in text
    assert "<dt>Maximum value</dt><dd>£5,000,000.00</dd>" in text
    tables = Tables(text)
    assert tables.rows("How lot 1 is scored") == [
        ["Price (relative formula)", "40", "—", "Lowest price ÷ your price × weight."],
        ["Quality of the devices", "35", "5", ""],
        ["Social value", "25", "10", "Apprenticeships in London."],
    ]
    assert [row[0] for row in tables.rows("Pooled demand for lot 1")] == [
        "London Borough of Camden", "London Borough of Hackney"]
    assert f'href="/opportunities/{framework.id}/ocds.json"' in text
    assert f'<a href="/sign-in?next=/opportunities/{framework.id}">Sign in as a supplier</a> to ask a question.' in text
    assert 'name="text"' not in text


# --- clarification questions -------------------------------------------------------------------------------------

def test_a_supplier_asks_a_question_through_the_notice(as_, people, published):
    framework, _ = published
    page = f"/opportunities/{framework.id}"
    assert re.search(r'<textarea[^>]* id="text"[^>]* name="text"', text_of(as_("supplier").get(page)))

    response = submit(as_("supplier"), page, {"text": "Is a docking station part of lot 1?"})

    assert response.status_code == 302
    assert response.headers["Location"] == f"{page}#questions"
    question = db.session.scalar(select(Question))
    assert (question.text, question.asked_by_id, question.asker_organisation_id) == (
        "Is a docking station part of lot 1?", people("supplier").id, people("supplier").organisation_id)
    after = text_of(as_("supplier").get(page))
    assert "Your question has been sent." in after
    assert "Is a docking station part of lot 1? — awaiting an answer" in after


def test_an_empty_question_is_refused(as_, published):
    framework, _ = published

    response = submit(as_("supplier"), f"/opportunities/{framework.id}", {"text": "   "})

    assert response.status_code == 422
    assert '<a href="#text">Write your question.</a>' in text_of(response)
    assert count(Question) == 0


@pytest.mark.parametrize("who", ["camden", "admin", "evaluator", "board", None])
def test_only_a_signed_in_supplier_can_ask(app, as_, published, who):
    framework, _ = published
    page = f"/opportunities/{framework.id}"
    client = as_(who) if who else app.test_client()

    assert 'name="text"' not in text_of(client.get(page))
    token = csrf_token(client, "/opportunities" if who else "/sign-in")
    response = client.post(page, data={"csrf_token": token, "text": "May we ask?"})

    assert response.status_code == 403
    assert "Only a signed-in supplier can ask a question." in text_of(response)
    assert count(Question) == 0


def test_after_the_question_deadline_the_form_is_gone_and_a_question_is_refused(as_, published):
    framework, _ = published
    page = f"/opportunities/{framework.id}"
    token = csrf_token(as_("supplier"), page)
    move_deadlines(framework.id, question_hours=-1, bid_hours=24)

    text = text_of(as_("supplier").get(page))
    assert 'name="text"' not in text
    assert "The deadline for questions has passed." in text
    response = as_("supplier").post(page, data={"csrf_token": token, "text": "One more thing?"})

    assert response.status_code == 422
    assert "The deadline for clarification questions has passed." in text_of(response)
    assert count(Question) == 0


def test_the_admin_s_answer_is_published_on_the_notice_without_the_asker(app, as_, people, published):
    framework, _ = published
    question = questions.ask(people("supplier"), framework.id, "Must laptops have a UK keyboard?")
    detail = f"/frameworks/{framework.id}"
    assert "Must laptops have a UK keyboard?" in text_of(as_("admin").get(detail))

    response = submit(as_("admin"), detail, {"answer": "Yes, UK layout."}, action=f"/questions/{question.id}/answer")

    assert response.status_code == 302
    assert response.headers["Location"] == f"{detail}#questions"
    assert fresh(Question, question.id).answer == "Yes, UK layout."
    public = text_of(app.test_client().get(f"/opportunities/{framework.id}"))
    assert "Q1. Must laptops have a UK keyboard?" in public
    assert "Yes, UK layout." in public
    for identity in ("Thames Digital", "sam@thamesdigital.example"):
        assert identity not in public
    again = submit(as_("admin"), detail, {"answer": "No, any layout."}, action=f"/questions/{question.id}/answer")
    assert again.status_code == 302
    assert fresh(Question, question.id).answer == "Yes, UK layout.", "an answer is given once"


# --- OCDS -------------------------------------------------------------------------------------------------------

def test_anyone_can_download_the_notice_as_valid_ocds(client, published):
    framework, _ = published

    response = client.get(f"/opportunities/{framework.id}/ocds.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    package = response.get_json()
    ocid = package["releases"][0]["ocid"]
    assert response.headers["Content-Disposition"] == f'attachment; filename="{ocid}.json"'
    assert ocds.validation_errors(package) == []
    release = package["releases"][0]
    assert [lot_["title"] for lot_ in release["tender"]["lots"]] == ["Laptops"]
    assert fresh(Framework, framework.id).reference in str(release)


# --- closing at the deadline -------------------------------------------------------------------------------------

@pytest.fixture
def huey_immediate():
    from app.tasks import huey

    was = huey.immediate
    huey.immediate = True
    yield huey
    huey.immediate = was


def test_the_closing_job_closes_a_framework_whose_deadline_has_passed(people, published, huey_immediate):
    from app.tasks import close_due_frameworks

    due, _ = published
    not_due = make_framework(people("admin"), title="Still open")
    make_lot(people("admin"), not_due.id, [make_requirement(people("camden"), title="Later laptops").id])
    frameworks.transition(people("admin"), not_due.id, FrameworkStatus.OPEN)
    move_deadlines(due.id, question_hours=-3, bid_hours=-1)

    close_due_frameworks()  # in immediate mode, the task runs now, here (Huey keeps no result of a periodic task)

    closed = fresh(Framework, due.id)
    assert closed.status == FrameworkStatus.CLOSED
    assert closed.closed_at == closed.bid_deadline
    assert fresh(Framework, not_due.id).status == FrameworkStatus.OPEN
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "framework.closed"))
    assert (event.object_id, event.actor_id, event.before, event.after) == (
        str(due.id), None, {"status": "open"}, {"status": "closed"})
    close_due_frameworks()
    assert count(AuditEvent, AuditEvent.action == "framework.closed") == 1


def test_the_close_due_command_closes_a_framework_whose_deadline_has_passed(runner, published):
    framework, _ = published
    move_deadlines(framework.id, question_hours=-3, bid_hours=-1)

    result = runner.invoke(args=["frameworks", "close-due"])

    assert result.exit_code == 0, result.output
    assert result.output == f"Closed 1 framework(s): {framework.id}.\n"
    assert fresh(Framework, framework.id).status == FrameworkStatus.CLOSED
    assert audit_actions("Framework")[-1] == "framework.closed"
    assert runner.invoke(args=["frameworks", "close-due"]).output == "Closed 0 framework(s).\n"


# --- the demo -----------------------------------------------------------------------------------------------------

def test_seed_demo_makes_a_framework_in_each_state_once_and_its_audit_log_verifies(runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert f"Demo data ready: 65 organisations, {count(User)} users and 5 frameworks created." in first.output
    db.session.expire_all()
    statuses = sorted(s.value for s in db.session.scalars(select(Framework.status)))
    assert statuses == ["cancelled", "closed", "draft", "evaluation", "open"]
    rows = {model.__name__: count(model) for model in (Framework, Lot, Requirement, AuditEvent)}

    second = runner.invoke(args=["seed-demo"])

    assert second.exit_code == 0, second.output
    assert "0 organisations, 0 users and 0 frameworks created" in second.output
    db.session.expire_all()
    assert {model.__name__: count(model) for model in (Framework, Lot, Requirement, AuditEvent)} == rows
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert verified.output == f"Audit log intact: {rows['AuditEvent']} events verified.\n"
