"""The seal, over the whole URL map: no page or API answer may differ in any way because a sealed bid exists.

Beside the matrix of test_seal_matrix.py (every way of reading a bid), this walks every GET rule of the app, pages
and API alike, so that a new route is covered by default. One world is rendered twice for every role but the
bidder's: before a distinctive supplier ("Zyxwv Sealed Ltd", price 987654.32) submits a bid with a document to a
framework whose deadline has not passed, and after. The answers must be identical, once CSRF tokens, nonces and
timestamps are taken out and the bid's and document's ids are written as placeholders (before the bid exists, a
route that takes them is asked with ids that name nothing); and after, no answer may hold the price, the bid's id or
the document's id, nor the bidder's name where it was not there before.

A route the walk cannot fill, or that is known to differ, is listed below with the reason.
"""
import io
import re
from itertools import product
from urllib.parse import quote

import pytest
from pypdf import PdfReader

from tests.functional.bids_support import submitted
from tests.functional.frameworks_support import PEOPLE, World
from tests.support import sign_in

BIDDER, PRICE = "Zyxwv Sealed Ltd", "987654.32"
PEOPLE.setdefault("sealed_bidder", ("zoe@zyxwv.example", "supplier", BIDDER))
ROLES = ["anonymous", "other_supplier", "officer", "admin", "board", "evaluator"]
DOCUMENT = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n% Zyxwv method statement\n"
# Before the bid exists, its routes are asked with these ids, which name nothing.
ABSENT_BID, ABSENT_DOCUMENT = 2_000_000_001, 2_000_000_002
NOTHING = 2_000_000_003  # what names no award run, contract, call-off, levy or mini-competition: none exists yet

# Routes the walk does not request, and why.
NOT_WALKED = {
    "/static/<path:filename>": "files shipped with the app; no data of any kind reaches them",
}
# The audit log's views (/admin/audit, GET /api/v1/audit, the dashboards' event counts, /api/v1/transparency/*) are
# walked with every other route: since sealed events wait in their framework's sealed chain they answer alike too.
# (While the dashboard counted them, this walk failed there: '25 audit events recorded' became '29 ...'.)
VOLATILE = [
    (rb'(name="csrf_token"[^>]*value=")[^"]*"', rb'\1"'),
    (rb'(value="[^"]*"[^>]*name="csrf_token")', rb'csrf'),
    (rb'nonce="[^"]*"', rb'nonce=""'),
    (rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?", rb"<time>"),
    (rb"\d{1,2} [A-Z][a-z]{2,8} \d{4},? \d{1,2}:\d\d( ?[ap]m)?( GMT| BST)?", rb"<time>"),  # as pages and PDFs say it
]


@pytest.fixture
def walk_world(app, client, make_user):
    """An open framework with a lot whose panel has the evaluator, every role signed in (pages and API), and the
    bidder registered but not yet bidding; `bid()` then submits its sealed bid with a document."""
    world = World(client, make_user)
    framework, lot = world.published()
    world.headers("sealed_bidder")  # its sign-in is audited, and is no secret: only the bid must not show
    panel = world.post("admin", f"/api/v1/lots/{lot['id']}/panel", {"user_ids": [world.user("evaluator").id]})
    assert panel.status_code == 200, panel.get_json()
    pages = {"anonymous": app.test_client()}
    for who in ROLES[1:]:
        pages[who] = app.test_client()
        world.user(who)
        assert sign_in(pages[who], PEOPLE[who][0]).status_code == 302
        world.headers(who)
    fills = {"framework_id": [framework["id"]], "lot_id": [lot["id"]], "bid_id": [ABSENT_BID],
             "document_id": [ABSENT_DOCUMENT], "requirement_id": lot.get("requirement_ids", [])[:1] or [NOTHING],
             "organisation_id": [world.organisation_id("sealed_bidder")], "run_id": [NOTHING],
             "contract_id": [NOTHING], "levy_id": [NOTHING], "competition_id": [NOTHING], "call_off_id": [NOTHING],
             "table": ["pipeline", "levies", "savings", "officer"], "to": ["closed", "cancelled"],
             "token": ["no-such-token"], "user_id": [world.user("sealed_bidder").id],
             "criterion_id": [criterion["id"] for criterion in lot["criteria"]][:1]}

    def bid() -> dict:
        made = submitted(world, framework, lot, who="sealed_bidder", price=PRICE)
        upload = world.post("sealed_bidder", f"/api/v1/bids/{made['id']}/documents",
                            data={"file": (io.BytesIO(DOCUMENT), "zyxwv-method.pdf")},
                            content_type="multipart/form-data")
        assert upload.status_code == 201, upload.get_json()
        assert world.post("sealed_bidder", f"/api/v1/bids/{made['id']}/submit").status_code == 200
        fills.update(bid_id=[made["id"]], document_id=[upload.get_json()["id"]])
        return {"bid": made["id"], "document": upload.get_json()["id"]}

    return world, pages, fills, bid


def _paths(app, fills: dict) -> list[tuple[str, str]]:
    """(rule, path) for every GET rule, its arguments filled in each way listed."""
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.rule in NOT_WALKED:
            continue
        names = sorted(rule.arguments)
        missing = [name for name in names if name not in fills]
        assert not missing, f"{rule.rule}: fill {missing} in walk_world, or list the rule in NOT_WALKED with why"
        for values in product(*(fills[name] for name in names)):
            path = rule.rule
            for name, value in zip(names, values, strict=True):
                path = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(value), path)
            found.append((rule.rule, path))
    return found


def _answer(world, pages, who: str, path: str):
    if path.startswith("/api/"):
        headers = {} if who == "anonymous" else world.headers(who)
        return world.client.get(path, headers=headers)
    return pages[who].get(path)


def _body(response) -> bytes:
    """The answer's bytes; for a PDF, the text of its pages (its bytes hold the moment it was made, compressed)."""
    if response.mimetype != "application/pdf":
        return response.get_data()
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.get_data())).pages).encode()


def _normalised(response, ids: dict[str, int]) -> tuple:
    body = _body(response)
    for pattern, replacement in VOLATILE:
        body = re.sub(pattern, replacement, body)
    location = response.headers.get("Location")
    for name, value in ids.items():
        body = body.replace(str(value).encode(), f"<{name}>".encode())
        location = location and location.replace(str(value), f"<{name}>")
    return response.status_code, response.headers.get("Content-Type"), location, body


def _walk(app, world, pages, fills) -> dict:
    answers = {(who, path): _answer(world, pages, who, path) for _, path in _paths(app, fills) for who in ROLES}
    for page in pages.values():
        page.get("/opportunities")  # shows, and so spends, a message flashed by the walk's last redirect
    return answers


def test_no_route_answers_differently_because_a_sealed_bid_exists(app, walk_world):
    world, pages, fills, bid = walk_world
    before = _walk(app, world, pages, fills)
    ids = bid()
    after = _walk(app, world, pages, fills)
    absent = {"bid": ABSENT_BID, "document": ABSENT_DOCUMENT}
    differences, leaks = [], []
    for (who, path_before), response_before in before.items():
        path_after = path_before.replace(str(ABSENT_BID), str(ids["bid"])).replace(
            str(ABSENT_DOCUMENT), str(ids["document"]))
        response_after = after[(who, path_after)]
        # (a PDF or other download is searched as text too, undecodable bytes replaced)
        text_before, text_after = (_body(response).decode("utf-8", "replace")
                                   for response in (response_before, response_after))
        secrets = [PRICE, f"{float(PRICE):,.2f}", str(ids["bid"]), str(ids["document"])]
        secrets += [BIDDER] if BIDDER not in text_before else []
        echoed = _without_echo(text_after, path_after)  # a sign-in link's ?next= repeats what was asked
        leaks += [f"{who} GET {path_after}: {secret!r}" for secret in secrets if secret in echoed]
        if _normalised(response_before, absent) != _normalised(response_after, ids):
            differences.append(f"{who} GET {path_after}: {_difference(response_before, response_after, absent, ids)}")
    assert len(before) > 500, "the walk asked for fewer answers than there are routes"
    assert not leaks, "the sealed bid shows:\n" + "\n".join(leaks)
    assert not differences, f"{len(differences)} answers differ once a sealed bid exists:\n" + "\n".join(differences)


def _without_echo(text: str, path: str) -> str:
    for form in (path, quote(path, safe=""), quote(path)):
        text = text.replace(form, "")
    return text


def _difference(before, after, absent: dict, ids: dict) -> str:
    """Where two answers first part, for the failure's message."""
    status_before, type_before, location_before, body_before = _normalised(before, absent)
    status_after, type_after, location_after, body_after = _normalised(after, ids)
    if (status_before, type_before, location_before) != (status_after, type_after, location_after):
        return f"{status_before} {type_before} {location_before} became {status_after} {type_after} {location_after}"
    at = next((i for i, (a, b) in enumerate(zip(body_before, body_after, strict=False)) if a != b),
              min(len(body_before), len(body_after)))
    return f"{body_before[max(0, at - 80):at + 80]!r} became {body_after[max(0, at - 80):at + 80]!r}"
