"""Frameworks through the API: creating them, who sees them, lots that pool authorities' requirements with criteria
and weights, authorities joining and leaving lots, and the lifecycle with its transitions, its automatic closing at
the bid deadline and its audit trail. Real HTTP, real database."""
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from app.extensions import db
from frameworks import services as framework_services
from frameworks.models import Criterion
from tests.functional.frameworks_support import (
    NON_ADMIN_ROLES,
    World,
    assert_answer_satisfies_openapi,
    assert_error,
    at,
    framework_body,
    lot_body,
    move_deadlines,
    stored_framework,
)
from tests.functional.test_openapi import fetch_document, response_validator

STATUSES = ["draft", "open", "closed", "evaluation", "recommended", "standstill", "awarded", "expired", "cancelled"]


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)


def moment(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    assert value.utcoffset() is not None, f"{text} has no offset"
    return value


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


# Lots


def test_a_lot_pools_two_authorities_requirements_into_demand_with_each_authoritys_share(world):
    camden = world.requirement("officer", quantity="200", estimated_unit_price="800.00")
    camden_more = world.requirement("camden_colleague", quantity="40", estimated_unit_price="812.50")
    hackney = world.requirement("other_officer", quantity="60", estimated_unit_price="750.50")
    framework = world.framework()
    response = world.post("admin", f"/api/v1/frameworks/{framework['id']}/lots",
                          lot_body([hackney["id"], camden["id"], camden_more["id"]]))
    assert response.status_code == 201, response.get_json()
    lot = response.get_json()
    camden_id, hackney_id = world.organisation_id("officer"), world.organisation_id("other_officer")
    # Camden: 200 + 40 = 240 laptops worth 160000 + 32500; Hackney: 60 worth 45030; 300 in all.
    assert lot["demand"] == {
        "quantity": "300.00",
        "estimated_value": "237530.00",
        "authorities": sorted([
            {"organisation_id": camden_id, "quantity": "240.00", "estimated_value": "192500.00", "share": "0.8000"},
            {"organisation_id": hackney_id, "quantity": "60.00", "estimated_value": "45030.00", "share": "0.2000"},
        ], key=lambda a: a["organisation_id"]),
    }
    assert (lot["framework_id"], lot["number"], lot["title"], lot["budget"], lot["max_awards"],
            lot["price_weight"], lot["price_formula"]) == (framework["id"], 1, "Laptops", "250000.00", 2, 40,
                                                          "relative")
    assert lot["requirement_ids"] == sorted([camden["id"], camden_more["id"], hackney["id"]])
    assert [(c["name"], c["weight"], c["max_score"]) for c in lot["criteria"]] == [
        ("Quality of the devices", 35, 5), ("Social value", 25, 10)]
    assert lot["criteria"][1]["guidance"] == "Apprenticeships in London."
    ids = [c["id"] for c in lot["criteria"]]
    assert all(isinstance(i, int) for i in ids) and len(set(ids)) == 2
    assert world.get("officer", f"/api/v1/lots/{lot['id']}").get_json() == lot
    assert world.get("admin", f"/api/v1/frameworks/{framework['id']}").get_json()["lots"] == [lot]
    for requirement in (camden, camden_more, hackney):
        assert world.get("admin", f"/api/v1/requirements/{requirement['id']}").get_json()["status"] == "pooled"
    [event] = world.audit(object_type="Lot", object_id=lot["id"])
    assert event["action"] == "lot.created"
    assert event["after"]["requirement_ids"] == lot["requirement_ids"]


def test_shares_are_rounded_to_four_places_and_the_next_lot_is_numbered_after_the_first(world):
    framework, first = world.draft_with_lot()  # Camden 200 laptops, Hackney 100
    assert [a["share"] for a in first["demand"]["authorities"]] == ["0.6667", "0.3333"]
    assert first["demand"]["estimated_value"] == "235050.00"
    tablets = world.requirement(unit="tablet", quantity="7", estimated_unit_price="333.33")
    second = world.lot(framework["id"], [tablets["id"]], title="Tablets", price_weight=100, criteria=[])
    assert second["number"] == 2
    assert second["demand"] == {"quantity": "7.00", "estimated_value": "2333.31", "authorities": [
        {"organisation_id": world.organisation_id("officer"), "quantity": "7.00", "estimated_value": "2333.31",
         "share": "1.0000"}]}
    assert second["criteria"] == []


@pytest.mark.parametrize(("price_weight", "weights", "total"), [
    (50, [35, 25], 110), (30, [35, 25], 90), (99, [], 99), (0, [50, 49], 99), (1, [50, 50], 101),
])
def test_weights_that_do_not_add_up_to_100_are_refused_naming_the_sum(world, price_weight, weights, total):
    requirement = world.requirement()
    framework = world.framework()
    criteria = [{"name": f"Criterion {i}", "weight": w, "max_score": 5} for i, w in enumerate(weights)]
    body = assert_error(world.post("admin", f"/api/v1/frameworks/{framework['id']}/lots",
                                   lot_body([requirement["id"]], price_weight=price_weight, criteria=criteria)),
                        422, "validation_failed")
    assert f"add up to {total}" in body["fields"]["weights"]
    assert f"add up to {total}" in body["message"]
    assert world.get("admin", f"/api/v1/requirements/{requirement['id']}").get_json()["status"] == "open"
    assert world.get("admin", f"/api/v1/frameworks/{framework['id']}").get_json()["lots"] == []


BAD_LOTS = [
    ("no requirements", {"requirement_ids": []}, "requirement_ids"),
    ("requirement ids not numbers", {"requirement_ids": ["one"]}, "requirement_ids.0"),
    ("unknown price formula", {"price_formula": "cheapest"}, "price_formula"),
    ("zero budget", {"budget": "0"}, "budget"),
    ("negative budget", {"budget": "-100.00"}, "budget"),
    ("no awards", {"max_awards": 0}, "max_awards"),
    ("price weight above 100", {"price_weight": 101, "criteria": []}, "price_weight"),
    ("criterion of weight 0", {"price_weight": 60, "criteria": [{"name": "Q", "weight": 0, "max_score": 5},
                                                               {"name": "R", "weight": 40, "max_score": 5}]},
     "criteria.0.weight"),
    ("criterion without a name", {"price_weight": 60, "criteria": [{"name": " ", "weight": 40, "max_score": 5}]},
     "criteria.0.name"),
    ("two criteria with one name", {"price_weight": 60, "criteria": [{"name": "Quality", "weight": 20, "max_score": 5},
                                                                    {"name": "quality", "weight": 20,
                                                                     "max_score": 5}]}, "criteria"),
    ("criterion max score 0", {"price_weight": 60, "criteria": [{"name": "Q", "weight": 40, "max_score": 0}]},
     "criteria.0.max_score"),
    ("empty title", {"title": ""}, "title"),
]


@pytest.mark.parametrize(("changes", "field"), [case[1:] for case in BAD_LOTS], ids=[case[0] for case in BAD_LOTS])
def test_a_bad_lot_is_refused_with_422_naming_the_field(world, changes, field):
    requirement = world.requirement()
    framework = world.framework()
    body = assert_error(world.post("admin", f"/api/v1/frameworks/{framework['id']}/lots",
                                   lot_body([requirement["id"]]) | changes), 422, "validation_failed")
    assert field in body["fields"], body
    assert world.get("admin", f"/api/v1/requirements/{requirement['id']}").get_json()["status"] == "open"


def test_an_unknown_requirement_is_refused_with_422_naming_it(world):
    requirement = world.requirement()
    framework = world.framework()
    body = assert_error(world.post("admin", f"/api/v1/frameworks/{framework['id']}/lots",
                                   lot_body([requirement["id"], 987654])), 422, "validation_failed")
    assert "987654" in body["fields"]["requirement_ids"]
    assert world.get("admin", f"/api/v1/requirements/{requirement['id']}").get_json()["status"] == "open"


def test_a_requirement_listed_twice_is_refused(world):
    requirement = world.requirement()
    framework = world.framework()
    body = assert_error(world.post("admin", f"/api/v1/frameworks/{framework['id']}/lots",
                                   lot_body([requirement["id"], requirement["id"]])), 422, "validation_failed")
    assert "twice" in body["fields"]["requirement_ids"]


@pytest.mark.parametrize("same_framework", [True, False], ids=["same framework", "another framework"])
def test_an_already_pooled_requirement_cannot_be_pooled_again(world, same_framework):
    taken = world.requirement()
    fresh = world.requirement()
    framework = world.framework()
    world.lot(framework["id"], [taken["id"]])
    target = framework if same_framework else world.framework(title="Another")
    body = assert_error(world.post("admin", f"/api/v1/frameworks/{target['id']}/lots",
                                   lot_body([fresh["id"], taken["id"]])), 422, "validation_failed")
    assert f"Requirement {taken['id']} is pooled" in body["fields"]["requirement_ids"]
    assert world.get("admin", f"/api/v1/requirements/{fresh['id']}").get_json()["status"] == "open"


@pytest.mark.parametrize(("other", "problem"), [
    ({"category": "telephony", "unit": "handset"}, "same category"),
    ({"category": "managed_print", "unit": "device"}, "same category"),
    ({"unit": "tablet"}, "same unit"),
])
def test_requirements_of_different_categories_or_units_cannot_share_a_lot(world, other, problem):
    laptops = world.requirement()
    different = world.requirement("other_officer", **other)
    framework = world.framework()
    body = assert_error(world.post("admin", f"/api/v1/frameworks/{framework['id']}/lots",
                                   lot_body([laptops["id"], different["id"]])), 422, "validation_failed")
    assert problem in body["fields"]["requirement_ids"]
    for requirement in (laptops, different):
        assert world.get("admin", f"/api/v1/requirements/{requirement['id']}").get_json()["status"] == "open"


@pytest.mark.parametrize("state", ["open", "cancelled"])
def test_a_lot_cannot_be_added_unless_the_framework_is_in_draft(world, state):
    framework, _ = world.published()
    if state == "cancelled":
        assert world.transition(framework["id"], "cancelled").status_code == 200
    requirement = world.requirement()
    body = assert_error(world.post("admin", f"/api/v1/frameworks/{framework['id']}/lots",
                                   lot_body([requirement["id"]])), 409, "conflict")
    assert "draft" in body["message"] and state in body["message"]
    assert world.get("admin", f"/api/v1/requirements/{requirement['id']}").get_json()["status"] == "open"
    assert len(world.get("admin", f"/api/v1/frameworks/{framework['id']}").get_json()["lots"]) == 1


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_only_an_admin_adds_lots(world, role):
    requirement = world.requirement()
    framework = world.framework()
    assert_error(world.post(role, f"/api/v1/frameworks/{framework['id']}/lots", lot_body([requirement["id"]])),
                 403, "forbidden")
    assert world.get("admin", f"/api/v1/requirements/{requirement['id']}").get_json()["status"] == "open"


def test_a_lot_for_a_framework_that_does_not_exist_gives_404(world):
    requirement = world.requirement()
    assert_error(world.post("admin", "/api/v1/frameworks/987654/lots", lot_body([requirement["id"]])),
                 404, "not_found")


# Authorities joining and leaving a lot


def test_an_officer_joins_a_draft_lot_with_their_authoritys_requirement_and_the_demand_grows(world):
    _, lot = world.draft_with_lot()  # Camden 200 at 800.00, Hackney 100 at 750.50
    extra = world.requirement("other_officer", quantity="100", estimated_unit_price="700.00")
    response = world.post("other_officer", f"/api/v1/lots/{lot['id']}/join", {"requirement_id": extra["id"]})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["requirement_ids"] == sorted([*lot["requirement_ids"], extra["id"]])
    assert body["demand"]["quantity"] == "400.00"
    assert body["demand"]["estimated_value"] == "305050.00"
    assert [(a["organisation_id"], a["quantity"], a["estimated_value"], a["share"])
            for a in body["demand"]["authorities"]] == [
        (world.organisation_id("officer"), "200.00", "160000.00", "0.5000"),
        (world.organisation_id("other_officer"), "200.00", "145050.00", "0.5000")]
    assert world.get("admin", f"/api/v1/requirements/{extra['id']}").get_json()["status"] == "pooled"
    assert world.get("admin", f"/api/v1/lots/{lot['id']}").get_json() == body
    [event] = [e for e in world.audit(object_type="Lot", object_id=lot["id"]) if e["action"] == "lot.joined"]
    assert event["actor"]["email"] == world.user("other_officer").email
    assert extra["id"] not in event["before"]["requirement_ids"]
    assert extra["id"] in event["after"]["requirement_ids"]


def test_an_officer_leaves_a_lot_and_their_authoritys_requirements_are_open_again(world):
    _, lot = world.draft_with_lot()
    more = world.requirement("camden_colleague", quantity="10", estimated_unit_price="900.00")
    world.post("camden_colleague", f"/api/v1/lots/{lot['id']}/join", {"requirement_id": more["id"]})
    camden_ids = [i for i in lot["requirement_ids"]
                  if world.get("admin", f"/api/v1/requirements/{i}").get_json()["organisation_id"]
                  == world.organisation_id("officer")] + [more["id"]]
    response = world.post("officer", f"/api/v1/lots/{lot['id']}/leave")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    hackney_id = world.organisation_id("other_officer")
    assert body["demand"] == {"quantity": "100.00", "estimated_value": "75050.00", "authorities": [
        {"organisation_id": hackney_id, "quantity": "100.00", "estimated_value": "75050.00", "share": "1.0000"}]}
    assert set(body["requirement_ids"]).isdisjoint(camden_ids)
    for requirement_id in camden_ids:
        assert world.get("officer", f"/api/v1/requirements/{requirement_id}").get_json()["status"] == "open"
    assert world.audit(object_type="Lot", object_id=lot["id"])[0]["action"] == "lot.left"  # the newest
    # Left, the authority can change its requirement again and join once more.
    assert world.put("officer", f"/api/v1/requirements/{camden_ids[0]}", {
        **world.get("officer", f"/api/v1/requirements/{camden_ids[0]}").get_json(), "title": "Changed"
    }).status_code == 200
    assert world.post("officer", f"/api/v1/lots/{lot['id']}/join",
                      {"requirement_id": camden_ids[0]}).status_code == 200


def test_leaving_a_lot_the_authority_is_not_in_gives_409(world):
    _, lot = world.draft_with_lot()
    world.post("other_officer", f"/api/v1/lots/{lot['id']}/leave")
    body = assert_error(world.post("other_officer", f"/api/v1/lots/{lot['id']}/leave"), 409, "conflict")
    assert "no requirements in this lot" in body["message"]


def test_an_officer_cannot_pool_another_authoritys_requirement(world):
    _, lot = world.draft_with_lot()
    theirs = world.requirement("other_officer")
    assert_error(world.post("officer", f"/api/v1/lots/{lot['id']}/join", {"requirement_id": theirs["id"]}),
                 403, "forbidden")
    assert world.get("admin", f"/api/v1/requirements/{theirs['id']}").get_json()["status"] == "open"
    assert world.get("admin", f"/api/v1/lots/{lot['id']}").get_json() == lot


@pytest.mark.parametrize(("changes", "status"), [
    ({"category": "telephony", "unit": "handset"}, 422), ({"unit": "tablet"}, 422),
])
def test_joining_with_a_requirement_that_does_not_match_the_lot_is_refused(world, changes, status):
    _, lot = world.draft_with_lot()
    mismatched = world.requirement(**changes)
    body = assert_error(world.post("officer", f"/api/v1/lots/{lot['id']}/join",
                                   {"requirement_id": mismatched["id"]}), status, "validation_failed")
    assert "requirement_id" in body["fields"]
    assert world.get("admin", f"/api/v1/requirements/{mismatched['id']}").get_json()["status"] == "open"


def test_joining_with_a_requirement_already_pooled_elsewhere_is_refused(world):
    _, lot = world.draft_with_lot()
    elsewhere = world.requirement()
    world.lot(world.framework(title="Another")["id"], [elsewhere["id"]])
    body = assert_error(world.post("officer", f"/api/v1/lots/{lot['id']}/join",
                                   {"requirement_id": elsewhere["id"]}), 422, "validation_failed")
    assert "pooled" in body["message"]


@pytest.mark.parametrize("action", ["join", "leave"])
@pytest.mark.parametrize("state", ["open", "cancelled"])
def test_joining_or_leaving_after_publication_gives_409(world, action, state):
    framework, lot = world.published()
    if state == "cancelled":
        world.transition(framework["id"], "cancelled")
    requirement = world.requirement()
    body = assert_error(world.post("officer", f"/api/v1/lots/{lot['id']}/{action}",
                                   {"requirement_id": requirement["id"]}), 409, "conflict")
    assert state in body["message"]
    assert world.get("admin", f"/api/v1/lots/{lot['id']}").get_json() == lot
    assert world.get("admin", f"/api/v1/requirements/{requirement['id']}").get_json()["status"] == "open"


@pytest.mark.parametrize("role", ["admin", "evaluator", "board", "supplier"])
@pytest.mark.parametrize("action", ["join", "leave"])
def test_only_officers_join_or_leave_lots(world, role, action):
    _, lot = world.draft_with_lot()
    assert_error(world.post(role, f"/api/v1/lots/{lot['id']}/{action}", {"requirement_id": 1}), 403, "forbidden")


@pytest.mark.parametrize("body", [{}, {"requirement_id": "one"}, {"requirement_id": None}])
def test_joining_without_a_requirement_id_gives_422(world, body):
    _, lot = world.draft_with_lot()
    answer = assert_error(world.post("officer", f"/api/v1/lots/{lot['id']}/join", body), 422, "validation_failed")
    assert "requirement_id" in answer["fields"]


def test_joining_a_lot_that_does_not_exist_gives_404(world):
    requirement = world.requirement()
    assert_error(world.post("officer", "/api/v1/lots/987654/join", {"requirement_id": requirement["id"]}),
                 404, "not_found")


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
    assert len(framework_events(world, framework["id"])) == 3


def test_a_closed_framework_moves_to_evaluation(world):
    framework, _ = world.published()
    move_deadlines(framework["id"], question_hours=-2, bid_hours=-1)
    framework_services.close_due()
    response = world.transition(framework["id"], "evaluation")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "evaluation"
    assert stored_framework(framework["id"]).evaluation_started_at is not None
    assert [e["action"] for e in framework_events(world, framework["id"])] == [
        "framework.created", "framework.open", "framework.closed", "framework.evaluation"]


def test_a_framework_past_its_deadline_moves_to_evaluation_even_before_the_closing_job_runs(world):
    framework, _ = world.published()
    move_deadlines(framework["id"], question_hours=-2, bid_hours=-1)
    response = world.transition(framework["id"], "evaluation")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "evaluation"
    events = framework_events(world, framework["id"])
    assert [(e["action"], e["actor"] is None) for e in events[2:]] == [
        ("framework.closed", True), ("framework.evaluation", False)]


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
        ("framework.evaluation", {"status": "closed"}, {"status": "evaluation"}),
        ("framework.cancelled", {"status": "evaluation"}, {"status": "cancelled"}),
    ]
    assert [e["actor"] and e["actor"]["email"] for e in events] == [
        world.user("admin").email, world.user("admin").email, None, world.user("admin").email,
        world.user("admin").email]
    # The log is one chain: each framework event names the hash of the event just before it in the whole log.
    everything = {e["hash"]: e for e in world.audit()}
    assert all(e["prev_hash"] in everything for e in events[1:])


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
