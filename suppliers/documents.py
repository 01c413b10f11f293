"""Bid documents: checked from their content, stored outside the web root, read only through the seal.

A document is part of the bid: adding or removing one changes the bid's content, so a submitted bid goes back
to draft and must be submitted again, and its receipt covers the documents' SHA-256s.
"""
import contextlib
import secrets
from datetime import datetime

from flask import current_app

from app import storage
from app.accounts.models import User
from app.audit import services as audit
from app.domain.errors import Conflict, ConsortError, NotFound, TooLarge, ValidationFailed
from app.extensions import db
from suppliers import bids
from suppliers.domain import documents as rules
from suppliers.models import Bid, BidDocument, BidStatus

MAX_DOCUMENTS_PER_BID = 20
NO_DOCUMENT = "There is no document with that id."


class StoreUnavailable(ConsortError):
    """The document store (the folder or the bucket) did not do what was asked; nothing was changed."""
    status = 503
    code = "store_unavailable"


STORE_UNAVAILABLE = "The document store is not answering; nothing was changed. Try again in a minute."


def key_of(storage_name: str) -> str:
    # The storage name is generated here, never taken from the upload, so it cannot leave the store.
    return f"{storage_name[:2]}/{storage_name}"


def _write_file(data: bytes) -> str:
    name = secrets.token_hex(32)
    try:
        storage.documents().put(key_of(name), data)  # whole or absent: a reader never sees half a file
    except storage.FAILED:
        current_app.logger.exception("A document could not be stored")
        raise StoreUnavailable(STORE_UNAVAILABLE, {"file": STORE_UNAVAILABLE}) from None
    return name


def _delete_file(storage_name: str) -> None:
    with contextlib.suppress(*storage.FAILED):
        storage.documents().delete(key_of(storage_name))


def upload(actor: User, bid_id: int, filename: str, data: bytes, now: datetime | None = None) -> BidDocument:
    """Check a document and attach it to the supplier's bid before the deadline. Commits."""
    bid, _, now = bids.own_for_write(actor, bid_id, now)
    limit = current_app.config["DOCUMENT_MAX_BYTES"]
    if len(data) > limit:
        raise TooLarge(f"This file is {len(data) / 1024 / 1024:.1f} MB; the limit is {limit / 1024 / 1024:.0f} MB.",
                       {"file": "Too large."})
    try:
        clean_name, kind = rules.check(filename, data, limit)
    except rules.DocumentRefused as refused:
        raise ValidationFailed(str(refused), {"file": str(refused)}) from None
    if len(bid.documents) >= MAX_DOCUMENTS_PER_BID:
        message = f"A bid can carry at most {MAX_DOCUMENTS_PER_BID} documents; remove one first."
        raise Conflict(message, {"file": message})
    storage_name = _write_file(data)
    try:
        document = BidDocument(bid=bid, filename=clean_name, kind=kind.name, media_type=kind.media_type,
                               size=len(data), sha256=rules.sha256(data), storage_name=storage_name,
                               uploaded_at=now, uploaded_by_id=actor.id)
        db.session.add(document)
        _back_to_draft(bid, now)
        db.session.flush()
        audit.record("bid.document_added", bid, actor=actor,
                     after={"document_id": document.id, "sha256": document.sha256})
        db.session.commit()
    except BaseException:
        db.session.rollback()
        _delete_file(storage_name)
        raise
    return document


def remove(actor: User, bid_id: int, document_id: int, now: datetime | None = None) -> None:
    """Remove a document from the supplier's bid before the deadline. Commits, then deletes the file."""
    bid, _, now = bids.own_for_write(actor, bid_id, now)
    document = _document_of(bid, document_id)
    storage_name = document.storage_name
    bid.documents.remove(document)
    _back_to_draft(bid, now)
    audit.record("bid.document_removed", bid, actor=actor,
                 before={"document_id": document.id, "sha256": document.sha256})
    db.session.commit()
    _delete_file(storage_name)


def _back_to_draft(bid: Bid, now: datetime) -> None:
    bid.updated_at = now
    if bid.status != BidStatus.DRAFT:
        bid.status, bid.receipt_sha256, bid.submitted_at, bid.receipt_log_index = BidStatus.DRAFT, None, None, None
        bid.receipt_written_at = None


def _document_of(bid: Bid, document_id: int) -> BidDocument:
    document = next((d for d in bid.documents if d.id == document_id), None)
    if document is None:
        raise NotFound(NO_DOCUMENT)
    return document


def readable(actor: User, bid_id: int, document_id: int) -> tuple[BidDocument, storage.Stored]:
    """A document of a bid the actor may read (the seal decides), and a stream of its bytes (the caller closes it)."""
    document = _document_of(bids.readable(actor, bid_id), document_id)
    try:
        opened = storage.documents().open(key_of(document.storage_name))
    except storage.FAILED:
        current_app.logger.exception("A document could not be read from the store")
        raise StoreUnavailable("The document store is not answering; try again in a minute.") from None
    if opened is None:
        raise NotFound("This document's file is missing from the store; tell the consortium.")
    stream, size = opened
    if size != document.size:
        stream.close()
        raise NotFound("This document's stored file is not the one uploaded; tell the consortium.")
    return document, stream
