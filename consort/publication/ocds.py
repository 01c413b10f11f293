"""The OCDS packages served: a framework's releases, its record (the compiled release and the releases), and the
feed of everything published. The releases are the stored ones (`releases`), served as they were stored."""
import json
from datetime import datetime

from flask import current_app

from app.domain.errors import NotFound
from app.links import public_url
from app.types import utcnow
from consort.publication import releases, snapshots
from consort.publication.domain import merging
from consort.publication.domain import ocds as packages
from consort.publication.models import OcdsRelease
from consort.publication.schema import (  # noqa: F401 - the names the tests and views know the schema by
    RELEASE_SCHEMA_URL,
    SCHEMA_DIR,
    patched_release_schema,
    release_merge_rules,
    validation_errors,
)
from frameworks import services as frameworks
from frameworks.domain.lifecycle import FrameworkStatus

OCID_PREFIX = snapshots.OCID_PREFIX


def publication_policy_url() -> str:
    """OCDS_PUBLICATION_POLICY_URL, or the page of the default policy that the app serves."""
    return current_app.config.get("OCDS_PUBLICATION_POLICY_URL") or public_url("publication.policy")


def _publisher(uri: str) -> packages.Publisher:
    return packages.Publisher(name=snapshots.consortium().name, uri=uri,
                              publication_policy=publication_policy_url(), published=utcnow())


def _published(framework_id: int):
    framework = frameworks.get(framework_id)
    if framework.status == FrameworkStatus.DRAFT or framework.published_at is None:
        raise NotFound("This framework has not been published, so it has no OCDS release yet.")
    return framework


def stored(rows: list[OcdsRelease]) -> list[dict]:
    return [json.loads(row.content) for row in rows]


def release_package(framework_id: int) -> dict:
    """Every release of the framework (and of its call-offs), as first published; a framework that was never
    published has none."""
    framework = _published(framework_id)
    rows = releases.of_framework(framework.id)
    return packages.release_package(
        stored(rows), _publisher(public_url("publication.ocds_download", framework_id=framework.id)))


def record_package(framework_id: int) -> dict:
    """One record for the framework's contracting process and one for each call-off: each with its releases and
    the compiled release that OCDS's merge makes of them."""
    framework = _published(framework_id)
    by_ocid: dict[str, list[dict]] = {}
    for release in stored(releases.of_framework(framework.id)):
        by_ocid.setdefault(release["ocid"], []).append(release)
    records = [{"ocid": ocid, "releases": items,
                "compiledRelease": merging.compile_release(items, release_merge_rules())}
               for ocid, items in by_ocid.items()]
    return packages.record_package(
        records, _publisher(public_url("publication_api.get_ocds_record", framework_id=framework.id)))


def feed_page(updated_from: datetime | None, updated_to: datetime | None, page: int, per_page: int) -> dict:
    """One page of every release published, newest first, linked to the next page (OCDS's pagination)."""
    rows, more = releases.page_of_feed(updated_from, updated_to, page, per_page)
    query = {"page": page, "per_page": per_page}
    if updated_from is not None:
        query["updated_from"] = updated_from.isoformat()
    if updated_to is not None:
        query["updated_to"] = updated_to.isoformat()
    here = public_url("publication_api.ocds_feed", **query)
    following = public_url("publication_api.ocds_feed", **(query | {"page": page + 1})) if more else None
    return packages.release_package(stored(rows), _publisher(here), next_page=following, paginated=True)
