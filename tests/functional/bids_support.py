"""Helpers and the `world` fixture shared by the bid API tests."""
import hashlib
from datetime import datetime

from app.extensions import db
from suppliers import bids as bid_services
from suppliers.domain import bidding
from suppliers.models import Bid
from tests.functional.frameworks_support import (
    move_deadlines,
)

# Distinctive content, so that a search of any JSON text for it cannot match by accident.
PRICE = "918273.64"
OTHER_PRICE = "918299.01"
QUALITY_ANSWER = "Quokka-7731 devices ship with a Zanzibar warranty."
SOCIAL_ANSWER = "Apprenticeships-4419 for Hoxton care leavers."


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
    """The bid's audit trail as stored: in its framework's sealed log while the bid is sealed, in the public log once
    the bids are opened."""
    from app.audit.models import AuditEvent, SealedAuditEvent
    from app.extensions import db

    db.session.expire_all()
    public = list(db.session.scalars(db.select(AuditEvent.action).where(
        AuditEvent.object_type == "Bid", AuditEvent.object_id == str(bid_id)).order_by(AuditEvent.id)))
    return public or list(db.session.scalars(db.select(SealedAuditEvent.action).where(
        SealedAuditEvent.object_type == "Bid", SealedAuditEvent.object_id == str(bid_id))
        .order_by(SealedAuditEvent.id)))


def moment(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    assert value.utcoffset() is not None, text
    return value
