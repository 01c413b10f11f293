"""Bad input gets a clear 4xx with the API's error body (or a form message), never a 500, and nothing is written."""
import pytest

from tests.functional.frameworks_support import World, assert_error, framework_body, lot_body
from tests.support import csrf_token, date_input, sign_in


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)


def test_a_panel_of_an_id_past_the_database_integers_is_refused(world):
    _, lot = world.draft_with_lot()
    body = assert_error(world.post("admin", f"/api/v1/lots/{lot['id']}/panel", {"user_ids": [2**31]}), 422,
                        "validation_failed")
    assert "user_ids.0" in body["fields"]


def test_a_lot_pooling_an_id_past_the_database_integers_is_refused(world):
    framework = world.framework()
    body = assert_error(world.post("admin", f"/api/v1/frameworks/{framework['id']}/lots", lot_body([2**31])), 422,
                        "validation_failed")
    assert "requirement_ids.0" in body["fields"]


@pytest.mark.parametrize("deadline", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_a_deadline_beyond_the_calendar_is_refused(world, deadline):
    body = assert_error(world.post("admin", "/api/v1/frameworks", framework_body(bid_deadline=deadline)), 422,
                        "validation_failed")
    assert "bid_deadline" in body["fields"]


@pytest.mark.parametrize("path", ["/api/v1/lots/2147483648/panel", "/api/v1/frameworks/99999999999999999999/lots",
                                  "/api/v1/bids/9223372036854775808/submit"])
def test_a_path_id_past_the_database_integers_names_nothing(world, path):
    assert world.post("admin", path, {}).status_code == 404


@pytest.mark.parametrize("digits", ["\uff11\uff12\uff13", "\u0661\u0662\u0663"])
def test_money_in_digits_other_than_ascii_is_refused(world, digits):
    body = assert_error(world.post("officer", "/api/v1/requirements", {
        "title": "Laptops", "category": "devices", "quantity": "10", "unit": "laptop",
        "estimated_unit_price": digits, "needed_by": "2030-01-01"}), 422, "validation_failed")
    assert "estimated_unit_price" in body["fields"]


def test_the_new_framework_form_without_levy_and_sme_share_asks_for_them(app, world):
    world.user("admin")
    page = app.test_client()
    assert sign_in(page, "ada@consort.example").status_code == 302
    response = page.post("/frameworks/new", data={
        "csrf_token": csrf_token(page, "/frameworks/new"), "title": "Laptops", "description": "For London.",
        "maximum_value": "1000000", **date_input("bid_deadline", "2030-01-10T12:00"),
        **date_input("question_deadline", "2030-01-05T12:00"), "duration_months": "24", "standstill_working_days": "8"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Enter the minimum SME share, or 0." in text and "Enter the levy, or 0." in text


def test_a_price_typed_in_other_digits_on_a_form_is_refused_beside_its_field(app, world):
    world.user("officer")
    page = app.test_client()
    assert sign_in(page, "olu@camden.gov.uk").status_code == 302
    response = page.post("/requirements/new", data={
        "csrf_token": csrf_token(page, "/requirements/new"), "title": "Laptops", "category": "devices",
        "quantity": "10", "unit": "laptop", "estimated_unit_price": "\uff11\uff12\uff13",
        **date_input("needed_by", "2030-01-01")})
    assert response.status_code == 422
    assert "Write the number in the digits 0 to 9" in response.get_data(as_text=True)


def test_every_route_answers_404_for_an_id_past_the_database_integers_whatever_the_method(app, world):
    """Walks the URL map: with an id past 2^31 - 1, no rule and no method answers anything but 404 (never 405)."""
    import re

    headers = world.headers("admin")
    checked = 0
    for rule in app.url_map.iter_rules():
        if "<int:" not in rule.rule:
            continue
        path = re.sub(r"<[^>]+>", "x", re.sub(r"<int:[^>]+>", str(2**31), rule.rule))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = world.client.open(path, method=method, headers=headers)
            assert response.status_code == 404, (method, path, response.status_code)
            if path.startswith("/api/"):
                assert response.get_json()["error"] == "not_found", (method, path)
            checked += 1
    assert checked > 60


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/ocds/releases", "/api/v1/transparency/key", "/healthz"])
def test_a_nul_character_in_any_query_is_refused_as_every_operation_documents(world, path):
    """The shell refuses U+0000 in a query before any view (or its sign-in check) runs, so every operation can
    answer 400, and says so."""
    from tests.functional.test_openapi import fetch_document

    body = assert_error(world.client.get(path, query_string={"q\x00": "x"}), 400, "bad_request")
    assert body["fields"] == {"q": "Must not contain the NUL character."}
    document = fetch_document(world.client)
    undocumented = [(method, route) for route, item in document["paths"].items() for method, operation in item.items()
                    if "400" not in operation["responses"]]
    assert not undocumented


def test_a_form_part_whose_name_cannot_be_read_is_not_a_server_error(world):
    """A multipart part whose name has a line break in it is parsed without a name; the shell's NUL check took it
    for text and answered 500."""
    response = world.post("supplier", "/api/v1/bids/1/documents", data={"a\nb": "x"},
                          content_type="multipart/form-data")
    assert_error(response, 422, "validation_failed")
