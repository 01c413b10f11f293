"""Supplier profiles and declarations against the exclusion grounds, through the API and the pages."""
import pytest

from suppliers.domain.exclusion import GROUNDS, GroundKind
from tests.functional.bids_support import submit, submitted
from tests.functional.frameworks_support import World, assert_error
from tests.functional.pages_support import page
from tests.support import csrf_token, sign_in

NONE_APPLY = {g.code: False for g in GROUNDS}
MANDATORY = next(g.code for g in GROUNDS if g.kind == GroundKind.MANDATORY)
DISCRETIONARY = next(g.code for g in GROUNDS if g.kind == GroundKind.DISCRETIONARY)


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)


def declare(world, who="supplier", **body):
    return world.post(who, "/api/v1/supplier-profile/declarations", {"answers": NONE_APPLY} | body)


def test_a_supplier_reads_and_changes_its_profile(world):
    empty = world.get("supplier", "/api/v1/supplier-profile")
    assert empty.status_code == 200
    assert empty.get_json() | {} == {
        "organisation_id": world.organisation_id("supplier"), "name": "Acme Ltd", "sme": False,
        "companies_house_number": None, "ppon": None, "registered_address": "", "website": "", "contact_name": "",
        "contact_email": "", "contact_phone": "", "declaration": None}
    changed = world.put("supplier", "/api/v1/supplier-profile", {
        "companies_house_number": "sc 123456", "sme": True, "contact_name": "  Sam   Jones ",
        "contact_email": "bids@acme.example", "registered_address": "1 High Street\nLondon"})
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert (body["companies_house_number"], body["sme"], body["contact_name"]) == ("SC123456", True, "Sam Jones")
    assert body["registered_address"] == "1 High Street\nLondon"
    assert world.get("supplier", "/api/v1/supplier-profile").get_json() == body
    assert "supplier.profile_updated" in [e["action"] for e in world.audit(object_type="Organisation")]


@pytest.mark.parametrize(("body", "field"), [
    ({"companies_house_number": "12"}, "companies_house_number"),
    ({"contact_email": "not an e-mail"}, "contact_email"),
    ({"website": "x" * 201}, "website"),
    ({"sme": "perhaps"}, "sme"),
    ({"ppon": "PABC-1234"}, "ppon"),
    ({"ppon": "QABC-1234-DEFG"}, "ppon"),
])
def test_a_bad_profile_is_refused_whole(world, body, field):
    world.put("supplier", "/api/v1/supplier-profile", {"contact_name": "Before"})
    response = world.put("supplier", "/api/v1/supplier-profile", body | {"contact_name": "After"})
    error = assert_error(response, 422, "validation_failed")
    assert field in error["fields"]
    assert world.get("supplier", "/api/v1/supplier-profile").get_json()["contact_name"] == "Before"


def test_a_companies_house_number_belongs_to_one_supplier(world):
    assert world.put("other_supplier", "/api/v1/supplier-profile",
                     {"companies_house_number": "01234567"}).status_code == 200
    error = assert_error(world.put("supplier", "/api/v1/supplier-profile",
                                   {"companies_house_number": "01234567"}), 422, "validation_failed")
    assert error["fields"] == {"companies_house_number": "Another supplier is registered with this Companies "
                                                         "House number."}


def test_a_ppon_is_kept_in_its_normal_form_and_belongs_to_one_organisation(world):
    changed = world.put("other_supplier", "/api/v1/supplier-profile", {"ppon": " pabc 1234-defg "})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["ppon"] == "PABC-1234-DEFG"
    error = assert_error(world.put("supplier", "/api/v1/supplier-profile", {"ppon": "PABC1234DEFG"}), 422,
                         "validation_failed")
    assert error["fields"] == {"ppon": "Another organisation is registered with this PPON."}
    cleared = world.put("other_supplier", "/api/v1/supplier-profile", {"ppon": ""})
    assert cleared.status_code == 200 and cleared.get_json()["ppon"] is None


@pytest.mark.parametrize("who", ["admin", "officer", "evaluator", "board"])
def test_only_suppliers_have_a_profile(world, who):
    assert_error(world.get(who, "/api/v1/supplier-profile"), 403, "forbidden")
    assert_error(declare(world, who), 403, "forbidden")


def test_the_grounds_are_listed_for_anyone_signed_in(world):
    body = world.get("officer", "/api/v1/exclusion-grounds").get_json()
    assert body["total"] == len(GROUNDS)
    assert {g["kind"] for g in body["items"]} == {"mandatory", "discretionary"}


def test_a_complete_declaration_is_made_and_shown_on_the_profile(world):
    response = declare(world)
    assert response.status_code == 201, response.get_json()
    made = response.get_json()
    assert made["summary"] == "Declared that no exclusion ground applies."
    assert world.get("supplier", "/api/v1/supplier-profile").get_json()["declaration"] == made


@pytest.mark.parametrize(("answers", "extra", "field"), [
    ({k: v for k, v in NONE_APPLY.items() if k != MANDATORY}, {}, f"answers.{MANDATORY}"),
    (NONE_APPLY | {DISCRETIONARY: True}, {}, "details"),
    (NONE_APPLY | {MANDATORY: True}, {"details": "A conviction in 2021."}, "self_cleaning"),
    (NONE_APPLY | {"made-up": False}, {}, "answers.made-up"),
])
def test_an_incomplete_declaration_is_refused_with_the_reason(world, answers, extra, field):
    error = assert_error(declare(world, answers=answers, **extra), 422, "validation_failed")
    assert field in error["fields"]
    assert world.get("supplier", "/api/v1/supplier-profile").get_json()["declaration"] is None


def test_a_bid_carries_the_declaration_it_was_submitted_with(world):
    framework, lot = world.published()
    undeclared = submitted(world, framework, lot)
    assert undeclared["declaration"] is None  # the API contract lets it be submitted; evaluators see "none"
    first = declare(world).get_json()
    again = submit(world, undeclared["id"]).get_json()
    assert again["declaration"]["id"] == first["id"]
    second = declare(world, answers=NONE_APPLY | {DISCRETIONARY: True}, details="A late delivery in 2024.")
    assert second.status_code == 201
    # A newer declaration does not rewrite a tendered bid until it is submitted again.
    assert world.get("supplier", f"/api/v1/bids/{undeclared['id']}").get_json()["declaration"]["id"] == first["id"]


def test_the_profile_page_saves_and_links_to_the_declaration(client, world):
    world.user("supplier")
    assert sign_in(client, "sam@acme.example").status_code == 302
    form = page(client.get("/supplier/profile"))
    assert "You have not made a declaration yet" in form
    response = client.post("/supplier/profile", data={
        "csrf_token": csrf_token(client, "/supplier/profile"), "companies_house_number": "01234567",
        "sme": "y", "contact_name": "Sam", "contact_email": "bids@acme.example", "registered_address": "",
        "website": "", "contact_phone": ""})
    assert response.status_code == 302
    assert "Your profile is saved." in page(client.get("/supplier/profile"))
    bad = client.post("/supplier/profile", data={"csrf_token": csrf_token(client, "/supplier/profile"),
                                                 "companies_house_number": "nonsense", "contact_email": "x"})
    assert bad.status_code == 422
    assert "Enter an e-mail address" in page(bad)


def test_the_declaration_page_asks_every_ground_and_explains_what_is_missing(client, world):
    world.user("supplier")
    sign_in(client, "sam@acme.example")
    token = csrf_token(client, "/supplier/declaration")
    form = {f"ground_{code.replace('-', '_')}": "no" for code in NONE_APPLY}
    missing = client.post("/supplier/declaration", data={"csrf_token": token, **form,
                                                         f"ground_{MANDATORY.replace('-', '_')}": "yes"})
    assert missing.status_code == 422
    text = page(missing)
    assert "explain the circumstances" in text and "self-cleaning" in text
    made = client.post("/supplier/declaration", data={"csrf_token": token, **form})
    assert made.status_code == 302
    assert "Declared that no exclusion ground applies." in page(client.get("/supplier/profile"))


@pytest.mark.parametrize("who", ["admin", "officer"])
def test_the_profile_pages_are_for_suppliers(app, make_user, who):
    from tests.functional.frameworks_support import PEOPLE

    email, role, organisation = PEOPLE[who]
    make_user(email, role=role, org=organisation)
    client = app.test_client()
    sign_in(client, email)
    assert client.get("/supplier/profile").status_code == 403
    assert client.get("/supplier/declaration").status_code == 403
