"""Shared by the functional tests of the pages of requirements, frameworks, lots and tender notices: reading a page,
posting a form as a browser does, and building the data a page is not about through the real services.

The people, the clients signed in as them and a draft or published framework are fixtures in conftest.py."""
import html
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser

from sqlalchemy import func, select, update

from app.audit.models import AuditEvent
from app.extensions import db
from app.types import london_today, utcnow
from frameworks import services as frameworks
from frameworks.models import Framework, Lot
from frameworks.requirements import services as requirements
from frameworks.requirements.models import Requirement
from tests.support import csrf_token, date_input


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


def assert_summary_links_to(response, field_id: str, message: str, anchor: str | None = None) -> None:
    """The error summary links the message to its field (to `anchor`, the first input in error, for a field of
    several inputs such as a date), and the field shows the message and is marked invalid."""
    text = text_of(response)
    anchor = anchor or field_id
    summary = re.search(r'<div class="error-summary".*?</div>', text, re.S)
    assert summary, "no error summary on the page"
    assert f'<a href="#{anchor}">{message}</a>' in summary.group(0), summary.group(0)
    assert re.search(rf'<p class="error-message" id="{field_id}-error">.*?{re.escape(message)}</p>', text)
    control = re.search(rf'<(?:input|select|textarea)[^>]*\bid="{anchor}"[^>]*>', text)
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


def requirement_form(**changes) -> dict:
    """The requirement form as typed; `needed_by` (a date) is typed into its day, month and year."""
    fields = {"title": "Laptops for social workers", "description": "Light laptops with a three-year warranty.",
              "category": "devices", "quantity": "200", "unit": "laptop", "estimated_unit_price": "800.00",
              "needed_by": london_today() + timedelta(days=90)} | changes
    return fields | date_input("needed_by", fields.pop("needed_by"))


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


def move_deadlines(framework_id: int, *, question_hours: float, bid_hours: float) -> None:
    """As if time had passed: the deadlines, relative to now, straight in the database."""
    now = datetime.now(UTC)
    db.session.execute(update(Framework).where(Framework.id == framework_id).values(
        question_deadline=now + timedelta(hours=question_hours), bid_deadline=now + timedelta(hours=bid_hours)))
    db.session.commit()
