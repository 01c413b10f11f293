"""The board through the API: recommending an award run, declarations, votes and the quorum, the standstill,
the minutes and the letters; then the award, the contracts, signing and countersigning."""
import hashlib
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import update

from app.extensions import db
from tests.functional.frameworks_support import PEOPLE, World, assert_error, stored_framework

PEOPLE.setdefault("second_evaluator", ("sid@hackney.gov.uk", "evaluator", "London Borough of Hackney"))
PEOPLE.setdefault("board2", ("bob@consort.example", "board", "Consort"))
PEOPLE.setdefault("board3", ("bel@consort.example", "board", "Consort"))
PEOPLE.setdefault("board4", ("ben@consort.example", "board", "Consort"))
PEOPLE.setdefault("board5", ("bix@consort.example", "board", "Consort"))
BOARD = ["board", "board2", "board3", "board4", "board5"]


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def run(world):
    """A framework in evaluation (one lot with one place, two scored bids), an award run, and a board of five."""
    from frameworks.models import Lot
    from tests.functional.bids_support import submitted
    from tests.functional.evaluation.test_evaluation_api import scored_lot

    for who in BOARD:
        world.user(who)
    framework, lot = world.published(min_sme_share="0")
    ours = submitted(world, framework, lot, price="180000.00")
    theirs = submitted(world, framework, lot, who="other_supplier", price="150000.00")
    panel = [world.user("evaluator").id, world.user("second_evaluator").id]
    assert world.post("admin", f"/api/v1/lots/{lot['id']}/panel", {"user_ids": panel}).status_code == 200
    framework, lot, ours, theirs = scored_lot(world, (framework, lot, ours, theirs))
    assert world.transition(framework["id"], "evaluation").status_code == 200
    db.session.execute(update(Lot).where(Lot.id == lot["id"]).values(max_awards=1))
    db.session.commit()
    record = world.post("admin", f"/api/v1/frameworks/{framework['id']}/award-runs", {}).get_json()
    assert record["status"] == "done" and len(record["awards"]) == 1
    return framework, lot, record


def recommend(world, record) -> dict:
    response = world.post("admin", f"/api/v1/award-runs/{record['id']}/recommend")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def declare(world, who: str, lot: dict, conflict: bool = False):
    response = world.post(who, f"/api/v1/lots/{lot['id']}/conflict-declaration",
                          {"conflict": conflict, "details": "I advise Acme Ltd." if conflict else ""})
    assert response.status_code == 201, response.get_json()


def vote(world, who: str, record: dict, decision: str, comment: str = "Sound award."):
    return world.post(who, f"/api/v1/award-runs/{record['id']}/votes", {"decision": decision, "comment": comment})


def test_recommending_moves_the_framework_to_recommended_and_tells_the_board(world, run, app):
    framework, _, record = run
    app.extensions["mail_outbox"] = []
    body = recommend(world, record)
    assert body["status"] == "recommended" and body["id"] == framework["id"]
    assert body["recommendation"]["board_size"] == 5 and body["recommendation"]["quorum"] == 3
    told = sorted(m["To"] for m in app.extensions["mail_outbox"])
    assert told == sorted(PEOPLE[who][0] for who in BOARD)
    assert_error(world.post("admin", f"/api/v1/award-runs/{record['id']}/recommend"), 409, "conflict")
    assert "recommendation.made" in [e["action"] for e in world.audit(object_type="Recommendation")]


def test_only_admins_recommend_and_only_completed_runs(world, run):
    _, _, record = run
    assert_error(world.post("board", f"/api/v1/award-runs/{record['id']}/recommend"), 403, "forbidden")
    assert_error(world.post("admin", "/api/v1/award-runs/999999/recommend"), 404, "not_found")


def test_a_quorum_of_approvals_starts_the_standstill_with_its_end_date(world, run, app, monkeypatch):
    from procurement.contracts import standstill, tasks

    framework, lot, record = run
    queued = []
    monkeypatch.setattr(tasks, "send_standstill_letters", queued.append)
    recommend(world, record)
    app.extensions["mail_outbox"] = []
    for who in ("board", "board2"):
        declare(world, who, lot)
        answer = vote(world, who, record, "approve")
        assert answer.status_code == 201, answer.get_json()
        assert answer.get_json()["framework_status"] == "recommended"
    declare(world, "board3", lot)
    answer = vote(world, "board3", record, "approve").get_json()
    assert answer["tally"] == {"approve": 3, "reject": 0, "abstain": 0, "quorum": 3, "outcome": "approved"}
    assert answer["framework_status"] == "standstill" and answer["standstill_ends"]
    shown = world.get("admin", f"/api/v1/frameworks/{framework['id']}").get_json()
    assert shown["status"] == "standstill" and shown["standstill_ends"] == answer["standstill_ends"]
    ends = datetime.fromisoformat(answer["standstill_ends"])
    assert ends - datetime.now(UTC) > timedelta(days=7)  # 8 working days
    # The deciding vote answers without writing the letters: they go to the task consumer, which writes them.
    assert queued == [framework["id"]]
    assert not [m for m in app.extensions["mail_outbox"] if m["Subject"].startswith("Assessment summary")]
    assert standstill.progress(framework["id"]) == (0, 2)
    assert standstill.send_letters(framework["id"]) == 2  # what the consumer does
    # Each bidder gets its assessment summary letter by e-mail, as a PDF.
    letters = [m for m in app.extensions["mail_outbox"] if m["Subject"].startswith("Assessment summary")]
    assert sorted(m["To"] for m in letters) == sorted([PEOPLE["supplier"][0], PEOPLE["other_supplier"][0]])
    attachment = next(letters[0].iter_attachments())
    text = pdf_text(attachment.get_content())
    assert "Assessment summary" in text and "standstill period ends" in text.replace("\n", " ")
    # A vote after the decision is refused; the minutes record who voted what.
    declare(world, "board4", lot)
    assert_error(vote(world, "board4", record, "approve"), 409, "conflict")
    from app.accounts.models import User
    from procurement.board import services as board

    data = board.minutes_pdf(db.session.get(User, world.user("board").id), record["id"])
    text = pdf_text(data)
    assert "approved" in text and PEOPLE["board3"][0] in text and "Sound award." in text


def test_a_member_who_has_not_declared_or_is_conflicted_cannot_vote(world, run):
    _, lot, record = run
    recommend(world, record)
    refused = assert_error(vote(world, "board", record, "approve"), 409, "conflict")
    assert "conflict-declaration" in refused["message"]
    declare(world, "board2", lot, conflict=True)
    assert_error(vote(world, "board2", record, "approve"), 403, "forbidden")
    declare(world, "board", lot)
    assert vote(world, "board", record, "approve").status_code == 201
    assert_error(vote(world, "board", record, "reject", "Changed my mind"), 409, "conflict")


def test_votes_are_for_the_board_on_a_recommended_run_with_valid_decisions(world, run):
    _, lot, record = run
    assert_error(vote(world, "board", record, "approve"), 409, "conflict")  # not recommended yet
    recommend(world, record)
    declare(world, "board", lot)
    assert_error(vote(world, "admin", record, "approve"), 403, "forbidden")
    assert_error(vote(world, "board", record, "maybe"), 422, "validation_failed")
    assert_error(vote(world, "board", record, "reject", ""), 422, "validation_failed")
    assert_error(world.post("board", "/api/v1/award-runs/999999/votes", {"decision": "approve"}), 404, "not_found")


def test_a_majority_of_rejections_sends_the_framework_back_to_evaluation_with_the_reasons(world, run):
    framework, lot, record = run
    recommend(world, record)
    for who in ("board", "board2", "board3"):
        declare(world, who, lot)
        answer = vote(world, who, record, "reject", f"{who}: the price is too high.").get_json()
    assert answer["tally"]["outcome"] == "rejected" and answer["framework_status"] == "evaluation"
    assert stored_framework(framework["id"]).status.value == "evaluation"
    from procurement.board import services as board

    assert "board2: the price is too high." in board.latest_for(framework["id"]).reasons
    # A new run can be recommended again.
    again = world.post("admin", f"/api/v1/frameworks/{framework['id']}/award-runs", {}).get_json()
    assert recommend(world, again)["status"] == "recommended"


def test_abstentions_count_for_neither_side(world, run):
    _, lot, record = run
    recommend(world, record)
    for who in ("board", "board2", "board3", "board4"):
        declare(world, who, lot)
    assert vote(world, "board", record, "abstain", "").status_code == 201
    assert vote(world, "board2", record, "approve").get_json()["tally"]["outcome"] == "pending"
    assert vote(world, "board3", record, "approve").get_json()["tally"]["outcome"] == "pending"
    assert vote(world, "board4", record, "approve").get_json()["tally"]["outcome"] == "approved"


def approved(world, run):
    from procurement.contracts import standstill

    framework, lot, record = run
    recommend(world, record)
    for who in ("board", "board2", "board3"):
        declare(world, who, lot)
        assert vote(world, who, record, "approve").status_code == 201
    standstill.send_letters(framework["id"])  # what the task consumer does with the queued letters
    return framework, lot, record


def end_standstill(framework_id: int) -> None:
    from frameworks.models import Framework

    db.session.execute(update(Framework).where(Framework.id == framework_id).values(
        standstill_ends=datetime.now(UTC) - timedelta(minutes=1)))
    db.session.commit()


def test_the_framework_cannot_be_awarded_before_the_standstill_ends(world, run):
    framework, _, _ = approved(world, run)
    refused = assert_error(world.transition(framework["id"], "awarded"), 409, "conflict")
    assert "standstill" in refused["message"]
    assert_error(world.get("admin", f"/api/v1/frameworks/{framework['id']}/contracts"), 409, "conflict")


@pytest.fixture
def awarded(world, run):
    framework, lot, record = approved(world, run)
    end_standstill(framework["id"])
    response = world.transition(framework["id"], "awarded")
    assert response.status_code == 200, response.get_json()
    return framework, lot, record


def test_on_award_each_winner_gets_a_framework_agreement_and_each_authority_a_call_off(world, awarded):
    framework, lot, record = awarded
    items = world.get("admin", f"/api/v1/frameworks/{framework['id']}/contracts").get_json()["items"]
    winner = record["awards"][0]
    agreements = [c for c in items if c["kind"] == "framework_agreement"]
    call_offs = [c for c in items if c["kind"] == "call_off"]
    assert [(c["supplier_id"], c["lot_ids"], c["value"], c["status"]) for c in agreements] == [
        (winner["supplier_id"], [lot["id"]], winner["price"], "issued")]
    from frameworks import services as frameworks

    authorities = {a.organisation_id for a in frameworks.demand(frameworks.get_lot(lot["id"])).authorities}
    assert len(authorities) == 2 and {c["organisation_id"] for c in call_offs} == authorities
    assert all(c["supplier_id"] == winner["supplier_id"] and c["lot_ids"] == [lot["id"]] for c in call_offs)
    assert sum(Decimal(c["value"]) for c in call_offs) == Decimal(winner["price"])
    for contract in items:
        answer = world.get("admin", f"/api/v1/contracts/{contract['id']}/pdf")
        assert answer.status_code == 200 and answer.mimetype == "application/pdf"
        assert hashlib.sha256(answer.data).hexdigest() == contract["sha256"]


def test_the_pdfs_hold_the_parties_lots_prices_and_clause_numbers(world, awarded):
    framework, lot, record = awarded
    items = world.get("admin", f"/api/v1/frameworks/{framework['id']}/contracts").get_json()["items"]
    agreement = next(c for c in items if c["kind"] == "framework_agreement")
    data = world.get("admin", f"/api/v1/contracts/{agreement['id']}/pdf").data
    reader = PdfReader(io.BytesIO(data))
    text = pdf_text(data)
    winner = "Acme Ltd" if record["awards"][0]["supplier_id"] == world.organisation_id("supplier") else "Bolt Ltd"
    for expected in ("Framework agreement", winner, "Consort", framework["reference"], lot["title"],
                     f"£{Decimal(record['awards'][0]['price']):,.2f}", "1.", "2.", "10.", "Schedule 1",
                     "London Borough of Camden", "Page 1 of"):
        assert expected in text, expected
    assert "/GTS_PDFA1" in str(reader.trailer["/Root"]["/OutputIntents"][0].get_object()["/S"])
    fonts = [page["/Resources"]["/Font"][name].get_object() for page in reader.pages
             for name in page["/Resources"]["/Font"]]
    assert fonts and all("Consort-Serif" in font["/BaseFont"] for font in fonts)  # our own fonts
    for font in fonts:  # embedded, as PDF/A requires
        descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)
        descriptor = descriptor["/FontDescriptor"].get_object()
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_the_same_inputs_give_the_same_bytes(world, awarded, app):
    from procurement.contracts import services as contracts
    from procurement.contracts.models import Contract

    contract = db.session.scalars(db.select(Contract).where(Contract.framework_id == awarded[0]["id"])).first()
    assert contracts.document(contract) == contract.versions[-1].pdf


def test_the_supplier_signs_and_the_admin_countersigns_each_a_new_version(world, awarded):
    framework, _, record = awarded
    who = "supplier" if record["awards"][0]["supplier_id"] == world.organisation_id("supplier") else "other_supplier"
    loser = "other_supplier" if who == "supplier" else "supplier"
    mine = world.get(who, f"/api/v1/frameworks/{framework['id']}/contracts").get_json()["items"]
    agreement = next(c for c in mine if c["kind"] == "framework_agreement")
    assert_error(world.post("admin", f"/api/v1/contracts/{agreement['id']}/countersign"), 409, "conflict")
    assert_error(world.post(who, f"/api/v1/contracts/{agreement['id']}/sign", {"name": "", "position": "CEO"}),
                 422, "validation_failed")
    signed = world.post(who, f"/api/v1/contracts/{agreement['id']}/sign", {"name": "Sam Smith", "position": "CEO"})
    assert signed.status_code == 200, signed.get_json()
    assert signed.get_json()["status"] == "signed" and signed.get_json()["version"] == 2
    assert signed.get_json()["sha256"] != agreement["sha256"]
    assert_error(world.post(who, f"/api/v1/contracts/{agreement['id']}/sign",
                            {"name": "Sam Smith", "position": "CEO"}), 409, "conflict")
    assert_error(world.post(loser, f"/api/v1/contracts/{agreement['id']}/sign",
                            {"name": "Tim", "position": "CEO"}), 404, "not_found")
    text = pdf_text(world.get(who, f"/api/v1/contracts/{agreement['id']}/pdf").data)
    assert "Sam Smith" in text and "CEO" in text
    done = world.post("admin", f"/api/v1/contracts/{agreement['id']}/countersign")
    assert done.status_code == 200 and done.get_json()["status"] == "countersigned"
    assert done.get_json()["version"] == 3
    body = world.get("admin", f"/api/v1/contracts/{agreement['id']}/pdf")
    assert hashlib.sha256(body.data).hexdigest() == done.get_json()["sha256"]
    assert "For the consortium" in pdf_text(body.data)
    first = world.get("admin", f"/api/v1/contracts/{agreement['id']}/pdf", query_string={"version": 1})
    assert hashlib.sha256(first.data).hexdigest() == agreement["sha256"]  # the history keeps every version
    actions = [e["action"] for e in world.audit(object_type="Contract", object_id=agreement["id"])]
    assert "contract.signature" in actions and "contract.countersignature" in actions


def test_a_non_party_gets_403_or_404_for_every_contract(world, awarded):
    framework, _, record = awarded
    items = world.get("admin", f"/api/v1/frameworks/{framework['id']}/contracts").get_json()["items"]
    winner = "supplier" if record["awards"][0]["supplier_id"] == world.organisation_id("supplier") else "other_supplier"
    loser = "other_supplier" if winner == "supplier" else "supplier"
    assert world.get(loser, f"/api/v1/frameworks/{framework['id']}/contracts").get_json()["items"] == []
    PEOPLE.setdefault("islington_officer", ("ian@islington.gov.uk", "officer", "London Borough of Islington"))
    assert world.get("islington_officer",
                     f"/api/v1/frameworks/{framework['id']}/contracts").get_json()["items"] == []
    officer_sees = world.get("officer", f"/api/v1/frameworks/{framework['id']}/contracts").get_json()["items"]
    assert officer_sees and all(c["kind"] == "call_off" for c in officer_sees)
    for contract in items:
        for who in (loser, "islington_officer"):
            assert_error(world.get(who, f"/api/v1/contracts/{contract['id']}"), 404, "not_found")
            assert_error(world.get(who, f"/api/v1/contracts/{contract['id']}/pdf"), 404, "not_found")
        for who in ("evaluator", "board"):
            assert_error(world.get(who, f"/api/v1/contracts/{contract['id']}/pdf"), 403, "forbidden")
    mine = officer_sees[0]
    assert world.get("officer", f"/api/v1/contracts/{mine['id']}/pdf").status_code == 200
    others = [c for c in items if c["kind"] == "call_off" and c["id"] != mine["id"]]
    assert others and all(world.get("officer", f"/api/v1/contracts/{c['id']}").status_code == 404 for c in others)


def test_the_ocds_package_gains_the_award_and_then_the_contract_and_stays_valid(world, run):
    from consort.publication.ocds import validation_errors

    framework, _, record = approved(world, run)
    package = world.get("officer", f"/api/v1/frameworks/{framework['id']}/ocds").get_json()
    assert validation_errors(package) == []
    release = package["releases"][-1]
    winner = record["awards"][0]
    assert release["tag"] == ["award"] and "contracts" not in release
    assert [(a["status"], a["suppliers"][0]["id"], a["relatedLots"]) for a in release["awards"]] == [
        ("pending", f"consort-org-{winner['supplier_id']}", ["1"])]
    assert any("supplier" in p["roles"] for p in release["parties"])
    end_standstill(framework["id"])
    assert world.transition(framework["id"], "awarded").status_code == 200
    agreement = next(c for c in world.get("admin", f"/api/v1/frameworks/{framework['id']}/contracts")
                     .get_json()["items"] if c["kind"] == "framework_agreement")
    who = "supplier" if winner["supplier_id"] == world.organisation_id("supplier") else "other_supplier"
    world.post(who, f"/api/v1/contracts/{agreement['id']}/sign", {"name": "Sam Smith", "position": "CEO"})
    world.post("admin", f"/api/v1/contracts/{agreement['id']}/countersign")
    package = world.get("officer", f"/api/v1/frameworks/{framework['id']}/ocds").get_json()
    assert validation_errors(package) == []
    release = package["releases"][-1]
    assert release["awards"][0]["status"] == "active" and release["tag"] == ["contractUpdate"]
    assert [(c["id"], c["status"], c["awardID"]) for c in release["contracts"]] == [
        (agreement["reference"], "active", release["awards"][0]["id"])]
    assert "Sam Smith" not in str(package)  # who signed stays off the open data


def test_a_rendered_version_is_never_changed(world, awarded):
    from procurement.contracts.models import Contract

    contract = db.session.scalars(db.select(Contract).where(Contract.framework_id == awarded[0]["id"])).first()
    version = contract.versions[0]
    version.pdf = b"%PDF-forged"
    with pytest.raises(ValueError, match="on the record"):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(type(version), version.id).pdf.startswith(b"%PDF-1.")


def test_the_board_reads_the_award_run_it_votes_on(world, run):
    _, _, record = run
    recommend(world, record)
    shown = world.get("board", f"/api/v1/award-runs/{record['id']}")
    assert shown.status_code == 200 and shown.get_json()["awards"] == record["awards"]
    assert_error(world.get("evaluator", f"/api/v1/award-runs/{record['id']}"), 403, "forbidden")
    assert_error(world.get("supplier", f"/api/v1/award-runs/{record['id']}"), 403, "forbidden")
