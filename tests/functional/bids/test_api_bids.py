"""Opening bids at the deadline, and the bid API against its OpenAPI document."""
import pytest

from frameworks import services as framework_services
from tests.functional.bids_support import (
    OTHER_PRICE,
    bid_body,
    create,
    draft_bid,
    offer,
    past_deadline,
    submit,
    submitted,
    withdraw,
)
from tests.functional.frameworks_support import assert_answer_satisfies_openapi

# Opening


@pytest.mark.parametrize(("other", "count"), [("submitted", 2), ("draft", 1), ("withdrawn", 1), ("none", 1)])
def test_closing_records_the_opening_with_the_number_of_submitted_bids(world, other, count):
    framework, lot = world.published()
    submitted(world, framework, lot)
    if other != "none":
        theirs = create(world, framework, lot, who="other_supplier")
        if other in ("submitted", "withdrawn"):
            assert submit(world, theirs["id"], "other_supplier").status_code == 200
        if other == "withdrawn":
            assert withdraw(world, theirs["id"], "other_supplier").status_code == 200
    past_deadline(framework["id"])
    assert framework_services.close_due() == [framework["id"]]
    [event] = world.audit(object_type="Framework", object_id=str(framework["id"]), action="framework.bids_opened")
    assert event["after"]["submitted_bids"] == count
    assert event["actor"] is None


def test_a_framework_with_no_bids_opens_with_none(world):
    framework, _ = world.published()
    past_deadline(framework["id"])
    assert framework_services.close_due() == [framework["id"]]
    [event] = world.audit(object_type="Framework", object_id=str(framework["id"]), action="framework.bids_opened")
    assert event["after"]["submitted_bids"] == 0


# The OpenAPI document


def _create(world):
    framework, lot = world.published()
    return draft_bid(world, framework["id"], bid_body(offer(lot)))


def _create_twice(world):
    framework, lot = world.published()
    create(world, framework, lot)
    return draft_bid(world, framework["id"], bid_body(offer(lot)))


def _replace(world):
    framework, lot = world.published()
    bid = submitted(world, framework, lot)
    return world.put("supplier", f"/api/v1/bids/{bid['id']}", bid_body(offer(lot, price=OTHER_PRICE)))


def _submit_ok(world):
    framework, lot = world.published()
    return submit(world, create(world, framework, lot)["id"])


def _submit_incomplete(world):
    framework, lot = world.published()
    return submit(world, create(world, framework, lot, answers={})["id"])


def _submit_late(world):
    framework, lot = world.published()
    bid = create(world, framework, lot)
    past_deadline(framework["id"])
    return submit(world, bid["id"])


def _withdraw_ok(world):
    framework, lot = world.published()
    return withdraw(world, create(world, framework, lot)["id"])


def _get(world):
    framework, lot = world.published()
    return world.get("supplier", f"/api/v1/bids/{submitted(world, framework, lot)['id']}")


def _get_sealed(world):
    framework, lot = world.published()
    return world.get("admin", f"/api/v1/bids/{create(world, framework, lot)['id']}")


def _list(world):
    framework, lot = world.published()
    submitted(world, framework, lot)
    past_deadline(framework["id"])
    return world.get("admin", f"/api/v1/frameworks/{framework['id']}/bids")


ANSWERS = [
    (_create, "/api/v1/frameworks/{framework_id}/bids", "POST", 201, "status"),
    (_create_twice, "/api/v1/frameworks/{framework_id}/bids", "POST", 409, "message"),
    (_replace, "/api/v1/bids/{bid_id}", "PUT", 200, "lots"),
    (_submit_ok, "/api/v1/bids/{bid_id}/submit", "POST", 200, "receipt"),
    (_submit_incomplete, "/api/v1/bids/{bid_id}/submit", "POST", 422, "error"),
    (_submit_late, "/api/v1/bids/{bid_id}/submit", "POST", 409, "error"),
    (_withdraw_ok, "/api/v1/bids/{bid_id}/withdraw", "POST", 200, "status"),
    (_get, "/api/v1/bids/{bid_id}", "GET", 200, "supplier_id"),
    (_get_sealed, "/api/v1/bids/{bid_id}", "GET", 404, "error"),
    (_list, "/api/v1/frameworks/{framework_id}/bids", "GET", 200, "items"),
]


@pytest.mark.parametrize(("call", "path", "method", "status", "required"), ANSWERS,
                         ids=[f"{method} {path} {status}" for _, path, method, status, _ in ANSWERS])
def test_a_bid_answer_satisfies_the_openapi_document(world, call, path, method, status, required):
    assert_answer_satisfies_openapi(world, call, path, method, status, required)
