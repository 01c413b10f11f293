"""Open Contracting's own review library, libcoveocds (what the OCDS Data Review Tool runs), offline.

It reads the standard from a ZIP of the standard's repository and each extension from the ZIP of its repository at
the tag (or branch) its address names. Here those ZIPs are made from the schema files the project ships
(consort/publication/ocds_schema), and every HTTP request it makes is answered from those files too: an extension's
files, its repository's ZIP, the standard's schema files; anything else is refused and remembered, so that a test
can say that nothing was fetched from the network."""
import io
import json
import zipfile
from functools import cache
from urllib.parse import urlsplit

import requests
from libcoveocds.api import ocds_json_output
from libcoveocds.config import LibCoveOCDSConfig
from ocdsextensionregistry.versioned_release_schema import get_versioned_release_schema
from urllib3.response import HTTPResponse

from consort.publication.schema import SCHEMA_DIR, extension_dir

STANDARD = SCHEMA_DIR / "1.1.5"
EXTENSIONS_OWNER = "open-contracting-extensions"
STANDARD_SCHEMA = ("standard.open-contracting.org", "schema/1__1__5/")


@cache
def standard_zip() -> bytes:
    """The standard's repository as libcoveocds downloads it (schema/ under one top folder), from the local copy,
    with the versioned release schema derived from the release schema as the standard derives it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("standard-1__1__5/", "")
        for path in sorted(STANDARD.rglob("*")):
            if path.is_file():
                archive.writestr(f"standard-1__1__5/schema/{path.relative_to(STANDARD)}", path.read_bytes())
        archive.writestr("standard-1__1__5/schema/versioned-release-validation-schema.json", versioned_schema())
    return buffer.getvalue()


@cache
def versioned_schema() -> bytes:
    release_schema = json.loads((STANDARD / "release-schema.json").read_text())
    return json.dumps(get_versioned_release_schema(release_schema, "1__1__5")).encode()


@cache
def extension_zip(name: str, ref: str) -> bytes:
    """An extension's repository at a tag or branch, as its host serves it for download."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{name}-{ref}/", "")
        for path in sorted(extension_dir(name).rglob("*")):
            if path.is_file():
                archive.writestr(f"{name}-{ref}/{path.relative_to(extension_dir(name))}", path.read_bytes())
    return buffer.getvalue()


class LocalFiles:
    """Stands in for the network: extension files from the shipped copy, every other request refused."""

    def __init__(self):
        self.refused: list[str] = []
        self.served: list[str] = []

    def _local(self, url: str) -> bytes | None:
        """The shipped bytes for an address libcoveocds asks for; None for a file the source does not have."""
        parts = urlsplit(url)
        segments = parts.path.strip("/").split("/")
        if parts.netloc == "raw.githubusercontent.com" and segments[0] == EXTENSIONS_OWNER and len(segments) >= 4:
            local = extension_dir(segments[1]) / "/".join(segments[3:])
            return local.read_bytes() if local.is_file() else None
        if parts.netloc == "github.com" and segments[0] == EXTENSIONS_OWNER and segments[2:3] == ["archive"]:
            return extension_zip(segments[1], segments[3].removesuffix(".zip"))
        if (parts.netloc, parts.path.lstrip("/").removesuffix(segments[-1])) == STANDARD_SCHEMA:
            if segments[-1] == "versioned-release-validation-schema.json":
                return versioned_schema()
            local = STANDARD / segments[-1]
            return local.read_bytes() if local.is_file() else None
        raise LookupError(url)

    def send(self, adapter, request, **_):
        try:
            content = self._local(request.url)
        except LookupError:
            self.refused.append(request.url)
            raise requests.ConnectionError(f"offline: {request.url} is not one of the shipped schema files") from None
        self.served.append(request.url)
        status, reason, body = (404, "Not Found", b"404: Not Found") if content is None else (200, "OK", content)
        response = requests.Response()
        response.request, response.url, response.encoding = request, request.url, "utf-8"
        response.status_code, response.reason, response._content = status, reason, body
        # What requests_cache, in front of ocdsextensionregistry, reads of a response from the wire.
        response.raw = HTTPResponse(body=io.BytesIO(body), status=status, reason=reason, preload_content=False,
                                    request_url=request.url)
        return response


def review(package: dict, tmp_path, monkeypatch) -> tuple[dict, LocalFiles]:
    """libcoveocds's report on a release or record package, and what it asked of the network."""
    network = LocalFiles()
    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send",
                        lambda adapter, request, **kwargs: network.send(adapter, request, **kwargs))
    config = LibCoveOCDSConfig({"standard_zip": standard_zip(), "context": "api"})
    report = ocds_json_output(str(tmp_path), json_data=json.loads(json.dumps(package)),
                              lib_cove_ocds_config=config, record_pkg="records" in package)
    return report, network
