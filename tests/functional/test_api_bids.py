"""Sealed bids through the API: suppliers draft, revise, submit and withdraw their bid while the framework is
open and before its deadline; before the deadline nobody else learns anything of it, not even that it exists;
after the deadline admins and evaluators may read it. Real HTTP, real database."""
import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from frameworks import services as framework_services
from suppliers import bids as bid_services
from suppliers.domain import bidding
from suppliers.models import Bid
from tests.functional.frameworks_support import (
    World,
    assert_answer_satisfies_openapi,
    assert_error,
    move_deadlines,
)

# Distinctive content, so that a search of any JSON text for it cannot match by accident.
PRICE = "918273.64"
OTHER_PRICE = "918299.01"
QUALITY_ANSWER = "Quokka-7731 devices ship with a Zanzibar warranty."
SOCIAL_ANSWER = "Apprenticeships-4419 for Hoxton care leavers."


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)


def criteria_ids(lot: dict) -> list[int]:
    return [c["id"] for c in lot["criteria"]]


def offer(lot: dict, price: str = PRICE, answers: dict | None = None) -> dict:
    """A complete offer for a lot: a price and an answer to each of its criteria."""
    quality, social = criteria_ids(lot)
    if answers is None:
        answers = {str(quality): QUALITY_ANSWER, str(social): SOCIAL_ANSWER}
    return {"lot_id": lot["id"], "price": price, "answers": answers}


def bid_body(*offers: dict, bundles: list | None = None) -> dict:
    return {"lots": list(offers), "bundles": bundles or []}


def draft_bid(world, framework_id: int, body: dict, who: str = "supplier"):
    return world.post(who, f"/api/v1/frameworks/{framework_id}/bids", body)


def create(world, framework: dict, lot: dict, who: str = "supplier", **offer_changes) -> dict:
    response = draft_bid(world, framework["id"], bid_body(offer(lot, **offer_changes)), who)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def submit(world, bid_id: int, who: str = "supplier"):
    return world.post(who, f"/api/v1/bids/{bid_id}/submit")


def withdraw(world, bid_id: int, who: str = "supplier"):
    return world.post(who, f"/api/v1/bids/{bid_id}/withdraw")


def submitted(world, framework: dict, lot: dict, who: str = "supplier", **offer_changes) -> dict:
    bid = create(world, framework, lot, who, **offer_changes)
    response = submit(world, bid["id"], who)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def two_lot_framework(world) -> tuple[dict, dict, dict]:
    """An open framework with two lots (laptops, tablets), each pooling its own Camden requirement."""
    framework, laptops = world.draft_with_lot()
    tablets_need = world.requirement("officer", title="Tablets for carers", unit="tablet", quantity="50")
    tablets = world.lot(framework["id"], [tablets_need["id"]], title="Tablets")
    response = world.transition(framework["id"], "open")
    assert response.status_code == 200, response.get_json()
    return response.get_json(), laptops, tablets


def past_deadline(framework_id: int) -> None:
    move_deadlines(framework_id, question_hours=-2, bid_hours=-1)


def stored(bid_id: int) -> dict:
    """The bid as the database holds it now, in a form to compare."""
    db.session.expire_all()
    bid = db.session.get(Bid, bid_id)
    return {"status": bid.status.value, "submitted_at": bid.submitted_at, "receipt_sha256": bid.receipt_sha256,
            "updated_at": bid.updated_at, "submissions": bid.submissions,
            "canonical": bidding.canonical(bid_services.content_of(bid))}


def stored_hash(bid_id: int) -> str:
    db.session.expire_all()
    return hashlib.sha256(bidding.canonical(bid_services.content_of(db.session.get(Bid, bid_id)))).hexdigest()


def bid_audit_actions(world, bid_id: int) -> list[str]:
    """The bid's audit trail as stored (the audit API hides it while the bid is sealed)."""
    from app.audit.models import AuditEvent
    from app.extensions import db

    db.session.expire_all()
    return list(db.session.scalars(db.select(AuditEvent.action).where(
        AuditEvent.object_type == "Bid", AuditEvent.object_id == str(bid_id)).order_by(AuditEvent.id)))


def moment(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    assert value.utcoffset() is not None, text
    return value


# The seal: who reads a bid, before and after the deadline

OWN, SEALED = "own", "sealed"
# who -> (before the deadline, after the deadline)
SEAL = {
    "supplier": (OWN, OWN),
    "other_supplier": (SEALED, SEALED),
    "admin": (SEALED, OWN),
    "evaluator": (SEALED, OWN),
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
    for who in ("admin", "evaluator"):
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
    for who in ("admin", "evaluator"):
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


# Submitting, revising, withdrawing


def test_an_incomplete_bid_cannot_be_submitted_and_the_answer_names_what_is_missing(world):
    framework, lot = world.published()
    quality, social = criteria_ids(lot)
    bid = create(world, framework, lot, answers={str(quality): "Done.", str(social): "   "})
    error = assert_error(submit(world, bid["id"]), 422, "validation_failed")
    assert set(error["fields"]) == {f"lots.0.answers.{social}"}
    assert stored(bid["id"])["status"] == "draft"
    assert stored(bid["id"])["receipt_sha256"] is None

    world.put("supplier", f"/api/v1/bids/{bid['id']}", bid_body(offer(lot, answers={})))
    error = assert_error(submit(world, bid["id"]), 422, "validation_failed")
    assert set(error["fields"]) == {f"lots.0.answers.{quality}", f"lots.0.answers.{social}"}
    assert "bid.submitted" not in bid_audit_actions(world, bid["id"])


def test_a_bid_pricing_no_lot_cannot_be_submitted(world):
    framework, _ = world.published()
    response = draft_bid(world, framework["id"], bid_body())
    assert response.status_code == 201, response.get_json()
    error = assert_error(submit(world, response.get_json()["id"]), 422, "validation_failed")
    assert "lots" in error["fields"]


def test_a_complete_bid_is_submitted_with_a_receipt_of_its_stored_content(world):
    framework, lot = world.published()
    bid = create(world, framework, lot)
    response = submit(world, bid["id"])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "submitted"
    assert set(body["receipt"]) == {"submitted_at", "sha256"}
    assert abs(moment(body["receipt"]["submitted_at"]) - datetime.now(UTC)) < timedelta(minutes=1)
    assert body["receipt"]["sha256"] == stored_hash(bid["id"])
    row = stored(bid["id"])
    assert (row["status"], row["receipt_sha256"], row["submissions"]) == ("submitted", body["receipt"]["sha256"], 1)
    assert row["submitted_at"] == moment(body["receipt"]["submitted_at"])
    assert world.get("supplier", f"/api/v1/bids/{bid['id']}").get_json()["receipt"] == body["receipt"]
    past_deadline(bid["framework_id"])  # the audit log shows a bid's events once the seal is broken
    [event] = [e for e in world.audit(object_type="Bid", object_id=str(bid["id"])) if e["action"] == "bid.submitted"]
    assert event["after"] == body["receipt"] | {"submitted_at": event["after"]["submitted_at"]}
    assert moment(event["after"]["submitted_at"]) == moment(body["receipt"]["submitted_at"])


def _revise(world, lot, bid_id, **offer_changes):
    response = world.put("supplier", f"/api/v1/bids/{bid_id}", bid_body(offer(lot, **offer_changes)))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_receipt_hash_follows_the_content(world):
    framework, lot = world.published()
    quality, social = criteria_ids(lot)
    bid = submitted(world, framework, lot)
    bid_id, first = bid["id"], bid["receipt"]["sha256"]

    # Resubmitting unchanged content, even after a PUT of the same body, gives the same hash.
    assert submit(world, bid_id).get_json()["receipt"]["sha256"] == first
    revised = _revise(world, lot, bid_id)
    assert (revised["status"], revised["receipt"]) == ("draft", None)
    assert submit(world, bid_id).get_json()["receipt"]["sha256"] == first

    # A new price, or a changed answer, gives a new hash: each the hash of what is stored.
    _revise(world, lot, bid_id, price=OTHER_PRICE)
    new_price = submit(world, bid_id).get_json()["receipt"]["sha256"]
    assert new_price != first
    assert new_price == stored_hash(bid_id)
    _revise(world, lot, bid_id, price=OTHER_PRICE, answers={str(quality): QUALITY_ANSWER + "!",
                                                             str(social): SOCIAL_ANSWER})
    new_answer = submit(world, bid_id).get_json()["receipt"]["sha256"]
    assert new_answer not in (first, new_price)
    assert new_answer == stored_hash(bid_id)
    assert stored(bid_id)["submissions"] == 5


def test_revising_a_submitted_bid_makes_it_a_draft_without_a_receipt(world):
    framework, lot = world.published()
    bid = submitted(world, framework, lot)
    body = _revise(world, lot, bid["id"], price=OTHER_PRICE)
    assert (body["status"], body["receipt"], body["lots"][0]["price"]) == ("draft", None, OTHER_PRICE)
    row = stored(bid["id"])
    assert (row["status"], row["receipt_sha256"], row["submitted_at"]) == ("draft", None, None)
    assert world.get("supplier", f"/api/v1/bids/{bid['id']}").get_json()["receipt"] is None
    assert bid_audit_actions(world, bid["id"]) == ["bid.drafted", "bid.submitted", "bid.revised"]


def test_a_bid_is_withdrawn_once(world):
    framework, lot = world.published()
    bid = submitted(world, framework, lot)
    response = withdraw(world, bid["id"])
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["status"], response.get_json()["receipt"]) == ("withdrawn", None)
    row = stored(bid["id"])
    assert (row["status"], row["receipt_sha256"], row["submitted_at"]) == ("withdrawn", None, None)
    body = assert_error(withdraw(world, bid["id"]), 409, "conflict")
    assert "withdrawn" in body["message"]
    assert stored(bid["id"]) == row
    assert bid_audit_actions(world, bid["id"]) == ["bid.drafted", "bid.submitted", "bid.withdrawn"]


def test_a_withdrawn_bid_can_be_revised_and_submitted_again_before_the_deadline(world):
    framework, lot = world.published()
    bid = submitted(world, framework, lot)
    withdraw(world, bid["id"])
    assert _revise(world, lot, bid["id"])["status"] == "draft"
    assert submit(world, bid["id"]).get_json()["status"] == "submitted"


# The deadline is checked at the moment of the write


def _put(world, lot, bid_id):
    return world.put("supplier", f"/api/v1/bids/{bid_id}", bid_body(offer(lot, price=OTHER_PRICE)))


def _submit(world, lot, bid_id):
    return submit(world, bid_id)


def _withdraw(world, lot, bid_id):
    return withdraw(world, bid_id)


@pytest.mark.parametrize("start", ["draft", "submitted"])
@pytest.mark.parametrize("write", [_put, _submit, _withdraw], ids=["PUT", "submit", "withdraw"])
@pytest.mark.parametrize("how", ["deadline passed", "closing recorded"])
def test_after_the_deadline_no_write_changes_a_bid(world, write, start, how):
    framework, lot = world.published()
    bid = submitted(world, framework, lot) if start == "submitted" else create(world, framework, lot)
    past_deadline(framework["id"])
    if how == "closing recorded":
        assert framework_services.close_due() == [framework["id"]]
    before = stored(bid["id"])
    actions = bid_audit_actions(world, bid["id"])
    body = assert_error(write(world, lot, bid["id"]), 409, "conflict")
    assert "deadline" in body["message"] or "open" in body["message"]
    assert stored(bid["id"]) == before
    assert bid_audit_actions(world, bid["id"]) == actions
    assert world.get("supplier", f"/api/v1/bids/{bid['id']}").get_json() == bid


def test_a_submission_refused_at_the_deadline_leaves_no_receipt_and_no_event(world):
    framework, lot = world.published()
    bid = create(world, framework, lot)
    past_deadline(framework["id"])
    assert_error(submit(world, bid["id"]), 409, "conflict")
    row = stored(bid["id"])
    assert (row["status"], row["receipt_sha256"], row["submitted_at"], row["submissions"]) == ("draft", None, None, 0)
    assert world.audit(action="bid.submitted") == []


def test_the_deadline_is_the_moment_of_the_service_call(world):
    """The services take `now`: a write one second before the deadline passes, one at the deadline does not."""
    from app.domain.errors import Conflict

    framework, lot = world.published()
    bid = create(world, framework, lot)
    supplier = world.user("supplier")
    deadline = db.session.get(Bid, bid["id"]).framework.bid_deadline
    bid_services.submit(supplier, bid["id"], now=deadline - timedelta(seconds=1))
    assert stored(bid["id"])["status"] == "submitted"
    with pytest.raises(Conflict):
        bid_services.withdraw(supplier, bid["id"], now=deadline)
    db.session.rollback()
    assert stored(bid["id"])["status"] == "submitted"


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
