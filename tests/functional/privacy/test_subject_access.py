"""Subject access: a person downloads everything held about them (JSON through the API and the account page, and a
readable PDF), never anybody else's data or anything sealed; an admin produces the same for a postal request."""
import io
import json
from datetime import timedelta

import pytest
from pypdf import PdfReader

from app.accounts.models import ApiToken
from app.extensions import db
from app.types import utcnow
from frameworks import services as framework_services
from tests.functional.bids_support import past_deadline, submitted
from tests.functional.board.test_board_api import declare, recommend, run, vote  # noqa: F401 - run: a fixture
from tests.functional.frameworks_support import PEOPLE, World
from tests.support import csrf_token, sign_in

PEOPLE.setdefault("second_evaluator", ("sid@hackney.gov.uk", "evaluator", "London Borough of Hackney"))
EXPORT = "/api/v1/me/data-export"


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)


def _export(world, who: str) -> dict:
    answer = world.get(who, EXPORT)
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    return answer.get_json()


@pytest.fixture
def scored(world):
    """Two evaluators, each with their own declaration and their own rationales, on a lot with two bids."""
    framework, lot = world.published(min_sme_share="0")
    bids = [submitted(world, framework, lot, price="180000.00"),
            submitted(world, framework, lot, who="other_supplier", price="150000.00")]
    panel = [world.user("evaluator").id, world.user("second_evaluator").id]
    assert world.post("admin", f"/api/v1/lots/{lot['id']}/panel", {"user_ids": panel}).status_code == 200
    past_deadline(framework["id"])
    for who in ("evaluator", "second_evaluator"):
        assert world.post(who, f"/api/v1/lots/{lot['id']}/conflict-declaration",
                          {"conflict": False, "details": f"No interest, says {who}."}).status_code == 201
        for bid in bids:
            for criterion in lot["criteria"]:
                assert world.post(who, f"/api/v1/lots/{lot['id']}/scores", {
                    "bid_id": bid["id"], "criterion_id": criterion["id"], "score": "3",
                    "rationale": f"{who} found bid {bid['id']} sound on {criterion['name']}."}).status_code == 201
    return framework, lot, bids


def test_the_export_holds_their_declarations_and_scores_and_nobody_elses(world, scored):
    data = _export(world, "evaluator")
    assert data["account"]["email"] == world.user("evaluator").email
    assert [d["details"] for d in data["conflict_declarations"]] == ["No interest, says evaluator."]
    assert len(data["scores"]) == 4
    assert all(s["rationale"].startswith("evaluator found") for s in data["scores"])
    assert "second_evaluator" not in json.dumps(data) and "sid@hackney.gov.uk" not in json.dumps(data)
    actions = [e["action"] for e in data["audit_events"]]
    assert actions.count("score.recorded") == 4 and actions.count("lot.conflict_declared") == 1


def test_the_export_never_holds_a_token_or_session_secret_or_hash(world):
    token = world.headers("officer")["Authorization"].removeprefix("Bearer ")
    data = _export(world, "officer")
    text = json.dumps(data)
    stored = db.session.scalars(db.select(ApiToken.token_hash)).all()
    assert data["api_tokens"] and token not in text and not any(h in text for h in stored)
    assert "password" not in text


def test_nothing_sealed_is_in_a_suppliers_export_until_the_deadline(world):
    framework, lot = world.published()
    bid = submitted(world, framework, lot)
    before = _export(world, "supplier")
    assert not [e for e in before["audit_events"] if e["object_type"] == "Bid"]
    past_deadline(framework["id"])
    assert framework_services.close_due(utcnow() + timedelta(minutes=5)) == [framework["id"]]  # the bids opened
    after = _export(world, "supplier")
    assert [e for e in after["audit_events"] if e["object_type"] == "Bid" and e["object_id"] == str(bid["id"])]


def test_a_board_members_export_holds_their_vote_and_not_the_others(world, run):  # noqa: F811 - the fixture
    _, lot, record = run
    recommend(world, record)
    for who, comment in (("board", "My own reasons."), ("board2", "Another member's reasons.")):
        declare(world, who, lot)
        assert vote(world, who, record, "approve", comment).status_code == 201
    votes = _export(world, "board")["votes"]
    assert [(v["decision"], v["comment"]) for v in votes] == [("approve", "My own reasons.")]


def test_the_account_page_gives_the_json_and_a_readable_pdf(app, world, scored):
    client = app.test_client()
    sign_in(client, world.user("evaluator").email)
    assert "Download your data (PDF)" in client.get("/account").get_data(as_text=True)
    assert client.get("/account/data-export.json").get_json()["account"]["id"] == world.user("evaluator").id
    answer = client.get("/account/data-export.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(answer.data)).pages)
    assert world.user("evaluator").email in text and "No interest, says evaluator." in text
    assert "second_evaluator found" not in text


def test_an_admin_produces_a_persons_data_for_a_postal_request_and_it_is_audited(app, world):
    officer = world.user("officer")
    admin = app.test_client()
    sign_in(admin, world.user("admin").email)
    path = f"/admin/users/{officer.id}/data-export"
    answer = admin.post(path, data={"csrf_token": csrf_token(admin, path), "reference": "Letter 2026/14",
                                    "format": "json"})
    assert answer.status_code == 200 and answer.get_json()["account"]["email"] == officer.email
    [event] = [e for e in world.audit() if e["action"] == "subject_access.produced"]
    assert event["object_id"] == str(officer.id) and event["after"] == {"reference": "Letter 2026/14"}
    missing = admin.post(path, data={"csrf_token": csrf_token(admin, path), "format": "pdf"})
    assert missing.status_code == 422
    other = app.test_client()
    sign_in(other, world.user("other_officer").email)
    assert other.get(path).status_code == 403
