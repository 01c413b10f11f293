"""The OCDS releases of a framework, recorded as it moves and validated offline against the schema (OCDS 1.1.5 with
the lots, bid and techniques extensions) that the project ships in consort/publication/ocds_schema; and the public
feed of every release."""
import copy
import hashlib
import json
from datetime import timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import delete as sa_delete

from app.domain.errors import NotFound
from app.domain.roles import OrganisationKind
from app.extensions import db
from app.organisations import services as organisations
from app.types import london_today, utcnow
from consort.publication import ocds as framework_ocds
from consort.publication import releases
from consort.publication.models import OcdsRelease
from consort.publication.ocds import SCHEMA_DIR, patched_release_schema, validation_errors
from frameworks import services as frameworks
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.models import STATE_TIMESTAMPS
from frameworks.requirements import services as requirements
from frameworks.services import CriterionInput, LotInput
from tests.ocds_support import review

S = FrameworkStatus
ROOT = Path(__file__).resolve().parents[2]
SHARED_OCDS = ROOT.parent / "shared" / "ocds"

CAMDEN_GSS, HACKNEY_GSS = "E09000007", "E09000012"
LONDON_PLUS_ONE = timezone(timedelta(hours=1))

# What each state is called in OCDS's closed tenderStatus codelist, and the release tag it is published with.
# Once the board has approved an award the competition is complete, though the awards wait out the standstill.
TENDER_STATUS = {
    S.OPEN: "active", S.CLOSED: "active", S.EVALUATION: "active", S.RECOMMENDED: "active",
    S.STANDSTILL: "complete", S.AWARDED: "complete", S.EXPIRED: "complete", S.CANCELLED: "cancelled",
}
# The event whose release is the latest in each state: going into evaluation or to the board publishes nothing new,
# so the latest release there is still the closing's; and the states set directly below have no board's award, so
# after the standstill (where the tender becomes complete) they have nothing new to publish either.
LATEST_EVENT = {S.OPEN: S.OPEN, S.CLOSED: S.CLOSED, S.EVALUATION: S.CLOSED, S.RECOMMENDED: S.CLOSED,
                S.STANDSTILL: S.STANDSTILL, S.AWARDED: S.STANDSTILL, S.EXPIRED: S.STANDSTILL,
                S.CANCELLED: S.CANCELLED}
TAG = {S.OPEN: ["tender"], S.CLOSED: ["tenderUpdate"], S.STANDSTILL: ["award"], S.CANCELLED: ["tenderCancellation"]}

# The way through the states after publication. The services take a framework to evaluation (and cancel it); the
# states after that need a board's approval, so here the tests set the status and its timestamp directly and record
# the event's release as the transition would (tests/functional/board/test_ocds_life.py goes the whole way).
THROUGH_SERVICES = [S.OPEN, S.CLOSED, S.EVALUATION]
SET_DIRECTLY = [S.RECOMMENDED, S.STANDSTILL, S.AWARDED, S.EXPIRED]


@pytest.fixture
def people(app, make_user):
    """An admin of the consortium, and officers of three authorities: two boroughs with GSS codes, one trust without."""
    organisations.add("London Borough of Camden", OrganisationKind.AUTHORITY, gss_code=CAMDEN_GSS)
    organisations.add("London Borough of Hackney", OrganisationKind.AUTHORITY, gss_code=HACKNEY_GSS)
    db.session.commit()
    return {
        "admin": make_user("admin@consort.example", "admin", org="Consort"),
        "camden": make_user("officer@camden.gov.uk", "officer", org="London Borough of Camden"),
        "hackney": make_user("officer@hackney.gov.uk", "officer", org="London Borough of Hackney"),
        "trust": make_user("officer@nhs.example", "officer", org="Royal Free London NHS Foundation Trust"),
    }


def _requirement(officer, category: str, unit: str, quantity: str, price: str):
    values = {"title": f"{category} for {officer.email}", "description": "", "category": category,
              "quantity": Decimal(quantity), "unit": unit, "estimated_unit_price": Decimal(price),
              "needed_by": london_today() + timedelta(days=90)}
    return requirements.create(officer, values, london_today())


def build_draft(people, start=None):
    """A draft framework with two lots, through the real services: laptops for Camden and Hackney with quality
    criteria, and software licences for Camden and the trust on price alone."""
    start = start or utcnow()
    admin = people["admin"]
    framework = frameworks.create(admin, {
        "title": "London laptops and licences", "description": "Laptops and office licences for London.",
        "maximum_value": Decimal("2500000.00"), "bid_deadline": start + timedelta(days=30),
        "question_deadline": start + timedelta(days=20), "duration_months": 24, "max_lots_per_supplier": 2,
        "min_sme_share": Decimal("0.25"), "standstill_working_days": 8, "levy_percent": Decimal("1.00"),
    }, now=start)
    laptops = [_requirement(people["camden"], "devices", "laptop", "100", "650.00"),
               _requirement(people["hackney"], "devices", "laptop", "50", "700.00")]
    frameworks.add_lot(admin, framework.id, LotInput(
        title="Laptops", description="Standard and performance laptops.",
        requirement_ids=[r.id for r in laptops], max_awards=2, budget=Decimal("100000.00"), price_weight=40,
        price_formula="relative",
        criteria=[CriterionInput("Technical quality", 40, 10), CriterionInput("Social value", 20, 5)]))
    licences = [_requirement(people["camden"], "software_licences", "user-year", "300", "120.00"),
                _requirement(people["trust"], "software_licences", "user-year", "200", "110.00")]
    frameworks.add_lot(admin, framework.id, LotInput(
        title="Office licences", description="Office productivity licences.",
        requirement_ids=[r.id for r in licences], max_awards=1, budget=Decimal("60000.00"), price_weight=100,
        price_formula="linear", criteria=[]))
    return framework


def build(people, state: FrameworkStatus):
    """A framework in `state`, published: an open one two days ago, any other a year ago and more."""
    start = utcnow() - timedelta(days=2 if state == S.OPEN else 400)
    framework = build_draft(people, start)
    admin, moment = people["admin"], start + timedelta(hours=1)
    frameworks.transition(admin, framework.id, S.OPEN, now=moment)
    if state == S.OPEN:
        return frameworks.get(framework.id)
    if state == S.CANCELLED:
        frameworks.transition(admin, framework.id, S.CANCELLED, now=moment + timedelta(days=1))
        return frameworks.get(framework.id)
    moment = framework.bid_deadline + timedelta(minutes=3)  # past the deadline and its grace
    assert frameworks.close_due(now=moment) == [framework.id]  # the job that closes frameworks at the deadline
    if state != S.CLOSED:
        frameworks.transition(admin, framework.id, S.EVALUATION, now=moment + timedelta(days=1))
        moment += timedelta(days=2)
    if state in SET_DIRECTLY:
        for target in SET_DIRECTLY[:SET_DIRECTLY.index(state) + 1]:
            framework.status = target
            setattr(framework, STATE_TIMESTAMPS[target], moment)
            releases.record_framework_event(framework.id, target.value, moment)
            db.session.commit()
            moment += timedelta(days=14)
    framework = frameworks.get(framework.id)
    assert framework.status == state
    return framework


def package_of(app, framework_id: int) -> dict:
    # The package names its own address, which is a URL of the site: built as in the request that serves it.
    with app.test_request_context():
        return framework_ocds.release_package(framework_id)


PUBLISHED_STATES = [*THROUGH_SERVICES, S.CANCELLED, *SET_DIRECTLY]


@pytest.fixture(params=PUBLISHED_STATES, ids=[s.value for s in PUBLISHED_STATES])
def published(request, app, people):
    state = request.param
    framework = build(people, state)
    return state, framework, package_of(app, framework.id)


def latest(package: dict) -> dict:
    return package["releases"][-1]


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


def test_the_package_declares_the_three_extensions_it_uses(published):
    _, framework, package = published
    names = sorted(url.split("/")[-3] for url in package["extensions"])
    assert names == ["ocds_bid_extension", "ocds_lots_extension", "ocds_techniques_extension"]
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


@pytest.fixture
def valid_package(app, people):
    package = package_of(app, build(people, S.OPEN).id)
    assert validation_errors(package) == []
    return package


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
