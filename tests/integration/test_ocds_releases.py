"""OCDS releases as events, kept as published; format checking that checks; the public feed of every release; and
Open Contracting's own review library, offline."""
import copy
import json
from datetime import timedelta

import pytest
from sqlalchemy import delete as sa_delete

from app.extensions import db
from app.types import utcnow
from consort.publication.models import OcdsRelease
from consort.publication.ocds import validation_errors
from frameworks import services as frameworks
from tests.integration.ocds_world import (
    CAMDEN_GSS,
    LONDON_PLUS_ONE,
    S,
    build,
    build_draft,
    latest,
    package_of,
)
from tests.ocds_support import review

# Releases as events, kept as published


def test_a_stored_release_is_on_the_record_and_cannot_be_changed(app, people):
    framework = build(people, S.OPEN)
    row = db.session.scalars(db.select(OcdsRelease).where(OcdsRelease.framework_id == framework.id)).one()
    row.content = row.content.replace("London", "Paris")
    with pytest.raises(ValueError, match="on the record"):
        db.session.commit()
    db.session.rollback()


def test_a_release_is_served_as_it_was_first_published_though_the_framework_changed_since(app, people):
    framework = build(people, S.OPEN)
    [before] = package_of(app, framework.id)["releases"]
    framework.title = "Renamed after publication"
    db.session.commit()
    [after] = package_of(app, framework.id)["releases"]
    assert json.dumps(after, sort_keys=True) == json.dumps(before, sort_keys=True)
    assert after["tender"]["title"] == "London laptops and licences"


def test_the_package_names_the_configured_publication_policy(app, people):
    framework = build(people, S.OPEN)
    app.config["OCDS_PUBLICATION_POLICY_URL"] = "https://consortium.example/open-data-policy"
    package = package_of(app, framework.id)
    assert package["publicationPolicy"] == "https://consortium.example/open-data-policy"
    assert validation_errors(package) == []


def test_the_default_publication_policy_is_a_page_of_the_app(client):
    response = client.get("/open-data/publication-policy")
    assert response.status_code == 200
    assert "Open data publication policy" in response.get_data(as_text=True)


def test_an_authority_with_a_ppon_is_identified_by_it_with_its_gss_code_beside(app, people):
    camden = people["camden"].organisation
    camden.ppon = "PCMD-1234-ABCD"
    db.session.commit()
    release = latest(package_of(app, build(people, S.OPEN).id))
    party = next(p for p in release["parties"] if p["name"] == camden.name)
    assert party["identifier"] == {"scheme": "GB-PPON", "id": "PCMD-1234-ABCD", "legalName": camden.name}
    assert party["additionalIdentifiers"] == [{"scheme": "GB-GSS", "id": CAMDEN_GSS}]


def test_empty_strings_and_arrays_are_left_out(app, people):
    framework = build(people, S.OPEN)
    frameworks.get(framework.id).lots[0].description = ""
    db.session.commit()
    frameworks.transition(people["admin"], framework.id, S.CANCELLED)
    release = latest(package_of(app, framework.id))
    assert "description" not in release["tender"]["lots"][0]

    def empties(value):
        if isinstance(value, dict):
            return [k for k, v in value.items() if v in ("", [], {}, None)] + [e for v in value.values()
                                                                                for e in empties(v)]
        if isinstance(value, list):
            return [e for v in value for e in empties(v)]
        return []

    assert empties(release) == []


# Format checking that checks


def test_the_format_checker_really_checks_uris_and_times(valid_package):
    broken = copy.deepcopy(valid_package)
    broken["publicationPolicy"] = "Published by the consortium at each change of state."
    broken["releases"][0]["tender"]["tenderPeriod"]["endDate"] = "2026-13-45T99:00:00Z"
    paths = {error.split(":")[0] for error in validation_errors(broken)}
    assert paths == {"publicationPolicy", "releases/0/tender/tenderPeriod/endDate"}


# The feed of every release


def _publish_at(people, moment):
    framework = build_draft(people, moment - timedelta(hours=1))
    frameworks.transition(people["admin"], framework.id, S.OPEN, now=moment)
    return framework


def test_the_feed_pages_newest_first_with_links_next(client, people):
    start = utcnow() - timedelta(days=10)
    made = [_publish_at(people, start + timedelta(days=day)) for day in range(3)]
    first = client.get("/api/v1/ocds/releases?per_page=2")
    assert first.status_code == 200
    page = first.get_json()
    assert validation_errors(page) == []
    assert [r["tender"]["id"] for r in page["releases"]] == [made[2].reference, made[1].reference]
    assert page["links"]["next"] == "http://localhost/api/v1/ocds/releases?page=2&per_page=2"
    assert any(url.endswith("ocds_pagination_extension/master/extension.json") for url in page["extensions"])
    second = client.get(page["links"]["next"].removeprefix("http://localhost")).get_json()
    assert [r["tender"]["id"] for r in second["releases"]] == [made[0].reference]
    assert second["links"] == {}


def test_the_feed_from_a_moment_gives_only_the_releases_dated_from_it(client, people):
    start = (utcnow() - timedelta(days=10)).replace(microsecond=0)
    old, new = _publish_at(people, start), _publish_at(people, start + timedelta(days=2))
    since = (start + timedelta(days=1)).isoformat()
    page = client.get("/api/v1/ocds/releases", query_string={"updated_from": since}).get_json()
    assert [r["tender"]["id"] for r in page["releases"]] == [new.reference]
    page = client.get("/api/v1/ocds/releases", query_string={"updated_to": since}).get_json()
    assert [r["tender"]["id"] for r in page["releases"]] == [old.reference]
    day = (start + timedelta(days=2)).date().isoformat()
    page = client.get("/api/v1/ocds/releases", query_string={"updated_from": day, "updated_to": day}).get_json()
    assert [r["tender"]["id"] for r in page["releases"]] == [new.reference]


def test_the_feed_needs_no_sign_in_and_shows_no_draft(client, people):
    build_draft(people)
    response = client.get("/api/v1/ocds/releases")
    assert response.status_code == 200 and response.get_json()["releases"] == []


@pytest.mark.parametrize("query", [
    {"updated_from": "yesterday"}, {"updated_to": "2026-02-30"}, {"updated_from": "9999-12-31T23:59:59-14:00"},
    {"page": "0"}, {"page": "two"}, {"page": "99999999999999999999"}, {"per_page": "101"},
    {"updated_from": "2026-12-02", "updated_to": "2026-12-01"},
])
def test_bad_feed_parameters_are_refused_with_422(client, query):
    response = client.get("/api/v1/ocds/releases", query_string=query)
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "validation_failed" and set(body["fields"]) <= set(query)


def test_the_feed_reads_an_offset_whose_plus_arrived_as_a_space(client, people):
    moment = (utcnow() - timedelta(days=3)).replace(microsecond=0)
    framework = _publish_at(people, moment)
    since = (moment - timedelta(minutes=1)).astimezone(LONDON_PLUS_ONE).isoformat().replace("+", " ")
    response = client.get(f"/api/v1/ocds/releases?updated_from={since}")
    assert response.status_code == 200, response.get_json()
    assert [r["tender"]["id"] for r in response.get_json()["releases"]] == [framework.reference]


# Open Contracting's own review library, offline


def test_libcoveocds_offline_finds_no_error_and_no_unknown_field_in_any_state(published, tmp_path, monkeypatch):
    _, _, package = published
    report, network = review(package, tmp_path, monkeypatch)
    assert network.refused == []
    assert report["validation_errors"] == []
    assert report["additional_fields"] == []
    assert report["additional_closed_codelist_values"] == {}
    assert report["extensions"]["invalid_extensions"] == []
    assert report.get("additional_checks", {}) == {}


def test_libcoveocds_offline_can_say_no(valid_package, tmp_path, monkeypatch):
    broken = copy.deepcopy(valid_package)
    broken["publicationPolicy"] = "Published by the consortium at each change of state."
    broken["releases"][0]["tender"]["colour"] = "blue"
    broken["releases"][0]["tender"]["lots"][0]["description"] = ""
    report, network = review(broken, tmp_path, monkeypatch)
    assert network.refused == []
    assert [e["field"] for e in report["validation_errors"]] == ["publicationPolicy"]
    assert [(f["path"], f["field"]) for f in report["additional_fields"]] == [("/releases/tender", "colour")]
    assert "empty_field" in report["additional_checks"]


def test_a_framework_published_before_releases_were_stored_gets_one_from_the_command(app, people, runner):
    framework = build(people, S.CLOSED)
    db.session.execute(sa_delete(OcdsRelease))  # as a database from before the releases were stored
    db.session.commit()
    assert package_of(app, framework.id)["releases"] == []
    result = runner.invoke(args=["ocds", "record-missing"])
    assert result.exit_code == 0, result.output
    assert "Recorded 1 release(s)" in result.output
    [release] = package_of(app, framework.id)["releases"]
    assert release["tag"] == ["tenderUpdate"] and "bids" in release
    assert runner.invoke(args=["ocds", "record-missing"]).output.startswith("Recorded 0 release(s)")

