"""Lots through the API: lots that pool authorities' requirements with criteria and weights, and authorities joining
and leaving lots. Real HTTP, real database."""
import pytest

from tests.functional.frameworks_support import NON_ADMIN_ROLES, World, assert_error, lot_body


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)


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
