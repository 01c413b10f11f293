"""Bid documents through the API: what is accepted, what is refused and why, and what an upload does to a bid."""
import hashlib
import io
import zipfile

import pytest

from tests.functional.bids_support import create, past_deadline, stored_hash, submit, submitted
from tests.functional.frameworks_support import World, assert_error

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><document/>')
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """A DOCX whose one extra part inflates from a few KB to 64 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><document/>')
        with archive.open("word/media/zeros.bin", "w") as part:
            chunk = bytes(1024 * 1024)
            for _ in range(64):
                part.write(chunk)
    return buffer.getvalue()


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)


@pytest.fixture
def draft(world):
    framework, lot = world.published()
    return world, framework, lot, create(world, framework, lot)


def upload(world, bid_id: int, data: bytes, name: str, who: str = "supplier"):
    return world.post(who, f"/api/v1/bids/{bid_id}/documents", data={"file": (io.BytesIO(data), name)},
                      content_type="multipart/form-data")


@pytest.mark.parametrize(("data", "name", "media_type", "stored_name"), [
    (PDF, "method statement.pdf", "application/pdf", "method statement.pdf"),
    (PNG, "logo.png", "image/png", "logo.png"),
    (docx(), "answers.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     "answers.docx"),
    (PDF, "disguised.docx", "application/pdf", "disguised.docx.pdf"),
])
@pytest.mark.parametrize("storage", ["local", "s3"])
def test_an_accepted_document_is_typed_from_its_content(draft, data, name, media_type, stored_name, storage, request):
    if storage == "s3":
        request.getfixturevalue("s3_documents")
    world, _, _, bid = draft
    response = upload(world, bid["id"], data, name)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["media_type"], body["filename"], body["size"]) == (media_type, stored_name, len(data))
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    download = world.get("supplier", f"/api/v1/bids/{bid['id']}/documents/{body['id']}")
    assert download.status_code == 200 and download.data == data
    assert download.headers["Content-Type"].startswith(media_type)


@pytest.mark.parametrize(("data", "name", "words"), [
    (b"MZ\x90\x00" + bytes(200), "tender.pdf", "Its content was checked, not its name"),
    (b"<html><script>alert(1)</script></html>", "tender.pdf", "Its content was checked, not its name"),
    (b"", "empty.pdf", "empty"),
    (PDF, "../../etc/passwd.pdf", "folder"),
    (PDF, "..\\..\\windows\\win.ini.pdf", "folder"),
    (PDF, "/etc/passwd", "folder"),
    (docx({"word/vbaProject.bin": b"macro"}), "macro.docx", "macro"),
])
def test_a_refused_document_says_why_and_stores_nothing(draft, data, name, words, tmp_path):
    world, _, _, bid = draft
    error = assert_error(upload(world, bid["id"], data, name), 422, "validation_failed")
    assert words.lower() in error["message"].lower(), error
    assert world.get("supplier", f"/api/v1/bids/{bid['id']}").get_json()["documents"] == []
    store = tmp_path / "documents"
    assert not store.exists() or not any(p.is_file() for p in store.rglob("*"))


def test_a_zip_bomb_is_refused(draft):
    world, _, _, bid = draft
    bomb = zip_bomb()
    assert len(bomb) < 1024 * 1024  # small on the wire, 64 MB once inflated
    error = assert_error(upload(world, bid["id"], bomb, "bomb.docx"), 422, "validation_failed")
    assert "compress" in error["message"].lower() or "zip" in error["message"].lower(), error


def test_an_oversize_document_is_refused_with_413(draft, app):
    world, _, _, bid = draft
    app.config["DOCUMENT_MAX_BYTES"] = 1024
    error = assert_error(upload(world, bid["id"], PDF + bytes(2048), "big.pdf"), 413, "too_large")
    assert "the limit is" in error["message"]


def test_a_body_over_the_request_limit_is_refused_with_413(draft, app):
    world, _, _, bid = draft
    app.config["MAX_CONTENT_LENGTH"] = 4096
    assert_error(upload(world, bid["id"], PDF + bytes(8192), "big.pdf"), 413, "too_large")


def test_a_missing_file_field_is_explained(draft):
    world, _, _, bid = draft
    response = world.post("supplier", f"/api/v1/bids/{bid['id']}/documents", data={"other": "x"},
                          content_type="multipart/form-data")
    assert "`file`" in assert_error(response, 422, "validation_failed")["message"]


@pytest.mark.parametrize("storage", ["local", "s3"])
def test_a_document_changes_the_receipt_and_sends_a_submitted_bid_back_to_draft(world, storage, request):
    if storage == "s3":
        request.getfixturevalue("s3_documents")
    framework, lot = world.published()
    bid = submitted(world, framework, lot)
    response = upload(world, bid["id"], PDF, "method.pdf")
    assert response.status_code == 201
    assert world.get("supplier", f"/api/v1/bids/{bid['id']}").get_json()["status"] == "draft"
    again = submit(world, bid["id"]).get_json()
    assert again["receipt"]["sha256"] != bid["receipt"]["sha256"]
    assert again["receipt"]["sha256"] == stored_hash(bid["id"])
    removed = world.client.delete(f"/api/v1/bids/{bid['id']}/documents/{response.get_json()['id']}",
                                  headers=world.headers("supplier"))
    assert removed.status_code == 204
    after = world.get("supplier", f"/api/v1/bids/{bid['id']}").get_json()
    assert (after["status"], after["documents"]) == ("draft", [])
    assert submit(world, bid["id"]).get_json()["receipt"]["sha256"] == bid["receipt"]["sha256"]


def test_no_document_changes_after_the_deadline(draft):
    world, framework, _, bid = draft
    document = upload(world, bid["id"], PDF, "method.pdf").get_json()
    past_deadline(framework["id"])
    assert_error(upload(world, bid["id"], PDF, "late.pdf"), 409, "conflict")
    deleted = world.client.delete(f"/api/v1/bids/{bid['id']}/documents/{document['id']}",
                                  headers=world.headers("supplier"))
    assert_error(deleted, 409, "conflict")
    assert len(world.get("supplier", f"/api/v1/bids/{bid['id']}").get_json()["documents"]) == 1


@pytest.mark.parametrize("who", ["other_supplier", "admin", "evaluator", "officer"])
def test_only_the_bids_supplier_uploads_or_removes(draft, who):
    world, _, _, bid = draft
    document = upload(world, bid["id"], PDF, "method.pdf").get_json()
    expected = 404 if who == "other_supplier" else 403
    assert upload(world, bid["id"], PDF, "mine.pdf", who=who).status_code == expected
    deleted = world.client.delete(f"/api/v1/bids/{bid['id']}/documents/{document['id']}", headers=world.headers(who))
    assert deleted.status_code == expected


def test_a_document_is_stored_outside_the_web_root_under_a_generated_name(draft, app, tmp_path):
    from app.extensions import db
    from suppliers.models import BidDocument

    world, _, _, bid = draft
    body = upload(world, bid["id"], PDF, "method.pdf").get_json()
    document = db.session.get(BidDocument, body["id"])
    files = [p for p in (tmp_path / "documents").rglob("*") if p.is_file()]
    assert [p.name for p in files] == [document.storage_name]
    assert "method" not in document.storage_name
    assert files[0].read_bytes() == PDF
    assert not str(files[0]).startswith(app.static_folder)


@pytest.mark.parametrize("name", ["plan\u2025draft.pdf", "a\uff0fb.pdf", "a\uff3cb.pdf", "a.\uff0eb.pdf"])
def test_a_download_s_plain_file_name_never_names_another_folder(draft, name):
    """Characters that fold to "/", "\\" or ".." in the plain ASCII name browsers fall back on are replaced there."""
    world, _, _, bid = draft
    response = upload(world, bid["id"], PDF, name)
    assert response.status_code == 201, response.get_json()
    download = world.get("supplier", f"/api/v1/bids/{bid['id']}/documents/{response.get_json()['id']}")
    disposition = download.headers["Content-Disposition"]
    plain = disposition.split("filename=", 1)[1].split(";", 1)[0].strip('"')
    assert ".." not in plain and "/" not in plain and "\\" not in plain, disposition
