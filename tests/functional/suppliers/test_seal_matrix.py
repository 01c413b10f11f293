"""The seal, as a matrix: every role by every way of reading a bid, before and after the deadline.

A sealed bid must be indistinguishable from no bid at all: the same 404 as an id that does not exist, no price,
answer, document or even the supplier's name in any answer, list, export or the OCDS feed.
"""
import json
import re
from decimal import Decimal

import pytest

from frameworks import services as framework_services
from tests.functional.bids_support import PRICE, QUALITY_ANSWER, past_deadline, submitted
from tests.functional.frameworks_support import PEOPLE, World
from tests.support import sign_in

DOCUMENT = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n% Walrus-5521 method statement\n"
DOCUMENT_NAME = "walrus-method.pdf"
READ, READ_BLIND, SEALED, SIGN_IN = "read", "read without prices", "sealed", "sign in"
PRICE_ON_A_PAGE = f"£{Decimal(PRICE):,.2f}"

# who -> (before the deadline, after the deadline)
MATRIX = {
    "supplier": (READ, READ),
    "other_supplier": (SEALED, SEALED),
    "admin": (SEALED, READ),
    "evaluator": (SEALED, READ_BLIND),  # on the lot's panel, no conflict declared; prices hidden by default
    "conflicted_evaluator": (SEALED, SEALED),  # on the panel, but declared a conflict
    "unassigned_evaluator": (SEALED, SEALED),  # on no panel
    "officer": (SEALED, SEALED),
    "board": (SEALED, SEALED),
    "anonymous": (SIGN_IN, SIGN_IN),
}
WAYS = ["page", "bids page", "api", "api list", "document (api)", "document (page)", "documents list (api)",
        "ocds (api)", "ocds (public)", "export"]
PEOPLE.setdefault("conflicted_evaluator", ("carl@hackney.gov.uk", "evaluator", "London Borough of Hackney"))
PEOPLE.setdefault("unassigned_evaluator", ("una@hackney.gov.uk", "evaluator", "London Borough of Hackney"))
CASES = [(who, when, MATRIX[who][when == "after"]) for who in MATRIX for when in ("before", "after")]


@pytest.fixture
def tendered(client, make_user):
    """A bid submitted with a document, and a signed-in page client and an API world for every role."""
    world = World(client, make_user)
    framework, lot = world.published()
    bid = submitted(world, framework, lot)
    upload = world.post("supplier", f"/api/v1/bids/{bid['id']}/documents",
                        data={"file": (__import__("io").BytesIO(DOCUMENT), DOCUMENT_NAME)},
                        content_type="multipart/form-data")
    assert upload.status_code == 201, upload.get_json()
    assert world.post("supplier", f"/api/v1/bids/{bid['id']}/submit").status_code == 200
    panel = [world.user("evaluator").id, world.user("conflicted_evaluator").id]
    assert world.post("admin", f"/api/v1/lots/{lot['id']}/panel", {"user_ids": panel}).status_code == 200
    for who, conflict in (("evaluator", False), ("conflicted_evaluator", True)):
        declared = world.post(who, f"/api/v1/lots/{lot['id']}/conflict-declaration",
                              {"conflict": conflict, "details": "A director is my brother." if conflict else ""})
        assert declared.status_code == 201, declared.get_json()
    return world, framework, bid["id"], upload.get_json()["id"]


def _page_client(app, world, who):
    client = app.test_client()
    if who != "anonymous":
        world.user(who)
        assert sign_in(client, PEOPLE[who][0]).status_code == 302
    return client


def _api(world, who, path):
    if who == "anonymous":
        return world.client.get(path)
    return world.get(who, path)


@pytest.mark.parametrize(("who", "when", "expected"), CASES,
                         ids=[f"{who}-{when}-{expected}" for who, when, expected in CASES])
def test_the_seal_matrix(app, tendered, who, when, expected):
    """One row of the matrix: this role, at this time, by every way of reading (each named in a failure)."""
    world, framework, bid_id, document_id = tendered
    if when == "after":
        past_deadline(framework["id"])
        framework_services.close_due()  # the job that closes frameworks each minute; the OCDS release records it
    page = _page_client(app, world, who)
    for way in WAYS:
        _check(world, page, framework, bid_id, document_id, who, when, way, expected)


def _check(world, page, framework, bid_id, document_id, who, when, way, expected):
    supplier_name = PEOPLE["supplier"][2]
    secrets = [PRICE, PRICE_ON_A_PAGE, QUALITY_ANSWER, DOCUMENT_NAME, "Walrus-5521", supplier_name]
    if way.startswith("ocds") and when == "after":
        # Once the bids are opened OCDS names who tendered (tender.tenderers); what they bid stays sealed.
        secrets.remove(supplier_name)

    def assert_no_secret(text: str):
        for secret in secrets:
            assert secret not in text, f"{secret!r} leaked through {way}"

    if way == "page":
        response = page.get(f"/bids/{bid_id}")
        missing = page.get(f"/bids/{bid_id + 1000}")
    elif way == "bids page":
        response = page.get(f"/frameworks/{framework['id']}/bids")
    elif way == "api":
        response = _api(world, who, f"/api/v1/bids/{bid_id}")
        missing = _api(world, who, f"/api/v1/bids/{bid_id + 1000}")
    elif way == "api list":
        response = _api(world, who, f"/api/v1/frameworks/{framework['id']}/bids")
    elif way == "document (api)":
        response = _api(world, who, f"/api/v1/bids/{bid_id}/documents/{document_id}")
        missing = _api(world, who, f"/api/v1/bids/{bid_id + 1000}/documents/{document_id}")
    elif way == "document (page)":
        response = page.get(f"/bids/{bid_id}/documents/{document_id}")
        missing = page.get(f"/bids/{bid_id + 1000}/documents/{document_id}")
    elif way == "documents list (api)":
        response = _api(world, who, f"/api/v1/bids/{bid_id}/documents")
        missing = _api(world, who, f"/api/v1/bids/{bid_id + 1000}/documents")
    elif way == "ocds (api)":
        response = _api(world, who, f"/api/v1/frameworks/{framework['id']}/ocds")
    elif way == "ocds (public)":
        response = page.get(f"/opportunities/{framework['id']}/ocds.json")
    else:
        response = page.get(f"/frameworks/{framework['id']}/bids.csv")
    text = response.get_data(as_text=True) if not way.startswith("document (") else ""

    if way == "ocds (public)":
        # The public feed answers everyone alike: never a bid's content; after the deadline, how many and who.
        assert response.status_code == 200
        assert_no_secret(text)
        latest = response.get_json()["releases"][-1]
        statistics = latest.get("bids", {}).get("statistics")
        assert statistics is None if when == "before" else statistics[0] == {"id": "bids", "measure": "bids",
                                                                            "value": 1}
        assert [t["name"] for t in latest["tender"].get("tenderers", [])] == ([] if when == "before"
                                                                              else [supplier_name])
        return
    if expected == SIGN_IN:
        if way in ("api", "api list", "document (api)", "documents list (api)", "ocds (api)"):
            assert response.status_code == 401, way
        else:
            assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
        assert_no_secret(text)
        return
    if way == "ocds (api)":
        assert response.status_code == 200
        assert_no_secret(text)
        assert ("bids" in response.get_json()["releases"][-1]) == (when == "after")
        return
    if expected in (READ, READ_BLIND):
        assert response.status_code == 200, (way, text[:500])
        blind = expected == READ_BLIND
        if way.startswith("document ("):
            assert response.data == DOCUMENT
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["Content-Disposition"].startswith("attachment")
        elif way == "documents list (api)":
            assert [d["filename"] for d in response.get_json()["items"]] == [DOCUMENT_NAME]
        elif way == "bids page":
            assert f"Bid {bid_id}" in text
        elif way == "export":
            assert supplier_name in text and (PRICE not in text if blind else PRICE in text), way
        elif way == "page":
            assert QUALITY_ANSWER in text and DOCUMENT_NAME in text
            assert (PRICE_ON_A_PAGE not in text) if blind else (PRICE_ON_A_PAGE in text), way
        else:
            answer = json.dumps(response.get_json())
            assert QUALITY_ANSWER in answer and (PRICE not in answer if blind else PRICE in answer), way
        return
    # Sealed: nothing to see, and no way to tell that there is something.
    assert_no_secret(text)
    if way in ("page", "api", "document (api)", "document (page)", "documents list (api)"):
        assert response.status_code == 404, way
        assert _without_csrf(response.get_data()) == _without_csrf(missing.get_data())
    elif way == "api list":
        assert response.status_code == 200
        assert (response.get_json()["items"], response.get_json()["total"]) == ([], 0)
    elif way == "bids page":
        assert response.status_code == 200
        assert f"Bid {bid_id}" not in text
    else:  # the export: its header row and nothing else
        assert response.status_code == 200
        assert len(text.strip().splitlines()) == 1


def _without_csrf(body: bytes) -> bytes:
    """A page's body without its CSRF token, whose signature carries the second it was made (the sign-out form is on
    every page): two pages served a second apart differ there and nowhere else."""
    return re.sub(rb'name="csrf_token" value="[^"]*"', b'name="csrf_token" value=""', body)


# Side channels: what a page names, and how much work an answer takes.


def test_the_award_page_names_no_bidder_while_the_bids_are_sealed(app, tendered):
    world, framework, _, _ = tendered
    admin = _page_client(app, world, "admin")
    before = admin.get(f"/frameworks/{framework['id']}/award").get_data(as_text=True)
    assert PEOPLE["supplier"][2] not in before
    past_deadline(framework["id"])
    after = admin.get(f"/frameworks/{framework['id']}/award").get_data(as_text=True)
    assert PEOPLE["supplier"][2] in after  # once opened, the admin may leave a bidder out of a what-if run


SEALED_READS = ["/api/v1/bids/{bid}", "/api/v1/bids/{bid}/documents", "/api/v1/bids/{bid}/documents/{document}"]
SEALED_PAGES = ["/bids/{bid}", "/bids/{bid}/documents/{document}"]


@pytest.mark.parametrize("who", ["other_supplier", "admin", "evaluator", "officer", "board"])
@pytest.mark.parametrize("when", ["before", "after"])
def test_a_sealed_bid_takes_the_same_queries_to_refuse_as_a_missing_one(app, tendered, who, when):
    """Before the bid is loaded the seal is checked, with the same work either way: a sealed bid's 404 cannot be told
    from a missing one's by its time."""
    from tests.support import counting_queries

    world, framework, bid_id, document_id = tendered
    if when == "after":
        past_deadline(framework["id"])
        framework_services.close_due()  # the job that closes frameworks each minute; the OCDS release records it
        if who in ("admin", "evaluator"):
            return  # they may read it then: nothing is refused
    page = _page_client(app, world, who)
    world.user(who)
    for path, fetch in [*[(p, lambda url: _api(world, who, url)) for p in SEALED_READS],
                        *[(p, page.get) for p in SEALED_PAGES]]:
        counts = []
        for bid in (bid_id, bid_id + 1000):
            fetch(path.format(bid=bid, document=document_id))  # warm: the first request signs in or caches
            with counting_queries() as count:
                response = fetch(path.format(bid=bid, document=document_id))
            assert response.status_code == 404, (path, response.status_code)
            counts.append(count["n"])
        assert counts[0] == counts[1], f"{path}: {counts[0]} queries for a sealed bid, {counts[1]} for a missing one"


def test_ids_of_bids_and_documents_tell_nothing_of_those_before_them(app, tendered):
    """A second supplier's first bid and document do not take the next ids after the sealed ones."""
    world, framework, bid_id, document_id = tendered
    lot_id = world.get("admin", f"/api/v1/frameworks/{framework['id']}").get_json()["lots"][0]["id"]
    lot = world.get("admin", f"/api/v1/lots/{lot_id}").get_json()
    other = submitted(world, framework, lot, who="other_supplier")
    upload = world.post("other_supplier", f"/api/v1/bids/{other['id']}/documents",
                        data={"file": (__import__("io").BytesIO(DOCUMENT), "other.pdf")},
                        content_type="multipart/form-data")
    assert upload.status_code == 201, upload.get_json()
    ids = [bid_id, other["id"], document_id, upload.get_json()["id"]]
    assert all(0 < value < 2**31 for value in ids)
    assert abs(other["id"] - bid_id) != 1 and abs(upload.get_json()["id"] - document_id) != 1
