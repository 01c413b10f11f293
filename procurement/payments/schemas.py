"""The API's bodies and answers for levies, memberships and Stripe's webhook."""
from typing import Literal

from pydantic import BaseModel

from app.api.schemas import Money, Time


class LevyOut(BaseModel):
    id: int
    supplier_id: int
    call_off_id: int
    framework_id: int
    amount: Money
    status: Literal["due", "processing", "paid"]
    payment_intent_id: str | None
    created_at: Time
    paid_at: Time | None


class PaymentIntentOut(BaseModel):
    payment_intent_id: str
    client_secret: str


class MembershipOut(BaseModel):
    id: int
    organisation_id: int
    stripe_customer_id: str
    stripe_subscription_id: str
    status: str
    current_period_end: Time | None


class WebhookOut(BaseModel):
    received: bool
    outcome: str
