"""API: supplier profiles and declarations, sealed bids and their documents."""
from dataclasses import replace

from flask import request, send_file

from app import throttle
from app.api import api_blueprint
from app.api.auth import api_user, token_required
from app.api.openapi import operation
from app.api.pagination import Page, paginate
from app.domain.errors import ValidationFailed
from app.domain.roles import Role
from frameworks import services as frameworks
from suppliers import bids, documents, profiles
from suppliers.domain import bidding, exclusion
from suppliers.domain.documents import KINDS, download_name
from suppliers.schemas import (
    BidIn,
    BidOut,
    DocumentOut,
    ExclusionDeclarationIn,
    ExclusionDeclarationOut,
    GroundOut,
    ProfileIn,
    ProfileOut,
    Reading,
)

bp = api_blueprint("suppliers_api", __name__)


def _content(body: BidIn) -> tuple[list[bidding.LotOffer], list[bidding.Bundle]]:
    return ([bidding.LotOffer(o.lot_id, o.price, dict(o.answers)) for o in body.lots],
            [bidding.Bundle(tuple(b.lot_ids), b.price) for b in body.bundles])


@bp.post("/frameworks/<int:framework_id>/bids")
@token_required(Role.SUPPLIER)
@operation("Start your bid on an open framework, as a draft", body=BidIn, responses={201: BidOut},
           errors=(403, 404, 409, 503), description="`price` is the total for the lot's pooled demand.")
def create_bid(framework_id: int, body: BidIn):
    """A supplier drafts its bid."""
    return bids.create(api_user(), framework_id, *_content(body)), 201


@bp.put("/bids/<int:bid_id>")
@token_required(Role.SUPPLIER)
@operation("Replace your bid's content; a submitted bid must then be submitted again", body=BidIn,
           responses={200: BidOut}, errors=(403, 404, 409, 503))
def replace_bid(bid_id: int, body: BidIn):
    """A supplier revises its bid before the deadline."""
    return bids.replace(api_user(), bid_id, *_content(body))


@bp.post("/bids/<int:bid_id>/submit")
@token_required(Role.SUPPLIER)
@operation("Submit your bid and get its receipt", responses={200: BidOut}, errors=(403, 404, 409, 422, 503),
           description="After the deadline: 409. An incomplete bid: 422 naming what is missing.")
def submit_bid(bid_id: int):
    """A supplier submits; the receipt is the server time and the SHA-256 of the canonical content."""
    return bids.submit(api_user(), bid_id)


@bp.post("/bids/<int:bid_id>/withdraw")
@token_required(Role.SUPPLIER)
@operation("Withdraw your bid before the deadline", responses={200: BidOut}, errors=(403, 404, 409, 503))
def withdraw_bid(bid_id: int):
    """A supplier withdraws its bid."""
    return bids.withdraw(api_user(), bid_id)


@bp.get("/bids/<int:bid_id>")
@token_required()
@operation("A bid: its supplier always; admins and evaluators only after the deadline", responses={200: BidOut},
           errors=(404,), description="Sealed bids are 404 to everyone but their supplier, whether or not they exist.")
def get_bid(bid_id: int):
    """One bid, if the seal allows the caller to read it."""
    bid = bids.readable(api_user(), bid_id)
    return Reading(bid, bids.view_for(api_user(), bid.framework))


@bp.get("/frameworks/<int:framework_id>/bids")
@token_required()
@operation("The bids of a framework you may read: your own, or all after the deadline for admins and evaluators",
           responses={200: BidOut}, paginated=True, errors=(404,))
def list_bids(framework_id: int):
    """Bids the caller may read."""
    framework = frameworks.get_visible(api_user(), framework_id)
    view = bids.view_for(api_user(), framework)
    page = paginate(bids.readable_query(api_user(), framework))
    return replace(page, items=[Reading(bid, view) for bid in page.items])


def _profile_answer(user) -> dict:
    organisation = user.organisation
    return profiles.profile_json(profiles.profile_of(organisation.id), organisation) | {
        "declaration": profiles.current_declaration(organisation.id)}


@bp.get("/supplier-profile")
@token_required(Role.SUPPLIER)
@operation("Your organisation's supplier profile and its current declaration", responses={200: ProfileOut},
           errors=(403,))
def get_profile():
    """The caller's supplier profile."""
    return _profile_answer(api_user())


@bp.put("/supplier-profile")
@token_required(Role.SUPPLIER)
@operation("Change your supplier profile; fields left out stay as they are", body=ProfileIn,
           responses={200: ProfileOut}, errors=(403,))
def update_profile(body: ProfileIn):
    """A supplier keeps its profile."""
    profiles.update_profile(api_user(), body.model_dump(exclude_unset=True))
    return _profile_answer(api_user())


@bp.get("/exclusion-grounds")
@token_required()
@operation("The exclusion grounds a supplier declares against", responses={200: GroundOut}, paginated=True)
def exclusion_grounds():
    """The grounds, mandatory and discretionary."""
    items = exclusion.GROUNDS
    return Page(items, len(items), 1, len(items))


@bp.post("/supplier-profile/declarations")
@token_required(Role.SUPPLIER)
@operation("Declare against the exclusion grounds; bids submitted from now on carry this declaration",
           body=ExclusionDeclarationIn, responses={201: ExclusionDeclarationOut}, errors=(403,),
           description="Every ground must be answered. A ground that applies needs `details`; a mandatory "
                       "ground that applies also needs `self_cleaning` evidence.")
def declare(body: ExclusionDeclarationIn):
    """A supplier declares."""
    return profiles.declare(api_user(), body.answers, body.details, body.self_cleaning), 201


def _uploaded_file():
    upload = request.files.get("file")
    if upload is None:
        message = "Send the document as multipart/form-data with the file in the field `file`."
        raise ValidationFailed(message, {"file": message})
    return upload.filename or "", upload.read()


@bp.post("/bids/<int:bid_id>/documents")
@token_required(Role.SUPPLIER)
@throttle.limited("upload", per_user=True)
@operation("Attach a document to your bid before the deadline", upload=True, responses={201: DocumentOut},
           errors=(403, 404, 409, 429, 503),
           description="PDF, OpenDocument, DOCX, XLSX or an image (PNG, JPEG, GIF, WebP), told from the content, "
                       "not the name. A submitted bid goes back to draft and must be submitted again.")
def upload_document(bid_id: int):
    """A supplier uploads a document."""
    filename, data = _uploaded_file()
    return documents.upload(api_user(), bid_id, filename, data), 201


@bp.get("/bids/<int:bid_id>/documents")
@token_required()
@operation("The documents of a bid you may read", responses={200: DocumentOut}, paginated=True, errors=(404,))
def list_documents(bid_id: int):
    """Documents of a readable bid."""
    items = bids.readable(api_user(), bid_id).documents
    return Page(items, len(items), 1, max(len(items), 1))


@bp.get("/bids/<int:bid_id>/documents/<int:document_id>")
@token_required()
@operation("Download a document of a bid you may read", errors=(404, 503),
           download=tuple(kind.media_type for kind in KINDS.values()),
           description="Sealed bids' documents are 404 to everyone but their supplier.")
def download_document(bid_id: int, document_id: int):
    """The bytes of a document, served as an attachment."""
    return serve(*documents.readable(api_user(), bid_id, document_id))


@bp.delete("/bids/<int:bid_id>/documents/<int:document_id>")
@token_required(Role.SUPPLIER)
@operation("Remove a document from your bid before the deadline", responses={204: None}, errors=(403, 404, 409, 503))
def remove_document(bid_id: int, document_id: int):
    """A supplier removes a document."""
    documents.remove(api_user(), bid_id, document_id)
    return "", 204


def serve(document, stream):
    """Stream a stored document, never held whole, so that no browser runs or guesses anything in it."""
    answer = send_file(stream, mimetype=document.media_type, as_attachment=True, conditional=False,
                       download_name=download_name(document.filename), max_age=0, etag=document.sha256,
                       last_modified=document.uploaded_at)
    answer.content_length = document.size
    answer = answer.make_conditional(request.environ, accept_ranges=True, complete_length=document.size)
    answer.headers["X-Content-Type-Options"] = "nosniff"
    answer.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    answer.headers["Cache-Control"] = "private, no-store"
    answer.headers["X-Content-SHA256"] = document.sha256
    return answer
