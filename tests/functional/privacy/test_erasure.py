"""Erasure with retention: what no rule keeps goes at once; procurement records keep the person until their period
ends, and the task consumer then anonymises the person in place; the audit log still verifies."""
from datetime import date, timedelta

import pytest

from app.accounts.models import User
from app.extensions import db
from consort.privacy import erasure, tasks
from frameworks.models import Framework
from procurement.evaluation.models import Score
from suppliers.models import Bid
from tests.functional.bids_support import past_deadline, submitted
from tests.functional.frameworks_support import PEOPLE, World
from tests.support import PASSWORD, csrf_token, sign_in

PEOPLE.setdefault("supplier_colleague", ("kim@acme.example", "supplier", "Acme Ltd"))
PEOPLE.setdefault("second_evaluator", ("sid@hackney.gov.uk", "evaluator", "London Borough of Hackney"))
ERASE = "/api/v1/me/erasure-request"


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)


def _stored_user(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def test_erasing_a_supplier_contact_removes_it_everywhere_while_the_bids_remain(world):
    framework, lot = world.published()
    sam = world.user("supplier")
    email = sam.email  # the object itself is anonymised with the row
    assert world.put("supplier", "/api/v1/supplier-profile", {
        "contact_name": "Sam Smith", "contact_email": email, "contact_phone": "020 7946 0000"}).status_code == 200
    bid = submitted(world, framework, lot)
    world.user("supplier_colleague")
    answer = world.post("supplier", ERASE, {})
    assert answer.status_code == 202, answer.get_json()
    assert answer.get_json()["kept"] == [] and any("contact details" in e for e in answer.get_json()["erased"])
    profile = world.get("supplier_colleague", "/api/v1/supplier-profile").get_json()
    assert (profile["contact_name"], profile["contact_email"], profile["contact_phone"]) == ("", "", "")
    users = world.get("admin", f"/api/v1/organisations/{sam.organisation_id}/users").get_data(as_text=True)
    assert email not in users and "Sam Smith" not in users
    assert world.client.post("/api/v1/tokens", json={"email": email, "password": PASSWORD}).status_code == 401
    assert world.get("supplier", "/api/v1/me").status_code == 401  # the token used is gone too
    past_deadline(framework["id"])
    assert db.session.get(Bid, bid["id"]).status.value == "submitted"  # the company's bid stays
    assert world.get("admin", f"/api/v1/bids/{bid['id']}").status_code == 200


@pytest.fixture
def scored(world):
    framework, lot = world.published(min_sme_share="0")
    bid = submitted(world, framework, lot)
    assert world.post("admin", f"/api/v1/lots/{lot['id']}/panel",
                      {"user_ids": [world.user("evaluator").id]}).status_code == 200
    past_deadline(framework["id"])
    assert world.post("evaluator", f"/api/v1/lots/{lot['id']}/conflict-declaration",
                      {"conflict": False}).status_code == 201
    assert world.post("evaluator", f"/api/v1/lots/{lot['id']}/scores", {
        "bid_id": bid["id"], "criterion_id": lot["criteria"][0]["id"], "score": "4",
        "rationale": "A clear plan."}).status_code == 201
    return framework


def test_a_retained_record_keeps_the_person_until_its_period_ends_then_they_are_anonymised(app, world, scored,
                                                                                          runner, monkeypatch):
    evaluator = world.user("evaluator")
    email = evaluator.email
    answer = world.post("evaluator", ERASE, {})
    assert answer.status_code == 202
    [kept] = answer.get_json()["kept"]
    assert scored["reference"] in kept["what"] and "Public task" in kept["why"]
    until = date.fromisoformat(kept["until"])
    ends = erasure.term_ends(db.session.get(Framework, scored["id"]))  # the deadline plus 36 months, not yet awarded
    assert until == ends.replace(year=ends.year + 6)
    stored = _stored_user(evaluator.id)
    assert not stored.active and stored.email == email  # kept with the scores, the account closed
    assert world.client.post("/api/v1/tokens", json={"email": email, "password": PASSWORD}
                             ).status_code == 401
    assert erasure.anonymise_due(until) == []  # the last day of the period: still kept
    monkeypatch.setattr(tasks, "london_today", lambda: until + timedelta(days=1))  # the clock moved on
    assert tasks.anonymise_when_retention_ends.call_local() == [evaluator.id]
    stored = _stored_user(evaluator.id)
    assert (stored.email, stored.name) == (f"erased-{evaluator.id}@erased.invalid", "")
    assert db.session.scalars(db.select(Score.evaluator_id)).all() == [evaluator.id]  # the record stays, anonymous
    actions = [e["action"] for e in world.audit(object_type="ErasureRequest")]
    assert actions == ["person.anonymised", "person.erasure_requested"]
    assert email not in str(world.audit())  # the log named the evaluator by id only
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output


def test_the_retention_period_is_configurable_per_purpose(app, world, scored):
    app.config["RETENTION_YEARS"] = {"evaluation": 10}
    [kept] = erasure.plan(world.user("evaluator")).kept
    ends = erasure.term_ends(db.session.get(Framework, scored["id"]))
    assert kept.until == ends.replace(year=ends.year + 10) and "plus 10 years" in kept.why


def test_the_page_says_what_goes_and_what_stays_and_asks_for_confirmation(app, world, scored):
    client = app.test_client()
    sign_in(client, world.user("evaluator").email)
    page = client.get("/account/erasure").get_data(as_text=True)
    assert "Kept, because a rule requires it" in page and scored["reference"] in page
    token = csrf_token(client, "/account/erasure")
    unconfirmed = client.post("/account/erasure", data={"csrf_token": token})
    assert unconfirmed.status_code == 422 and "Tick the box to confirm the erasure." in unconfirmed.get_data(
        as_text=True)
    done = client.post("/account/erasure", data={"csrf_token": token, "confirm": "y"}).get_data(as_text=True)
    assert "Your data is erased" in done and scored["reference"] in done
    assert client.get("/account").status_code == 302  # signed out


def test_an_unused_account_is_anonymised_at_once(world):
    officer = world.user("camden_colleague")
    assert world.post("camden_colleague", ERASE, {}).status_code == 202
    assert _stored_user(officer.id).email == f"erased-{officer.id}@erased.invalid"
