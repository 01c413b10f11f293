"""Bid documents kept in an S3 bucket (a real SeaweedFS on loopback): the same checks, the same bytes back, streamed."""
import hashlib
import socket

import pytest

from app.extensions import db
from suppliers.documents import key_of
from suppliers.models import BidDocument
from tests.functional.bids_support import create
from tests.functional.frameworks_support import World, assert_error
from tests.functional.suppliers.test_documents_api import PDF, PNG, docx, upload


@pytest.fixture
def draft(client, make_user):
    world = World(client, make_user)
    framework, lot = world.published()
    return world, framework, lot, create(world, framework, lot)


def _object(s3, document_id: int) -> bytes | None:
    document = db.session.get(BidDocument, document_id)
    client = s3.client()
    try:
        return client.get_object(Bucket=s3.bucket, Key=key_of(document.storage_name))["Body"].read()
    except client.exceptions.NoSuchKey:
        return None


@pytest.mark.parametrize(("data", "name"), [(PDF, "method.pdf"), (PNG, "logo.png"), (docx(), "answers.docx")])
def test_an_uploaded_document_is_kept_in_the_bucket_and_comes_back_byte_for_byte(draft, s3_documents, data, name):
    world, _, _, bid = draft
    response = upload(world, bid["id"], data, name)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert _object(s3_documents, body["id"]) == data
    download = world.get("supplier", f"/api/v1/bids/{bid['id']}/documents/{body['id']}")
    assert download.status_code == 200 and download.is_streamed
    assert download.data == data and hashlib.sha256(download.data).hexdigest() == body["sha256"]
    assert download.headers["X-Content-SHA256"] == body["sha256"]
    assert download.headers["Content-Length"] == str(len(data))
    assert download.headers["Content-Type"].startswith(body["media_type"])
    assert download.headers["Content-Disposition"].startswith("attachment;")


def test_a_removed_document_leaves_the_bucket(draft, s3_documents):
    world, _, _, bid = draft
    document = upload(world, bid["id"], PDF, "method.pdf").get_json()
    assert _object(s3_documents, document["id"]) == PDF
    storage_name = db.session.get(BidDocument, document["id"]).storage_name
    removed = world.client.delete(f"/api/v1/bids/{bid['id']}/documents/{document['id']}",
                                  headers=world.headers("supplier"))
    assert removed.status_code == 204
    client = s3_documents.client()
    with pytest.raises(client.exceptions.NoSuchKey):
        client.get_object(Bucket=s3_documents.bucket, Key=key_of(storage_name))


def test_a_refused_document_puts_nothing_in_the_bucket(draft, s3_documents):
    world, _, _, bid = draft
    client = s3_documents.client()
    before = client.list_objects_v2(Bucket=s3_documents.bucket).get("KeyCount", 0)
    assert_error(upload(world, bid["id"], b"MZ\x90\x00" + bytes(200), "tender.pdf"), 422, "validation_failed")
    assert client.list_objects_v2(Bucket=s3_documents.bucket).get("KeyCount", 0) == before


def test_a_document_missing_from_the_bucket_is_a_404_not_a_500(draft, s3_documents):
    world, _, _, bid = draft
    document = upload(world, bid["id"], PDF, "method.pdf").get_json()
    storage_name = db.session.get(BidDocument, document["id"]).storage_name
    s3_documents.client().delete_object(Bucket=s3_documents.bucket, Key=key_of(storage_name))
    missing = world.get("supplier", f"/api/v1/bids/{bid['id']}/documents/{document['id']}")
    assert "missing" in assert_error(missing, 404, "not_found")["message"]


def test_a_range_of_a_document_is_read_from_the_stream(draft, s3_documents):
    world, _, _, bid = draft
    document = upload(world, bid["id"], PDF, "method.pdf").get_json()
    part = world.client.get(f"/api/v1/bids/{bid['id']}/documents/{document['id']}",
                            headers={**world.headers("supplier"), "Range": "bytes=0-7"})
    assert part.status_code == 206 and part.data == PDF[:8]


def test_a_second_web_machine_serves_the_same_document(draft, s3_documents, app, tmp_path):
    """Two apps sharing the bucket, and nothing else: one takes the upload, the other serves it."""
    world, _, _, bid = draft
    document = upload(world, bid["id"], PDF, "method.pdf").get_json()
    app.config["DOCUMENT_STORE"] = str(tmp_path / "another machine's folder")
    app.extensions.pop("s3_clients", None)
    download = world.get("supplier", f"/api/v1/bids/{bid['id']}/documents/{document['id']}")
    assert download.status_code == 200 and download.data == PDF
    assert not (tmp_path / "documents").exists()


def test_a_copy_still_current_is_a_304(draft, s3_documents):
    world, _, _, bid = draft
    document = upload(world, bid["id"], PDF, "method.pdf").get_json()
    path = f"/api/v1/bids/{bid['id']}/documents/{document['id']}"
    first = world.get("supplier", path)
    again = world.client.get(path, headers={**world.headers("supplier"), "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_a_bucket_not_answering_is_a_503_and_stores_nothing(draft, s3_documents, app):
    world, _, _, bid = draft
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    app.config["S3_ENDPOINT_URL"] = f"http://127.0.0.1:{closed}"
    error = assert_error(upload(world, bid["id"], PDF, "method.pdf"), 503, "store_unavailable")
    assert "Try again" in error["message"]
    assert world.get("supplier", f"/api/v1/bids/{bid['id']}").get_json()["documents"] == []
