"""API: supplier profiles and declarations, sealed bids and their documents."""
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from flask import request, send_file
from pydantic import BaseModel, EmailStr, Field, StringConstraints

from app.api import api_blueprint
from app.api.auth import api_user, token_required
from app.api.openapi import operation
from app.api.pagination import paginate
from app.api.validation import json_body
from app.domain.errors import ValidationFailed
from app.domain.roles import Role
from frameworks import services as frameworks
from suppliers import bids, documents, profiles
from suppliers.domain import bidding
from suppliers.domain.documents import download_name

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
    price: str | None = Field(description="Null for an evaluator when the framework hides prices from them.")
    answers: dict[str, str]


class BundleOut(BaseModel):
    lot_ids: list[int]
    price: str


class DocumentOut(BaseModel):
    id: int
    bid_id: int
    filename: str
    kind: str
    media_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class BidDocumentOut(BaseModel):
    id: int
    filename: str
    media_type: str
    size: int
    sha256: str


class BidDeclarationOut(BaseModel):
    id: int
    made_at: datetime
    summary: str


class BidOut(BaseModel):
    id: int
    framework_id: int
    supplier_id: int
    status: str
    lots: list[LotOfferOut]
    bundles: list[BundleOut]
    receipt: ReceiptOut | None
    documents: list[BidDocumentOut]
    declaration: BidDeclarationOut | None = Field(
        description="The declaration against the exclusion grounds the bid was submitted with.")
    updated_at: datetime


Line = Annotated[str, StringConstraints(max_length=200)]


class ProfileIn(BaseModel):
    companies_house_number: Annotated[str, StringConstraints(max_length=20)] | None = None
    sme: bool | None = None
    registered_address: Annotated[str, StringConstraints(max_length=1000)] | None = None
    website: Line | None = None
    contact_name: Annotated[str, StringConstraints(max_length=120)] | None = None
    contact_email: EmailStr | None = None
    contact_phone: Annotated[str, StringConstraints(max_length=40)] | None = None


class DeclarationIn(BaseModel):
    answers: dict[Annotated[str, StringConstraints(max_length=40)], bool] = Field(
        description="Every exclusion ground's code (see GET /exclusion-grounds): true when it applies.")
    details: Annotated[str, StringConstraints(max_length=20_000)] = ""
    self_cleaning: Annotated[str, StringConstraints(max_length=20_000)] = ""


class DeclarationOut(BaseModel):
    id: int
    made_at: datetime
    answers: dict[str, bool]
    details: str
    self_cleaning: str
    summary: str


class ProfileOut(BaseModel):
    organisation_id: int
    name: str
    sme: bool
    companies_house_number: str | None
    registered_address: str
    website: str
    contact_name: str
    contact_email: str
    contact_phone: str
    declaration: DeclarationOut | None


class GroundOut(BaseModel):
    code: str
    kind: str
    text: str


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
    bid = bids.readable(api_user(), bid_id)
    return bids.as_json(bid, bids.view_for(api_user(), bid.framework))


@bp.get("/frameworks/<int:framework_id>/bids")
@operation("The bids of a framework you may read: your own, or all after the deadline for admins and evaluators",
           responses={200: BidOut}, paginated=True, errors=(404,))
@token_required()
def list_bids(framework_id: int):
    """Bids the caller may read."""
    framework = frameworks.get_visible(api_user(), framework_id)
    view = bids.view_for(api_user(), framework)
    return paginate(bids.readable_query(api_user(), framework), lambda bid: bids.as_json(bid, view))


def _profile_answer(user) -> dict:
    organisation = user.organisation
    return profiles.profile_json(profiles.profile_of(organisation.id), organisation) | {
        "declaration": profiles.declaration_json(profiles.current_declaration(organisation.id))}


@bp.get("/supplier-profile")
@operation("Your organisation's supplier profile and its current declaration", responses={200: ProfileOut},
           errors=(403,))
@token_required(Role.SUPPLIER)
def get_profile():
    """The caller's supplier profile."""
    return _profile_answer(api_user())


@bp.put("/supplier-profile")
@operation("Change your supplier profile; fields left out stay as they are", body=ProfileIn,
           responses={200: ProfileOut}, errors=(403,))
@token_required(Role.SUPPLIER)
def update_profile():
    """A supplier keeps its profile."""
    body = json_body(ProfileIn)
    profiles.update_profile(api_user(), body.model_dump(exclude_unset=True))
    return _profile_answer(api_user())


@bp.get("/exclusion-grounds")
@operation("The exclusion grounds a supplier declares against", responses={200: GroundOut}, paginated=True)
@token_required()
def exclusion_grounds():
    """The grounds, mandatory and discretionary."""
    items = profiles.grounds_json()
    return {"items": items, "total": len(items), "page": 1, "per_page": len(items)}


@bp.post("/supplier-profile/declarations")
@operation("Declare against the exclusion grounds; bids submitted from now on carry this declaration",
           body=DeclarationIn, responses={201: DeclarationOut}, errors=(403,),
           description="Every ground must be answered. A ground that applies needs `details`; a mandatory "
                       "ground that applies also needs `self_cleaning` evidence.")
@token_required(Role.SUPPLIER)
def declare():
    """A supplier declares."""
    body = json_body(DeclarationIn)
    record = profiles.declare(api_user(), body.answers, body.details, body.self_cleaning)
    return profiles.declaration_json(record), 201


def _uploaded_file():
    upload = request.files.get("file")
    if upload is None:
        message = "Send the document as multipart/form-data with the file in the field `file`."
        raise ValidationFailed(message, {"file": message})
    return upload.filename or "", upload.read()


@bp.post("/bids/<int:bid_id>/documents")
@operation("Attach a document to your bid before the deadline", upload=True, responses={201: DocumentOut},
           errors=(403, 404, 409),
           description="PDF, OpenDocument, DOCX, XLSX or an image (PNG, JPEG, GIF, WebP), told from the content, "
                       "not the name. A submitted bid goes back to draft and must be submitted again.")
@token_required(Role.SUPPLIER)
def upload_document(bid_id: int):
    """A supplier uploads a document."""
    filename, data = _uploaded_file()
    return documents.as_json(documents.upload(api_user(), bid_id, filename, data)), 201


@bp.get("/bids/<int:bid_id>/documents")
@operation("The documents of a bid you may read", responses={200: DocumentOut}, paginated=True, errors=(404,))
@token_required()
def list_documents(bid_id: int):
    """Documents of a readable bid."""
    items = [documents.as_json(d) for d in bids.readable(api_user(), bid_id).documents]
    return {"items": items, "total": len(items), "page": 1, "per_page": max(len(items), 1)}


@bp.get("/bids/<int:bid_id>/documents/<int:document_id>")
@operation("Download a document of a bid you may read", download=True, errors=(404,),
           description="Sealed bids' documents are 404 to everyone but their supplier.")
@token_required()
def download_document(bid_id: int, document_id: int):
    """The bytes of a document, served as an attachment."""
    return serve(*documents.readable(api_user(), bid_id, document_id))


@bp.delete("/bids/<int:bid_id>/documents/<int:document_id>")
@operation("Remove a document from your bid before the deadline", responses={204: None}, errors=(403, 404, 409))
@token_required(Role.SUPPLIER)
def remove_document(bid_id: int, document_id: int):
    """A supplier removes a document."""
    documents.remove(api_user(), bid_id, document_id)
    return "", 204


def serve(document, path):
    """Send a stored document so that no browser runs or guesses anything in it."""
    answer = send_file(path, mimetype=document.media_type, as_attachment=True,
                       download_name=download_name(document.filename), max_age=0, etag=document.sha256)
    answer.headers["X-Content-Type-Options"] = "nosniff"
    answer.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    answer.headers["Cache-Control"] = "private, no-store"
    answer.headers["X-Content-SHA256"] = document.sha256
    return answer
