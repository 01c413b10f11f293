"""API: sealed bids."""
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from app.api import api_blueprint
from app.api.auth import api_user, token_required
from app.api.openapi import operation
from app.api.pagination import paginate
from app.api.validation import json_body
from app.domain.roles import Role
from frameworks import services as frameworks
from suppliers import bids
from suppliers.domain import bidding

bp = api_blueprint("suppliers_api", __name__)
Price = Annotated[Decimal, Field(gt=0, le=Decimal("100000000000"), max_digits=14, decimal_places=2)]


class LotOfferIn(BaseModel):
    lot_id: int
    price: Price
    answers: dict[int, Annotated[str, StringConstraints(max_length=50_000)]] = {}


class BundleIn(BaseModel):
    lot_ids: Annotated[list[int], Field(min_length=2, max_length=100)]
    price: Price


class BidIn(BaseModel):
    lots: Annotated[list[LotOfferIn], Field(max_length=200)] = []
    bundles: Annotated[list[BundleIn], Field(max_length=200)] = []


class ReceiptOut(BaseModel):
    submitted_at: datetime
    sha256: str


class LotOfferOut(BaseModel):
    lot_id: int
    price: str
    answers: dict[str, str]


class BundleOut(BaseModel):
    lot_ids: list[int]
    price: str


class BidOut(BaseModel):
    id: int
    framework_id: int
    supplier_id: int
    status: str
    lots: list[LotOfferOut]
    bundles: list[BundleOut]
    receipt: ReceiptOut | None
    updated_at: datetime


def _content(body: BidIn) -> tuple[list[bidding.LotOffer], list[bidding.Bundle]]:
    return ([bidding.LotOffer(o.lot_id, o.price, dict(o.answers)) for o in body.lots],
            [bidding.Bundle(tuple(b.lot_ids), b.price) for b in body.bundles])


@bp.post("/frameworks/<int:framework_id>/bids")
@operation("Start your bid on an open framework, as a draft", body=BidIn, responses={201: BidOut},
           errors=(403, 404, 409), description="`price` is the total for the lot's pooled demand.")
@token_required(Role.SUPPLIER)
def create_bid(framework_id: int):
    """A supplier drafts its bid."""
    return bids.as_json(bids.create(api_user(), framework_id, *_content(json_body(BidIn)))), 201


@bp.put("/bids/<int:bid_id>")
@operation("Replace your bid's content; a submitted bid must then be submitted again", body=BidIn,
           responses={200: BidOut}, errors=(403, 404, 409))
@token_required(Role.SUPPLIER)
def replace_bid(bid_id: int):
    """A supplier revises its bid before the deadline."""
    return bids.as_json(bids.replace(api_user(), bid_id, *_content(json_body(BidIn))))


@bp.post("/bids/<int:bid_id>/submit")
@operation("Submit your bid and get its receipt", responses={200: BidOut}, errors=(403, 404, 409, 422),
           description="After the deadline: 409. An incomplete bid: 422 naming what is missing.")
@token_required(Role.SUPPLIER)
def submit_bid(bid_id: int):
    """A supplier submits; the receipt is the server time and the SHA-256 of the canonical content."""
    return bids.as_json(bids.submit(api_user(), bid_id))


@bp.post("/bids/<int:bid_id>/withdraw")
@operation("Withdraw your bid before the deadline", responses={200: BidOut}, errors=(403, 404, 409))
@token_required(Role.SUPPLIER)
def withdraw_bid(bid_id: int):
    """A supplier withdraws its bid."""
    return bids.as_json(bids.withdraw(api_user(), bid_id))


@bp.get("/bids/<int:bid_id>")
@operation("A bid: its supplier always; admins and evaluators only after the deadline", responses={200: BidOut},
           errors=(404,), description="Sealed bids are 404 to everyone but their supplier, whether or not they exist.")
@token_required()
def get_bid(bid_id: int):
    """One bid, if the seal allows the caller to read it."""
    return bids.as_json(bids.readable(api_user(), bid_id))


@bp.get("/frameworks/<int:framework_id>/bids")
@operation("The bids of a framework you may read: your own, or all after the deadline for admins and evaluators",
           responses={200: BidOut}, paginated=True, errors=(404,))
@token_required()
def list_bids(framework_id: int):
    """Bids the caller may read."""
    framework = frameworks.get_visible(api_user(), framework_id)
    return paginate(bids.readable_query(api_user(), framework), bids.as_json)
