"""A framework's OCDS through its whole life, through the API: published, closed, in standstill, awarded, its
agreement signed, a call-off. Each package is reviewed offline by libcoveocds (Open Contracting's own review
library) and by the project's schema check; each release, once served, is served the same ever after; the record is
what `ocdskit compile` makes of the release package."""
import json
import subprocess
import sys
from itertools import pairwise

import pytest
from sqlalchemy import update

from app.extensions import db
from consort.publication.ocds import patched_release_schema, validation_errors
from frameworks import services as framework_services
from tests.functional.bids_support import submitted
from tests.functional.board.test_board_api import BOARD, approved, end_standstill
from tests.functional.evaluation.test_evaluation_api import scored_lot
from tests.functional.frameworks_support import PEOPLE, World
from tests.functional.payments.test_levies_and_stripe import call_off
from tests.ocds_support import review

PEOPLE.setdefault("second_evaluator", ("sid@hackney.gov.uk", "evaluator", "London Borough of Hackney"))


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)


def package_of(world, framework_id: int, who: str = "officer", path: str = "ocds") -> dict:
    response = world.get(who, f"/api/v1/frameworks/{framework_id}/{path}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def life(world):
    """The packages of one framework after each step of its life, in order, and the framework and its winner."""
    from frameworks.models import Lot

    for who in BOARD:
        world.user(who)
    profile = world.put("other_supplier", "/api/v1/supplier-profile", {"companies_house_number": "01234567",
                                                                        "sme": True, "ppon": "pabc 1234 defg"})
    assert profile.status_code == 200, profile.get_json()
    framework, lot = world.draft_with_lot(min_sme_share="0")
    db.session.execute(update(Lot).where(Lot.id == lot["id"]).values(max_awards=1))  # one winner, one agreement
    db.session.commit()
    opened = world.transition(framework["id"], "open")
    assert opened.status_code == 200, opened.get_json()
    framework = opened.get_json()
    packages = {"published": package_of(world, framework["id"])}
    ours = submitted(world, framework, lot, price="180000.00")
    theirs = submitted(world, framework, lot, who="other_supplier", price="150000.00")
    panel = [world.user("evaluator").id, world.user("second_evaluator").id]
    assert world.post("admin", f"/api/v1/lots/{lot['id']}/panel", {"user_ids": panel}).status_code == 200
    scored_lot(world, (framework, lot, ours, theirs))  # past the deadline
    assert framework_services.close_due() == [framework["id"]]
    packages["closed"] = package_of(world, framework["id"])
    assert world.transition(framework["id"], "evaluation").status_code == 200
    record = world.post("admin", f"/api/v1/frameworks/{framework['id']}/award-runs", {}).get_json()
    approved(world, (framework, lot, record))
    packages["standstill"] = package_of(world, framework["id"])
    end_standstill(framework["id"])
    assert world.transition(framework["id"], "awarded").status_code == 200
    packages["awarded"] = package_of(world, framework["id"])
    winner = record["awards"][0]
    agreement = next(c for c in world.get("admin", f"/api/v1/frameworks/{framework['id']}/contracts")
                     .get_json()["items"] if c["kind"] == "framework_agreement")
    signer = "supplier" if winner["supplier_id"] == world.organisation_id("supplier") else "other_supplier"
    assert world.post(signer, f"/api/v1/contracts/{agreement['id']}/sign",
                      {"name": "Sam Smith", "position": "CEO"}).status_code == 200
    packages["supplier signed"] = package_of(world, framework["id"])
    assert world.post("admin", f"/api/v1/contracts/{agreement['id']}/countersign").status_code == 200
    packages["contract signed"] = package_of(world, framework["id"])
    assert call_off(world, framework, lot, winner).status_code == 201
    packages["call-off"] = package_of(world, framework["id"])
    camden = next(c for c in world.get("admin", f"/api/v1/frameworks/{framework['id']}/contracts").get_json()["items"]
                  if c["kind"] == "call_off" and c["organisation_id"] == world.organisation_id("officer"))
    assert world.post(signer, f"/api/v1/contracts/{camden['id']}/sign",
                      {"name": "Sam Smith", "position": "CEO"}).status_code == 200
    assert world.post("admin", f"/api/v1/contracts/{camden['id']}/countersign").status_code == 200
    packages["call-off contract signed"] = package_of(world, framework["id"])
    return framework, winner, agreement, packages


def reviewed_clean(package: dict, tmp_path, monkeypatch) -> None:
    report, network = review(package, tmp_path, monkeypatch)
    assert network.refused == [], "libcoveocds asked the network for what the shipped files do not hold"
    assert report["validation_errors"] == []
    assert report["additional_fields"] == []  # the parties' scale included: the party scale extension declares it
    assert report["additional_closed_codelist_values"] == {}
    assert report["extensions"]["invalid_extensions"] == []
    assert "json_deref_error" not in report
    assert report.get("additional_checks", {}) == {}  # no empty field, among others
    assert validation_errors(package) == []


def test_every_package_of_the_life_and_the_record_pass_libcoveocds_offline_and_the_schema(world, life, tmp_path,
                                                                                           monkeypatch):
    framework, *_, packages = life
    record = package_of(world, framework["id"], path="ocds/record")
    for step, package in [*packages.items(), ("the record", record)]:
        try:
            reviewed_clean(package, tmp_path, monkeypatch)
        except AssertionError as error:
            raise AssertionError(f"the package after '{step}': {error}") from error


def test_a_release_once_served_is_served_the_same_ever_after(world, life):
    *_, packages = life
    served = list(packages.values())
    for earlier, later in pairwise(served):
        before = {r["id"]: json.dumps(r, sort_keys=True, ensure_ascii=False) for r in earlier["releases"]}
        after = {r["id"]: json.dumps(r, sort_keys=True, ensure_ascii=False) for r in later["releases"]}
        assert set(before) <= set(after)
        assert all(after[key] == text for key, text in before.items())
        assert len({r["id"] for r in later["releases"]}) == len(later["releases"])


def test_each_publishable_step_adds_one_release_and_signing_the_agreement_adds_one_with_it_active(world, life):
    _, _, agreement, packages = life
    counts = [len(p["releases"]) for p in packages.values()]
    assert counts == [1, 2, 3, 4, 4, 5, 6, 7]  # a signature still waiting for the consortium's publishes nothing
    tags = [r["tag"] for r in packages["call-off contract signed"]["releases"]]
    assert tags == [["tender"], ["tenderUpdate"], ["award"], ["awardUpdate", "contract"], ["contractUpdate"],
                    ["award", "contract"], ["award", "contract"]]
    before, after = packages["supplier signed"]["releases"], packages["contract signed"]["releases"]
    [added] = [r for r in after if r["id"] not in {r["id"] for r in before}]
    assert added["tag"] == ["contractUpdate"]
    [contract] = added["contracts"]
    assert (contract["id"], contract["status"]) == (agreement["reference"], "active") and contract["dateSigned"]
    assert [c["status"] for c in before[-1]["contracts"]] == ["pending"]
    assert "Sam Smith" not in json.dumps(packages["call-off"])  # who signed stays off the open data


def test_the_statuses_agree_in_every_state(world, life):
    *_, packages = life
    expected = {"published": ("active", None), "closed": ("active", None), "standstill": ("complete", "pending"),
                "awarded": ("complete", "active"), "contract signed": ("complete", "active")}
    for step, (tender, award) in expected.items():
        latest = [r for r in packages[step]["releases"] if "relatedProcesses" not in r][-1]
        assert latest["tender"]["status"] == tender, step
        assert {lot["status"] for lot in latest["tender"]["lots"]} == {tender}, step
        assert [a["status"] for a in latest.get("awards", [])] == ([award] if award else []), step


def test_once_the_bids_are_opened_the_tenderers_are_published_with_their_identifiers_and_scale(world, life):
    *_, packages = life
    assert "tenderers" not in packages["published"]["releases"][-1]["tender"]
    closed = packages["closed"]["releases"][-1]
    parties = {p["id"]: p for p in closed["parties"]}
    tenderers = closed["tender"]["tenderers"]
    assert {t["name"] for t in tenderers} == {"Acme Ltd", "Bolt Ltd"}
    assert closed["tender"]["numberOfTenderers"] == 2
    bolt = parties[next(t["id"] for t in tenderers if t["name"] == "Bolt Ltd")]
    assert bolt["roles"] == ["tenderer"]
    assert bolt["identifier"] == {"scheme": "GB-COH", "id": "01234567", "legalName": "Bolt Ltd"}
    assert bolt["additionalIdentifiers"] == [{"scheme": "GB-PPON", "id": "PABC-1234-DEFG"}]
    assert bolt["details"] == {"scale": "sme"}
    acme = parties[next(t["id"] for t in tenderers if t["name"] == "Acme Ltd")]
    assert acme["details"] == {"scale": "large"} and "identifier" not in acme
    consortium = next(p for p in closed["parties"] if "procuringEntity" in p["roles"])
    assert closed["tender"]["procuringEntity"]["id"] == consortium["id"]


def test_the_call_off_is_a_process_of_its_own_related_to_the_framework(world, life):
    framework, winner, _, packages = life
    framework_release, call_off_release = packages["call-off"]["releases"][0], packages["call-off"]["releases"][-1]
    assert call_off_release["ocid"] != framework_release["ocid"]
    assert call_off_release["ocid"].startswith(framework_release["ocid"])
    assert call_off_release["relatedProcesses"] == [{
        "id": "framework", "relationship": ["framework"], "title": framework["title"], "scheme": "ocid",
        "identifier": framework_release["ocid"]}]
    parties = {p["id"]: p for p in call_off_release["parties"]}
    assert parties[call_off_release["buyer"]["id"]]["name"] == "London Borough of Camden"
    [award] = call_off_release["awards"]
    assert award["suppliers"][0]["id"] == f"consort-org-{winner['supplier_id']}"
    assert award["value"] == {"amount": 10000.0, "currency": "GBP"} and award["status"] == "active"
    [contract] = call_off_release["contracts"]
    assert contract["awardID"] == award["id"] and contract["status"] == "active"


def test_an_authoritys_call_off_contract_made_at_the_award_is_published_once_both_sides_have_signed(world, life):
    _, winner, _, packages = life
    framework_ocid = packages["call-off"]["releases"][0]["ocid"]
    [release] = [r for r in packages["call-off contract signed"]["releases"]
                 if r["id"] not in {r["id"] for r in packages["call-off"]["releases"]}]
    assert release["ocid"].startswith(f"{framework_ocid}-CO-") and release["ocid"] != framework_ocid
    assert release["relatedProcesses"][0]["identifier"] == framework_ocid
    parties = {p["id"]: p for p in release["parties"]}
    assert parties[release["buyer"]["id"]]["name"] == "London Borough of Camden"
    [award], [contract] = release["awards"], release["contracts"]
    assert award["suppliers"][0]["id"] == f"consort-org-{winner['supplier_id']}"
    assert contract["status"] == "active" and contract["dateSigned"] and "/CO/" in contract["id"]
    assert "Sam Smith" not in json.dumps(release)


def test_ocdskit_compile_of_the_release_package_gives_the_served_record(world, life, tmp_path):
    framework, *_, packages = life
    schema = tmp_path / "release-schema.json"
    schema.write_text(json.dumps(patched_release_schema()))
    compiled = subprocess.run([sys.executable, "-m", "ocdskit", "compile", "--schema", str(schema), "--package"],
                              input=json.dumps(packages["call-off contract signed"]), capture_output=True, text=True,
                              check=True, timeout=120)
    theirs = {r["ocid"]: r for r in json.loads(compiled.stdout)["records"]}
    ours = {r["ocid"]: r for r in package_of(world, framework["id"], path="ocds/record")["records"]}
    assert set(theirs) == set(ours) and len(ours) == 3
    for ocid, record in ours.items():
        assert record["compiledRelease"] == theirs[ocid]["compiledRelease"], ocid
        assert sorted(record["releases"], key=lambda r: r["id"]) == sorted(theirs[ocid]["releases"],
                                                                           key=lambda r: r["id"]), ocid
