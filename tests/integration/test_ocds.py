"""The OCDS release package of a framework, built from the database and validated offline against the schema
(OCDS 1.1.5 with the lots, bid and techniques extensions) that the project ships in consort/publication/ocds_schema."""
import copy
import hashlib
import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from app.domain.errors import NotFound
from app.domain.roles import OrganisationKind
from app.extensions import db
from app.organisations import services as organisations
from app.types import london_today, utcnow
from consort.publication import ocds as framework_ocds
from consort.publication.ocds import SCHEMA_DIR, patched_release_schema, validation_errors
from frameworks import services as frameworks
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.models import STATE_TIMESTAMPS
from frameworks.requirements import services as requirements
from frameworks.services import CriterionInput, LotInput

S = FrameworkStatus
ROOT = Path(__file__).resolve().parents[2]
SHARED_OCDS = ROOT.parent / "shared" / "ocds"

CAMDEN_GSS, HACKNEY_GSS = "E09000007", "E09000012"

# What each state is called in OCDS's closed tenderStatus codelist, and the release tag it is published with.
TENDER_STATUS = {
    S.OPEN: "active", S.CLOSED: "active", S.EVALUATION: "active", S.RECOMMENDED: "active",
    S.STANDSTILL: "active", S.AWARDED: "complete", S.EXPIRED: "complete", S.CANCELLED: "cancelled",
}
TAG = {S.OPEN: ["tender"], S.CANCELLED: ["tenderCancellation"]}

# The way through the states after publication. The services take a framework to evaluation (and cancel it);
# the states after that are built by later work, so the tests set the status and its timestamp directly.
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
    moment = framework.bid_deadline + timedelta(minutes=1)
    assert frameworks.close_due(now=moment) == [framework.id]  # the job that closes frameworks at the deadline
    if state != S.CLOSED:
        frameworks.transition(admin, framework.id, S.EVALUATION, now=moment + timedelta(days=1))
        moment += timedelta(days=2)
    if state in SET_DIRECTLY:
        for target in SET_DIRECTLY[:SET_DIRECTLY.index(state) + 1]:
            framework.status = target
            setattr(framework, STATE_TIMESTAMPS[target], moment)
            moment += timedelta(days=14)
        db.session.commit()
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


def test_the_package_of_a_published_framework_is_valid_against_the_extended_schema(published):
    _, _, package = published
    assert validation_errors(package) == []


def test_the_release_is_one_framework_agreement_process_in_the_state_of_the_framework(published):
    state, framework, package = published
    [release] = package["releases"]
    assert release["ocid"] == f"ocds-cnsrt1-{framework.reference}"
    assert release["tender"]["id"] == framework.reference
    assert release["tender"]["techniques"]["hasFrameworkAgreement"] is True
    assert release["tender"]["status"] == TENDER_STATUS[state]
    assert release["tag"] == TAG.get(state, ["tenderUpdate"])
    assert {lot["status"] for lot in release["tender"]["lots"]} == {TENDER_STATUS[state]}


def test_the_package_declares_the_three_extensions_it_uses(published):
    _, framework, package = published
    names = sorted(url.split("/")[-3] for url in package["extensions"])
    assert names == ["ocds_bid_extension", "ocds_lots_extension", "ocds_techniques_extension"]
    assert package["version"] == "1.1"
    assert package["uri"] == f"http://localhost/opportunities/{framework.id}/ocds.json"
    assert package["publisher"] == {"name": "Consort"}


def test_the_release_lists_the_lots_with_their_limits_and_budgets(published):
    _, _, package = published
    tender = package["releases"][0]["tender"]
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
    items = package["releases"][0]["tender"]["items"]
    assert [(i["relatedLot"], i["classification"], i["quantity"], i["unit"]) for i in items] == [
        ("1", {"scheme": "CPV", "id": "30200000", "description": "Computer equipment and supplies"},
         150.0, {"name": "laptop"}),
        ("2", {"scheme": "CPV", "id": "48000000", "description": "Software package and information systems"},
         500.0, {"name": "user-year"}),
    ]


def test_the_award_criteria_are_rated_and_give_every_weight_and_the_price_formula(published):
    _, _, package = published
    tender = package["releases"][0]["tender"]
    assert tender["awardCriteria"] == "ratedCriteria"
    assert tender["awardCriteriaDetails"] == (
        "Lot 1: price 40% by the relative formula; quality: Technical quality 40% (scored out of 10); "
        "Social value 20% (scored out of 5). Lot 2: price 100% by the linear formula.")


def test_the_parties_are_the_consortium_and_every_participating_authority_with_its_gss_code(published, people):
    _, _, package = published
    release = package["releases"][0]
    parties = {party["name"]: party for party in release["parties"]}
    assert set(parties) == {"Consort", "London Borough of Camden", "London Borough of Hackney",
                            "Royal Free London NHS Foundation Trust"}
    assert parties["Consort"]["roles"] == ["procuringEntity", "buyer"]
    assert release["buyer"]["id"] == release["tender"]["procuringEntity"]["id"] == parties["Consort"]["id"]
    for key, gss in (("camden", CAMDEN_GSS), ("hackney", HACKNEY_GSS)):
        party = parties[people[key].organisation.name]
        assert party["id"] == f"consort-org-{people[key].organisation_id}"
        assert party["roles"] == ["buyer"]
        assert party["identifier"] == {"scheme": "GB-GSS", "id": gss, "legalName": party["name"]}
    assert "identifier" not in parties["Royal Free London NHS Foundation Trust"]
    assert len({party["id"] for party in release["parties"]}) == len(release["parties"])


def test_the_release_dates_are_the_frameworks_own(published):
    state, framework, package = published
    release = package["releases"][0]
    tender = release["tender"]
    assert tender["tenderPeriod"] == {"startDate": framework.published_at.isoformat(timespec="seconds"),
                                      "endDate": framework.bid_deadline.isoformat(timespec="seconds")}
    assert tender["enquiryPeriod"]["endDate"] == framework.question_deadline.isoformat(timespec="seconds")
    entered = getattr(framework, STATE_TIMESTAMPS[state])
    assert release["date"] == entered.isoformat(timespec="seconds")


def test_every_field_the_release_uses_is_declared_by_the_schema_or_an_extension(published):
    # OCDS allows additional properties, so a misspelt field would still validate; check each one is known.
    _, _, package = published
    assert undeclared(package["releases"][0], patched_release_schema()) == []


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


def test_an_open_framework_past_its_deadline_is_published_as_the_closed_framework_it_effectively_is(app, people):
    framework = build_draft(people, utcnow() - timedelta(days=40))
    frameworks.transition(people["admin"], framework.id, S.OPEN, now=framework.created_at + timedelta(hours=1))
    release = package_of(app, framework.id)["releases"][0]
    assert frameworks.get(framework.id).status == S.OPEN
    assert release["id"].startswith(f"ocds-cnsrt1-{framework.reference}-closed-")
    assert release["tag"] == ["tenderUpdate"]


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
