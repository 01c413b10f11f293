"""Which documents a bid may carry: the type told from the content, the size limit, safe names and zip bombs."""
import base64
import io
import random
import struct
import unicodedata
import zipfile
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suppliers.domain import documents
from suppliers.domain.documents import (
    MAX_DOCUMENT_BYTES,
    DocumentRefused,
    check,
    clean_filename,
    sha256,
    sniff,
)

MB = 1024 * 1024
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
       b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
WEBP = base64.b64decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'


def archive(parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as zipped:
        for name, data in parts.items():
            zipped.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return buffer.getvalue()


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    return archive({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w:document/>"} | (extra or {}))


def xlsx() -> bytes:
    return archive({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": b"<workbook/>"})


def odf(media_type: bytes, mimetype_method: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr(zipfile.ZipInfo("mimetype"), media_type, compress_type=mimetype_method)
        zipped.writestr("content.xml", b"<office:document-content/>")
        zipped.writestr("META-INF/manifest.xml", b"<manifest:manifest/>")
    return buffer.getvalue()


def zeros(name: str, size: int, parts: dict[str, bytes] | None = None) -> bytes:
    """A zip whose part `name` is `size` zero bytes, written in 1 MB chunks so memory stays small."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        for part_name, data in (parts or {}).items():
            zipped.writestr(part_name, data)
        with zipped.open(name, "w") as part:
            for start in range(0, size, MB):
                part.write(bytes(min(MB, size - start)))
    return buffer.getvalue()


def patched(data: bytes, name: str, **fields: int) -> bytes:
    """The zip with some fields of one part's headers, local and central, overwritten: flags, crc, size."""
    offsets = {"flags": (6, 8, "<H"), "crc": (14, 16, "<I"), "size": (22, 24, "<I")}  # local, central
    result = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    central = next(at for at in _central_headers(data)
                   if data[at + 46:at + 46 + struct.unpack_from("<H", data, at + 28)[0]] == name.encode())
    for field, value in fields.items():
        local_offset, central_offset, form = offsets[field]
        struct.pack_into(form, result, info.header_offset + local_offset, value)
        struct.pack_into(form, result, central + central_offset, value)
    return bytes(result)


def _central_headers(data: bytes):
    at = data.find(b"PK\x01\x02")
    while at != -1:
        yield at
        at = data.find(b"PK\x01\x02", at + 4)


def bomb_300_mb() -> bytes:
    return zeros("word/media/zeros.bin", 300 * MB, {"[Content_Types].xml": CONTENT_TYPES,
                                                    "word/document.xml": b"<w:document/>"})


def refusal(name: str, data: bytes, **limits) -> str:
    with pytest.raises(DocumentRefused) as refused:
        check(name, data, **limits)
    return str(refused.value)


@pytest.mark.parametrize(("data", "name", "kind", "media_type"), [
    (PDF, "method statement.pdf", "pdf", "application/pdf"),
    (odf(b"application/vnd.oasis.opendocument.text"), "answers.odt", "odt", "application/vnd.oasis.opendocument.text"),
    (odf(b"application/vnd.oasis.opendocument.spreadsheet"), "prices.ods", "ods",
     "application/vnd.oasis.opendocument.spreadsheet"),
    (odf(b"application/vnd.oasis.opendocument.presentation"), "pitch.odp", "odp",
     "application/vnd.oasis.opendocument.presentation"),
    (docx(), "answers.docx", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (xlsx(), "prices.xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (PNG, "logo.png", "png", "image/png"),
    (JPEG, "site.jpg", "jpeg", "image/jpeg"),
    (GIF, "chart.gif", "gif", "image/gif"),
    (WEBP, "photo.webp", "webp", "image/webp"),
], ids=["pdf", "odt", "ods", "odp", "docx", "xlsx", "png", "jpeg", "gif", "webp"])
def test_every_accepted_kind_is_told_from_its_content(data, name, kind, media_type):
    assert sniff(data).name == kind
    clean, found = check(name, data)
    assert (clean, found.name, found.media_type) == (name, kind, media_type)
    assert found.label and found.extension.startswith(".")


@pytest.mark.parametrize(("name", "data", "kept"), [
    ("disguised.docx", PDF, "disguised.docx.pdf"),
    ("answers.pdf", docx(), "answers.pdf.docx"),
    ("no extension", PNG, "no extension.png"),
    ("SCAN.PDF", PDF, "SCAN.PDF"),
    ("photo.jpeg", JPEG, "photo.jpeg"),
    ("tender.", PDF, "tender.pdf"),
])
def test_the_content_decides_the_kind_and_the_name_gets_the_right_extension(name, data, kept):
    assert check(name, data)[0] == kept


def test_a_long_name_keeps_its_extension_within_the_limit():
    assert clean_filename("a" * 300 + ".pdf") == "a" * 196 + ".pdf"
    # The stem is cut before the new extension, and never left ending in a dot.
    assert check("b" * 199 + ".docx", PDF)[0] == "b" * 195 + ".pdf"


@pytest.mark.parametrize("data", [
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(200),
    b"<!DOCTYPE html><html><script>alert(1)</script></html>",
    archive({"tender.pdf": PDF}),
    b"Our tender, in plain text.\n",
    archive({"[Content_Types].xml": CONTENT_TYPES}),
    odf(b"application/vnd.oasis.opendocument.text", zipfile.ZIP_DEFLATED),
    odf(b"application/x-shockwave-flash"),
], ids=["exe", "html", "plain-zip", "text", "ooxml-without-main-part", "odf-compressed-mimetype",
        "odf-other-media-type"])
def test_anything_else_is_refused_whatever_its_name(data):
    assert sniff(data) is None
    assert "Its content was checked, not its name" in refusal("tender.pdf", data)


def test_the_refusal_of_an_unknown_type_names_what_is_accepted():
    assert refusal("tender.pdf", b"MZ") == ('"tender.pdf" is not a PDF, OpenDocument, Word (DOCX), Excel (XLSX) or '
                                            "image (PNG, JPEG, GIF, WebP) file. Its content was checked, not its name.")


def test_an_empty_file_is_refused():
    assert refusal("tender.pdf", b"") == '"tender.pdf" is empty; upload the file with its content.'


def test_a_file_over_the_limit_is_refused_with_both_sizes():
    assert refusal("big.pdf", PDF + bytes(2048), max_bytes=1024) == "This file is 2 KB; the limit is 1 KB."
    assert refusal("big.pdf", PDF + bytes(int(31.2 * MB) - len(PDF))) == "This file is 31.2 MB; the limit is 20 MB."
    assert refusal("big.pdf", PDF + bytes(MAX_DOCUMENT_BYTES)) == "This file is 20.1 MB; the limit is 20 MB."
    assert check("exact.pdf", PDF + bytes(1024 - len(PDF)), max_bytes=1024)[1].name == "pdf"


@pytest.mark.parametrize(("name", "reason"), [
    ("../x.pdf", "folder path"),
    ("..\\x.pdf", "folder path"),
    ("/etc/passwd", "folder path"),
    ("C:\\x.pdf", "folder path"),
    ("C:x.pdf", "folder path"),
    (" C:x.pdf", "folder path"),
    ("a/../../b.pdf", "folder path"),
    ("..", '".."'),
    ("x..pdf", '".."'),
    (".htaccess", 'starts with "."'),
    (" .bashrc", 'starts with "."'),
    ("~$tender.docx", 'starts with "~"'),
    ("x\x00.pdf", "control"),
    ("tender\n.pdf", "control"),
    ("tender\r\nContent-Type: text/html.pdf", "control"),
    ("evil\u202efdp.exe", "invisible"),
    ("tender\u2028.pdf", "control"),
    ("", "no name"),
    ("   \t ", "no name"),
    ("\u200c", "no name"),
], ids=repr)
def test_an_unsafe_name_is_refused_with_its_reason(name, reason):
    with pytest.raises(DocumentRefused, match=r"tender\.pdf") as refused:
        clean_filename(name)
    assert reason in str(refused.value)
    with pytest.raises(DocumentRefused):
        check(name, PDF)


def test_the_refusal_quotes_the_name_with_its_control_characters_written_out():
    with pytest.raises(DocumentRefused) as refused:
        clean_filename("x\x00.pdf")
    assert '"x\\x00.pdf"' in str(refused.value) and "\x00" not in str(refused.value)
    with pytest.raises(DocumentRefused) as refused:
        clean_filename("../../etc/passwd")
    assert str(refused.value) == ('The file name "../../etc/passwd" contains a folder path; upload the file under a '
                                  "plain name such as tender.pdf.")


@pytest.mark.parametrize(("name", "clean"), [
    ("Cafe\u0301 menu.pdf", "Caf\u00e9 menu.pdf"),
    ("  method   statement .pdf  ", "method statement .pdf"),
    ("tender.pdf . ", "tender.pdf"),
    ("العطاء.pdf", "العطاء.pdf"),
    ("می\u200cخواهم.pdf", "می\u200cخواهم.pdf"),
    ("v1.2 final.docx", "v1.2 final.docx"),
])
def test_a_plain_name_is_kept_normalised(name, clean):
    assert clean_filename(name) == clean


def test_a_zip_bomb_is_refused_from_its_declared_size():
    bomb = bomb_300_mb()
    assert len(bomb) < MB  # small on the wire, 300 MB once inflated
    assert "would unpack to more than 200 MB" in refusal("bomb.docx", bomb)


def test_a_part_compressed_more_than_100_to_1_is_refused():
    bomb = zeros("word/media/zeros.bin", 8 * MB, {"[Content_Types].xml": CONTENT_TYPES,
                                                   "word/document.xml": b"<w:document/>"})
    assert "compressed more than 100 to 1" in refusal("bomb.docx", bomb)
    # Below 1 MB the ratio does not matter: a page of blank XML compresses well and is harmless.
    small = docx({"word/media/blank": bytes(MB)})
    assert check("small.docx", small)[1].name == "docx"


def test_a_declared_ratio_above_100_to_1_is_refused_before_anything_is_unpacked():
    claims = patched(docx({"word/media/text": b"x" * 5000}), "word/media/text", size=150 * MB)
    assert "compressed more than 100 to 1" in refusal("claims.docx", claims)


def test_a_zip_that_lies_about_its_sizes_is_measured_by_unpacking_it():
    honest = zeros("word/media/zeros.bin", 8 * MB, {"[Content_Types].xml": CONTENT_TYPES,
                                                     "word/document.xml": b"<w:document/>"})
    liar = patched(honest, "word/media/zeros.bin", size=1000, crc=zlib.crc32(bytes(1000)))
    # Python's own zipfile believes it and reads 1000 bytes; another reader would unpack 8 MB.
    assert len(zipfile.ZipFile(io.BytesIO(liar)).read("word/media/zeros.bin")) == 1000
    assert "compressed more than 100 to 1" in refusal("liar.docx", liar)


def test_the_unpacking_stops_at_the_hard_cap_whatever_the_sizes_declare(monkeypatch):
    noise = random.Random(7).randbytes(3 * MB)  # barely compresses, so only the total can stop it
    liar = patched(docx({"word/media/noise": noise}), "word/media/noise", size=100)
    monkeypatch.setattr(documents, "MAX_UNZIPPED_BYTES", 2 * MB)
    assert "would unpack to more than 2 MB" in refusal("liar.docx", liar)


def test_a_part_smaller_than_it_declares_is_refused():
    liar = patched(docx({"word/media/text": b"x" * 5000}), "word/media/text", size=4000)
    assert "does not match the sizes it declares" in refusal("liar.docx", liar)


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED], ids=["stored", "deflated"])
def test_an_archive_inside_the_document_is_refused(method):
    inner = archive({"deeper.zip": archive({"a.txt": b"a"})})
    nested = archive({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w:document/>",
                      "word/embeddings/inner.zip": inner}, method)
    assert "another compressed archive inside it" in refusal("nested.docx", nested)


def test_too_many_parts_are_refused_before_they_are_listed():
    many = archive({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w:document/>"}
                   | {f"word/p{i}.xml": b"" for i in range(10_000)}, zipfile.ZIP_STORED)
    assert "more than 10,000 parts" in refusal("many.docx", many)
    assert sniff(many) is None


def test_a_document_with_macros_is_refused():
    macro = docx({"word/vbaProject.bin": b"Attribute VB_Name"})
    assert sniff(macro) is None
    assert "contains macros" in refusal("macro.docx", macro)


def test_an_encrypted_part_is_refused():
    locked = patched(docx(), "word/document.xml", flags=0x1)
    assert "encrypted" in refusal("locked.docx", locked)


@pytest.mark.parametrize("part", ["../../evil.xml", "/etc/cron.d/evil", "word\\..\\..\\evil.xml", "C:/evil.xml"])
def test_a_part_named_with_a_path_outside_the_file_is_refused(part):
    escape = archive({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w:document/>", part: b"x"})
    assert "leads outside the file" in refusal("escape.docx", escape)


def test_two_parts_with_the_same_name_are_refused():
    buffer = io.BytesIO(docx())
    with pytest.warns(UserWarning), zipfile.ZipFile(buffer, "a") as zipped:
        zipped.writestr("word/document.xml", b"<w:document>other</w:document>")
    assert "same name" in refusal("twice.docx", buffer.getvalue())


def test_a_compression_method_office_programs_do_not_use_is_refused():
    assert "compression method" in refusal("bz.docx", archive(
        {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w:document/>"}, zipfile.ZIP_BZIP2))


def broken_stream(data: bytes) -> bytes:
    stream = zlib.compress(b"<w:document/>")[2:-4]  # the raw deflate stream, as zipfile writes it
    assert stream in data
    return data.replace(stream, bytes(len(stream)))


@pytest.mark.parametrize("damage", [lambda data: data[: len(data) // 2], lambda data: data[:-10], broken_stream,
                                    lambda data: data[:4] + b"not really a zip"],
                         ids=["cut-in-half", "end-record-cut", "broken-stream", "signature-only"])
def test_a_damaged_zip_is_refused_clearly(damage):
    assert "damaged" in refusal("broken.docx", damage(docx()))


def test_the_hash_is_the_sha256_of_the_bytes():
    assert sha256(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


# Every separator, dot, colon and control character an attacker might reach for, among ordinary text.
tricky_pieces = st.sampled_from([*"./\\~:C \t\n\r\x00\x7f\u202e\u2028\u200c\u0301\ufeffa.é", "..", "../", "C:", ".pdf"])
tricky_names = st.one_of(st.text(), st.lists(tricky_pieces | st.characters(), max_size=30).map("".join))


@given(tricky_names)
def test_a_cleaned_name_is_always_a_plain_name(name):
    try:
        clean = clean_filename(name)
    except DocumentRefused:
        return
    assert any(c.isprintable() and not c.isspace() for c in clean) and len(clean) <= documents.MAX_NAME_LENGTH
    assert "/" not in clean and "\\" not in clean and ".." not in clean
    assert not clean.startswith((".", "~", " ")) and clean == clean.strip()
    assert all(unicodedata.category(c) not in ("Cc", "Cs", "Zl", "Zp") for c in clean)
    assert all(unicodedata.category(c) != "Cf" for c in clean.replace("\u200c", "").replace("\u200d", ""))
    assert clean == unicodedata.normalize("NFC", clean) == clean_filename(clean)


def mutated(base: bytes, changes: list[tuple[int, int]], cut: int) -> bytes:
    data = bytearray(base)
    for position, value in changes:
        data[position % len(data)] = value
    return bytes(data[: max(cut, 4)])


valid_zips = st.sampled_from([docx(), xlsx(), odf(b"application/vnd.oasis.opendocument.text")])
damaged_zips = st.builds(mutated, valid_zips, st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)),
                                                       max_size=8), st.integers(4, 2000))
any_bytes = st.one_of(st.binary(), st.binary().map(lambda tail: b"PK\x03\x04" + tail), damaged_zips)


@settings(max_examples=300)
@given(st.sampled_from(["tender.pdf", "answers.docx"]) | st.text(max_size=30), any_bytes)
def test_check_refuses_or_accepts_any_bytes_and_never_fails_otherwise(name, data):
    try:
        clean, kind = check(name, data)
    except DocumentRefused as refused:
        assert str(refused).endswith(".")
        return
    assert kind is sniff(data) and clean == clean_filename(clean)


@given(st.text(max_size=40))
def test_a_download_name_folds_to_no_folder_and_keeps_everything_else(name):
    shown = documents.download_name(name)
    folded = unicodedata.normalize("NFKD", shown).encode("ascii", "ignore").decode()
    assert ".." not in folded and "/" not in folded and "\\" not in folded
    assert len(shown) == len(name)
    assert all(a == b or b == "_" for a, b in zip(name, shown, strict=True))
