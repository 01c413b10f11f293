"""Drafting a bid through the API: what is accepted, what is refused, and who may bid."""
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from frameworks import services as framework_services
from suppliers.models import Bid
from tests.functional.bids_support import (
    OTHER_PRICE,
    PRICE,
    QUALITY_ANSWER,
    SOCIAL_ANSWER,
    bid_audit_actions,
    bid_body,
    create,
    criteria_ids,
    draft_bid,
    moment,
    offer,
    past_deadline,
    stored,
    submit,
    two_lot_framework,
    withdraw,
)
from tests.functional.frameworks_support import assert_error

# Drafting


def test_a_supplier_drafts_a_bid(world):
    framework, lot = world.published()
    response = draft_bid(world, framework["id"], bid_body(offer(lot)))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    quality, social = criteria_ids(lot)
    assert isinstance(body["id"], int)
    assert {k: body[k] for k in ("framework_id", "supplier_id", "status", "lots", "bundles", "receipt")} == {
        "framework_id": framework["id"], "supplier_id": world.organisation_id("supplier"), "status": "draft",
        "lots": [{"lot_id": lot["id"], "price": PRICE,
                  "answers": {str(quality): QUALITY_ANSWER, str(social): SOCIAL_ANSWER}}],
        "bundles": [], "receipt": None}
    assert abs(moment(body["updated_at"]) - datetime.now(UTC)) < timedelta(minutes=1)
    assert stored(body["id"])["status"] == "draft"
    assert bid_audit_actions(world, body["id"]) == ["bid.drafted"]


def test_a_draft_may_be_incomplete(world):
    framework, lot = world.published()
    quality, _ = criteria_ids(lot)
    response = draft_bid(world, framework["id"], bid_body(offer(lot, answers={str(quality): "Half done."})))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["lots"][0]["answers"] == {str(quality): "Half done."}


def test_a_supplier_has_one_bid_per_framework(world):
    framework, lot = world.published()
    first = create(world, framework, lot)
    body = assert_error(draft_bid(world, framework["id"], bid_body(offer(lot, price=OTHER_PRICE))), 409, "conflict")
    assert "PUT" in body["message"]
    listed = world.get("supplier", f"/api/v1/frameworks/{framework['id']}/bids").get_json()
    assert (listed["items"], listed["total"]) == ([first], 1)
    # Another supplier still bids.
    assert draft_bid(world, framework["id"], bid_body(offer(lot)), "other_supplier").status_code == 201


def _unknown_lot(world, framework, laptops, tablets):
    _, elsewhere = world.published(title="Another framework")
    return bid_body(offer(laptops), {"lot_id": elsewhere["id"], "price": PRICE, "answers": {}}), "lots.1.lot_id"


def _criterion_of_another_lot(world, framework, laptops, tablets):
    return bid_body(offer(laptops, answers={str(criteria_ids(tablets)[0]): "Misplaced."})), \
        f"lots.0.answers.{criteria_ids(tablets)[0]}"


def _bundle_of_one_lot(world, framework, laptops, tablets):
    return bid_body(offer(laptops), offer(tablets), bundles=[{"lot_ids": [laptops["id"]], "price": "100.00"}]), \
        "bundles.0.lot_ids"


def _bundle_of_the_same_lot_twice(world, framework, laptops, tablets):
    return bid_body(offer(laptops), offer(tablets),
                    bundles=[{"lot_ids": [laptops["id"], laptops["id"]], "price": "100.00"}]), "bundles.0.lot_ids"


def _bundle_of_a_lot_not_priced(world, framework, laptops, tablets):
    return bid_body(offer(laptops), bundles=[{"lot_ids": [laptops["id"], tablets["id"]], "price": "100.00"}]), \
        "bundles.0.lot_ids"


def _zero_price(world, framework, laptops, tablets):
    return bid_body(offer(laptops, price="0.00")), "lots.0.price"


def _negative_price(world, framework, laptops, tablets):
    return bid_body(offer(laptops, price="-5.00")), "lots.0.price"


def _zero_bundle_price(world, framework, laptops, tablets):
    return bid_body(offer(laptops), offer(tablets),
                    bundles=[{"lot_ids": [laptops["id"], tablets["id"]], "price": "0"}]), "bundles.0.price"


def _answer_over_the_word_limit(world, framework, laptops, tablets):
    quality, social = criteria_ids(laptops)
    return bid_body(offer(laptops, answers={str(quality): "word " * 501, str(social): "Fine."})), \
        f"lots.0.answers.{quality}"


def _lot_priced_twice(world, framework, laptops, tablets):
    return bid_body(offer(laptops), offer(laptops)), "lots.1.lot_id"


INVALID_BIDS = [_unknown_lot, _criterion_of_another_lot, _bundle_of_one_lot, _bundle_of_the_same_lot_twice,
                _bundle_of_a_lot_not_priced, _zero_price, _negative_price, _zero_bundle_price,
                _answer_over_the_word_limit, _lot_priced_twice]


@pytest.mark.parametrize("invalid", INVALID_BIDS, ids=[f.__name__.strip("_") for f in INVALID_BIDS])
def test_an_invalid_bid_gives_422_naming_the_field_and_saves_nothing(world, invalid):
    framework, laptops, tablets = two_lot_framework(world)
    body, field = invalid(world, framework, laptops, tablets)
    error = assert_error(draft_bid(world, framework["id"], body), 422, "validation_failed")
    assert field in error["fields"], error
    assert world.get("supplier", f"/api/v1/frameworks/{framework['id']}/bids").get_json()["total"] == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(Bid)) == 0
    # The same content is refused as a revision too, and the draft stays as it was.
    bid = create(world, framework, laptops)
    before = stored(bid["id"])
    error = assert_error(world.put("supplier", f"/api/v1/bids/{bid['id']}", body), 422, "validation_failed")
    assert field in error["fields"], error
    assert stored(bid["id"]) == before


def test_an_answer_of_exactly_the_word_limit_is_accepted(world):
    framework, lot = world.published()
    quality, social = criteria_ids(lot)
    response = draft_bid(world, framework["id"], bid_body(offer(lot, answers={
        str(quality): " ".join(["word"] * 500), str(social): "Fine."})))
    assert response.status_code == 201, response.get_json()


def test_a_bundle_of_lots_priced_on_their_own_is_accepted(world):
    framework, laptops, tablets = two_lot_framework(world)
    response = draft_bid(world, framework["id"], bid_body(
        offer(laptops), offer(tablets), bundles=[{"lot_ids": [tablets["id"], laptops["id"]], "price": "1500.50"}]))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["bundles"] == [{"lot_ids": sorted([laptops["id"], tablets["id"]]),
                                               "price": "1500.50"}]


@pytest.mark.parametrize("who", ["admin", "officer", "evaluator", "board"])
def test_only_suppliers_bid(world, who):
    framework, lot = world.published()
    body = assert_error(draft_bid(world, framework["id"], bid_body(offer(lot)), who), 403, "forbidden")
    assert "supplier" in body["message"].lower()
    assert db.session.scalar(db.select(db.func.count()).select_from(Bid)) == 0


@pytest.mark.parametrize("who", ["admin", "officer", "evaluator", "board"])
def test_only_suppliers_revise_submit_or_withdraw(world, who):
    framework, lot = world.published()
    bid = create(world, framework, lot)
    before = stored(bid["id"])
    assert_error(world.put(who, f"/api/v1/bids/{bid['id']}", bid_body(offer(lot, price="1.00"))), 403, "forbidden")
    assert_error(submit(world, bid["id"], who), 403, "forbidden")
    assert_error(withdraw(world, bid["id"], who), 403, "forbidden")
    assert stored(bid["id"]) == before


def test_another_supplier_cannot_touch_a_bid_and_learns_nothing_of_it(world):
    framework, lot = world.published()
    bid = create(world, framework, lot)
    before = stored(bid["id"])
    missing = bid["id"] + 1000
    for path, method in (("/api/v1/bids/{}", "put"), ("/api/v1/bids/{}/submit", "post"),
                         ("/api/v1/bids/{}/withdraw", "post")):
        call = getattr(world, method)
        answer = assert_error(call("other_supplier", path.format(bid["id"]), bid_body(offer(lot))), 404, "not_found")
        assert answer == assert_error(call("other_supplier", path.format(missing), bid_body(offer(lot))),
                                      404, "not_found")
    assert stored(bid["id"]) == before


def test_a_draft_framework_takes_no_bids(world):
    framework, lot = world.draft_with_lot()
    assert_error(draft_bid(world, framework["id"], bid_body(offer(lot))), 404, "not_found")
    assert_error(draft_bid(world, 987654, bid_body(offer(lot))), 404, "not_found")
    assert db.session.scalar(db.select(db.func.count()).select_from(Bid)) == 0


@pytest.mark.parametrize("how", ["deadline passed", "closing recorded", "cancelled"])
def test_a_framework_no_longer_open_takes_no_bids(world, how):
    framework, lot = world.published()
    if how == "cancelled":
        assert world.transition(framework["id"], "cancelled").status_code == 200
    else:
        past_deadline(framework["id"])
        if how == "closing recorded":
            assert framework_services.close_due() == [framework["id"]]
    assert_error(draft_bid(world, framework["id"], bid_body(offer(lot))), 409, "conflict")
    assert db.session.scalar(db.select(db.func.count()).select_from(Bid)) == 0
