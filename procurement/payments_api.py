"""API: call-offs, levies and their PaymentIntents, memberships, and Stripe's webhook."""
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from flask import Blueprint, request
from pydantic import BaseModel, Field, StringConstraints

from app.api import api_blueprint
from app.api.auth import api_user, token_required
from app.api.openapi import operation
from app.api.pagination import paginate
from app.api.validation import json_body
from app.domain.roles import Role
from app.extensions import csrf
from procurement import calloffs, payments

bp = api_blueprint("payments_api", __name__)
webhook_bp = Blueprint("stripe_webhook", __name__)
csrf.exempt(webhook_bp)  # Stripe signs its deliveries; there is no session and no form to forge


class CallOffIn(BaseModel):
    lot_id: int
    supplier_id: int
    value: Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
    description: Annotated[str, StringConstraints(max_length=5_000)] = ""


class LevyRef(BaseModel):
    id: int
    amount: str


class CallOffOut(BaseModel):
    id: int
    framework_id: int
    lot_id: int
    organisation_id: int
    supplier_id: int
    value: str
    description: str
    created_at: datetime
    levy: LevyRef


class LevyOut(BaseModel):
    id: int
    supplier_id: int
    call_off_id: int
    framework_id: int
    amount: str
    status: Literal["due", "processing", "paid"]
    payment_intent_id: str | None
    created_at: datetime
    paid_at: datetime | None


class PaymentIntentOut(BaseModel):
    payment_intent_id: str
    client_secret: str


class MembershipOut(BaseModel):
    id: int
    organisation_id: int
    stripe_customer_id: str
    stripe_subscription_id: str
    status: str
    current_period_end: datetime | None


class AuthoritySavingsOut(BaseModel):
    organisation_id: int
    baseline: str
    awarded: str
    savings: str
    share_proportional: str
    share_shapley: str
    shapley_error: str | None


class SavingsOut(BaseModel):
    baseline: str
    awarded: str
    savings: str
    method: Literal["exact", "sampled"]
    by_authority: list[AuthoritySavingsOut]


class WebhookOut(BaseModel):
    received: bool
    outcome: str


@bp.post("/frameworks/<int:framework_id>/call-offs")
@operation("Call off from an awarded lot", body=CallOffIn, responses={201: CallOffOut},
           errors=(400, 403, 404, 409, 422),
           description="An officer of an authority taking part in the lot makes a direct award to the lot's "
                       "supplier. It creates a levy owed by the supplier (the framework's levy percentage of the "
                       "value). 409 if it would pass the framework's maximum value (the message gives the "
                       "headroom), or if the lot has several suppliers (a mini-competition is needed).")
@token_required(Role.OFFICER)
def make_call_off(framework_id: int):
    """An officer calls off."""
    body = json_body(CallOffIn)
    placed = calloffs.call_off(api_user(), framework_id, body.lot_id, body.supplier_id, body.value,
                               body.description)
    return calloffs.call_off_json(placed.call_off, placed.levy), 201


@bp.get("/levies")
@operation("Levies: an admin's all, a supplier's own", responses={200: LevyOut}, paginated=True,
           errors=(403,), query={"status": "string"})
@token_required(Role.ADMIN, Role.SUPPLIER)
def list_levies():
    """Levies one may see, newest first."""
    from procurement.models import Levy

    query = calloffs.levies_query(api_user())
    if status := request.args.get("status"):
        query = query.where(Levy.status == status)
    return paginate(query, calloffs.levy_json)


@bp.post("/levies/<int:levy_id>/payment-intent")
@operation("A Stripe PaymentIntent to pay a levy", responses={201: PaymentIntentOut}, errors=(403, 404, 409, 503),
           description="The supplier that owes the levy gets the PaymentIntent's id and client secret for Stripe's "
                       "Payment Element (the same intent again while it is unpaid). The levy becomes paid only "
                       "when Stripe's signed webhook says so.")
@token_required(Role.SUPPLIER)
def levy_payment_intent(levy_id: int):
    """Start paying a levy."""
    return payments.payment_intent(api_user(), levy_id), 201


@bp.post("/memberships")
@operation("Start the authority's annual membership (a Stripe subscription)", responses={201: MembershipOut},
           errors=(403, 409, 503))
@token_required(Role.OFFICER)
def start_membership():
    """An officer starts their authority's membership."""
    membership = payments.start_membership(api_user())
    return membership_json(membership), 201


def membership_json(membership) -> dict:
    return {"id": membership.id, "organisation_id": membership.organisation_id,
            "stripe_customer_id": membership.stripe_customer_id,
            "stripe_subscription_id": membership.stripe_subscription_id, "status": membership.status,
            "current_period_end": membership.current_period_end.isoformat() if membership.current_period_end
            else None}


@bp.get("/frameworks/<int:framework_id>/savings")
@operation("The framework's savings, shared between the authorities", responses={200: SavingsOut},
           errors=(403, 404, 409),
           description="Savings are the authorities' own estimates less their shares (by quantity) of the awarded "
                       "prices. The total is shared in proportion to demand and by the Shapley value of the game in "
                       "which each coalition buys its pooled volume at the price the bids imply (exact up to 20 "
                       "authorities a lot; sampled beyond, with `shapley_error`). An officer sees their own row.")
@token_required(Role.ADMIN, Role.OFFICER)
def framework_savings(framework_id: int):
    """Savings and their sharing."""
    from procurement import savings

    return savings.as_json(api_user(), savings.of_framework(api_user(), framework_id))


@webhook_bp.post("/stripe/webhook")
@operation("Stripe's webhook", responses={200: WebhookOut}, errors=(400,), auth=False,
           description="Signed with the webhook secret (Stripe-Signature); a bad signature is refused with 400. "
                       "Each event is applied once: the same event again changes nothing. Events about one "
                       "object are applied in Stripe's order: an older one arriving late changes nothing. An event "
                       "about an object Consort does not know is logged and acknowledged.")
def stripe_webhook():
    """Stripe tells us what happened to a payment."""
    outcome = payments.receive(request.get_data(), request.headers.get("Stripe-Signature"))
    return {"received": True, "outcome": outcome}
