"""The OCDS schema kept in ocds_schema/ (copied from the standard and its extensions), built the way OCDS profiles
are built, for validating packages offline and for the merge rules of compiled releases."""
import copy
import json
from functools import cache
from pathlib import Path

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from consort.publication.domain import merging

SCHEMA_DIR = Path(__file__).parent / "ocds_schema"
RELEASE_SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
# Written here from the extension's documentation, as its files were not among the copies (ocds_written/README.md).
WRITTEN_DIR = Path(__file__).parent / "ocds_written"
RELEASE_EXTENSIONS = ("ocds_lots_extension", "ocds_bid_extension", "ocds_techniques_extension",
                      "ocds_partyDetails_scale_extension")
PAGINATION = SCHEMA_DIR / "extensions" / "ocds_pagination_extension"


def _read(path: Path) -> dict:
    return json.loads(path.read_text())


def extension_dir(name: str) -> Path:
    """Where an extension's files are: among the copies, or else among those written here."""
    copied = SCHEMA_DIR / "extensions" / name
    return copied if copied.is_dir() else WRITTEN_DIR / name


@cache
def patched_release_schema() -> dict:
    """The OCDS 1.1.5 release schema with the lots, bid, techniques and party scale extensions merged in (RFC 7386)."""
    schema = _read(SCHEMA_DIR / "1.1.5" / "release-schema.json")
    for extension in RELEASE_EXTENSIONS:
        schema = merge_patch(schema, _read(extension_dir(extension) / "release-schema.json"))
    return schema


@cache
def package_schema(kind: str) -> dict:
    """The release or record package schema, with the pagination extension's `links`. Only its properties are
    merged in: its patch also sets `"required": []`, which as a merge patch would drop the package's own required
    fields."""
    schema = _read(SCHEMA_DIR / "1.1.5" / f"{kind}-package-schema.json")
    patch = _read(PAGINATION / f"{kind}-package-schema.json")
    return merge_patch(schema, {"properties": patch["properties"]})


def merge_patch(target, patch):
    """RFC 7386: objects merged key by key, a null deleting a key, anything else replacing."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _dereferenced(schema, definitions: dict, seen: tuple = ()):
    if isinstance(schema, dict):
        if "$ref" in schema and schema["$ref"].startswith("#/definitions/"):
            name = schema["$ref"].removeprefix("#/definitions/")
            if name in seen:
                return {}
            return _dereferenced(definitions[name], definitions, (*seen, name))
        return {key: _dereferenced(value, definitions, seen) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_dereferenced(item, definitions, seen) for item in schema]
    return schema


@cache
def release_merge_rules() -> dict:
    """The merge rule of each field of the patched release schema (see `domain.merging`)."""
    schema = patched_release_schema()
    return merging.merge_rules(_dereferenced(schema["properties"], schema["definitions"]))


def _validator(kind: str) -> Draft4Validator:
    registry = Registry().with_resource(RELEASE_SCHEMA_URL,
                                        Resource(patched_release_schema(), specification=DRAFT4))
    return Draft4Validator(package_schema(kind), registry=registry, format_checker=FormatChecker())


def validation_errors(package: dict) -> list[str]:
    """Every way a release or record package breaks the schema, formats included, offline; empty when valid."""
    kind = "record" if "records" in package and "releases" not in package else "release"
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in _validator(kind).iter_errors(package)]
