"""Submitting, revising and withdrawing a bid, and the deadline checked at the moment of the write."""
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.outbox import OutgoingMail
from frameworks import services as framework_services
from suppliers import bids as bid_services
from suppliers.models import Bid
from tests.functional.bids_support import (
    OTHER_PRICE,
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
    stored_hash,
    submit,
    submitted,
    withdraw,
)
from tests.functional.frameworks_support import assert_error

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
    assert set(body["receipt"]) == {"submitted_at", "written_at", "sha256", "log_index"}
    assert abs(moment(body["receipt"]["submitted_at"]) - datetime.now(UTC)) < timedelta(minutes=1)
    assert body["receipt"]["sha256"] == stored_hash(bid["id"])
    row = stored(bid["id"])
    assert (row["status"], row["receipt_sha256"], row["submissions"]) == ("submitted", body["receipt"]["sha256"], 1)
    assert row["submitted_at"] == moment(body["receipt"]["submitted_at"])
    assert world.get("supplier", f"/api/v1/bids/{bid['id']}").get_json()["receipt"] == body["receipt"]
    assert body["receipt"]["log_index"] is None  # in the framework's sealed log while bids are sealed
    assert world.audit(object_type="Bid", object_id=str(bid["id"])) == []
    past_deadline(bid["framework_id"])  # the audit log shows a bid's events once the bids are opened
    assert framework_services.close_due(datetime.now(UTC) + timedelta(minutes=5)) == [framework["id"]]
    receipt = world.get("supplier", f"/api/v1/bids/{bid['id']}").get_json()["receipt"]
    [event] = [e for e in world.audit(object_type="Bid", object_id=str(bid["id"])) if e["action"] == "bid.submitted"]
    assert receipt == body["receipt"] | {"log_index": receipt["log_index"]} and receipt["log_index"] is not None
    assert {key: event["after"][key] for key in ("sha256", "written_at")} == {
        key: receipt[key] for key in ("sha256", "written_at")}
    assert moment(event["after"]["submitted_at"]) == moment(receipt["submitted_at"])
    assert moment(event["after"]["sealed_at"]) <= moment(event["at"])  # carried from the sealed log at the opening


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
    seen = world.get("supplier", f"/api/v1/bids/{bid['id']}").get_json()
    body = assert_error(write(world, lot, bid["id"]), 409, "conflict")
    assert "deadline" in body["message"] or "open" in body["message"]
    assert stored(bid["id"]) == before
    assert bid_audit_actions(world, bid["id"]) == actions
    assert world.get("supplier", f"/api/v1/bids/{bid['id']}").get_json() == seen


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


def test_a_mail_server_that_is_down_loses_no_bid_and_no_receipt(app, world):
    """The receipt's e-mail is kept with the bid and sent after the commit: a dead server cannot refuse the bid."""
    framework, lot = world.published()
    bid = create(world, framework, lot)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)  # nothing listens there
    response = submit(world, bid["id"])
    assert response.status_code == 200, response.get_json()
    assert stored(bid["id"])["status"] == "submitted"
    [kept] = db.session.scalars(db.select(OutgoingMail).where(OutgoingMail.subject.startswith("Bid receipt"))).all()
    assert kept.sent_at is None and kept.attempts == 1 and response.get_json()["receipt"]["sha256"] in kept.body
