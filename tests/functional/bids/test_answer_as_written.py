"""A bid write answers with the bid as it wrote it, without reading it back: that answer must be exactly what
reading the bid afresh gives, whatever order its lots were sent in and however its prices were written."""
from tests.functional.bids_support import bid_body, draft_bid, offer, submit, two_lot_framework, withdraw


def read_afresh(world, bid_id: int) -> dict:
    response = world.get("supplier", f"/api/v1/bids/{bid_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_each_write_answers_exactly_what_a_fresh_read_of_the_bid_gives(world):
    framework, laptops, tablets = two_lot_framework(world)
    assert laptops["id"] < tablets["id"]
    # Sent with the later lot first, a price without pence and a bundle: the answer lists them as a read does.
    body = bid_body(offer(tablets, price="120000"), offer(laptops, price="180000.5"),
                    bundles=[{"lot_ids": [tablets["id"], laptops["id"]], "price": "290000"}])
    drafted = draft_bid(world, framework["id"], body)
    assert drafted.status_code == 201, drafted.get_json()
    answer = drafted.get_json()
    assert [lot["lot_id"] for lot in answer["lots"]] == [laptops["id"], tablets["id"]]
    assert [lot["price"] for lot in answer["lots"]] == ["180000.50", "120000.00"]
    assert answer == read_afresh(world, answer["id"])

    revised = world.put("supplier", f"/api/v1/bids/{answer['id']}", bid_body(offer(tablets), offer(laptops)))
    assert revised.status_code == 200, revised.get_json()
    assert revised.get_json()["bundles"] == []
    assert revised.get_json() == read_afresh(world, answer["id"])

    submitted = submit(world, answer["id"])
    assert submitted.status_code == 200, submitted.get_json()
    receipt = submitted.get_json()["receipt"]
    assert receipt["sha256"] and receipt["log_index"] is None  # in the sealed log until the bids are opened
    assert submitted.get_json()["declaration"] is None or "summary" in submitted.get_json()["declaration"]
    assert submitted.get_json() == read_afresh(world, answer["id"])

    withdrawn = withdraw(world, answer["id"])
    assert withdrawn.status_code == 200, withdrawn.get_json()
    assert withdrawn.get_json()["status"] == "withdrawn" and withdrawn.get_json()["receipt"] is None
    assert withdrawn.get_json() == read_afresh(world, answer["id"])
