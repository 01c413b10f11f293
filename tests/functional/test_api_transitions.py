"""The lifecycle of frameworks through the API: its transitions, its automatic closing at the bid deadline and its
audit trail. Real HTTP, real database."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from app.extensions import db
from frameworks import services as framework_services
from frameworks.models import Criterion
from tests.functional.frameworks_support import (
    NON_ADMIN_ROLES,
    World,
    assert_error,
    moment,
    move_deadlines,
    stored_framework,
)

STATUSES = ["draft", "open", "closed", "evaluation", "recommended", "standstill", "awarded", "expired", "cancelled"]


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)


# Transitions


def framework_events(world, framework_id: int) -> list[dict]:
    """The framework's audit events, oldest first."""
    return list(reversed(world.audit(object_type="Framework", object_id=framework_id)))


def test_publishing_opens_the_framework_sets_published_at_and_is_audited(world):
    framework, _ = world.draft_with_lot()
    response = world.transition(framework["id"], "open")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "open"
    assert abs(moment(body["published_at"]) - datetime.now(UTC)) < timedelta(minutes=1)
    assert body == world.get("admin", f"/api/v1/frameworks/{framework['id']}").get_json()
    assert stored_framework(framework["id"]).status.value == "open"
    events = framework_events(world, framework["id"])
    assert [e["action"] for e in events] == ["framework.created", "framework.open"]
    assert (events[1]["before"], events[1]["after"]) == ({"status": "draft"}, {"status": "open"})
    assert events[1]["actor"]["email"] == world.user("admin").email


def _no_lots(world):
    return world.framework(), "add at least one lot"


def _wrong_weights(world):
    framework, lot = world.draft_with_lot()
    db.session.execute(update(Criterion).where(Criterion.lot_id == lot["id"], Criterion.position == 1)
                       .values(weight=30))
    db.session.commit()
    return framework, "lot 1's weights do not add up to 100"


def _lot_left_empty(world):
    framework, lot = world.draft_with_lot()
    world.post("officer", f"/api/v1/lots/{lot['id']}/leave")
    world.post("other_officer", f"/api/v1/lots/{lot['id']}/leave")
    return framework, "lot 1 pools no requirements"


@pytest.mark.parametrize("make", [_no_lots, _wrong_weights, _lot_left_empty],
                         ids=["no lots", "weights wrong", "lot left empty"])
def test_a_framework_that_is_not_ready_cannot_be_published_and_the_reason_is_given(world, make):
    framework, reason = make(world)
    body = assert_error(world.transition(framework["id"], "open"), 409, "conflict")
    assert reason in body["message"]
    after = world.get("admin", f"/api/v1/frameworks/{framework['id']}").get_json()
    assert (after["status"], after["published_at"]) == ("draft", None)
    assert [e["action"] for e in framework_events(world, framework["id"])] == ["framework.created"]


@pytest.mark.parametrize(("start", "target"), [
    ("draft", "closed"), ("draft", "evaluation"), ("draft", "recommended"), ("draft", "awarded"),
    ("open", "evaluation"), ("open", "standstill"), ("open", "awarded"), ("open", "draft"), ("open", "expired"),
])
def test_a_transition_that_skips_or_reverses_a_step_gives_409_naming_both_states(world, start, target):
    framework, _ = world.published() if start == "open" else world.draft_with_lot()
    body = assert_error(world.transition(framework["id"], target), 409, "conflict")
    assert f"from {start} to {target}" in body["message"]
    assert world.get("admin", f"/api/v1/frameworks/{framework['id']}").get_json()["status"] == start
    assert len(framework_events(world, framework["id"])) == (2 if start == "open" else 1)


@pytest.mark.parametrize("state", ["draft", "open"])
def test_moving_to_the_state_it_is_in_gives_409(world, state):
    framework, _ = world.published() if state == "open" else world.draft_with_lot()
    body = assert_error(world.transition(framework["id"], state), 409, "conflict")
    assert f"already {state}" in body["message"]


def test_an_open_framework_cannot_be_closed_before_its_bid_deadline(world):
    framework, _ = world.published()
    body = assert_error(world.transition(framework["id"], "closed"), 409, "conflict")
    assert "deadline" in body["message"]
    assert world.get("admin", f"/api/v1/frameworks/{framework['id']}").get_json()["status"] == "open"


@pytest.mark.parametrize("who", ["admin", "supplier", "officer"])
def test_a_framework_shows_closed_as_soon_as_its_bid_deadline_passes(world, who):
    framework, _ = world.published()
    move_deadlines(framework["id"], question_hours=-2, bid_hours=-1)
    body = world.get(who, f"/api/v1/frameworks/{framework['id']}").get_json()
    assert body["status"] == "closed"
    listed = {status: world.get(who, "/api/v1/frameworks", query_string={"status": status}).get_json()
              for status in ("open", "closed")}
    assert [item["id"] for item in listed["closed"]["items"]] == [framework["id"]]
    assert listed["closed"]["items"][0]["status"] == "closed"
    assert (listed["open"]["items"], listed["open"]["total"]) == ([], 0)
    assert stored_framework(framework["id"]).status.value == "open"  # nobody has recorded it yet


def test_close_due_records_the_closing_with_its_time_and_an_audit_event_without_an_actor(world):
    framework, _ = world.published()
    still_open, _ = world.published(title="Still open")
    overdue_draft = world.framework(title="Overdue draft")
    move_deadlines(framework["id"], question_hours=-2, bid_hours=-1)
    move_deadlines(overdue_draft["id"], question_hours=-2, bid_hours=-1)
    assert framework_services.close_due() == [framework["id"]]
    stored = stored_framework(framework["id"])
    assert stored.status.value == "closed"
    assert stored.bid_deadline <= stored.closed_at <= datetime.now(UTC)
    assert stored_framework(still_open["id"]).status.value == "open"
    assert stored_framework(overdue_draft["id"]).status.value == "draft"
    [event] = [e for e in framework_events(world, framework["id"]) if e["action"] == "framework.closed"]
    assert event["actor"] is None
    assert (event["before"], event["after"]) == ({"status": "open"}, {"status": "closed"})
    body = world.get("admin", f"/api/v1/frameworks/{framework['id']}").get_json()
    assert body["status"] == "closed"
    assert moment(body["closed_at"]) == stored.closed_at
    # Running it again changes nothing and writes nothing.
    assert framework_services.close_due() == []
    assert [e["action"] for e in framework_events(world, framework["id"])] == [
        "framework.created", "framework.open", "framework.closed", "audit.seal_opened", "framework.bids_opened"]


def test_a_closed_framework_moves_to_evaluation(world):
    framework, _ = world.published()
    move_deadlines(framework["id"], question_hours=-2, bid_hours=-1)
    framework_services.close_due()
    response = world.transition(framework["id"], "evaluation")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "evaluation"
    assert stored_framework(framework["id"]).evaluation_started_at is not None
    assert [e["action"] for e in framework_events(world, framework["id"])] == [
        "framework.created", "framework.open", "framework.closed", "audit.seal_opened", "framework.bids_opened",
        "framework.evaluation"]


def test_a_framework_past_its_deadline_moves_to_evaluation_even_before_the_closing_job_runs(world):
    framework, _ = world.published()
    move_deadlines(framework["id"], question_hours=-2, bid_hours=-1)
    response = world.transition(framework["id"], "evaluation")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "evaluation"
    events = framework_events(world, framework["id"])
    assert [(e["action"], e["actor"] is None) for e in events[2:]] == [
        ("framework.closed", True), ("audit.seal_opened", True), ("framework.bids_opened", True),
        ("framework.evaluation", False)]


@pytest.mark.parametrize("start", ["draft", "open", "closed", "evaluation"])
def test_a_framework_can_be_cancelled_before_it_is_awarded(world, start):
    framework, _ = world.draft_with_lot() if start == "draft" else world.published()
    if start in ("closed", "evaluation"):
        move_deadlines(framework["id"], question_hours=-2, bid_hours=-1)
        framework_services.close_due()
    if start == "evaluation":
        world.transition(framework["id"], "evaluation")
    response = world.transition(framework["id"], "cancelled")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "cancelled"
    assert abs(moment(body["cancelled_at"]) - datetime.now(UTC)) < timedelta(minutes=1)
    last = framework_events(world, framework["id"])[-1]
    assert (last["action"], last["before"], last["after"]) == (
        "framework.cancelled", {"status": start}, {"status": "cancelled"})


@pytest.mark.parametrize("target", STATUSES)
def test_nothing_follows_a_cancelled_framework(world, target):
    framework, _ = world.published()
    world.transition(framework["id"], "cancelled")
    body = assert_error(world.transition(framework["id"], target), 409, "conflict")
    assert "cancelled" in body["message"]
    assert world.get("admin", f"/api/v1/frameworks/{framework['id']}").get_json()["status"] == "cancelled"
    assert framework_events(world, framework["id"])[-1]["action"] == "framework.cancelled"


@pytest.mark.parametrize("body", [{"to": "published"}, {"to": "OPEN"}, {"to": ""}, {"to": None}, {"to": 1}, {},
                                  {"status": "open"}])
def test_an_unknown_or_missing_target_gives_422(world, body):
    framework, _ = world.draft_with_lot()
    answer = assert_error(world.post("admin", f"/api/v1/frameworks/{framework['id']}/transition", body),
                          422, "validation_failed")
    assert "to" in answer["fields"]
    assert world.get("admin", f"/api/v1/frameworks/{framework['id']}").get_json()["status"] == "draft"


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
@pytest.mark.parametrize("target", ["open", "cancelled"])
def test_only_an_admin_moves_a_framework(world, role, target):
    framework, _ = world.draft_with_lot()
    assert_error(world.transition(framework["id"], target, who=role), 403, "forbidden")
    assert world.get("admin", f"/api/v1/frameworks/{framework['id']}").get_json()["status"] == "draft"
    assert len(framework_events(world, framework["id"])) == 1


def test_moving_a_framework_that_does_not_exist_gives_404(world):
    assert_error(world.post("admin", "/api/v1/frameworks/987654/transition", {"to": "open"}), 404, "not_found")


def test_every_transition_writes_exactly_one_audit_event_and_a_refused_one_writes_none(world):
    framework, _ = world.draft_with_lot()
    framework_id = framework["id"]
    steps = [("closed", 409), ("open", 200), ("open", 409), ("closed", 409)]
    for target, status in steps:
        assert world.transition(framework_id, target).status_code == status
    move_deadlines(framework_id, question_hours=-2, bid_hours=-1)
    framework_services.close_due()
    for target, status in [("evaluation", 200), ("awarded", 409), ("cancelled", 200), ("evaluation", 409)]:
        assert world.transition(framework_id, target).status_code == status
    events = list(reversed(world.audit(object_type="Framework")))  # this is the only framework
    assert {e["object_id"] for e in events} == {str(framework_id)}
    assert [(e["action"], e["before"], e["after"]) for e in events] == [
        ("framework.created", None, events[0]["after"]),
        ("framework.open", {"status": "draft"}, {"status": "open"}),
        ("framework.closed", {"status": "open"}, {"status": "closed"}),
        # the closing carries the framework's sealed log (here empty) into the public log, then opens the bids
        ("audit.seal_opened", None, {"seal": f"framework:{framework_id}", "events": 0, "head_hash": "0" * 64}),
        ("framework.bids_opened", None, events[4]["after"]),
        ("framework.evaluation", {"status": "closed"}, {"status": "evaluation"}),
        ("framework.cancelled", {"status": "evaluation"}, {"status": "cancelled"}),
    ]
    assert events[4]["after"]["submitted_bids"] == 0
    assert [e["actor"] and e["actor"]["email"] for e in events] == [
        world.user("admin").email, world.user("admin").email, None, None, None, world.user("admin").email,
        world.user("admin").email]
    # The log is one chain: each framework event names the hash of the event just before it in the whole log.
    everything = {e["hash"]: e for e in world.audit()}
    assert all(e["prev_hash"] in everything for e in events[1:])
