"""Frameworks through the API: creating them and who sees them; and every answer about frameworks, lots and their
transitions checked against the OpenAPI document. Lots are in test_api_lots.py, the lifecycle in
test_api_transitions.py. Real HTTP, real database."""
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.functional.frameworks_support import (
    NON_ADMIN_ROLES,
    World,
    assert_answer_satisfies_openapi,
    assert_error,
    at,
    framework_body,
    lot_body,
    moment,
)
from tests.functional.test_openapi import fetch_document, response_validator


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)


# Creating


def test_an_admin_creates_a_framework_in_draft_with_what_was_sent(world):
    sent = framework_body()
    response = world.post("admin", "/api/v1/frameworks", sent)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "draft"
    assert isinstance(body["id"], int)
    assert body["reference"] == f"CNS-{datetime.now(UTC).year}-{body['id']:04d}"
    assert {k: body[k] for k in ("title", "description", "duration_months", "max_lots_per_supplier",
                                 "standstill_working_days")} == {
        k: sent[k] for k in ("title", "description", "duration_months", "max_lots_per_supplier",
                             "standstill_working_days")}
    assert (body["maximum_value"], body["min_sme_share"], body["levy_percent"]) == ("5000000.00", "0.2500", "1.50")
    assert moment(body["bid_deadline"]) == moment(sent["bid_deadline"])
    assert moment(body["question_deadline"]) == moment(sent["question_deadline"])
    assert abs(moment(body["created_at"]) - datetime.now(UTC)) < timedelta(minutes=1)
    assert (body["published_at"], body["closed_at"], body["cancelled_at"], body["lots"]) == (None, None, None, [])
    assert world.get("admin", f"/api/v1/frameworks/{body['id']}").get_json() == body
    [event] = world.audit(object_type="Framework", object_id=body["id"])
    assert (event["action"], event["actor"]["email"]) == ("framework.created", world.user("admin").email)


@pytest.mark.parametrize("hours", [-5, 0, 1, 5.5])
def test_deadlines_given_with_any_offset_are_kept_as_the_same_instant(world, hours):
    zone = timezone(timedelta(hours=hours))
    bid = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    question = bid - timedelta(days=10)
    body = world.framework(bid_deadline=bid.astimezone(zone).isoformat(),
                           question_deadline=question.astimezone(zone).isoformat())
    assert (moment(body["bid_deadline"]), moment(body["question_deadline"])) == (bid, question)


def test_a_deadline_in_utc_may_be_written_with_z(world):
    bid = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    body = world.framework(bid_deadline=bid.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert moment(body["bid_deadline"]) == bid


def test_the_optional_fields_take_their_defaults(world):
    body = world.post("admin", "/api/v1/frameworks", {
        k: v for k, v in framework_body().items()
        if k not in ("description", "max_lots_per_supplier", "min_sme_share", "standstill_working_days",
                     "levy_percent")}).get_json()
    assert (body["description"], body["max_lots_per_supplier"], body["min_sme_share"],
            body["standstill_working_days"], body["levy_percent"]) == ("", None, "0.0000", 8, "0.00")


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_only_an_admin_creates_frameworks(world, role):
    body = assert_error(world.post(role, "/api/v1/frameworks", framework_body()), 403, "forbidden")
    assert "admin" in body["message"]
    assert world.get("admin", "/api/v1/frameworks").get_json()["total"] == 0


def _without(name: str) -> dict:
    return {k: v for k, v in framework_body().items() if k != name}


BAD_FRAMEWORKS = [
    ("bid deadline in the past", framework_body(bid_deadline=at(-1), question_deadline=at(-2)), "bid_deadline"),
    ("question deadline in the past", framework_body(question_deadline=at(-1)), "question_deadline"),
    ("question deadline after the bid deadline", framework_body(question_deadline=at(24 * 40)),
     "question_deadline"),
    ("question deadline at the bid deadline", framework_body(question_deadline=framework_body()["bid_deadline"]),
     "question_deadline"),
    ("naive bid deadline", framework_body(bid_deadline=at(24 * 30)[:-6]), "bid_deadline"),
    ("naive question deadline", framework_body(question_deadline=at(24 * 20)[:-6]), "question_deadline"),
    ("a date for a deadline", framework_body(bid_deadline="2031-01-01"), "bid_deadline"),
    ("a deadline in words", framework_body(bid_deadline="next month"), "bid_deadline"),
    ("an impossible deadline", framework_body(bid_deadline="2031-02-30T12:00:00+00:00"), "bid_deadline"),
    ("duration 0 months", framework_body(duration_months=0), "duration_months"),
    ("duration 49 months", framework_body(duration_months=49), "duration_months"),
    ("negative duration", framework_body(duration_months=-12), "duration_months"),
    ("duration in part-months", framework_body(duration_months=1.5), "duration_months"),
    ("duration in words", framework_body(duration_months="three years"), "duration_months"),
    ("negative maximum value", framework_body(maximum_value="-1.00"), "maximum_value"),
    ("zero maximum value", framework_body(maximum_value="0"), "maximum_value"),
    ("absurd maximum value", framework_body(maximum_value="1e15"), "maximum_value"),
    ("maximum value in fractions of a penny", framework_body(maximum_value="100.001"), "maximum_value"),
    ("maximum value in words", framework_body(maximum_value="lots"), "maximum_value"),
    ("SME share above 1", framework_body(min_sme_share="1.01"), "min_sme_share"),
    ("negative SME share", framework_body(min_sme_share="-0.1"), "min_sme_share"),
    ("SME share as a percentage", framework_body(min_sme_share=25), "min_sme_share"),
    ("levy above 100", framework_body(levy_percent="100.01"), "levy_percent"),
    ("negative levy", framework_body(levy_percent="-1"), "levy_percent"),
    ("negative standstill", framework_body(standstill_working_days=-1), "standstill_working_days"),
    ("no lots per supplier", framework_body(max_lots_per_supplier=0), "max_lots_per_supplier"),
    ("empty title", framework_body(title=""), "title"),
    ("blank title", framework_body(title="   "), "title"),
    *[(f"missing {name}", _without(name), name)
      for name in ("title", "maximum_value", "bid_deadline", "question_deadline", "duration_months")],
]


@pytest.mark.parametrize(("body", "field"), [case[1:] for case in BAD_FRAMEWORKS],
                         ids=[case[0] for case in BAD_FRAMEWORKS])
def test_a_bad_framework_is_refused_with_422_naming_the_field_and_nothing_is_stored(world, body, field):
    answer = assert_error(world.post("admin", "/api/v1/frameworks", body), 422, "validation_failed")
    assert field in answer["fields"], answer
    assert world.get("admin", "/api/v1/frameworks").get_json()["total"] == 0


# Reading


def test_the_framework_list_has_items_and_total_newest_first_with_lots(world):
    first, lot = world.draft_with_lot()
    second = world.framework(title="Cloud hosting")
    body = world.get("admin", "/api/v1/frameworks").get_json()
    assert body["total"] == 2
    assert [item["id"] for item in body["items"]] == [second["id"], first["id"]]
    assert body["items"][1]["lots"] == [lot]
    assert body["items"][0]["lots"] == []


@pytest.mark.parametrize(("status", "expected"), [("draft", ["Draft one"]), ("open", ["Open one"]),
                                                  ("cancelled", [])])
def test_the_framework_list_filters_by_status(world, status, expected):
    world.framework(title="Draft one")
    world.published(title="Open one")
    items = world.get("admin", "/api/v1/frameworks", query_string={"status": status}).get_json()["items"]
    assert [item["title"] for item in items] == expected


def test_an_unknown_framework_status_filter_gives_400(world):
    body = assert_error(world.get("admin", "/api/v1/frameworks", query_string={"status": "live"}),
                        400, "bad_request")
    assert "status" in body["fields"]
    assert "draft" in body["message"]


@pytest.mark.parametrize("role", ["supplier", "other_supplier"])
def test_suppliers_do_not_see_drafts_in_the_list_or_one_by_one(world, role):
    draft, draft_lot = world.draft_with_lot(title="Secret draft")
    published, published_lot = world.published(title="Published one")
    body = world.get(role, "/api/v1/frameworks").get_json()
    assert [item["id"] for item in body["items"]] == [published["id"]]
    assert body["total"] == 1
    assert_error(world.get(role, f"/api/v1/frameworks/{draft['id']}"), 404, "not_found")
    assert_error(world.get(role, f"/api/v1/lots/{draft_lot['id']}"), 404, "not_found")
    assert world.get(role, f"/api/v1/frameworks/{published['id']}").status_code == 200
    assert world.get(role, f"/api/v1/lots/{published_lot['id']}").get_json() == published_lot
    assert "Secret draft" not in world.get(role, "/api/v1/frameworks", query_string={"q": "secret"}).get_data(
        as_text=True)


@pytest.mark.parametrize("role", ["admin", "officer", "evaluator", "board"])
def test_everyone_else_signed_in_sees_drafts(world, role):
    draft = world.framework()
    assert [item["id"] for item in world.get(role, "/api/v1/frameworks").get_json()["items"]] == [draft["id"]]
    assert world.get(role, f"/api/v1/frameworks/{draft['id']}").get_json() == draft


def test_frameworks_are_not_shown_without_a_token(client):
    assert_error(client.get("/api/v1/frameworks"), 401, "unauthorised")


def test_a_framework_that_does_not_exist_gives_404(world):
    assert_error(world.get("admin", "/api/v1/frameworks/987654"), 404, "not_found")
    assert_error(world.get("admin", "/api/v1/lots/987654"), 404, "not_found")


# Answers against the OpenAPI document


def _create(world):
    return world.post("admin", "/api/v1/frameworks", framework_body())


def _create_invalid(world):
    return world.post("admin", "/api/v1/frameworks", framework_body(duration_months=49))


def _list(world):
    world.draft_with_lot()
    return world.get("admin", "/api/v1/frameworks")


def _get(world):
    framework, _ = world.published()
    return world.get("supplier", f"/api/v1/frameworks/{framework['id']}")


def _get_draft_as_supplier(world):
    framework = world.framework()
    return world.get("supplier", f"/api/v1/frameworks/{framework['id']}")


def _add_lot(world):
    framework = world.framework()
    return world.post("admin", f"/api/v1/frameworks/{framework['id']}/lots", lot_body([world.requirement()["id"]]))


def _add_lot_bad_weights(world):
    framework = world.framework()
    return world.post("admin", f"/api/v1/frameworks/{framework['id']}/lots",
                      lot_body([world.requirement()["id"]], price_weight=10))


def _get_lot(world):
    _, lot = world.draft_with_lot()
    return world.get("admin", f"/api/v1/lots/{lot['id']}")


def _join(world):
    _, lot = world.draft_with_lot()
    return world.post("officer", f"/api/v1/lots/{lot['id']}/join", {"requirement_id": world.requirement()["id"]})


def _leave(world):
    _, lot = world.draft_with_lot()
    return world.post("officer", f"/api/v1/lots/{lot['id']}/leave")


def _transition(world):
    framework, _ = world.draft_with_lot()
    return world.transition(framework["id"], "open")


def _transition_refused(world):
    framework, _ = world.draft_with_lot()
    return world.transition(framework["id"], "closed")


ANSWERS = [
    (_create, "/api/v1/frameworks", "POST", 201, "status"),
    (_create_invalid, "/api/v1/frameworks", "POST", 422, "message"),
    (_list, "/api/v1/frameworks", "GET", 200, "items"),
    (_get, "/api/v1/frameworks/{framework_id}", "GET", 200, "lots"),
    (_get_draft_as_supplier, "/api/v1/frameworks/{framework_id}", "GET", 404, "error"),
    (_add_lot, "/api/v1/frameworks/{framework_id}/lots", "POST", 201, "demand"),
    (_add_lot_bad_weights, "/api/v1/frameworks/{framework_id}/lots", "POST", 422, "message"),
    (_get_lot, "/api/v1/lots/{lot_id}", "GET", 200, "criteria"),
    (_join, "/api/v1/lots/{lot_id}/join", "POST", 200, "requirement_ids"),
    (_leave, "/api/v1/lots/{lot_id}/leave", "POST", 200, "demand"),
    (_transition, "/api/v1/frameworks/{framework_id}/transition", "POST", 200, "published_at"),
    (_transition_refused, "/api/v1/frameworks/{framework_id}/transition", "POST", 409, "message"),
]


@pytest.mark.parametrize(("call", "path", "method", "status", "required"), ANSWERS,
                         ids=[f"{method} {path} {status}" for _, path, method, status, _ in ANSWERS])
def test_a_frameworks_answer_satisfies_the_openapi_document(world, call, path, method, status, required):
    assert_answer_satisfies_openapi(world, call, path, method, status, required)


@pytest.mark.parametrize(("where", "wrong"), [
    (("demand", "authorities", 0, "share"), 0.6667),
    (("criteria", 0, "id"), "1"),
    (("demand", "quantity"), None),
])
def test_the_lot_schema_checks_nested_demand_and_criteria(world, where, wrong):
    from jsonschema.exceptions import ValidationError

    body = _add_lot(world).get_json()
    validator = response_validator(fetch_document(world.client), "/api/v1/frameworks/{framework_id}/lots", "POST",
                                   201)
    validator.validate(body)
    target = body
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = wrong
    with pytest.raises(ValidationError):
        validator.validate(body)
