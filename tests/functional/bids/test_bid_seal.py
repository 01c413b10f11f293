"""The seal on a bid through the API: who reads it, before and after the deadline, and that nothing leaks."""
import json
from datetime import timedelta

import pytest

from app.types import utcnow
from frameworks import services as framework_services
from tests.functional.bids_support import (
    OTHER_PRICE,
    PRICE,
    QUALITY_ANSWER,
    SOCIAL_ANSWER,
    bid_audit_actions,
    bid_body,
    create,
    offer,
    past_deadline,
    submit,
    submitted,
    two_lot_framework,
    withdraw,
)
from tests.functional.frameworks_support import assert_error

# The seal: who reads a bid, before and after the deadline

OWN, SEALED = "own", "sealed"
# who -> (before the deadline, after the deadline)
SEAL = {
    "supplier": (OWN, OWN),
    "other_supplier": (SEALED, SEALED),
    "admin": (SEALED, OWN),
    "evaluator": (SEALED, SEALED),  # on no lot's panel: see tests/functional/evaluation for those who are
    "officer": (SEALED, SEALED),
    "board": (SEALED, SEALED),
}
SEAL_CASES = [(who, when, endpoint, expectations[when == "after"])
              for who, expectations in SEAL.items() for when in ("before", "after") for endpoint in ("bid", "list")]


@pytest.mark.parametrize(("who", "when", "endpoint", "expected"), SEAL_CASES,
                         ids=[f"{who}-{when}-{endpoint}-{expected}" for who, when, endpoint, expected in SEAL_CASES])
def test_the_seal(world, who, when, endpoint, expected):
    framework, lot = world.published()
    bid = submitted(world, framework, lot)
    if when == "after":
        past_deadline(framework["id"])
    if endpoint == "bid":
        response = world.get(who, f"/api/v1/bids/{bid['id']}")
        if expected == OWN:
            assert response.status_code == 200, response.get_json()
            assert response.get_json() == bid
        else:
            body = assert_error(response, 404, "not_found")
            nothing = assert_error(world.get(who, f"/api/v1/bids/{bid['id'] + 1000}"), 404, "not_found")
            assert body == nothing
            assert PRICE not in json.dumps(body)
    else:
        response = world.get(who, f"/api/v1/frameworks/{framework['id']}/bids")
        assert response.status_code == 200, response.get_json()
        listed = {k: response.get_json()[k] for k in ("items", "total")}
        if expected == OWN:
            assert listed == {"items": [bid], "total": 1}
        else:
            assert listed == {"items": [], "total": 0}


def test_after_the_deadline_an_admin_lists_every_bid_and_a_supplier_still_only_its_own(world):
    framework, lot = world.published()
    ours = submitted(world, framework, lot)
    theirs = submitted(world, framework, lot, who="other_supplier", price=OTHER_PRICE)
    past_deadline(framework["id"])
    for who in ("admin",):
        listed = world.get(who, f"/api/v1/frameworks/{framework['id']}/bids").get_json()
        assert listed["total"] == 2
        assert {b["id"] for b in listed["items"]} == {ours["id"], theirs["id"]}
    assert world.get("supplier", f"/api/v1/frameworks/{framework['id']}/bids").get_json()["items"] == [ours]
    assert world.get("other_supplier", f"/api/v1/frameworks/{framework['id']}/bids").get_json()["items"] == [theirs]


@pytest.mark.parametrize("state", ["draft", "withdrawn"])
def test_after_the_deadline_a_bid_never_submitted_stays_with_its_supplier(world, state):
    framework, lot = world.published()
    tendered = submitted(world, framework, lot)
    untendered = create(world, framework, lot, who="other_supplier", price=OTHER_PRICE)
    if state == "withdrawn":
        assert submit(world, untendered["id"], who="other_supplier").status_code == 200
        assert withdraw(world, untendered["id"], who="other_supplier").status_code == 200
    past_deadline(framework["id"])
    for who in ("admin",):
        assert world.get(who, f"/api/v1/bids/{untendered['id']}").status_code == 404
        listed = world.get(who, f"/api/v1/frameworks/{framework['id']}/bids").get_json()
        assert [b["id"] for b in listed["items"]] == [tendered["id"]]
    assert world.get("other_supplier", f"/api/v1/bids/{untendered['id']}").status_code == 200


def test_the_audit_log_shows_no_bid_event_until_the_deadline(world):
    framework, lot = world.published()
    bid = submitted(world, framework, lot)

    def bid_events() -> list[str]:
        body = world.get("admin", "/api/v1/audit", query_string={"object_type": "Bid", "per_page": 100}).get_json()
        return [e["action"] for e in body["items"]]

    everything = world.get("admin", "/api/v1/audit", query_string={"per_page": 100}).get_json()["items"]
    assert [e for e in everything if e["object_type"] == "Bid"] == []
    assert bid_events() == []
    past_deadline(framework["id"])
    assert bid_events() == []  # still in the sealed log until the bids are opened at closing
    assert framework_services.close_due(utcnow() + timedelta(minutes=5)) == [framework["id"]]
    assert sorted(bid_events()) == ["bid.drafted", "bid.submitted"]
    assert bid_audit_actions(world, bid["id"]) == ["bid.drafted", "bid.submitted"]


def test_reading_a_bid_needs_a_token(world, client):
    framework, lot = world.published()
    bid = create(world, framework, lot)
    assert_error(client.get(f"/api/v1/bids/{bid['id']}"), 401, "unauthorised")
    assert_error(client.get(f"/api/v1/frameworks/{framework['id']}/bids"), 401, "unauthorised")


def test_sealed_content_appears_nowhere_before_the_deadline(world):
    framework, laptops, tablets = two_lot_framework(world)
    readers = ("admin", "officer", "evaluator", "board", "other_supplier")
    for who in ("supplier", *readers):
        world.headers(who)  # everyone exists before the bid, so the log's new events are the bid's alone
    events_before = {e["id"] for e in world.audit()}
    bid = create(world, framework, laptops)
    revised = world.put("supplier", f"/api/v1/bids/{bid['id']}", bid_body(
        offer(laptops), offer(tablets, price=OTHER_PRICE),
        bundles=[{"lot_ids": [laptops["id"], tablets["id"]], "price": "1700000.00"}]))
    assert revised.status_code == 200, revised.get_json()
    assert submit(world, bid["id"]).status_code == 200
    supplier_id = world.organisation_id("supplier")
    secrets = [PRICE, OTHER_PRICE, "1700000.00", "1700000", QUALITY_ANSWER, SOCIAL_ANSWER, "Quokka", "Hoxton",
               "Acme Ltd"]

    def assert_sealed(document, where: str):
        text = json.dumps(document, ensure_ascii=False)
        for secret in secrets:
            assert secret not in text, f"{secret!r} in {where}"
        assert ("supplier_id", supplier_id) not in pairs(document), f"the supplier's id in {where}"

    for who in readers:
        response = world.get(who, f"/api/v1/frameworks/{framework['id']}")
        assert response.status_code == 200, response.get_json()
        assert_sealed(response.get_json(), f"the framework as seen by {who}")
        response = world.get(who, f"/api/v1/frameworks/{framework['id']}/ocds")
        assert response.status_code == 200, response.get_json()
        assert_sealed(response.get_json(), f"the OCDS package as seen by {who}")
    new_events = [e for e in world.audit() if e["id"] not in events_before]
    assert not any(e["action"].startswith("bid.") for e in new_events)  # not even that a bid exists
    assert_sealed(new_events, "the audit log")
    assert set(bid_audit_actions(world, bid["id"])) >= {"bid.drafted", "bid.revised", "bid.submitted"}
    # ...and the content really is there for its supplier, so the searches above could have found it.
    own = json.dumps(world.get("supplier", f"/api/v1/bids/{bid['id']}").get_json())
    assert all(secret in own for secret in (PRICE, OTHER_PRICE, "1700000.00", QUALITY_ANSWER, SOCIAL_ANSWER))


def pairs(document) -> set:
    """Every (key, scalar value) pair anywhere in a JSON document."""
    found, pending = set(), [document]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, dict | list):
                    pending.append(item)
                else:
                    found.add((key, item))
        elif isinstance(value, list):
            pending.extend(value)
    return found
