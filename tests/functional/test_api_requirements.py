"""Requirements through the API: officers state what their authority needs, see and change their own, admins see
everyone's; bad input is refused with the fields at fault, never a 500. Real HTTP, real database."""
from datetime import timedelta

import pytest

from app.types import london_today
from tests.functional.frameworks_support import (
    World,
    assert_answer_satisfies_openapi,
    assert_error,
    in_days,
    requirement_body,
)
from tests.functional.test_openapi import fetch_document, response_validator


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)


# Creating


def test_an_officer_states_a_requirement_and_gets_it_back_open_with_money_as_decimal_strings(world):
    needed_by = in_days(90).isoformat()
    response = world.post("officer", "/api/v1/requirements", requirement_body(
        title="  Tablets for libraries  ", category="devices", unit="tablet", quantity="12.5",
        estimated_unit_price="349.99", needed_by=needed_by))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert isinstance(body["id"], int)
    assert body | {"id": None} == {
        "id": None,
        "organisation_id": world.organisation_id("officer"),
        "title": "Tablets for libraries",
        "description": "Light laptops with a three-year warranty.",
        "category": "devices",
        "quantity": "12.50",
        "unit": "tablet",
        "estimated_unit_price": "349.99",
        "estimated_value": "4374.88",  # 12.5 x 349.99 = 4374.875, shown to the penny
        "needed_by": needed_by,
        "status": "open",
    }


def test_a_requirement_is_stored_it_reads_back_the_same_and_its_creation_is_audited(world):
    created = world.requirement(quantity="3", estimated_unit_price="0")
    assert world.get("officer", f"/api/v1/requirements/{created['id']}").get_json() == created
    assert created["estimated_value"] == "0.00"
    events = world.audit(object_type="Requirement", object_id=created["id"])
    assert [(e["action"], e["actor"]["email"]) for e in events] == [
        ("requirement.created", world.user("officer").email)]
    assert events[0]["after"]["organisation_id"] == world.organisation_id("officer")


def test_a_requirement_needed_today_is_accepted(world):
    body = world.requirement(needed_by=london_today().isoformat())
    assert body["needed_by"] == london_today().isoformat()


@pytest.mark.parametrize("role", ["admin", "evaluator", "board", "supplier"])
def test_only_an_officer_may_state_a_requirement(world, role):
    body = assert_error(world.post(role, "/api/v1/requirements", requirement_body()), 403, "forbidden")
    assert "officer" in body["message"]
    assert world.get("admin", "/api/v1/requirements").get_json()["total"] == 0


def test_stating_a_requirement_needs_a_token(client):
    assert_error(client.post("/api/v1/requirements", json=requirement_body()), 401, "unauthorised")


# Bad input: each is refused with the field at fault, and nothing is stored.

BAD_REQUIREMENTS = [
    # (id, changes or a field to drop, the field named in the answer)
    ("unknown category", {"category": "furniture"}, "category"),
    ("category in the wrong case", {"category": "Devices"}, "category"),
    ("category not a string", {"category": 7}, "category"),
    ("unit not of the category", {"unit": "hour"}, "unit"),
    ("unit of another category", {"category": "telephony", "unit": "laptop"}, "unit"),
    ("empty unit", {"unit": ""}, "unit"),
    ("zero quantity", {"quantity": "0"}, "quantity"),
    ("zero quantity as a number", {"quantity": 0}, "quantity"),
    ("negative quantity", {"quantity": "-5"}, "quantity"),
    ("absurd quantity 1e12", {"quantity": 1e12}, "quantity"),
    ("absurd quantity as a string", {"quantity": "1000000000000"}, "quantity"),
    ("quantity just past the limit", {"quantity": "1000000000.01"}, "quantity"),
    ("quantity not a number", {"quantity": "ten"}, "quantity"),
    ("quantity NaN", {"quantity": "NaN"}, "quantity"),
    ("quantity infinite", {"quantity": "Infinity"}, "quantity"),
    ("quantity a list", {"quantity": [1]}, "quantity"),
    ("quantity with three decimals", {"quantity": "1.234"}, "quantity"),
    ("negative price", {"estimated_unit_price": "-0.01"}, "estimated_unit_price"),
    ("absurd price", {"estimated_unit_price": "1000000000"}, "estimated_unit_price"),
    ("price not a number", {"estimated_unit_price": "cheap"}, "estimated_unit_price"),
    ("price a boolean", {"estimated_unit_price": True}, "estimated_unit_price"),
    ("price in fractions of a penny", {"estimated_unit_price": "800.001"}, "estimated_unit_price"),
    ("needed by yesterday", {"needed_by": (london_today() - timedelta(days=1)).isoformat()}, "needed_by"),
    ("needed by long ago", {"needed_by": "1999-01-01"}, "needed_by"),
    ("needed by in British format", {"needed_by": "31/12/2030"}, "needed_by"),
    ("needed by an impossible date", {"needed_by": "2030-02-30"}, "needed_by"),
    ("needed by in words", {"needed_by": "next week"}, "needed_by"),
    ("needed by a number", {"needed_by": 20301231}, "needed_by"),
    ("needed by a time", {"needed_by": "2030-12-31T09:00:00+00:00"}, "needed_by"),
    ("empty title", {"title": ""}, "title"),
    ("blank title", {"title": "   "}, "title"),
    ("title too long", {"title": "x" * 201}, "title"),
    ("title a number", {"title": 5}, "title"),
    ("title null", {"title": None}, "title"),
    *[(f"missing {name}", name, name)  # a string names the field to leave out
      for name in ("title", "category", "quantity", "unit", "estimated_unit_price", "needed_by")],
]


def bad_body(changes) -> dict:
    if isinstance(changes, str):
        return {k: v for k, v in requirement_body().items() if k != changes}
    return requirement_body(**changes)


@pytest.mark.parametrize(("changes", "field"), [case[1:] for case in BAD_REQUIREMENTS],
                         ids=[case[0] for case in BAD_REQUIREMENTS])
def test_a_bad_requirement_is_refused_with_422_naming_the_field_and_nothing_is_stored(world, changes, field):
    response = world.post("officer", "/api/v1/requirements", bad_body(changes))
    body = assert_error(response, 422, "validation_failed")
    assert field in body["fields"], body
    assert body["fields"][field]
    assert world.get("officer", "/api/v1/requirements").get_json()["total"] == 0


@pytest.mark.parametrize(("changes", "field"), [case[1:] for case in BAD_REQUIREMENTS],
                         ids=[case[0] for case in BAD_REQUIREMENTS])
def test_a_bad_change_to_a_requirement_is_refused_with_422_and_the_requirement_is_unchanged(world, changes, field):
    created = world.requirement()
    body = assert_error(world.put("officer", f"/api/v1/requirements/{created['id']}", bad_body(changes)),
                        422, "validation_failed")
    assert field in body["fields"], body
    assert world.get("officer", f"/api/v1/requirements/{created['id']}").get_json() == created


@pytest.mark.parametrize(("data", "content_type"), [
    ("title=Laptops", "application/x-www-form-urlencoded"),
    ('{"title": "Laptops"', "application/json"),
    ("[1, 2, 3]", "application/json"),
    ('"a string"', "application/json"),
    ("", "application/json"),
])
def test_a_body_that_is_not_a_json_object_gives_400(world, data, content_type):
    response = world.client.post("/api/v1/requirements", data=data, content_type=content_type,
                                 headers=world.headers("officer"))
    assert_error(response, 400, "bad_request")


# Reading


def test_an_officer_lists_only_their_own_authoritys_requirements(world):
    mine = world.requirement("officer", title="Camden laptops")
    colleagues = world.requirement("camden_colleague", title="Camden tablets", unit="tablet")
    world.requirement("other_officer", title="Hackney laptops")
    body = world.get("officer", "/api/v1/requirements").get_json()
    assert sorted(item["id"] for item in body["items"]) == sorted([mine["id"], colleagues["id"]])
    assert body["total"] == 2
    assert {item["organisation_id"] for item in body["items"]} == {world.organisation_id("officer")}


def test_an_admin_lists_every_authoritys_requirements(world):
    ids = [world.requirement(who)["id"] for who in ("officer", "other_officer", "camden_colleague")]
    body = world.get("admin", "/api/v1/requirements").get_json()
    assert sorted(item["id"] for item in body["items"]) == sorted(ids)
    assert body["total"] == 3


def test_the_list_is_ordered_by_the_date_needed(world):
    late = world.requirement(needed_by=in_days(300).isoformat())
    soon = world.requirement(needed_by=in_days(10).isoformat())
    middle = world.requirement(needed_by=in_days(100).isoformat())
    items = world.get("officer", "/api/v1/requirements").get_json()["items"]
    assert [item["id"] for item in items] == [soon["id"], middle["id"], late["id"]]


@pytest.mark.parametrize("who", ["officer", "admin"])
def test_the_status_filter_separates_open_from_pooled_requirements(world, who):
    pooled = world.requirement()
    still_open = world.requirement()
    framework = world.framework()
    world.lot(framework["id"], [pooled["id"]])
    by_status = {status: world.get(who, "/api/v1/requirements", query_string={"status": status}).get_json()
                 for status in ("open", "pooled", "withdrawn")}
    assert [item["id"] for item in by_status["open"]["items"]] == [still_open["id"]]
    assert [item["id"] for item in by_status["pooled"]["items"]] == [pooled["id"]]
    assert by_status["pooled"]["items"][0]["status"] == "pooled"
    assert by_status["withdrawn"] == by_status["withdrawn"] | {"items": [], "total": 0}
    assert by_status["open"]["total"] == by_status["pooled"]["total"] == 1


@pytest.mark.parametrize(("category", "expected"), [
    ("devices", ["laptops"]), ("telephony", ["handsets"]), ("cloud_hosting", []),
])
def test_the_category_filter_keeps_only_that_category(world, category, expected):
    world.requirement(title="laptops")
    world.requirement(title="handsets", category="telephony", unit="handset")
    world.requirement("other_officer", title="hackney phones", category="telephony", unit="handset")
    body = world.get("officer", "/api/v1/requirements", query_string={"category": category}).get_json()
    assert [item["title"] for item in body["items"]] == expected
    assert body["total"] == len(expected)


@pytest.mark.parametrize("status", ["Open", "closed", "draft", "1", "open,pooled"])
def test_an_unknown_status_filter_gives_400_naming_it(world, status):
    body = assert_error(world.get("officer", "/api/v1/requirements", query_string={"status": status}),
                        400, "bad_request")
    assert "status" in body["fields"]
    assert "open, pooled or withdrawn" in body["message"]


@pytest.mark.parametrize("role", ["evaluator", "board", "supplier"])
def test_roles_other_than_officer_and_admin_cannot_list_requirements(world, role):
    world.requirement()
    assert_error(world.get(role, "/api/v1/requirements"), 403, "forbidden")


@pytest.mark.parametrize("who", ["officer", "camden_colleague", "admin"])
def test_a_requirement_is_readable_by_its_authoritys_officers_and_admins(world, who):
    created = world.requirement()
    response = world.get(who, f"/api/v1/requirements/{created['id']}")
    assert response.status_code == 200
    assert response.get_json() == created


@pytest.mark.parametrize("who", ["other_officer", "evaluator", "board", "supplier"])
def test_another_authoritys_requirement_is_refused_with_403(world, who):
    created = world.requirement()
    response = world.get(who, f"/api/v1/requirements/{created['id']}")
    assert_error(response, 403, "forbidden")
    assert created["title"] not in response.get_data(as_text=True)


@pytest.mark.parametrize("missing_id", [987654, 2**31 - 1, 2**31, 10**20])
def test_a_requirement_that_does_not_exist_gives_404(world, missing_id):
    assert_error(world.get("admin", f"/api/v1/requirements/{missing_id}"), 404, "not_found")


# Changing


def test_an_officer_changes_their_authoritys_open_requirement_and_the_change_is_audited(world):
    created = world.requirement()
    changes = {"title": "Rugged laptops", "quantity": "250", "estimated_unit_price": "1100.10",
               "needed_by": in_days(200).isoformat()}
    response = world.put("camden_colleague", f"/api/v1/requirements/{created['id']}", requirement_body(**changes))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body == created | changes | {"quantity": "250.00", "estimated_value": "275025.00"}
    assert world.get("officer", f"/api/v1/requirements/{created['id']}").get_json() == body
    [event] = [e for e in world.audit(object_type="Requirement", object_id=created["id"])
               if e["action"] == "requirement.updated"]
    assert event["before"]["title"] == "Laptops for social workers"
    assert event["after"]["title"] == "Rugged laptops"
    assert event["actor"]["email"] == world.user("camden_colleague").email


def test_another_authoritys_officer_cannot_change_a_requirement(world):
    created = world.requirement()
    response = world.put("other_officer", f"/api/v1/requirements/{created['id']}",
                         requirement_body(title="Hijacked"))
    assert_error(response, 403, "forbidden")
    assert world.get("officer", f"/api/v1/requirements/{created['id']}").get_json() == created


@pytest.mark.parametrize("role", ["admin", "evaluator", "board", "supplier"])
def test_only_officers_change_requirements(world, role):
    created = world.requirement()
    assert_error(world.put(role, f"/api/v1/requirements/{created['id']}", requirement_body(title="No")),
                 403, "forbidden")


def test_a_pooled_requirement_cannot_be_changed(world):
    created = world.requirement()
    world.lot(world.framework()["id"], [created["id"]])
    body = assert_error(world.put("officer", f"/api/v1/requirements/{created['id']}",
                                  requirement_body(title="Changed after pooling")), 409, "conflict")
    assert "pooled" in body["message"]
    assert world.get("officer", f"/api/v1/requirements/{created['id']}").get_json()["title"] == created["title"]


def test_changing_a_requirement_that_does_not_exist_gives_404(world):
    assert_error(world.put("officer", "/api/v1/requirements/987654", requirement_body()), 404, "not_found")


# Answers against the OpenAPI document


def _post(world):
    return world.post("officer", "/api/v1/requirements", requirement_body())


def _list(world):
    world.requirement()
    return world.get("officer", "/api/v1/requirements")


def _get(world):
    return world.get("officer", f"/api/v1/requirements/{world.requirement()['id']}")


def _put(world):
    return world.put("officer", f"/api/v1/requirements/{world.requirement()['id']}", requirement_body(title="New"))


def _post_invalid(world):
    return world.post("officer", "/api/v1/requirements", requirement_body(quantity="-1"))


def _put_pooled(world):
    created = world.requirement()
    world.lot(world.framework()["id"], [created["id"]])
    return world.put("officer", f"/api/v1/requirements/{created['id']}", requirement_body())


def _get_forbidden(world):
    return world.get("other_officer", f"/api/v1/requirements/{world.requirement()['id']}")


ANSWERS = [
    (_post, "/api/v1/requirements", "POST", 201, "organisation_id"),
    (_list, "/api/v1/requirements", "GET", 200, "items"),
    (_get, "/api/v1/requirements/{requirement_id}", "GET", 200, "status"),
    (_put, "/api/v1/requirements/{requirement_id}", "PUT", 200, "estimated_value"),
    (_post_invalid, "/api/v1/requirements", "POST", 422, "message"),
    (_put_pooled, "/api/v1/requirements/{requirement_id}", "PUT", 409, "error"),
    (_get_forbidden, "/api/v1/requirements/{requirement_id}", "GET", 403, "message"),
]


@pytest.mark.parametrize(("call", "path", "method", "status", "required"), ANSWERS,
                         ids=[f"{method} {path} {status}" for _, path, method, status, _ in ANSWERS])
def test_a_requirements_answer_satisfies_the_openapi_document(world, call, path, method, status, required):
    assert_answer_satisfies_openapi(world, call, path, method, status, required)


def test_the_requirement_list_schema_checks_each_item(world):
    from jsonschema.exceptions import ValidationError

    body = _list(world).get_json()
    validator = response_validator(fetch_document(world.client), "/api/v1/requirements", "GET", 200)
    validator.validate(body)
    body["items"][0]["quantity"] = 200  # money and quantities are strings
    with pytest.raises(ValidationError):
        validator.validate(body)

