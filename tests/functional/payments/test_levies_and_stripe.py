"""Call-offs and levies, paid through Stripe (a localstripe server the tests start): PaymentIntents, signed
webhooks applied once and in order, memberships, and every refusal."""
import hashlib
import hmac
import json
import time
from decimal import Decimal

import requests

from app.extensions import db
from tests.functional.board.test_board_api import approved
from tests.functional.frameworks_support import assert_error
from tests.functional.payments.conftest import WEBHOOK_SECRET


def call_off(world, framework, lot, winner, value="10000.00", who="officer"):
    return world.post(who, f"/api/v1/frameworks/{framework['id']}/call-offs",
                      {"lot_id": lot["id"], "supplier_id": winner["supplier_id"], "value": value,
                       "description": "Twenty devices for the libraries."})


def signed(payload: dict, secret: str = WEBHOOK_SECRET, at: int | None = None) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    at = at or int(time.time())
    digest = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={at},v1={digest}"


def event(event_id: str, kind: str, obj: dict, created: int | None = None) -> dict:
    return {"id": event_id, "object": "event", "type": kind, "created": created or int(time.time()),
            "data": {"object": obj}, "livemode": False, "api_version": "2024-06-20"}


def deliver(client, payload: dict, **kwargs):
    body, signature = signed(payload, **kwargs)
    return client.post("/stripe/webhook", data=body, headers={"Stripe-Signature": signature,
                                                              "Content-Type": "application/json"})


def test_a_call_off_creates_the_levy_and_counts_against_the_maximum(world, awarded_lot):
    framework, lot, winner, _ = awarded_lot
    made = call_off(world, framework, lot, winner)
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["levy"]["amount"] == f"{Decimal('10000.00') * Decimal(framework['levy_percent']) / 100:.2f}"
    assert body["supplier_id"] == winner["supplier_id"] and body["value"] == "10000.00"
    maximum = Decimal(framework["maximum_value"])
    refused = assert_error(call_off(world, framework, lot, winner, value=f"{maximum:.2f}"), 409, "conflict")
    assert f"£{maximum - Decimal('10000.00'):,.2f} remains" in refused["message"]
    assert call_off(world, framework, lot, winner, value=f"{maximum - Decimal('10000.00'):.2f}").status_code == 201
    assert_error(call_off(world, framework, lot, winner, value="0.01"), 409, "conflict")  # nothing left


def test_call_offs_are_for_officers_of_participating_authorities_from_the_lots_winner(world, awarded_lot):
    from tests.functional.frameworks_support import PEOPLE

    framework, lot, winner, who = awarded_lot
    PEOPLE.setdefault("islington_officer", ("ian@islington.gov.uk", "officer", "London Borough of Islington"))
    assert_error(call_off(world, framework, lot, winner, who="islington_officer"), 403, "forbidden")
    assert_error(call_off(world, framework, lot, winner, who=who), 403, "forbidden")
    other = {"supplier_id": world.organisation_id("other_supplier" if who == "supplier" else "supplier")}
    assert_error(call_off(world, framework, lot, other), 422, "validation_failed")
    assert_error(call_off(world, framework, lot, winner, value="-5"), 422, "validation_failed")
    assert_error(call_off(world, framework, {"id": 999999}, winner), 422, "validation_failed")


def test_no_call_off_before_the_award(world, run):
    framework, lot, record = approved(world, run)
    assert_error(call_off(world, framework, lot, record["awards"][0]), 409, "conflict")


def test_suppliers_see_their_own_levies_and_admins_all(world, awarded_lot):
    framework, lot, winner, who = awarded_lot
    levy = call_off(world, framework, lot, winner).get_json()["levy"]
    mine = world.get(who, "/api/v1/levies").get_json()
    assert [(i["id"], i["status"], i["amount"]) for i in mine["items"]] == [(levy["id"], "due", levy["amount"])]
    loser = "other_supplier" if who == "supplier" else "supplier"
    assert world.get(loser, "/api/v1/levies").get_json()["total"] == 0
    assert world.get("admin", "/api/v1/levies").get_json()["total"] == 1
    assert_error(world.get("officer", "/api/v1/levies"), 403, "forbidden")


def test_a_levy_is_paid_end_to_end_through_a_payment_intent_and_a_signed_webhook(world, awarded_lot, webhook_server,
                                                                                localstripe):
    from procurement.calloffs.models import Levy

    framework, lot, winner, who = awarded_lot
    levy = call_off(world, framework, lot, winner).get_json()["levy"]
    started = world.post(who, f"/api/v1/levies/{levy['id']}/payment-intent")
    assert started.status_code == 201, started.get_json()
    intent = started.get_json()
    assert intent["payment_intent_id"].startswith("pi_") and intent["client_secret"]
    again = world.post(who, f"/api/v1/levies/{levy['id']}/payment-intent").get_json()
    assert again["payment_intent_id"] == intent["payment_intent_id"]  # one intent per levy while unpaid
    # The supplier pays with Stripe's test card (in the browser, Stripe's Payment Element does this).
    auth = ("sk_test_consort", "")
    requests.post(f"{localstripe}/v1/payment_intents/{intent['payment_intent_id']}",
                  data={"payment_method": "pm_card_visa"}, auth=auth, timeout=5).raise_for_status()
    confirmed = requests.post(f"{localstripe}/v1/payment_intents/{intent['payment_intent_id']}/confirm",
                              auth=auth, timeout=5)
    assert confirmed.json()["status"] == "succeeded", confirmed.text
    for _ in range(100):  # localstripe delivers the signed payment_intent.succeeded to the app
        db.session.expire_all()
        if db.session.get(Levy, levy["id"]).status == "paid":
            break
        time.sleep(0.1)
    shown = world.get(who, "/api/v1/levies").get_json()["items"][0]
    assert shown["status"] == "paid" and shown["paid_at"]
    assert_error(world.post(who, f"/api/v1/levies/{levy['id']}/payment-intent"), 409, "conflict")
    actions = [e["action"] for e in world.audit(object_type="Levy", object_id=levy["id"])]
    assert "levy.payment_paid" in actions


def test_a_forged_signature_is_refused_and_changes_nothing(world, awarded_lot, stripe_app):
    framework, lot, winner, who = awarded_lot
    levy = call_off(world, framework, lot, winner).get_json()["levy"]
    intent = world.post(who, f"/api/v1/levies/{levy['id']}/payment-intent").get_json()
    payload = event("evt_forged", "payment_intent.succeeded", {"id": intent["payment_intent_id"],
                                                               "object": "payment_intent"})
    forged = deliver(world.client, payload, secret="whsec_someone_else")
    assert forged.status_code == 400 and forged.get_json()["error"] == "bad_signature"
    unsigned = world.client.post("/stripe/webhook", data=json.dumps(payload), content_type="application/json")
    assert unsigned.status_code == 400
    stale = deliver(world.client, payload, at=int(time.time()) - 3600)  # replayed an hour later
    assert stale.status_code == 400
    assert world.get(who, "/api/v1/levies").get_json()["items"][0]["status"] == "due"


def test_the_same_event_twice_changes_nothing_the_second_time(world, awarded_lot, stripe_app):
    framework, lot, winner, who = awarded_lot
    levy = call_off(world, framework, lot, winner).get_json()["levy"]
    intent = world.post(who, f"/api/v1/levies/{levy['id']}/payment-intent").get_json()
    payload = event("evt_once", "payment_intent.succeeded", {"id": intent["payment_intent_id"],
                                                             "object": "payment_intent"})
    first = deliver(world.client, payload)
    assert first.status_code == 200 and first.get_json()["outcome"].startswith("applied")
    audit_before = len(world.audit(object_type="Levy", object_id=levy["id"]))
    second = deliver(world.client, payload)
    assert second.status_code == 200 and second.get_json()["outcome"] == "already applied"
    assert len(world.audit(object_type="Levy", object_id=levy["id"])) == audit_before


def test_events_arriving_out_of_order_leave_the_newest_state(world, awarded_lot, stripe_app):
    framework, lot, winner, who = awarded_lot
    levy = call_off(world, framework, lot, winner).get_json()["levy"]
    pi = {"id": world.post(who, f"/api/v1/levies/{levy['id']}/payment-intent").get_json()["payment_intent_id"],
          "object": "payment_intent"}
    now = int(time.time())
    assert deliver(world.client, event("evt_b", "payment_intent.payment_failed", pi, now - 10)).status_code == 200
    assert deliver(world.client, event("evt_a", "payment_intent.processing", pi, now - 20)).get_json()[
        "outcome"].startswith("ignored: a newer event")
    assert world.get(who, "/api/v1/levies").get_json()["items"][0]["status"] == "due"
    assert deliver(world.client, event("evt_d", "payment_intent.succeeded", pi, now)).status_code == 200
    late = deliver(world.client, event("evt_c", "payment_intent.processing", pi, now - 5)).get_json()
    assert late["outcome"] == "ignored: the levy is already paid"
    assert world.get(who, "/api/v1/levies").get_json()["items"][0]["status"] == "paid"


def test_an_event_about_an_unknown_object_is_logged_and_acknowledged(world, stripe_app, caplog):
    payload = event("evt_unknown", "payment_intent.succeeded", {"id": "pi_nobody", "object": "payment_intent"})
    with caplog.at_level("WARNING", logger="consort.payments"):
        answer = deliver(world.client, payload)
    assert answer.status_code == 200 and answer.get_json()["outcome"] == "ignored: no levy has this PaymentIntent"
    assert "pi_nobody" in caplog.text
    other = deliver(world.client, event("evt_other", "charge.refunded", {"id": "ch_1", "object": "charge"}))
    assert other.status_code == 200 and other.get_json()["outcome"].startswith("ignored")


def test_an_authority_starts_its_membership_as_a_subscription(world, stripe_app, localstripe):
    started = world.post("officer", "/api/v1/memberships")
    assert started.status_code == 201, started.get_json()
    body = started.get_json()
    assert body["stripe_subscription_id"].startswith("sub_") and body["stripe_customer_id"].startswith("cus_")
    held = requests.get(f"{localstripe}/v1/subscriptions/{body['stripe_subscription_id']}",
                        auth=("sk_test_consort", ""), timeout=5).json()
    assert held["items"]["data"][0]["plan"]["amount"] == 250_000 and held["status"] == body["status"]
    assert_error(world.post("officer", "/api/v1/memberships"), 409, "conflict")
    assert_error(world.post("supplier", "/api/v1/memberships"), 403, "forbidden")
    update = deliver(world.client, event("evt_sub", "customer.subscription.updated",
                                         {"id": body["stripe_subscription_id"], "object": "subscription",
                                          "status": "past_due", "current_period_end": int(time.time()) + 86400}))
    assert update.get_json()["outcome"].startswith("applied")


def test_without_stripe_configured_payments_say_so(world, awarded_lot):
    framework, lot, winner, who = awarded_lot
    levy = call_off(world, framework, lot, winner).get_json()["levy"]
    refused = world.post(who, f"/api/v1/levies/{levy['id']}/payment-intent")
    assert refused.status_code == 503 and refused.get_json()["error"] == "payments_unavailable"
    webhook = world.client.post("/stripe/webhook", data=b"{}", headers={"Stripe-Signature": "t=1,v1=x"})
    assert webhook.status_code == 503 and webhook.get_json()["error"] == "payments_unavailable"
    operation = world.client.get("/api/v1/openapi.json").get_json()["paths"]["/stripe/webhook"]["post"]
    assert "503" in operation["responses"]  # as the document says (schemathesis found it missing)


def test_a_signed_event_of_the_wrong_structure_is_refused_logged_and_applies_nothing(world, stripe_app, caplog):
    from procurement.payments.models import StripeEvent

    for broken in (event("evt_x1", "payment_intent.succeeded", {"id": "pi_1"}) | {"data": "x"},
                   event("evt_x2", "payment_intent.succeeded", {"id": 7}),
                   event("evt_x3", "customer.subscription.updated", {"id": "sub_1", "current_period_end": "soon"}),
                   event("evt_x4", "payment_intent.succeeded", {"id": "pi_1"}) | {"created": "yesterday"}):
        with caplog.at_level("WARNING", logger="consort.payments"):
            answer = deliver(world.client, broken)
        assert_error(answer, 400, "bad_request")
        assert "could not be read" in caplog.text
    assert db.session.scalar(db.select(db.func.count()).select_from(StripeEvent)) == 0


def test_the_same_event_delivered_in_parallel_is_applied_once_and_every_delivery_gets_200(
        world, awarded_lot, stripe_app):
    import threading

    framework, lot, winner, who = awarded_lot
    levy = call_off(world, framework, lot, winner).get_json()["levy"]
    intent = world.post(who, f"/api/v1/levies/{levy['id']}/payment-intent").get_json()
    payload = event("evt_parallel", "payment_intent.succeeded", {"id": intent["payment_intent_id"],
                                                                 "object": "payment_intent"})
    body, signature = signed(payload)
    start, answers = threading.Barrier(6), []

    def post():
        client = stripe_app.test_client()
        start.wait()
        answers.append(client.post("/stripe/webhook", data=body, headers={"Stripe-Signature": signature,
                                                                          "Content-Type": "application/json"}))

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [200] * 6, [a.get_data(as_text=True)[:200] for a in answers]
    outcomes = sorted(a.get_json()["outcome"] for a in answers)
    assert sum(outcome.startswith("applied") for outcome in outcomes) == 1, outcomes
    assert len([e for e in world.audit(object_type="Levy", object_id=levy["id"])
                if e["action"] == "levy.payment_paid"]) == 1
