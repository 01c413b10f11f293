"""Which uploaded documents a bid may carry: the type told from the content, a size limit, a safe name, no bombs.

Pure: bytes and a name in, a verdict out. Storing the file is the service's business.
"""
import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_ZIP_ENTRIES = 10_000
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100  # uncompressed : compressed, for any entry above RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
MAX_NAME_LENGTH = 200
ZIP_SIGNATURE = b"PK\x03\x04"


@dataclass(frozen=True)
class DocumentKind:
    name: str
    media_type: str
    label: str
    extension: str


def _kind(name, media_type, label, extension=None) -> DocumentKind:
    return DocumentKind(name, media_type, label, extension or f".{name}")


PDF = _kind("pdf", "application/pdf", "PDF")
PNG = _kind("png", "image/png", "PNG image")
JPEG = _kind("jpeg", "image/jpeg", "JPEG image", ".jpg")
GIF = _kind("gif", "image/gif", "GIF image")
WEBP = _kind("webp", "image/webp", "WebP image")
DOCX = _kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "Word document (DOCX)")
XLSX = _kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel workbook (XLSX)")
ODF = {kind.media_type: kind for kind in (
    _kind("odt", "application/vnd.oasis.opendocument.text", "OpenDocument text"),
    _kind("ods", "application/vnd.oasis.opendocument.spreadsheet", "OpenDocument spreadsheet"),
    _kind("odp", "application/vnd.oasis.opendocument.presentation", "OpenDocument presentation"),
)}
EXTENSIONS = {
    "pdf": {".pdf"}, "png": {".png"}, "jpeg": {".jpg", ".jpeg"}, "gif": {".gif"}, "webp": {".webp"},
    "docx": {".docx"}, "xlsx": {".xlsx"}, "odt": {".odt"}, "ods": {".ods"}, "odp": {".odp"},
}
ACCEPTED = "a PDF, OpenDocument, Word (DOCX), Excel (XLSX) or image (PNG, JPEG, GIF, WebP) file"


class DocumentRefused(ValueError):
    """Why a document cannot be stored, in a sentence a person can act on."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def clean_filename(name: str) -> str:
    """The name to show for an upload: a plain file name, or DocumentRefused saying what is wrong with it."""
    name = unicodedata.normalize("NFC", name or "")
    shown = name.encode("unicode_escape").decode("ascii")[:80]
    if not name.strip():
        raise DocumentRefused("The file has no name; upload it under a plain name such as tender.pdf.")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name):
        raise DocumentRefused(f'The file name "{shown}" contains control characters; rename the file, '
                              "for example to tender.pdf.")
    if "/" in name or "\\" in name or re.match(r"^[A-Za-z]:", name) or ".." in name.split("."):
        raise DocumentRefused(f'The file name "{shown}" contains a folder path; upload the file under a plain name '
                              "such as tender.pdf.")
    if ".." in name:
        raise DocumentRefused(f'The file name "{shown}" contains "..", which could name another folder; '
                              "rename the file, for example to tender.pdf.")
    name = " ".join(name.split())
    if name.startswith((".", "~")):
        raise DocumentRefused(f'The file name "{shown}" starts with "{name[0]}", which marks a hidden or temporary '
                              "file; upload the document itself under a plain name.")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and len(extension) <= 10:
            name = stem[: MAX_NAME_LENGTH - len(extension) - 1] + "." + extension
        else:
            name = name[:MAX_NAME_LENGTH]
    return name


def _zip_kind(data: bytes) -> DocumentKind | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError):
        return None
    infos = archive.infolist()
    if infos and infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED:
        try:
            media_type = archive.read(infos[0]).decode("ascii", "replace").strip()
        except (zipfile.BadZipFile, RuntimeError, ValueError, OSError, NotImplementedError, EOFError):
            return None
        return ODF.get(media_type)
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    return None


def sniff(data: bytes) -> DocumentKind | None:
    """What the bytes are, whatever the file is called; None for anything a bid may not carry."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(ZIP_SIGNATURE):
        return _zip_kind(data)
    return None


def _check_archive(data: bytes, label: str) -> None:
    """Refuse a zip-based document that could exhaust memory or disk when a reader opens it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError):
        raise DocumentRefused(f"This {label} is damaged and cannot be opened; save it again and upload "
                              "the new copy.") from None
    if len(infos) > MAX_ZIP_ENTRIES:
        raise DocumentRefused(f"This {label} holds {len(infos):,} parts; at most {MAX_ZIP_ENTRIES:,} are allowed.")
    if sum(info.file_size for info in infos) > MAX_UNZIPPED_BYTES:
        raise DocumentRefused(f"This {label} would unpack to more than {_megabytes(MAX_UNZIPPED_BYTES)}: it looks "
                              "like a zip bomb (a compressed file built to exhaust the reader), so it was refused.")
    for info in infos:
        if info.flag_bits & 0x1:
            raise DocumentRefused(f"This {label} is encrypted; upload it without a password.")
        if info.filename.startswith(("/", "\\")) or ".." in re.split(r"[/\\]", info.filename):
            raise DocumentRefused(f"This {label} holds a part named with a folder path that leaves the file; "
                                  "it was refused.")
        if info.filename.lower().endswith("vbaproject.bin"):
            raise DocumentRefused(f"This {label} contains macros, which bids may not carry; save it as a "
                                  "document without macros (DOCX or XLSX) and upload that.")
    total = 0
    for info in infos:
        compressed = max(info.compress_size, 1)
        size = 0
        try:
            with archive.open(info) as part:
                head = part.read(4)
                size += len(head)
                if head == ZIP_SIGNATURE:
                    raise DocumentRefused(f"This {label} contains another compressed archive inside it; "
                                          "nested archives are refused.")
                # Read, never trust the sizes the archive declares: it may lie about them.
                while chunk := part.read(64 * 1024):
                    size += len(chunk)
                    if total + size > MAX_UNZIPPED_BYTES or (size > RATIO_FLOOR and size / compressed > MAX_RATIO):
                        raise DocumentRefused(
                            f"This {label} is compressed more than {MAX_RATIO} to 1: it looks like a zip bomb (a "
                            "compressed file built to exhaust the reader), so it was refused.")
        except DocumentRefused:
            raise
        except (zipfile.BadZipFile, RuntimeError, ValueError, OSError, NotImplementedError, EOFError):
            raise DocumentRefused(f"This {label} is damaged and cannot be opened; save it again and upload "
                                  "the new copy.") from None
        total += size


def check(name: str, data: bytes, max_bytes: int = MAX_DOCUMENT_BYTES) -> tuple[str, DocumentKind]:
    """The name to keep and the kind of a document a bid may carry, or DocumentRefused saying why not."""
    clean = clean_filename(name)
    if not data:
        raise DocumentRefused(f'"{clean}" is empty; upload the file with its content.')
    if len(data) > max_bytes:
        raise DocumentRefused(f"This file is {_megabytes(len(data))}; the limit is {max_bytes / 1024 / 1024:.0f} MB.")
    kind = sniff(data)
    if kind is None:
        raise DocumentRefused(f'"{clean}" is not {ACCEPTED}. Its content was checked, not its name.')
    if data.startswith(ZIP_SIGNATURE):
        _check_archive(data, kind.label)
    extension = "." + clean.rpartition(".")[2].lower() if "." in clean else ""
    if extension not in EXTENSIONS[kind.name]:
        clean = clean[: MAX_NAME_LENGTH - len(kind.extension)] + kind.extension
    return clean, kind
