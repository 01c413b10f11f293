"""API: a framework's OCDS release package and record package, and the public feed of every release."""
import re
from datetime import UTC, datetime, time

from flask import request
from pydantic import BaseModel

from app import caching
from app.api import api_blueprint
from app.api.auth import api_user, token_required
from app.api.openapi import operation
from app.api.pagination import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE
from app.domain.errors import ValidationFailed
from consort.publication import ocds, releases
from frameworks import services as frameworks

bp = api_blueprint("publication_api", __name__)


class Publisher(BaseModel):
    name: str


class OcdsPackage(BaseModel):
    """The package's own fields; the releases are checked against the OCDS schema itself (tests/integration)."""

    uri: str
    version: str
    extensions: list[str]
    publishedDate: str  # noqa: N815 - OCDS's own field names
    publisher: Publisher
    license: str
    publicationPolicy: str  # noqa: N815
    releases: list[dict]


class OcdsRecordPackage(BaseModel):
    """A record package: one record per contracting process, with its releases and compiled release."""

    uri: str
    version: str
    extensions: list[str]
    publishedDate: str  # noqa: N815
    publisher: Publisher
    license: str
    publicationPolicy: str  # noqa: N815
    records: list[dict]


class OcdsFeedPage(OcdsPackage):
    """A page of the feed: a release package with `links.next` (OCDS's pagination extension) while more follow."""

    links: dict[str, str]


@bp.get("/frameworks/<int:framework_id>/ocds")
@token_required()
@operation("The framework's OCDS 1.1.5 release package: every release, each as first published",
           responses={200: OcdsPackage}, errors=(404,))
def get_ocds(framework_id: int):
    """Every release of the framework and its call-offs, oldest first."""
    frameworks.get_visible(api_user(), framework_id)
    return ocds.release_package(framework_id)


@bp.get("/frameworks/<int:framework_id>/ocds/record")
@token_required()
@operation("The framework's OCDS record package: the compiled release and the releases of each process",
           responses={200: OcdsRecordPackage}, errors=(404,))
def get_ocds_record(framework_id: int):
    """The records of the framework and of its call-offs."""
    frameworks.get_visible(api_user(), framework_id)
    return ocds.record_package(framework_id)


@bp.get("/ocds/releases")
@operation("Every OCDS release published, newest first, a page at a time (links.next)", auth=False,
           responses={200: OcdsFeedPage}, errors=(422,),
           query={"updated_from": "string", "updated_to": "string", "page": "integer", "per_page": "integer"},
           description="Public, like Find a Tender's ocdsReleasePackages: `updated_from` and `updated_to` (ISO 8601 "
                       "dates or times; without an offset, UTC) keep the releases dated between them, inclusive. "
                       "Each page carries an ETag and `Cache-Control: public`, and a conditional GET is answered 304 "
                       "until a release is published.")
@caching.public(releases.feed_stamp)
def ocds_feed():
    """A page of the feed of releases."""
    updated_from, updated_to = _moment("updated_from"), _moment("updated_to", end_of_day=True)
    if updated_from and updated_to and updated_from > updated_to:
        message = "updated_from must not be after updated_to."
        raise ValidationFailed(message, {"updated_from": message})
    return ocds.feed_page(updated_from, updated_to, _whole("page", 1, MAX_PAGE),
                          _whole("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE))


def _whole(name: str, default: int, maximum: int) -> int:
    raw = request.args.get(name, "")
    if raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= maximum:
        message = f"Give {name} as a whole number from 1 to {maximum}."
        raise ValidationFailed(message, {name: message})
    return int(raw)


def _moment(name: str, *, end_of_day: bool = False) -> datetime | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    message = f"Give {name} as an ISO 8601 date or time, like 2026-12-01 or 2026-12-01T09:30:00Z."
    try:
        if len(raw) == 10:
            moment = datetime.combine(datetime.strptime(raw, "%Y-%m-%d").date(), time.max if end_of_day else time.min,
                                      tzinfo=UTC)
        else:
            # An offset's "+" arrives as a space when the query string was not encoded.
            moment = datetime.fromisoformat(re.sub(r" (\d{2}:?\d{2})$", r"+\1", raw.replace("Z", "+00:00")))
            moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValidationFailed(message, {name: message}) from None
    return moment
