"""Payments through Stripe: PaymentIntents for levies, a Subscription for an authority's membership, and the
webhook that alone changes payment state.

The app keeps Stripe's ids, never card data. STRIPE_API_BASE points the client at another server (the tests run
against localstripe). Every event is verified against STRIPE_WEBHOOK_SECRET, applied once (its id is stored),
and about one object the newest event wins: an older one arriving late changes nothing.
"""
import json
import logging
from datetime import UTC, datetime

import stripe
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.audit import services as audit
from app.domain.errors import Conflict, ConsortError, Forbidden
from app.domain.roles import Role
from app.extensions import db
from app.types import utcnow
from procurement.calloffs import services as calloffs
from procurement.calloffs.models import Levy
from procurement.payments.models import Membership, StripeEvent

log = logging.getLogger("consort.payments")
MEMBERSHIP_GRACE_DAYS = 30
# Where a levy may go on each event; "paid" is final, whatever arrives after it.
LEVY_EVENTS = {"payment_intent.processing": "processing", "payment_intent.succeeded": "paid",
               "payment_intent.payment_failed": "due", "payment_intent.canceled": "due"}


class PaymentsUnavailable(ConsortError):
    status = 503
    code = "payments_unavailable"


class BadSignature(ConsortError):
    status = 400
    code = "bad_signature"


class MalformedEvent(ConsortError):
    """A correctly signed event whose structure is not Stripe's: refused (400) and logged, nothing applied."""


def client() -> stripe.StripeClient:
    config = current_app.config
    if not config.get("STRIPE_SECRET_KEY"):
        raise PaymentsUnavailable("Payments are not set up here (STRIPE_SECRET_KEY is not set).")
    bases = {"api": config["STRIPE_API_BASE"]} if config.get("STRIPE_API_BASE") else {}
    return stripe.StripeClient(config["STRIPE_SECRET_KEY"], base_addresses=bases, max_network_retries=2)


def test_mode() -> bool:
    return (current_app.config.get("STRIPE_SECRET_KEY") or "").startswith("sk_test_")


def _pence(amount) -> int:
    return int((amount * 100).to_integral_value())


def payment_intent(actor: User, levy_id: int) -> dict:
    """A PaymentIntent for a levy (the same one again while it is unpaid). Commits."""
    if actor.role != Role.SUPPLIER:
        raise Forbidden("A levy is paid by the supplier that owes it.")
    levy = calloffs.levy_for(actor, levy_id, for_update=True)
    if levy.status == "paid":
        raise Conflict("This levy is already paid.")
    stripe_client = client()
    try:
        if levy.payment_intent_id:
            intent = stripe_client.v1.payment_intents.retrieve(levy.payment_intent_id)
            if intent.status not in ("canceled",):
                db.session.rollback()
                return {"payment_intent_id": intent.id, "client_secret": intent.client_secret}
        intent = stripe_client.v1.payment_intents.create(params={
            "amount": _pence(levy.amount), "currency": "gbp", "payment_method_types": ["card"],
            "metadata": {"levy_id": str(levy.id), "supplier_id": str(levy.supplier_id)}})
    except stripe.StripeError as error:
        db.session.rollback()
        raise PaymentsUnavailable(f"Stripe did not answer as expected: {error.user_message or error}") from None
    levy.payment_intent_id = intent.id
    audit.record("levy.payment_started", levy, actor=actor, after={"payment_intent_id": intent.id})
    db.session.commit()
    return {"payment_intent_id": intent.id, "client_secret": intent.client_secret}


def pay_with_test_card(actor: User, levy_id: int) -> str:
    """In test mode only, with no publishable key for Stripe's Payment Element: confirm the levy's PaymentIntent
    with Stripe's test card (pm_card_visa), so that no card number ever passes through this app. The levy's
    state still changes only when the webhook arrives."""
    if not test_mode():
        raise Forbidden("Paying with the test card is only possible with a Stripe test key.")
    started = payment_intent(actor, levy_id)
    try:
        intent = client().v1.payment_intents.update(started["payment_intent_id"],
                                                    params={"payment_method": "pm_card_visa"})
        if intent.status == "requires_confirmation":
            intent = client().v1.payment_intents.confirm(intent.id)
    except stripe.StripeError as error:
        raise PaymentsUnavailable(f"Stripe did not answer as expected: {error.user_message or error}") from None
    return intent.status


def verify(payload: bytes, signature: str | None) -> dict:
    """The event as plain JSON, if the signature is Stripe's with our webhook secret (and no more than five
    minutes old); BadSignature (400) otherwise."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        raise PaymentsUnavailable("Webhooks are not set up here (STRIPE_WEBHOOK_SECRET is not set).")
    try:
        stripe.Webhook.construct_event(payload, signature or "", secret)
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError):
        raise BadSignature("The Stripe-Signature header does not match this payload.") from None
    if not isinstance(event, dict) or not {"id", "type", "created", "data"} <= set(event):
        raise BadSignature("That is not a Stripe event.")
    if problem := _structure_problem(event):
        log.warning("A signed Stripe event could not be read (%s); nothing was applied", problem)
        raise MalformedEvent(f"That Stripe event could not be read ({problem}); nothing was applied.")
    return event


def _structure_problem(event: dict) -> str | None:
    """What is wrong with a signed event's structure, if anything: the fields Consort reads must have their types."""
    if not isinstance(event["id"], str) or not event["id"]:
        return "its id is not a string"
    if not isinstance(event["type"], str):
        return "its type is not a string"
    if isinstance(event["created"], bool) or not isinstance(event["created"], int):
        return "its created time is not a whole number"
    data = event["data"]
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        return "its data.object is not an object"
    if not isinstance(data["object"].get("id"), str):
        return "its data.object.id is not a string"
    period_end = data["object"].get("current_period_end")
    if period_end is not None and (isinstance(period_end, bool) or not isinstance(period_end, int)):
        return "its current_period_end is not a whole number"
    return None


def receive(payload: bytes, signature: str | None) -> str:
    """Verify and apply one webhook delivery. Returns what was done, for the log and the answer."""
    event = verify(payload, signature)
    data = event["data"]["object"]
    object_id = data.get("id")
    if db.session.get(StripeEvent, event["id"]) is not None:
        return "already applied"
    record = StripeEvent(id=event["id"], type=event["type"], object_id=object_id, created=int(event["created"]),
                         received_at=utcnow())
    db.session.add(record)
    try:
        db.session.flush()  # the event's row first: a delivery of the same event at the same moment waits here
    except IntegrityError:  # ... and finds the other delivery applied it
        db.session.rollback()
        return "already applied"
    if event["type"] in LEVY_EVENTS:
        record.outcome = _apply_to_levy(event, data)
    elif event["type"].startswith("customer.subscription."):
        record.outcome = _apply_to_membership(event, data)
    else:
        record.outcome = "ignored: not an event Consort acts on"
    try:
        db.session.commit()
    except IntegrityError:  # the same event, delivered twice at once: the other delivery applied it
        db.session.rollback()
        return "already applied"
    log.info("Stripe event %s (%s): %s", event["id"], event["type"], record.outcome)
    return record.outcome


def _newer_event_seen(object_id: str, created: int, event_id: str) -> bool:
    return db.session.scalar(db.select(StripeEvent.id).where(
        StripeEvent.object_id == object_id, StripeEvent.id != event_id, StripeEvent.created > created,
        StripeEvent.outcome.like("applied%")).limit(1)) is not None


def _apply_to_levy(event, intent) -> str:
    levy = db.session.scalars(db.select(Levy).where(Levy.payment_intent_id == intent["id"]).with_for_update()).first()
    if levy is None:
        log.warning("Stripe event %s is about PaymentIntent %s, which no levy knows", event["id"], intent["id"])
        return "ignored: no levy has this PaymentIntent"
    target = LEVY_EVENTS[event["type"]]
    if levy.status == "paid":
        return "ignored: the levy is already paid"
    if target != "paid" and _newer_event_seen(intent["id"], int(event["created"]), event["id"]):
        return "ignored: a newer event about this PaymentIntent was applied first"
    before = levy.status
    levy.status = target
    if target == "paid":
        levy.paid_at = datetime.fromtimestamp(int(event["created"]), UTC)
    audit.record("levy.payment_" + target, levy, actor=None, before={"status": before},
                 after={"status": target, "stripe_event": event["id"]})
    return f"applied: levy {levy.id} {before} → {target}"


def _apply_to_membership(event, subscription) -> str:
    membership = db.session.scalars(db.select(Membership).where(
        Membership.stripe_subscription_id == subscription["id"]).with_for_update()).first()
    if membership is None:
        log.warning("Stripe event %s is about subscription %s, which no membership knows", event["id"],
                    subscription["id"])
        return "ignored: no membership has this subscription"
    if _newer_event_seen(subscription["id"], int(event["created"]), event["id"]):
        return "ignored: a newer event about this subscription was applied first"
    status = "canceled" if event["type"] == "customer.subscription.deleted" else subscription.get("status")
    before = membership.status
    membership.status = status or membership.status
    if subscription.get("current_period_end"):
        membership.current_period_end = datetime.fromtimestamp(int(subscription["current_period_end"]), UTC)
    membership.updated_at = utcnow()
    audit.record("membership.updated", membership, actor=None, before={"status": before},
                 after={"status": membership.status, "stripe_event": event["id"]})
    return f"applied: membership {membership.id} {before} → {membership.status}"


def start_membership(actor: User) -> Membership:
    """An officer starts their authority's annual membership: a Stripe customer and subscription. Commits."""
    if actor.role != Role.OFFICER:
        raise Forbidden("An authority's officers start its membership.")
    existing = db.session.scalars(db.select(Membership).where(
        Membership.organisation_id == actor.organisation_id)).first()
    if existing is not None and existing.status not in ("canceled", "incomplete_expired"):
        raise Conflict("Your authority is already a member.")
    fee = int(current_app.config.get("MEMBERSHIP_FEE_PENCE") or 0)
    if fee <= 0:
        raise PaymentsUnavailable("The membership fee is not set (MEMBERSHIP_FEE_PENCE).")
    stripe_client = client()
    organisation = actor.organisation
    try:
        customer = stripe_client.v1.customers.create(params={
            "name": organisation.name, "email": actor.email, "metadata": {"organisation_id": str(organisation.id)}})
        # A yearly plan (Stripe's plans are prices with an interval; localstripe knows them under this name).
        plan = stripe_client.v1.plans.create(params={"amount": fee, "currency": "gbp", "interval": "year",
                                                     "product": {"name": "Consort annual membership"}})
        # The first year's invoice follows a grace period, in which the authority's finance team adds its way of
        # paying through Stripe's own pages: no card or bank detail passes through Consort.
        subscription = stripe_client.v1.subscriptions.create(params={
            "customer": customer.id, "items": [{"plan": plan.id}], "trial_period_days": MEMBERSHIP_GRACE_DAYS,
            "metadata": {"organisation_id": str(organisation.id)}})
    except stripe.StripeError as error:
        raise PaymentsUnavailable(f"Stripe did not answer as expected: {error.user_message or error}") from None
    period_end = getattr(subscription, "current_period_end", None)
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
    membership = Membership(organisation_id=organisation.id, stripe_customer_id=customer.id,
                            stripe_subscription_id=subscription.id, status=subscription.status,
                            current_period_end=datetime.fromtimestamp(period_end, UTC) if period_end else None)
    db.session.add(membership)
    audit.record("membership.started", membership, actor=actor,
                 after={"subscription": subscription.id, "status": subscription.status})
    db.session.commit()
    return membership


def membership_of(organisation_id: int) -> Membership | None:
    """The organisation's membership, if it has started one."""
    return db.session.scalars(db.select(Membership).where(Membership.organisation_id == organisation_id)).first()
