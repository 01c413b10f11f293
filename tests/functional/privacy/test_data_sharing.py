"""Data-sharing agreements: versions, acceptance through a named officer, withdrawal, and the pooling rule, through
the API and the pages."""
from datetime import timedelta

import pytest

from app.types import london_today
from frameworks.sharing import services as sharing
from tests.functional.frameworks_support import PEOPLE, World, assert_error, lot_body
from tests.support import csrf_token, date_input, sign_in

PEOPLE.setdefault("islington", ("ian@islington.gov.uk", "officer", "London Borough of Islington"))
AGREEMENTS = "/api/v1/data-sharing-agreements"


class Unshared(World):
    """A world in which only the authorities named have accepted the agreement."""

    def __init__(self, client, make_user, accepted=("officer", "other_officer")):
        super().__init__(client, make_user)
        self.accepted = accepted

    def user(self, who: str):
        if who not in self.users:
            email, role, organisation = PEOPLE[who]
            self.users[who] = self._make_user(email, role=role, org=organisation, data_sharing=who in self.accepted)
        return self.users[who]


@pytest.fixture
def world(client, make_user):
    return Unshared(client, make_user)


def _version_two(world) -> int:
    return sharing.publish(world.user("admin"), sharing.AgreementText(
        "Agreement v2", "New text.", "Pooling.", "Requirements.", "Public task.", "The consortium.",
        london_today() + timedelta(days=30)), london_today()).id


def test_pooling_refuses_an_authority_that_has_not_accepted_the_current_agreement(world):
    islington = world.requirement("islington")
    camden = world.requirement("officer")
    framework = world.framework()
    refused = assert_error(world.post("admin", f"/api/v1/frameworks/{framework['id']}/lots",
                                      lot_body([camden["id"], islington["id"]])), 409, "conflict")
    assert "London Borough of Islington has not accepted version 1" in refused["message"]
    lot = world.lot(framework["id"], [camden["id"]])
    assert_error(world.post("islington", f"/api/v1/lots/{lot['id']}/join", {"requirement_id": islington["id"]}),
                 409, "conflict")


def test_an_officer_accepts_the_current_version_in_their_name_and_can_then_pool(world):
    world.user("officer")  # Camden's acceptance: version 1 exists
    islington = world.requirement("islington")
    current = world.get("islington", AGREEMENTS).get_json()
    assert current["version"] == 1 and current["acceptances"] == []  # an officer sees only their own authority's
    accepted = world.post("islington", f"{AGREEMENTS}/{current['id']}/accept")
    assert accepted.status_code == 201, accepted.get_json()
    assert accepted.get_json()["officer_id"] == world.user("islington").id
    assert accepted.get_json()["organisation_name"] == "London Borough of Islington"
    assert_error(world.post("islington", f"{AGREEMENTS}/{current['id']}/accept"), 409, "conflict")
    world.lot(world.framework()["id"], [islington["id"]])
    everyone = world.get("admin", AGREEMENTS).get_json()
    assert {a["organisation_name"] for a in everyone["acceptances"]} == {
        "London Borough of Camden", "London Borough of Islington"}
    [event] = [e for e in world.audit() if e["action"] == "data_sharing_agreement.accepted"]
    assert event["after"]["officer_id"] == world.user("islington").id
    assert "ian@islington.gov.uk" not in str(event["after"])  # the log names people by id only


def test_a_new_version_must_be_accepted_again_before_pooling_and_the_old_one_cannot_be(world):
    camden = world.requirement("officer")
    first = world.get("officer", AGREEMENTS).get_json()["id"]
    second = _version_two(world)
    body = world.get("officer", AGREEMENTS).get_json()
    assert body["version"] == 2 and [v["version"] for v in body["items"]] == [2, 1] and body["total"] == 2
    assert_error(world.post("admin", f"/api/v1/frameworks/{world.framework()['id']}/lots", lot_body([camden["id"]])),
                 409, "conflict")
    assert "replaced by version 2" in assert_error(
        world.post("officer", f"{AGREEMENTS}/{first}/accept"), 409, "conflict")["message"]
    assert world.post("officer", f"{AGREEMENTS}/{second}/accept").status_code == 201
    world.lot(world.framework()["id"], [camden["id"]])
    assert [e["after"]["version"] for e in world.audit(action="data_sharing_agreement.published")] == [2]


def test_withdrawing_stops_new_pooling_but_not_a_framework_already_tendered(world):
    tendered, _lot = world.published()
    camden = world.requirement("officer")
    draft = world.framework(title="Not yet tendered")
    world.lot(draft["id"], [world.requirement("officer")["id"]])
    agreement = world.get("officer", AGREEMENTS).get_json()["id"]
    withdrawn = world.post("officer", f"{AGREEMENTS}/{agreement}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.get_json()["withdrawn_at"]
    assert_error(world.post("admin", f"/api/v1/frameworks/{world.framework()['id']}/lots", lot_body([camden["id"]])),
                 409, "conflict")
    refused = assert_error(world.transition(draft["id"], "open"), 409, "conflict")
    assert "London Borough of Camden has not accepted" in refused["message"]
    still = world.get("supplier", f"/api/v1/frameworks/{tendered['id']}").get_json()
    assert still["status"] == "open" and len(still["lots"][0]["requirement_ids"]) == 2
    assert_error(world.post("officer", f"{AGREEMENTS}/{agreement}/withdraw"), 409, "conflict")
    assert [e["action"] for e in world.audit(object_type="AgreementAcceptance")] == [
        "data_sharing_agreement.withdrawn"]


@pytest.mark.parametrize("who, status", [("admin", 403), ("supplier", 403), ("evaluator", 403)])
def test_only_an_authoritys_officer_accepts(world, who, status):
    agreement = world.get("officer", AGREEMENTS).get_json()["id"]
    assert world.post(who, f"{AGREEMENTS}/{agreement}/accept").status_code == status


def test_without_any_agreement_nobody_pools_and_the_api_says_so(client, make_user):
    world = Unshared(client, make_user, accepted=())
    camden = world.requirement("officer")
    assert_error(world.get("officer", AGREEMENTS), 404, "not_found")
    message = assert_error(world.post("admin", f"/api/v1/frameworks/{world.framework()['id']}/lots",
                                      lot_body([camden["id"]])), 409, "conflict")["message"]
    assert "has not published one yet" in message


def test_the_lot_form_shows_the_refusal_beside_the_requirements(app, world):
    world.user("officer")
    islington = world.requirement("islington")
    framework = world.framework()
    admin = app.test_client()
    sign_in(admin, world.user("admin").email)
    path = f"/frameworks/{framework['id']}/lots/new"
    page = admin.post(path, data={"csrf_token": csrf_token(admin, path), "title": "Laptops", "description": "",
                                  "requirement_ids": [str(islington["id"])], "max_awards": "2", "budget": "1000",
                                  "price_weight": "40", "price_formula": "relative",
                                  "criteria-0-name": "Quality", "criteria-0-weight": "60",
                                  "criteria-0-max_score": "5"})
    assert page.status_code == 422
    assert "London Borough of Islington has not accepted version 1" in page.get_data(as_text=True)


def test_an_officer_accepts_and_withdraws_on_the_page_and_an_admin_publishes_a_version(app, world):
    world.user("officer")  # Camden's acceptance: version 1 exists
    officer = app.test_client()
    sign_in(officer, world.user("islington").email)
    page = officer.get("/data-sharing").get_data(as_text=True)
    assert "has not accepted version 1" in page
    agreement = world.get("officer", AGREEMENTS).get_json()["id"]
    token = csrf_token(officer, "/data-sharing")
    missing = officer.post(f"/data-sharing/{agreement}/accept", data={"csrf_token": token, "name": "Ian Ray",
                                                                      "position": "Head of procurement"})
    assert missing.status_code == 422 and "Tick the box to accept." in missing.get_data(as_text=True)
    done = officer.post(f"/data-sharing/{agreement}/accept", data={
        "csrf_token": token, "name": "Ian Ray", "position": "Head of procurement", "confirm": "y"},
        follow_redirects=True).get_data(as_text=True)
    assert "accepted version 1" in done and "through Ian Ray (Head of procurement)" in done
    assert "Frameworks already" in done and "tendered go on" in done
    officer.post(f"/data-sharing/{agreement}/withdraw", data={"csrf_token": token})
    assert "has not accepted version 1" in officer.get("/data-sharing").get_data(as_text=True)
    admin = app.test_client()
    sign_in(admin, world.user("admin").email)
    form = admin.get("/admin/data-sharing/new").get_data(as_text=True)
    assert "Consortium data-sharing agreement" in form  # the form starts from the current version
    published = admin.post("/admin/data-sharing/new", data={
        "csrf_token": csrf_token(admin, "/admin/data-sharing/new"), "title": "Agreement 2026", "purpose": "Pooling",
        "data_shared": "Requirements", "lawful_basis": "Public task", "recipients": "The consortium",
        "text": "The text.", **date_input("review_on", london_today() + timedelta(days=90))})
    assert published.status_code == 302
    assert sharing.current().version == 2


def test_withdrawing_from_an_agreement_that_is_not_there_is_a_documented_404(world):
    for path in (f"{AGREEMENTS}/987654/withdraw", f"{AGREEMENTS}/not-a-number/withdraw"):  # found by schemathesis
        assert_error(world.post("officer", path), 404, "not_found")
    operation = world.client.get("/api/v1/openapi.json").get_json()["paths"][
        "/api/v1/data-sharing-agreements/{agreement_id}/withdraw"]["post"]
    assert "404" in operation["responses"]
