"""Which uploaded documents a bid may carry: the type told from the content, a size limit, a safe name, no bombs.

Pure: bytes and a name in, a verdict out. Storing the file is the service's business.
"""
import hashlib
import io
import math
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_NAME_LENGTH = 200
MAX_ZIP_ENTRIES = 10_000
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100  # uncompressed : compressed, for any part larger than RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
CHUNK = 64 * 1024

ZIP_SIGNATURE = b"PK\x03\x04"
CENTRAL_SIGNATURE = b"PK\x01\x02"
LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, then the name's and the extra field's lengths
ENCRYPTED = 0x1 | 0x40  # traditional and strong encryption
# Zero-width (non-)joiners belong to Persian words and emoji; every other invisible character is refused.
ALLOWED_FORMAT_CHARACTERS = {"\u200c", "\u200d"}
DRIVE = re.compile(r"^[A-Za-z]:")
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, RuntimeError,
              NotImplementedError, struct.error, zlib.error, KeyError, IndexError, OverflowError)


@dataclass(frozen=True)
class DocumentKind:
    name: str
    media_type: str
    label: str
    extension: str


PDF = DocumentKind("pdf", "application/pdf", "PDF", ".pdf")
PNG = DocumentKind("png", "image/png", "PNG image", ".png")
JPEG = DocumentKind("jpeg", "image/jpeg", "JPEG image", ".jpg")
GIF = DocumentKind("gif", "image/gif", "GIF image", ".gif")
WEBP = DocumentKind("webp", "image/webp", "WebP image", ".webp")
DOCX = DocumentKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    "Word document (DOCX)", ".docx")
XLSX = DocumentKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    "Excel workbook (XLSX)", ".xlsx")
ODT = DocumentKind("odt", "application/vnd.oasis.opendocument.text", "OpenDocument text", ".odt")
ODS = DocumentKind("ods", "application/vnd.oasis.opendocument.spreadsheet", "OpenDocument spreadsheet", ".ods")
ODP = DocumentKind("odp", "application/vnd.oasis.opendocument.presentation", "OpenDocument presentation", ".odp")
KINDS = {kind.name: kind for kind in (PDF, ODT, ODS, ODP, DOCX, XLSX, PNG, JPEG, GIF, WEBP)}
ODF = {kind.media_type: kind for kind in (ODT, ODS, ODP)}
SIGNATURES = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG), (b"GIF87a", GIF),
              (b"GIF89a", GIF))
OTHER_EXTENSIONS = {"jpeg": {".jpeg", ".jpe"}}

PLAIN_NAME = "upload the file under a plain name such as tender.pdf"
DAMAGED = "This file is damaged and cannot be opened; save it again and upload the new copy."
BOMB = "it looks like a zip bomb (a file built to exhaust the computer that opens it), so it was refused"


class DocumentRefused(ValueError):
    """Why a document cannot be stored, in a sentence a person can act on."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _size(size: int, rounding: Callable[[float], int] = round) -> str:
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{rounding(size * 10 / scale) / 10:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def _too_large(size: int, limit: int) -> str:
    # A file just over the limit must not read as the limit itself: "20 MB; the limit is 20 MB".
    shown, limit_shown = _size(size), _size(limit, math.floor)
    if shown == limit_shown:
        shown = _size(size, math.ceil)
    return f"This file is {shown}; the limit is {limit_shown}."


def _shown(name: str) -> str:
    # A refused name goes back into a message: its invisible characters are written out, not passed on.
    shown = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in name)
    return f'"{shown}"' if len(shown) <= 80 else f'"{shown[:79]}…"'


def _is_control(character: str) -> bool:
    category = unicodedata.category(character)
    return category in ("Cc", "Cs", "Zl", "Zp") or (category == "Cf" and character not in ALLOWED_FORMAT_CHARACTERS)


def _split_extension(name: str) -> tuple[str, str]:
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or not extension or len(extension) > 10 or " " in extension:
        return name, ""
    return stem, dot + extension


def _shortened(name: str) -> str:
    if len(name) <= MAX_NAME_LENGTH:
        return name
    stem, extension = _split_extension(name)
    return stem[: MAX_NAME_LENGTH - len(extension)].rstrip(". ") + extension


def clean_filename(name: str) -> str:
    """The name to show for an upload: a plain file name, or DocumentRefused saying what is wrong with it."""
    name = unicodedata.normalize("NFC", name)
    if not name.strip():
        raise DocumentRefused(f"The file has no name; {PLAIN_NAME}.")
    if any(_is_control(c) for c in name):
        raise DocumentRefused(f"The file name {_shown(name)} contains control or invisible characters; "
                              f"{PLAIN_NAME}.")
    name = " ".join(name.split())
    if "/" in name or "\\" in name or DRIVE.match(name):
        raise DocumentRefused(f"The file name {_shown(name)} contains a folder path; {PLAIN_NAME}.")
    if ".." in name:
        raise DocumentRefused(f'The file name {_shown(name)} contains "..", which can name another folder; '
                              f"{PLAIN_NAME}.")
    if name.startswith((".", "~")):
        raise DocumentRefused(f'The file name {_shown(name)} starts with "{name[0]}", which marks a hidden or '
                              f"temporary file; {PLAIN_NAME}.")
    name = _shortened(name.rstrip(". "))
    if not any(c.isprintable() and not c.isspace() for c in name):
        raise DocumentRefused(f"The file has no name; {PLAIN_NAME}.")
    return name


def download_name(name: str) -> str:
    """The name to send a stored file under: as stored, but with "_" for any character whose compatibility form is a
    folder separator or makes a run of dots (U+2025, U+FF0F), so that the plain ASCII name a browser falls back on (the
    NFKD form, as Werkzeug writes `filename=`) can never name another folder."""
    result, previous = [], ""
    for char in name:
        folded = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
        if "/" in folded or "\\" in folded or ".." in folded or (folded.startswith(".") and previous.endswith(".")):
            char = folded = "_"
        result.append(char)
        previous = folded or previous
    return "".join(result)


def _open_archive(data: bytes) -> zipfile.ZipFile:
    # Counting signatures takes milliseconds; listing half a million parts takes seconds and hundreds of MB.
    # Every part listed has one in the data, so the count is never below the number of parts.
    if data.count(CENTRAL_SIGNATURE) > MAX_ZIP_ENTRIES:
        raise DocumentRefused(f"This file holds more than {MAX_ZIP_ENTRIES:,} parts; {BOMB}.")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except ZIP_ERRORS:
        raise DocumentRefused(DAMAGED) from None


def _is_macro(part_name: str) -> bool:
    return part_name.replace("\\", "/").rpartition("/")[2].lower() == "vbaproject.bin"


def _odf_media_type(archive: zipfile.ZipFile, first: zipfile.ZipInfo) -> str | None:
    if (first.filename != "mimetype" or first.compress_type != zipfile.ZIP_STORED or first.flag_bits & ENCRYPTED
            or first.file_size > 100):
        return None
    try:
        with archive.open(first) as part:
            return part.read(100).decode("ascii")
    except (*ZIP_ERRORS, UnicodeDecodeError):
        return None


def _zip_kind(archive: zipfile.ZipFile) -> DocumentKind | None:
    infos = archive.infolist()
    names = {info.filename for info in infos}
    if not infos or any(_is_macro(name) for name in names):
        return None
    if media_type := _odf_media_type(archive, infos[0]):
        return ODF.get(media_type)
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return DOCX
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return XLSX
    return None


def sniff(data: bytes) -> DocumentKind | None:
    """What the bytes are, whatever the file is called; None for anything a bid may not carry."""
    for signature, kind in SIGNATURES:
        if data.startswith(signature):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(ZIP_SIGNATURE):
        try:
            return _zip_kind(_open_archive(data))
        except DocumentRefused:
            return None
    return None


def _refuse_declared_bombs(infos: list[zipfile.ZipInfo]) -> None:
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise DocumentRefused("This file holds two parts under the same name, so different programs would read "
                              "different content; save it again and upload the new copy.")
    if sum(info.file_size for info in infos) > MAX_UNZIPPED_BYTES:
        raise DocumentRefused(f"This file would unpack to more than {_size(MAX_UNZIPPED_BYTES)}; {BOMB}.")
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * info.compress_size:
            raise DocumentRefused(f"A part of this file is compressed more than {MAX_RATIO} to 1; {BOMB}.")


def _refuse_unsafe_part(info: zipfile.ZipInfo) -> None:
    if info.flag_bits & ENCRYPTED:
        raise DocumentRefused("This file is encrypted; remove its password and upload it again.")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise DocumentRefused("This file uses a compression method that office programs do not use; save it "
                              "again from your office program and upload the new copy.")
    path = info.filename.replace("\\", "/")
    if path.startswith("/") or DRIVE.match(path) or ".." in path.split("/"):
        raise DocumentRefused(f"This file holds a part named {_shown(info.filename)}, a folder path that leads "
                              "outside the file, so it was refused.")
    if _is_macro(path):
        raise DocumentRefused("This file contains macros, which a bid may not carry; save it as a document "
                              "without macros (DOCX or XLSX) and upload that.")


def _compressed(data: bytes, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> memoryview:
    """The part's compressed bytes, found from its own header: nothing is unpacked yet."""
    try:
        archive.open(info).close()  # the standard library checks the part's header against the listing
        signature, name_length, extra_length = LOCAL_HEADER.unpack_from(data, info.header_offset)
    except ZIP_ERRORS:
        raise DocumentRefused(DAMAGED) from None
    start = info.header_offset + LOCAL_HEADER.size + name_length + extra_length
    if signature != ZIP_SIGNATURE or start + info.compress_size > len(data):
        raise DocumentRefused(DAMAGED)
    return memoryview(data)[start:start + info.compress_size]


def _unpacked(compressed: memoryview, method: int) -> Iterator[bytes]:
    """The part's content in chunks, read to the real end of its compressed stream."""
    if method == zipfile.ZIP_STORED:
        for start in range(0, len(compressed), CHUNK):
            yield bytes(compressed[start:start + CHUNK])
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    position, pending = 0, b""
    while not inflater.eof:
        if not pending:
            if position >= len(compressed):
                raise DocumentRefused(DAMAGED)
            pending, position = compressed[position:position + CHUNK], position + CHUNK
        yield inflater.decompress(pending, CHUNK)
        pending = inflater.unconsumed_tail


def _unpacked_size(info: zipfile.ZipInfo, compressed: memoryview, unpacked_before: int) -> int:
    # Python's zipfile stops at the size a part declares; other readers do not, so the real size is measured.
    size, crc, head = 0, 0, b""
    try:
        for chunk in _unpacked(compressed, info.compress_type):
            if len(head) < len(ZIP_SIGNATURE):
                head += chunk[: len(ZIP_SIGNATURE) - len(head)]
                if head == ZIP_SIGNATURE:
                    raise DocumentRefused("This file contains another compressed archive inside it; nested "
                                          "archives are refused. Upload the documents themselves.")
            size, crc = size + len(chunk), zlib.crc32(chunk, crc)
            if unpacked_before + size > MAX_UNZIPPED_BYTES:
                raise DocumentRefused(f"This file would unpack to more than {_size(MAX_UNZIPPED_BYTES)}; {BOMB}.")
            if size > RATIO_FLOOR and size > MAX_RATIO * len(compressed):
                raise DocumentRefused(f"A part of this file is compressed more than {MAX_RATIO} to 1; {BOMB}.")
    except zlib.error:
        raise DocumentRefused(DAMAGED) from None
    if size != info.file_size or crc != info.CRC:
        raise DocumentRefused("This file's content does not match the sizes it declares, so it is damaged or "
                              "built to mislead; save it again and upload the new copy.")
    return size


def _refuse_unsafe_archive(data: bytes) -> None:
    """Refuse a zip-based file that would exhaust its reader, hide what it holds or carry macros."""
    archive = _open_archive(data)
    infos = archive.infolist()
    _refuse_declared_bombs(infos)
    for info in infos:
        _refuse_unsafe_part(info)
    unpacked = 0
    for info in infos:
        unpacked += _unpacked_size(info, _compressed(data, archive, info), unpacked)


def _named_for(name: str, kind: DocumentKind) -> str:
    extension = _split_extension(name)[1].lower()
    if extension == kind.extension or extension in OTHER_EXTENSIONS.get(kind.name, ()):
        return name
    return _shortened(name + kind.extension)


def check(name: str, data: bytes, max_bytes: int = MAX_DOCUMENT_BYTES) -> tuple[str, DocumentKind]:
    """The name to keep and the kind of a document a bid may carry, or DocumentRefused saying why not."""
    clean = clean_filename(name)
    if not data:
        raise DocumentRefused(f'"{clean}" is empty; upload the file with its content.')
    if len(data) > max_bytes:
        raise DocumentRefused(_too_large(len(data), max_bytes))
    if data.startswith(ZIP_SIGNATURE):
        _refuse_unsafe_archive(data)
    kind = sniff(data)
    if kind is None:
        raise DocumentRefused(f'"{clean}" is not a PDF, OpenDocument, Word (DOCX), Excel (XLSX) or image (PNG, '
                              "JPEG, GIF, WebP) file. Its content was checked, not its name.")
    return _named_for(clean, kind), kind
