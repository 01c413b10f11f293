"""A real answer of every documented operation, for every success status it documents, satisfies the OpenAPI
document (GET /api/v1/openapi.json); so does a real answer of each error status the document uses.

The walk goes through the API from a requirement to a paid levy. Each answer checked is recorded as
(method, path, status), and the set checked must be the set documented: a new operation, or a new success status
of an old one, fails this test until an answer of it is checked here."""
import io

import pytest
import requests
from jsonschema.exceptions import ValidationError
from sqlalchemy import update

from app.extensions import db
from frameworks.models import Lot
from procurement.award import services as award
from procurement.award import tasks
from suppliers.domain.exclusion import GROUNDS
from tests.functional.bids_support import bid_body, offer, past_deadline, submitted
from tests.functional.board.test_board_api import BOARD, end_standstill
from tests.functional.frameworks_support import PEOPLE, World, framework_body, lot_body, requirement_body
from tests.functional.payments.test_levies_and_stripe import event, signed
from tests.functional.test_openapi import fetch_document, response_validator
from tests.stripe_support import SECRET_KEY, WEBHOOK_SECRET
from tests.support import PASSWORD, bearer

PEOPLE.setdefault("second_evaluator", ("sid@hackney.gov.uk", "evaluator", "London Borough of Hackney"))
for _who in BOARD:
    PEOPLE.setdefault(_who, (f"{_who}@consort.example", "board", "Consort"))
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
METHODS = {"get", "put", "post", "delete", "patch"}


class Answers:
    """Checks real answers against the document, and remembers which (method, path, status) it checked."""

    def __init__(self, document: dict):
        self.document = document
        self.checked: set[tuple[str, str, int]] = set()

    def __call__(self, response, method: str, path: str, status: int):
        assert response.status_code == status, (method, path, response.status_code, response.get_data(as_text=True))
        responses = self.document["paths"][path][method.lower()]["responses"]
        assert str(status) in responses, f"{method} {path} does not document {status}"
        content = responses[str(status)].get("content", {})
        if "application/json" in content:
            assert response.is_json, (method, path, response.content_type)
            body = response.get_json()
            validator = response_validator(self.document, path, method, status)
            validator.validate(body)
            # The schema is not vacuous: the same body without one of its keys is refused.
            with pytest.raises(ValidationError):
                for key in body:
                    validator.validate({k: v for k, v in body.items() if k != key})
        elif status == 204:
            assert response.get_data() == b"", (method, path)
        else:  # a download: the bytes of a file
            assert response.mimetype in content, f"{method} {path} {status} does not document {response.mimetype}"
            assert response.get_data() and not response.is_json, (method, path)
        self.checked.add((method, path, status))
        return response.get_json(silent=True)


def documented(document: dict, wanted) -> set[tuple[str, str, int]]:
    return {(method.upper(), path, int(status)) for path, item in document["paths"].items()
            for method, operation in item.items() if method in METHODS
            for status in operation["responses"] if wanted(int(status))}


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)


@pytest.fixture
def paying(app, localstripe):
    """Stripe (localstripe) set up, delivering its own webhooks nowhere: the test signs the events it sends."""
    app.config.update(STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_API_BASE=localstripe,
                      STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, MEMBERSHIP_FEE_PENCE=250_000)
    requests.post(localstripe + "/_config/webhooks/consort", data={"url": "http://127.0.0.1:9/none",
                                                                  "secret": WEBHOOK_SECRET}, timeout=5)
    return app


def _the_shell(world, check):
    check(world.client.get("/healthz"), "GET", "/healthz", 200)
    check(world.client.get("/api/v1/openapi.json"), "GET", "/api/v1/openapi.json", 200)
    token = check(world.client.post("/api/v1/tokens", json={"email": world.user("supplier").email,
                                                             "password": PASSWORD}), "POST", "/api/v1/tokens", 201)
    check(world.client.get("/api/v1/me", headers=bearer(token["token"])), "GET", "/api/v1/me", 200)
    check(world.client.delete("/api/v1/tokens/current", headers=bearer(token["token"])),
          "DELETE", "/api/v1/tokens/current", 204)
    organisation = world.organisation_id("supplier")
    check(world.get("admin", "/api/v1/organisations"), "GET", "/api/v1/organisations", 200)
    check(world.get("supplier", f"/api/v1/organisations/{organisation}"),
          "GET", "/api/v1/organisations/{organisation_id}", 200)
    check(world.get("admin", f"/api/v1/organisations/{organisation}/users"),
          "GET", "/api/v1/organisations/{organisation_id}/users", 200)


def _requirements(world, check) -> list[int]:
    made = [check(world.post(who, "/api/v1/requirements", requirement_body(**changes)),
                  "POST", "/api/v1/requirements", 201)["id"]
            for who, changes in (("officer", {}), ("other_officer", {"quantity": "100",
                                                                      "estimated_unit_price": "750.50"}))]
    check(world.get("officer", "/api/v1/requirements"), "GET", "/api/v1/requirements", 200)
    check(world.get("admin", f"/api/v1/requirements/{made[0]}"), "GET", "/api/v1/requirements/{requirement_id}", 200)
    check(world.put("officer", f"/api/v1/requirements/{made[0]}", requirement_body()),
          "PUT", "/api/v1/requirements/{requirement_id}", 200)
    return made


def _joining_and_leaving(world, check) -> None:
    framework = world.framework()
    lot = world.lot(framework["id"], [world.requirement("officer")["id"]])
    extra = world.requirement("other_officer")
    check(world.post("other_officer", f"/api/v1/lots/{lot['id']}/join", {"requirement_id": extra["id"]}),
          "POST", "/api/v1/lots/{lot_id}/join", 200)
    check(world.post("other_officer", f"/api/v1/lots/{lot['id']}/leave"), "POST", "/api/v1/lots/{lot_id}/leave", 200)


def _an_open_framework(world, check, requirement_ids: list[int]) -> tuple[dict, dict]:
    framework = check(world.post("admin", "/api/v1/frameworks", framework_body(min_sme_share="0")),
                      "POST", "/api/v1/frameworks", 201)
    lot = check(world.post("admin", f"/api/v1/frameworks/{framework['id']}/lots", lot_body(requirement_ids)),
                "POST", "/api/v1/frameworks/{framework_id}/lots", 201)
    check(world.get("officer", f"/api/v1/lots/{lot['id']}"), "GET", "/api/v1/lots/{lot_id}", 200)
    framework = check(world.transition(framework["id"], "open"), "POST", "/api/v1/frameworks/{framework_id}/transition",
                      200)
    check(world.get("supplier", "/api/v1/frameworks"), "GET", "/api/v1/frameworks", 200)
    check(world.get("supplier", f"/api/v1/frameworks/{framework['id']}"), "GET", "/api/v1/frameworks/{framework_id}",
          200)
    check(world.get("supplier", f"/api/v1/frameworks/{framework['id']}/ocds"),
          "GET", "/api/v1/frameworks/{framework_id}/ocds", 200)
    question = check(world.post("supplier", f"/api/v1/frameworks/{framework['id']}/questions",
                                {"text": "Is a three-year warranty enough?"}),
                     "POST", "/api/v1/frameworks/{framework_id}/questions", 201)
    check(world.post("admin", f"/api/v1/questions/{question['id']}/answer", {"answer": "Yes."}),
          "POST", "/api/v1/questions/{question_id}/answer", 200)
    check(world.get("supplier", f"/api/v1/frameworks/{framework['id']}/questions"),
          "GET", "/api/v1/frameworks/{framework_id}/questions", 200)
    return framework, lot


def _the_supplier(world, check) -> None:
    check(world.get("supplier", "/api/v1/supplier-profile"), "GET", "/api/v1/supplier-profile", 200)
    check(world.put("supplier", "/api/v1/supplier-profile", {"website": "https://acme.example", "sme": True}),
          "PUT", "/api/v1/supplier-profile", 200)
    check(world.get("supplier", "/api/v1/exclusion-grounds"), "GET", "/api/v1/exclusion-grounds", 200)
    none_apply = {"answers": {g.code: False for g in GROUNDS}}
    check(world.post("supplier", "/api/v1/supplier-profile/declarations", none_apply),
          "POST", "/api/v1/supplier-profile/declarations", 201)


def _bids(world, check, framework: dict, lot: dict) -> dict:
    body = bid_body(offer(lot, price="180000.00"))
    bid = check(world.post("supplier", f"/api/v1/frameworks/{framework['id']}/bids", body),
                "POST", "/api/v1/frameworks/{framework_id}/bids", 201)
    check(world.put("supplier", f"/api/v1/bids/{bid['id']}", body), "PUT", "/api/v1/bids/{bid_id}", 200)
    documents = f"/api/v1/bids/{bid['id']}/documents"
    document = check(world.post("supplier", documents, data={"file": (io.BytesIO(PDF), "method.pdf")},
                                content_type="multipart/form-data"), "POST", "/api/v1/bids/{bid_id}/documents", 201)
    check(world.get("supplier", documents), "GET", "/api/v1/bids/{bid_id}/documents", 200)
    check(world.get("supplier", f"{documents}/{document['id']}"),
          "GET", "/api/v1/bids/{bid_id}/documents/{document_id}", 200)
    check(world.client.delete(f"{documents}/{document['id']}", headers=world.headers("supplier")),
          "DELETE", "/api/v1/bids/{bid_id}/documents/{document_id}", 204)
    check(world.post("supplier", f"/api/v1/bids/{bid['id']}/submit"), "POST", "/api/v1/bids/{bid_id}/submit", 200)
    check(world.post("supplier", f"/api/v1/bids/{bid['id']}/withdraw"), "POST", "/api/v1/bids/{bid_id}/withdraw", 200)
    bid = check(world.post("supplier", f"/api/v1/bids/{bid['id']}/submit"), "POST", "/api/v1/bids/{bid_id}/submit",
                200)
    check(world.get("supplier", f"/api/v1/bids/{bid['id']}"), "GET", "/api/v1/bids/{bid_id}", 200)
    check(world.get("supplier", f"/api/v1/frameworks/{framework['id']}/bids"),
          "GET", "/api/v1/frameworks/{framework_id}/bids", 200)
    return bid


def _evaluation(world, check, framework: dict, lot: dict, bids: list[dict]) -> None:
    panel = [world.user("evaluator").id, world.user("second_evaluator").id]
    check(world.post("admin", f"/api/v1/lots/{lot['id']}/panel", {"user_ids": panel}),
          "POST", "/api/v1/lots/{lot_id}/panel", 200)
    past_deadline(framework["id"])
    for who, values in (("evaluator", ("4", "8")), ("second_evaluator", ("2", "6"))):
        check(world.post(who, f"/api/v1/lots/{lot['id']}/conflict-declaration", {"conflict": False}),
              "POST", "/api/v1/lots/{lot_id}/conflict-declaration", 201)
        for bid in bids:
            for criterion, value in zip(lot["criteria"], values, strict=True):
                check(world.post(who, f"/api/v1/lots/{lot['id']}/scores",
                                 {"bid_id": bid["id"], "criterion_id": criterion["id"], "score": value,
                                  "rationale": "A clear delivery plan with dates."}),
                      "POST", "/api/v1/lots/{lot_id}/scores", 201)
    check(world.post("admin", f"/api/v1/lots/{lot['id']}/moderated-scores",
                     {"bid_id": bids[0]["id"], "criterion_id": lot["criteria"][0]["id"], "score": "3",
                      "reason": "The panel agreed on 3."}), "POST", "/api/v1/lots/{lot_id}/moderated-scores", 201)
    check(world.get("admin", f"/api/v1/lots/{lot['id']}/ranking"), "GET", "/api/v1/lots/{lot_id}/ranking", 200)
    check(world.transition(framework["id"], "evaluation"), "POST", "/api/v1/frameworks/{framework_id}/transition", 200)


def _award_and_board(app, world, check, framework: dict, lot: dict, monkeypatch) -> dict:
    db.session.execute(update(Lot).where(Lot.id == lot["id"]).values(max_awards=1))
    db.session.commit()
    runs = f"/api/v1/frameworks/{framework['id']}/award-runs"
    record = check(world.post("admin", runs, {}), "POST", "/api/v1/frameworks/{framework_id}/award-runs", 201)
    monkeypatch.setitem(app.config, "AWARD_ASYNC_OFFERS", 1)  # this framework's two offers count as large
    monkeypatch.setattr(tasks, "run_award", lambda run_id: None)  # the queue, without a consumer
    queued = check(world.post("admin", runs, {}), "POST", "/api/v1/frameworks/{framework_id}/award-runs", 202)
    check(world.get("admin", f"/api/v1/award-runs/{queued['id']}"), "GET", "/api/v1/award-runs/{run_id}", 200)
    award.complete(queued["id"])
    check(world.get("admin", runs), "GET", "/api/v1/frameworks/{framework_id}/award-runs", 200)
    for who in BOARD:
        world.user(who)
    check(world.post("admin", f"/api/v1/award-runs/{record['id']}/recommend"),
          "POST", "/api/v1/award-runs/{run_id}/recommend", 200)
    for who in BOARD[:3]:
        check(world.post(who, f"/api/v1/lots/{lot['id']}/conflict-declaration", {"conflict": False}),
              "POST", "/api/v1/lots/{lot_id}/conflict-declaration", 201)
        check(world.post(who, f"/api/v1/award-runs/{record['id']}/votes", {"decision": "approve"}),
              "POST", "/api/v1/award-runs/{run_id}/votes", 201)
    end_standstill(framework["id"])
    check(world.transition(framework["id"], "awarded"), "POST", "/api/v1/frameworks/{framework_id}/transition", 200)
    return record["awards"][0]


def _contracts_and_money(world, check, framework: dict, lot: dict, winner: dict) -> None:
    who = "supplier" if winner["supplier_id"] == world.organisation_id("supplier") else "other_supplier"
    listed = check(world.get(who, f"/api/v1/frameworks/{framework['id']}/contracts"),
                   "GET", "/api/v1/frameworks/{framework_id}/contracts", 200)
    contract = next(c for c in listed["items"] if c["kind"] == "framework_agreement")
    check(world.get("admin", f"/api/v1/contracts/{contract['id']}"), "GET", "/api/v1/contracts/{contract_id}", 200)
    check(world.get(who, f"/api/v1/contracts/{contract['id']}/pdf"), "GET", "/api/v1/contracts/{contract_id}/pdf",
          200)
    check(world.post(who, f"/api/v1/contracts/{contract['id']}/sign", {"name": "Sam Smith", "position": "CEO"}),
          "POST", "/api/v1/contracts/{contract_id}/sign", 200)
    check(world.post("admin", f"/api/v1/contracts/{contract['id']}/countersign"),
          "POST", "/api/v1/contracts/{contract_id}/countersign", 200)
    check(world.get("admin", f"/api/v1/frameworks/{framework['id']}/savings"),
          "GET", "/api/v1/frameworks/{framework_id}/savings", 200)
    placed = check(world.post("officer", f"/api/v1/frameworks/{framework['id']}/call-offs",
                              {"lot_id": lot["id"], "supplier_id": winner["supplier_id"], "value": "10000.00"}),
                   "POST", "/api/v1/frameworks/{framework_id}/call-offs", 201)
    check(world.get(who, "/api/v1/levies"), "GET", "/api/v1/levies", 200)
    check(world.get("officer", f"/api/v1/frameworks/{framework['id']}/ocds/record"),
          "GET", "/api/v1/frameworks/{framework_id}/ocds/record", 200)
    check(world.client.get("/api/v1/ocds/releases?per_page=1"), "GET", "/api/v1/ocds/releases", 200)
    intent = check(world.post(who, f"/api/v1/levies/{placed['levy']['id']}/payment-intent"),
                   "POST", "/api/v1/levies/{levy_id}/payment-intent", 201)
    check(world.post("officer", "/api/v1/memberships"), "POST", "/api/v1/memberships", 201)
    body, signature = signed(event("evt_answers", "payment_intent.succeeded",
                                   {"id": intent["payment_intent_id"], "object": "payment_intent"}))
    check(world.client.post("/stripe/webhook", data=body, headers={"Stripe-Signature": signature,
                                                                   "Content-Type": "application/json"}),
          "POST", "/stripe/webhook", 200)
    check(world.get("admin", "/api/v1/audit"), "GET", "/api/v1/audit", 200)


def test_every_documented_success_answer_satisfies_the_document(app, world, paying, monkeypatch):
    check = Answers(fetch_document(world.client))
    _the_shell(world, check)
    requirement_ids = _requirements(world, check)
    _joining_and_leaving(world, check)
    framework, lot = _an_open_framework(world, check, requirement_ids)
    _the_supplier(world, check)
    ours = _bids(world, check, framework, lot)
    theirs = submitted(world, framework, lot, who="other_supplier", price="150000.00")
    _evaluation(world, check, framework, lot, [ours, theirs])
    winner = _award_and_board(app, world, check, framework, lot, monkeypatch)
    _contracts_and_money(world, check, framework, lot, winner)
    # The receipt's leaf, public once the bids were opened at closing.
    _transparency(world, check, world.get("supplier", f"/api/v1/bids/{ours['id']}").get_json()["receipt"])
    unchecked = documented(check.document, lambda status: 200 <= status < 300) - check.checked
    assert not unchecked, f"success answers documented but not checked here: {sorted(unchecked)}"
    assert check.checked == documented(check.document, lambda status: 200 <= status < 300)


def _transparency(world, check, receipt: dict) -> None:
    first = check(world.post("admin", "/api/v1/transparency/checkpoints", {}), "POST",
                  "/api/v1/transparency/checkpoints", 201)
    latest = check(world.post("admin", "/api/v1/transparency/checkpoints", {}), "POST",
                   "/api/v1/transparency/checkpoints", 201)
    check(world.client.get("/api/v1/transparency/key"), "GET", "/api/v1/transparency/key", 200)
    check(world.client.get("/api/v1/transparency/checkpoint"), "GET", "/api/v1/transparency/checkpoint", 200)
    check(world.client.get("/api/v1/transparency/checkpoints"), "GET", "/api/v1/transparency/checkpoints", 200)
    check(world.client.get(f"/api/v1/transparency/proof/inclusion?index={receipt['log_index']}"
                           f"&tree_size={latest['tree_size']}"), "GET", "/api/v1/transparency/proof/inclusion", 200)
    check(world.client.get(f"/api/v1/transparency/proof/consistency?from={first['tree_size']}"
                           f"&to={latest['tree_size']}"), "GET", "/api/v1/transparency/proof/consistency", 200)


def test_a_real_answer_of_each_documented_error_status_satisfies_the_document(app, world, monkeypatch):
    check = Answers(fetch_document(world.client))
    check(world.client.post("/api/v1/tokens", data="email=x", content_type="text/plain"), "POST", "/api/v1/tokens",
          400)
    check(world.client.get("/api/v1/me"), "GET", "/api/v1/me", 401)
    check(world.get("supplier", "/api/v1/audit"), "GET", "/api/v1/audit", 403)
    check(world.get("admin", "/api/v1/organisations/987654"), "GET", "/api/v1/organisations/{organisation_id}", 404)
    framework = world.framework()
    check(world.transition(framework["id"], "awarded"), "POST", "/api/v1/frameworks/{framework_id}/transition", 409)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    check(world.post("supplier", "/api/v1/bids/987654/documents", data={"file": (io.BytesIO(bytes(8192)), "a.pdf")},
                     content_type="multipart/form-data"), "POST", "/api/v1/bids/{bid_id}/documents", 413)
    check(world.post("admin", "/api/v1/frameworks", framework_body(maximum_value="-1")), "POST", "/api/v1/frameworks",
          422)
    check(world.post("officer", "/api/v1/memberships"), "POST", "/api/v1/memberships", 503)

    def unreachable(*args, **kwargs):
        raise ConnectionError("the database is down")

    monkeypatch.setattr(db.session, "execute", unreachable)
    check(world.client.get("/healthz"), "GET", "/healthz", 503)
    monkeypatch.undo()
    error_statuses = {status for _, _, status in documented(check.document, lambda status: status >= 400)}
    assert {status for _, _, status in check.checked} == error_statuses
