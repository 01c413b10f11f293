"""The pages of frameworks, over HTTP with CSRF as a browser sends them: creating one, moving it through its
lifecycle; and the jobs that close frameworks at their deadline and seed the demo.

Data a page is not about is built through the real services; the page under test is always driven through
its form."""
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.extensions import db
from app.types import london_today
from frameworks import services as frameworks
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.models import Framework, Lot
from frameworks.requirements.models import Requirement
from tests.functional.framework_pages_support import (
    assert_summary_links_to,
    audit_actions,
    count,
    fresh,
    make_framework,
    make_lot,
    make_requirement,
    move_deadlines,
    submit,
    text_of,
)
from tests.support import csrf_token, date_input

NEXT_YEAR = london_today().year + 1


# --- frameworks -------------------------------------------------------------------------------------------------

def framework_form(**changes) -> dict:
    """The framework form as typed; a deadline given as ISO text is typed into its date input's parts."""
    fields = {"title": "London end-user devices", "description": "Laptops and tablets for London's boroughs.",
              "maximum_value": "5000000.00", "question_deadline": f"{NEXT_YEAR}-01-10T12:00",
              "bid_deadline": f"{NEXT_YEAR}-07-01T12:00", "duration_months": "36", "max_lots_per_supplier": "2",
              "min_sme_share": "25", "standstill_working_days": "8", "levy_percent": "1.5"} | changes
    for name in ("question_deadline", "bid_deadline"):
        fields |= date_input(name, fields.pop(name))
    return fields


def deadline_typed(**parts: str) -> dict:
    """The framework form with the bid deadline's parts typed as given (the rest as in a good deadline)."""
    good = date_input("bid_deadline", f"{NEXT_YEAR}-07-01T12:00")
    return framework_form() | good | {f"bid_deadline-{part}": value for part, value in parts.items()}


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
    assert '<strong class="tag tag-grey">Draft</strong>' in page
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
    anchor = f"{field_id}-day" if field_id.endswith("_deadline") else None
    assert_summary_links_to(response, field_id, message, anchor)
    assert count(Framework) == 0


@pytest.mark.parametrize("parts, message, first_in_error, in_error", [
    ({"day": "", "month": "", "year": "", "hour": "", "minute": ""}, "Enter the bid deadline.", "day",
     ["day", "month", "year", "hour", "minute"]),
    ({"month": ""}, "Bid deadline must include a month.", "month", ["month"]),
    ({"hour": "", "minute": ""}, "Bid deadline must include an hour and minute.", "hour", ["hour", "minute"]),
    ({"day": "31", "month": "2"}, "Bid deadline must be a real date.", "day", ["day"]),
    ({"year": "27"}, "Bid deadline must include a year of 4 numbers, like 2027.", "year", ["year"]),
    ({"hour": "25"}, "Bid deadline must be a real time, on the 24-hour clock.", "hour", ["hour"]),
], ids=["nothing", "no-month", "no-time", "31-february", "2-digit-year", "hour-25"])
def test_a_deadline_not_typed_in_full_says_so_the_govuk_way_and_highlights_its_inputs(
        as_, parts, message, first_in_error, in_error):
    response = submit(as_("admin"), "/frameworks/new", deadline_typed(**parts))

    assert response.status_code == 422
    assert_summary_links_to(response, "bid_deadline", message, f"bid_deadline-{first_in_error}")
    highlighted = re.findall(r'<input class="[^"]*\binput-error\b[^"]*" id="bid_deadline-(\w+)"', text_of(response))
    assert highlighted == in_error
    assert count(Framework) == 0


def test_a_refused_framework_form_keeps_the_deadlines_as_typed_in_london_time(as_):
    response = submit(as_("admin"), "/frameworks/new", framework_form(duration_months="49"))

    assert response.status_code == 422
    typed = re.findall(r'<input [^>]*id="(\w+_deadline-\w+)"[^>]*value="([^"]*)"', text_of(response))
    assert dict(typed) == date_input("question_deadline", f"{NEXT_YEAR}-01-10T12:00") | date_input(
        "bid_deadline", f"{NEXT_YEAR}-07-01T12:00")


def test_what_was_typed_in_a_date_input_comes_back_after_an_error(as_):
    response = submit(as_("admin"), "/frameworks/new", deadline_typed(day="31", month="2", minute="7"))

    typed = re.findall(r'<input [^>]*id="bid_deadline-(\w+)"[^>]*value="([^"]*)"', text_of(response))
    assert dict(typed) == {"day": "31", "month": "2", "year": str(NEXT_YEAR), "hour": "12", "minute": "7"}


@pytest.mark.parametrize("who", ["camden", "evaluator", "board", "supplier"])
def test_only_an_admin_can_create_a_framework(as_, who):
    token = csrf_token(as_(who), "/opportunities")

    assert as_(who).get("/frameworks/new").status_code == 403
    assert as_(who).post("/frameworks/new", data={"csrf_token": token, **framework_form()}).status_code == 403
    assert count(Framework) == 0


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


# --- closing at the deadline -------------------------------------------------------------------------------------

@pytest.fixture
def huey_immediate():
    from app.tasking import huey

    was = huey.immediate
    huey.immediate = True
    yield huey
    huey.immediate = was


def test_the_closing_job_closes_a_framework_whose_deadline_has_passed(people, published, huey_immediate):
    from frameworks.tasks import close_due_frameworks

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
    assert audit_actions("Framework")[-3:] == ["framework.closed", "audit.seal_opened", "framework.bids_opened"]
    assert runner.invoke(args=["frameworks", "close-due"]).output == "Closed 0 framework(s).\n"


# --- the demo -----------------------------------------------------------------------------------------------------

def test_seed_demo_makes_a_framework_in_each_state_once_and_its_audit_log_verifies(runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert f"Demo data ready: 65 organisations, {count(User)} users and 8 frameworks created." in first.output
    db.session.expire_all()
    statuses = sorted(s.value for s in db.session.scalars(select(Framework.status)))
    assert statuses == ["awarded", "cancelled", "closed", "draft", "evaluation", "open", "recommended", "standstill"]
    rows = {model.__name__: count(model) for model in (Framework, Lot, Requirement, AuditEvent)}

    second = runner.invoke(args=["seed-demo"])

    assert second.exit_code == 0, second.output
    assert "0 organisations, 0 users and 0 frameworks created" in second.output
    db.session.expire_all()
    assert {model.__name__: count(model) for model in (Framework, Lot, Requirement, AuditEvent)} == rows
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert verified.output == f"Audit log intact: {rows['AuditEvent']} events verified.\n"
