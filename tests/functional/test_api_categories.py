"""The taxonomy through the API: GET /api/v1/categories gives every category a requirement may be stated in, with
its CPV code and the units it is counted in, to anyone signed in, and to nobody else."""
import pytest

from tests.functional.frameworks_support import World, assert_error, requirement_body


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)


@pytest.mark.parametrize("who", ["officer", "admin", "supplier"])
def test_anyone_signed_in_reads_the_categories_with_their_cpv_and_units(world, who):
    response = world.get(who, "/api/v1/categories")

    assert response.status_code == 200
    items = response.get_json()["items"]
    devices = next(item for item in items if item["key"] == "devices")
    assert devices == {"key": "devices", "name": "End-user devices", "cpv": "30200000-1",
                       "units": ["device", "laptop", "desktop", "tablet", "monitor"]}
    assert {"cloud_hosting", "telephony", "managed_print"} <= {item["key"] for item in items}


def test_without_a_token_the_categories_are_refused(client):
    assert_error(client.get("/api/v1/categories"), 401, "unauthorised")


def test_a_unit_the_categories_offer_is_accepted_and_one_of_another_category_refused(world):
    cloud = next(item for item in world.get("officer", "/api/v1/categories").get_json()["items"]
                 if item["key"] == "cloud_hosting")

    accepted = world.post("officer", "/api/v1/requirements",
                          requirement_body(category="cloud_hosting", unit=cloud["units"][0]))
    refused = world.post("officer", "/api/v1/requirements", requirement_body(category="cloud_hosting", unit="laptop"))

    assert accepted.status_code == 201
    assert refused.status_code == 422 and "unit" in refused.get_json()["fields"]
