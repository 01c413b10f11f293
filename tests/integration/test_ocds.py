"""The OCDS releases of a framework, recorded as it moves and validated offline against the schema (OCDS 1.1.5 with
the lots, bid and techniques extensions) that the project ships in consort/publication/ocds_schema."""
import copy
import hashlib
import json
from datetime import timedelta
from pathlib import Path

import pytest

from app.domain.errors import NotFound
from app.types import utcnow
from consort.publication import ocds as framework_ocds
from consort.publication.ocds import SCHEMA_DIR, patched_release_schema, validation_errors
from frameworks import services as frameworks
from frameworks.models import STATE_TIMESTAMPS
from tests.integration.ocds_world import (
    CAMDEN_GSS,
    HACKNEY_GSS,
    LATEST_EVENT,
    SHARED_OCDS,
    TAG,
    TENDER_STATUS,
    S,
    build_draft,
    latest,
    package_of,
)


def test_the_package_of_a_published_framework_is_valid_against_the_extended_schema(published):
    _, _, package = published
    assert validation_errors(package) == []


def test_the_releases_are_one_framework_agreement_process_in_the_state_of_the_framework(published):
    state, framework, package = published
    release = latest(package)
    assert {r["ocid"] for r in package["releases"]} == {release["ocid"]}
    assert release["ocid"] == f"ocds-cnsrt1-{framework.reference}"
    assert release["tender"]["id"] == framework.reference
    assert release["tender"]["techniques"]["hasFrameworkAgreement"] is True
    assert release["tender"]["status"] == TENDER_STATUS[state]
    assert release["tag"] == TAG[LATEST_EVENT[state]]
    assert {lot["status"] for lot in release["tender"]["lots"]} == {TENDER_STATUS[state]}


def test_the_package_declares_the_four_extensions_it_uses(published):
    _, framework, package = published
    names = sorted(url.split("/")[-3] for url in package["extensions"])
    assert names == ["ocds_bid_extension", "ocds_lots_extension", "ocds_partyDetails_scale_extension",
                     "ocds_techniques_extension"]
    assert package["version"] == "1.1"
    assert package["uri"] == f"http://localhost/opportunities/{framework.id}/ocds.json"
    assert package["publisher"] == {"name": "Consort"}
    assert package["publicationPolicy"] == "http://localhost/open-data/publication-policy"


def test_the_release_lists_the_lots_with_their_limits_and_budgets(published):
    _, _, package = published
    tender = latest(package)["tender"]
    assert [(lot["id"], lot["title"], lot["value"]) for lot in tender["lots"]] == [
        ("1", "Laptops", {"amount": 100000.0, "currency": "GBP"}),
        ("2", "Office licences", {"amount": 60000.0, "currency": "GBP"}),
    ]
    assert [lot["techniques"]["frameworkAgreement"]["maximumParticipants"] for lot in tender["lots"]] == [2, 1]
    assert tender["lotDetails"] == {"maximumLotsAwardedPerSupplier": 2}
    assert tender["value"] == {"amount": 2500000.0, "currency": "GBP"}
    assert tender["techniques"]["frameworkAgreement"]["value"] == {"amount": 2500000.0, "currency": "GBP"}


def test_each_lot_has_an_item_classified_by_cpv_with_its_pooled_quantity(published):
    _, _, package = published
    items = latest(package)["tender"]["items"]
    assert [(i["relatedLot"], i["classification"], i["quantity"], i["unit"]) for i in items] == [
        ("1", {"scheme": "CPV", "id": "30200000", "description": "Computer equipment and supplies"},
         150.0, {"name": "laptop"}),
        ("2", {"scheme": "CPV", "id": "48000000", "description": "Software package and information systems"},
         500.0, {"name": "user-year"}),
    ]


def test_the_award_criteria_are_rated_and_give_every_weight_and_the_price_formula(published):
    _, _, package = published
    tender = latest(package)["tender"]
    assert tender["awardCriteria"] == "ratedCriteria"
    assert tender["awardCriteriaDetails"] == (
        "Lot 1: price 40% by the relative formula; quality: Technical quality 40% (scored out of 10); "
        "Social value 20% (scored out of 5). Lot 2: price 100% by the linear formula.")


def test_the_parties_are_the_consortium_and_every_participating_authority_with_its_gss_code(published, people):
    _, _, package = published
    release = latest(package)
    parties = {party["name"]: party for party in release["parties"]}
    assert set(parties) == {"Consort", "London Borough of Camden", "London Borough of Hackney",
                            "Royal Free London NHS Foundation Trust"}
    assert parties["Consort"]["roles"] == ["procuringEntity", "buyer"]
    assert release["buyer"]["id"] == release["tender"]["procuringEntity"]["id"] == parties["Consort"]["id"]
    for key, gss in (("camden", CAMDEN_GSS), ("hackney", HACKNEY_GSS)):
        party = parties[people[key].organisation.name]
        assert party["id"] == f"consort-org-{people[key].organisation_id}"
        assert party["roles"] == ["buyer"]
        assert party["additionalIdentifiers"] == [{"scheme": "GB-GSS", "id": gss}]
        assert "identifier" not in party and "details" not in party
    trust = parties["Royal Free London NHS Foundation Trust"]
    assert "identifier" not in trust and "additionalIdentifiers" not in trust
    assert len({party["id"] for party in release["parties"]}) == len(release["parties"])


def test_the_release_dates_are_the_frameworks_own(published):
    state, framework, package = published
    tender = latest(package)["tender"]
    assert tender["tenderPeriod"] == {"startDate": framework.published_at.isoformat(timespec="seconds"),
                                      "endDate": framework.bid_deadline.isoformat(timespec="seconds")}
    assert tender["enquiryPeriod"]["endDate"] == framework.question_deadline.isoformat(timespec="seconds")
    dates = [release["date"] for release in package["releases"]]
    assert dates[0] == framework.published_at.isoformat(timespec="seconds")
    assert dates == sorted(dates)
    if LATEST_EVENT[state] != S.CLOSED:  # the closing is recorded by the job, a minute past the deadline here
        entered = getattr(framework, STATE_TIMESTAMPS[LATEST_EVENT[state]])
        assert dates[-1] == entered.isoformat(timespec="seconds")


def test_every_field_the_release_uses_is_declared_by_the_schema_or_an_extension(published):
    # OCDS allows additional properties, so a misspelt field would still validate; check each one is known.
    _, _, package = published
    for release in package["releases"]:
        assert undeclared(release, patched_release_schema()) == []


def undeclared(instance, schema, path="", root=None) -> list[str]:
    root = root or schema
    if "$ref" in schema:
        schema = root["definitions"][schema["$ref"].removeprefix("#/definitions/")]
    found = []
    if isinstance(instance, dict) and "properties" in schema:
        for key, value in instance.items():
            if key not in schema["properties"]:
                found.append(f"{path}/{key}")
            else:
                found += undeclared(value, schema["properties"][key], f"{path}/{key}", root)
    elif isinstance(instance, list) and isinstance(schema.get("items"), dict):
        for i, value in enumerate(instance):
            found += undeclared(value, schema["items"], f"{path}/{i}", root)
    return found


def test_a_draft_framework_has_no_release(app, people):
    framework = build_draft(people)
    with pytest.raises(NotFound):
        package_of(app, framework.id)


def test_a_framework_cancelled_before_it_was_published_has_no_release(app, people):
    framework = build_draft(people)
    frameworks.transition(people["admin"], framework.id, S.CANCELLED)
    with pytest.raises(NotFound):
        package_of(app, framework.id)


def test_there_is_no_release_for_a_framework_that_does_not_exist(app):
    with pytest.raises(NotFound):
        package_of(app, 999_999)


def test_an_open_framework_past_its_deadline_is_published_closed_by_the_job_that_closes_it(app, people):
    framework = build_draft(people, utcnow() - timedelta(days=40))
    frameworks.transition(people["admin"], framework.id, S.OPEN, now=framework.created_at + timedelta(hours=1))
    [opened] = package_of(app, framework.id)["releases"]
    assert "bids" not in opened
    assert frameworks.close_due() == [framework.id]
    first, closed = package_of(app, framework.id)["releases"]
    assert first == opened
    assert closed["tag"] == ["tenderUpdate"]
    assert closed["bids"]["statistics"][0] == {"id": "bids", "measure": "bids", "value": 0}


# The validator itself: it must be able to say no.




def test_a_release_without_an_ocid_is_invalid(valid_package):
    broken = copy.deepcopy(valid_package)
    del broken["releases"][0]["ocid"]
    errors = validation_errors(broken)
    assert errors
    assert any("'ocid' is a required property" in error for error in errors)


def test_an_unknown_tender_status_is_invalid(valid_package):
    broken = copy.deepcopy(valid_package)
    broken["releases"][0]["tender"]["status"] = "paused"
    errors = validation_errors(broken)
    assert errors
    assert any(error.startswith("releases/0/tender/status:") and "'paused'" in error for error in errors)


def test_a_date_that_is_not_a_date_time_is_invalid(valid_package):
    broken = copy.deepcopy(valid_package)
    broken["releases"][0]["date"] = "next Tuesday"
    assert any(error.startswith("releases/0/date:") for error in validation_errors(broken))


def test_the_extensions_are_applied_to_the_schema_it_validates_against(valid_package):
    # Without the techniques and lots extensions these fields would be unknown, and so unchecked.
    broken = copy.deepcopy(valid_package)
    broken["releases"][0]["tender"]["techniques"]["hasFrameworkAgreement"] = "yes"
    broken["releases"][0]["tender"]["lots"][0]["status"] = "paused"
    broken["releases"][0]["tender"]["techniques"]["frameworkAgreement"]["method"] = "sometimes"
    paths = {error.split(":")[0] for error in validation_errors(broken)}
    assert paths == {"releases/0/tender/techniques/hasFrameworkAgreement", "releases/0/tender/lots/0/status",
                     "releases/0/tender/techniques/frameworkAgreement/method"}


def test_the_package_itself_needs_its_publisher_and_releases(valid_package):
    broken = {key: value for key, value in valid_package.items() if key not in ("publisher", "releases")}
    errors = validation_errors(broken)
    assert any("'publisher' is a required property" in error for error in errors)
    assert any("'releases' is a required property" in error for error in errors)


# The schema files the project ships


def _files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_the_shipped_schema_files_are_byte_identical_to_the_shared_copy():
    if not SHARED_OCDS.is_dir():
        pytest.skip("no shared folder beside this clone (../shared/ocds), so nothing to compare with")
    shipped, shared = _files(SCHEMA_DIR), _files(SHARED_OCDS)
    assert sorted(shipped) == sorted(shared)
    different = [name for name in shared if shipped[name] != shared[name]]
    assert different == []


def test_the_release_schema_is_the_published_ocds_1_1_5_file():
    # The README records its size and the ends of its SHA-256 (fac192e1…c1bc, 88,553 bytes).
    content = (SCHEMA_DIR / "1.1.5" / "release-schema.json").read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    assert len(content) == 88_553
    assert digest.startswith("fac192e1")
    assert digest.endswith("c1bc")
    assert json.loads(content)["id"] == framework_ocds.RELEASE_SCHEMA_URL


def test_the_patched_schema_has_each_extensions_definitions():
    definitions = patched_release_schema()["definitions"]
    assert "techniques" in definitions["Tender"]["properties"]
    assert "lots" in definitions["Tender"]["properties"]
    assert {"Lot", "Techniques", "FrameworkAgreement", "Bid"} <= set(definitions)


