"""API: levies and their PaymentIntents, memberships, and Stripe's webhook."""

from flask import Blueprint, request

from app.api import api_blueprint
from app.api.auth import api_user, token_required
from app.api.openapi import operation
from app.api.pagination import paginate
from app.domain.roles import Role
from app.extensions import csrf
from procurement.calloffs import services as calloffs
from procurement.calloffs.models import Levy
from procurement.payments import services as payments
from procurement.payments.schemas import LevyOut, MembershipOut, PaymentIntentOut, WebhookOut

bp = api_blueprint("payments_api", __name__)
webhook_bp = Blueprint("stripe_webhook", __name__)
csrf.exempt(webhook_bp)  # Stripe signs its deliveries; there is no session and no form to forge

@bp.get("/levies")
@token_required(Role.ADMIN, Role.SUPPLIER)
@operation("Levies: an admin's all, a supplier's own", responses={200: LevyOut}, paginated=True,
           errors=(403,), query={"status": "string"})
def list_levies():
    """Levies one may see, newest first."""
    query = calloffs.levies_query(api_user())
    if status := request.args.get("status"):
        query = query.where(Levy.status == status)
    return paginate(query)


@bp.post("/levies/<int:levy_id>/payment-intent")
@token_required(Role.SUPPLIER)
@operation("A Stripe PaymentIntent to pay a levy", responses={201: PaymentIntentOut}, errors=(403, 404, 409, 503),
           description="The supplier that owes the levy gets the PaymentIntent's id and client secret for Stripe's "
                       "Payment Element (the same intent again while it is unpaid). The levy becomes paid only "
                       "when Stripe's signed webhook says so.")
def levy_payment_intent(levy_id: int):
    """Start paying a levy."""
    return payments.payment_intent(api_user(), levy_id), 201


@bp.post("/memberships")
@token_required(Role.OFFICER)
@operation("Start the authority's annual membership (a Stripe subscription)", responses={201: MembershipOut},
           errors=(403, 409, 503))
def start_membership():
    """An officer starts their authority's membership."""
    return payments.start_membership(api_user()), 201


@webhook_bp.post("/stripe/webhook")
@operation("Stripe's webhook", responses={200: WebhookOut}, errors=(400, 503), auth=False,
           description="Signed with the webhook secret (Stripe-Signature); a bad signature is refused with 400, and "
                       "without a webhook secret configured every event is refused with 503. "
                       "Each event is applied once: the same event again changes nothing. Events about one "
                       "object are applied in Stripe's order: an older one arriving late changes nothing. An event "
                       "about an object Consort does not know is logged and acknowledged.")
def stripe_webhook():
    """Stripe tells us what happened to a payment."""
    outcome = payments.receive(request.get_data(), request.headers.get("Stripe-Signature"))
    return {"received": True, "outcome": outcome}
