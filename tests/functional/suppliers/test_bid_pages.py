"""The supplier's bid pages: the form and its errors, saving as you type, submitting with a receipt on screen,
withdrawing, documents, and the CSV export."""
import io
import re

import pytest

from app.extensions import db
from suppliers.models import Bid, BidStatus
from tests.functional.bids_support import past_deadline, stored_hash, two_lot_framework
from tests.functional.framework_pages_support import assert_summary_links_to
from tests.functional.frameworks_support import PEOPLE, World, assert_error
from tests.functional.pages_support import page
from tests.support import csrf_token, sign_in

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)


@pytest.fixture
def framework(world):
    framework, laptops, tablets = two_lot_framework(world)
    return framework, laptops, tablets


def browser(app, world, who="supplier"):
    client = app.test_client()
    world.user(who)
    assert sign_in(client, PEOPLE[who][0]).status_code == 302
    return client


def lot_path(framework, lot) -> str:
    return f"/frameworks/{framework['id']}/bid/lots/{lot['id']}"


def lot_form(client, framework, lot, price="150000.00", answers=("Business laptops with a 3-year warranty.",
                                                                  "Two apprentices from Camden."), **changes) -> dict:
    """The lot page's form, filled: a price and an answer to each of the lot's criteria."""
    data = {"csrf_token": csrf_token(client, lot_path(framework, lot)), "price": price}
    data |= {f"answer_{c['id']}": text for c, text in zip(lot["criteria"], answers, strict=True)}
    return data | changes


def save_lots(client, framework, *lots) -> None:
    """Save each lot from its page, as a supplier does: laptops at £150,000, tablets at £40,000."""
    for lot in lots:
        price = {"Laptops": "150000.00", "Tablets": "40000.00"}[lot["title"]]
        response = client.post(lot_path(framework, lot), data=lot_form(client, framework, lot, price=price))
        assert response.status_code == 303, page(response)


def the_bid() -> Bid:
    db.session.expire_all()
    return db.session.scalar(db.select(Bid))


def test_a_supplier_saves_a_draft_lot_by_lot_then_a_bundle(app, world, framework):
    framework, laptops, tablets = framework
    client = browser(app, world)
    shown = page(client.get(lot_path(framework, laptops)))
    assert "<h1>Lot 1: Laptops</h1>" in shown and "data-autosave" in shown and "Save and continue" in shown
    response = client.post(lot_path(framework, laptops), data=lot_form(client, framework, laptops))
    assert response.status_code == 303 and response.headers["Location"] == f"/frameworks/{framework['id']}/bid"
    assert "Lot 1 is saved in your draft." in page(client.get(response.headers["Location"]))
    save_lots(client, framework, tablets)
    bid = the_bid()
    assert bid.status == BidStatus.DRAFT
    assert [str(o.price) for o in bid.lots] == ["150000.00", "40000.00"]  # saving lot 2 kept lot 1
    bundles = f"/frameworks/{framework['id']}/bid/bundles"
    assert "Bundle 1: lots" in page(client.get(bundles)) and "Bundle 2: lots" not in page(client.get(bundles))
    response = client.post(bundles, data={"csrf_token": csrf_token(client, bundles), "bundle_0_price": "180000.00",
                                          "bundle_0_lots": [str(laptops["id"]), str(tablets["id"])]})
    assert response.status_code == 303
    bid = the_bid()
    assert [str(b.price) for b in bid.bundles] == ["180000.00"] and len(bid.lots) == 2
    shown = page(client.get(f"/bids/{bid.id}"))
    assert "£150,000.00" in shown and "Two apprentices from Camden." in shown and "Submit the bid" in shown


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"price": ""}, "price", "A price must be more than £0."),
    ({"price": "-5"}, "price", "Enter a price from £0.01 to £100,000,000,000."),
    ({"price": "NaN"}, "price", "Enter a number"),
    ({"answer_{quality}": "word " * 501}, "answer_{quality}", "This answer has 501 words; the limit is 500."),
])
def test_a_bad_lot_is_shown_again_with_the_reason_in_the_error_summary_and_saves_nothing(app, world, framework,
                                                                                          changes, field, message):
    framework, laptops, _ = framework
    client = browser(app, world)
    quality = laptops["criteria"][0]["id"]
    changes = {k.format(quality=quality): v for k, v in changes.items()}
    response = client.post(lot_path(framework, laptops), data=lot_form(client, framework, laptops, **changes))
    assert response.status_code == 422
    shown = page(response)
    assert "<title>Error: " in shown and "There is a problem" in shown
    if message != "Enter a number":
        assert_summary_links_to(response, field.format(quality=quality), message)
    else:
        assert message in shown
    assert the_bid() is None


def test_a_bad_bundle_is_shown_on_the_bundles_page_and_saves_nothing(app, world, framework):
    framework, laptops, tablets = framework
    client = browser(app, world)
    save_lots(client, framework, laptops, tablets)
    bundles = f"/frameworks/{framework['id']}/bid/bundles"
    response = client.post(bundles, data={"csrf_token": csrf_token(client, bundles), "bundle_0_price": "1000",
                                          "bundle_0_lots": [str(laptops["id"])]})
    assert response.status_code == 422
    assert '<a href="#bundle_0_lots">A bundle is two or more different lots.</a>' in page(response)
    assert the_bid().bundles == []


def test_a_lot_in_a_bundle_cannot_be_taken_out_until_the_bundle_is(app, world, framework):
    framework, laptops, tablets = framework
    client = browser(app, world)
    save_lots(client, framework, laptops, tablets)
    bundles = f"/frameworks/{framework['id']}/bid/bundles"
    client.post(bundles, data={"csrf_token": csrf_token(client, bundles), "bundle_0_price": "180000.00",
                               "bundle_0_lots": [str(laptops["id"]), str(tablets["id"])]})
    remove = lot_path(framework, tablets) + "/remove"
    token = csrf_token(client, lot_path(framework, tablets))
    refused = client.post(remove, data={"csrf_token": token})
    assert refused.status_code == 303
    assert "Take it out of the bundle first" in page(client.get(refused.headers["Location"]))
    assert len(the_bid().lots) == 2
    client.post(bundles, data={"csrf_token": token, "bundle_0_price": "", "bundle_0_lots": []})
    assert client.post(remove, data={"csrf_token": token}).status_code == 303
    assert [str(o.price) for o in the_bid().lots] == ["150000.00"]


def test_the_lot_saves_itself_as_it_is_typed(app, world, framework):
    framework, laptops, tablets = framework
    client = browser(app, world)
    headers = {"X-Autosave": "1"}
    saved = client.post(lot_path(framework, laptops), data=lot_form(client, framework, laptops), headers=headers)
    assert saved.status_code == 200
    body = saved.get_json()
    assert (body["status"], body["bid_id"]) == ("draft", the_bid().id)
    refused = client.post(lot_path(framework, laptops), headers=headers,
                          data=lot_form(client, framework, laptops, price=""))
    assert refused.status_code == 422
    assert refused.get_json()["fields"] == {"price": "A price must be more than £0."}
    assert str(the_bid().lots[0].price) == "150000.00"  # the refused save changed nothing
    assert client.post(lot_path(framework, tablets), headers=headers,
                       data=lot_form(client, framework, tablets, price="40000.00")).status_code == 200
    assert [str(o.price) for o in the_bid().lots] == ["150000.00", "40000.00"]


def test_submitting_asks_first_then_shows_the_receipt(app, world, framework):
    framework, laptops, _ = framework
    client = browser(app, world)
    save_lots(client, framework, laptops)
    bid = the_bid()
    confirm = page(client.get(f"/bids/{bid.id}/submit"))
    assert "Submit your bid?" in confirm and "You have not made a declaration" in confirm
    assert client.get(f"/bids/{bid.id}/submitted").headers["Location"] == f"/bids/{bid.id}"  # a draft: not yet
    response = client.post(f"/bids/{bid.id}/submit", data={"csrf_token": csrf_token(client, f"/bids/{bid.id}/submit")})
    assert response.status_code == 302 and response.headers["Location"] == f"/bids/{bid.id}/submitted"
    bid = the_bid()
    confirmed = page(client.get(response.headers["Location"]))
    assert re.search(r'<div class="panel-confirmation" role="status">\s*<h1 class="panel-title">Bid submitted</h1>',
                     confirmed)
    assert f'<strong class="panel-reference">{bid.receipt_sha256}</strong>' in confirmed
    assert "<h2>What happens next</h2>" in confirmed
    shown = page(client.get(f"/bids/{bid.id}"))
    assert bid.status == BidStatus.SUBMITTED
    assert "Receipt" in shown
    assert re.search(rf"data-receipt-sha256>{bid.receipt_sha256}<", shown)
    assert bid.receipt_sha256 == stored_hash(bid.id)
    assert bid.submitted_at.isoformat() in shown


def test_an_incomplete_bid_cannot_be_submitted_and_the_page_says_what_is_missing(app, world, framework):
    framework, laptops, _ = framework
    client = browser(app, world)
    quality = laptops["criteria"][0]["id"]
    client.post(lot_path(framework, laptops), data=lot_form(client, framework, laptops, **{f"answer_{quality}": ""}))
    bid = the_bid()
    shown = page(client.get(f"/bids/{bid.id}"))
    assert "Answer every quality question of lot 1 before submitting." in shown
    assert "Submit the bid" not in shown
    client.post(f"/bids/{bid.id}/submit", data={"csrf_token": csrf_token(client, f"/bids/{bid.id}/submit")})
    assert the_bid().status == BidStatus.DRAFT


def test_withdrawing_asks_first(app, world, framework):
    framework, laptops, _ = framework
    client = browser(app, world)
    save_lots(client, framework, laptops)
    bid = the_bid()
    assert "Withdraw your bid?" in page(client.get(f"/bids/{bid.id}/withdraw"))
    client.post(f"/bids/{bid.id}/withdraw", data={"csrf_token": csrf_token(client, f"/bids/{bid.id}/withdraw")})
    assert the_bid().status == BidStatus.WITHDRAWN


def test_after_the_deadline_the_page_refuses_every_change(app, world, framework):
    framework, laptops, _ = framework
    client = browser(app, world)
    save_lots(client, framework, laptops)
    bid = the_bid()
    token = csrf_token(client, f"/bids/{bid.id}/submit")
    past_deadline(framework["id"])
    response = client.post(lot_path(framework, laptops), data=lot_form(client, framework, laptops, price="1.00",
                                                                       csrf_token=token))
    assert response.status_code == 422
    assert "The bid deadline has passed" in page(response)
    client.post(f"/bids/{bid.id}/submit", data={"csrf_token": token})
    bid = the_bid()
    assert (bid.status, str(bid.lots[0].price)) == (BidStatus.DRAFT, "150000.00")
    assert "The bid deadline has passed" in page(client.get(f"/bids/{bid.id}"))
    assert "Bidding is closed" in page(client.get(f"/frameworks/{framework['id']}/bid"))


@pytest.mark.parametrize("storage", ["local", "s3"])
def test_documents_are_uploaded_and_refused_on_the_page(app, world, framework, storage, request):
    if storage == "s3":
        request.getfixturevalue("s3_documents")
    framework, laptops, _ = framework
    client = browser(app, world)
    documents = f"/frameworks/{framework['id']}/bid/documents"
    assert client.get(documents).headers["Location"] == f"/frameworks/{framework['id']}/bid"  # no bid yet
    save_lots(client, framework, laptops)
    bid = the_bid()
    token = csrf_token(client, documents)
    good = client.post(f"/bids/{bid.id}/documents", content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (io.BytesIO(PDF), "method.pdf")})
    assert good.status_code == 303 and good.headers["Location"] == documents
    assert "“method.pdf” is attached" in page(client.get(documents))
    bad = client.post(f"/bids/{bid.id}/documents", content_type="multipart/form-data",
                      data={"csrf_token": token, "file": (io.BytesIO(b"MZ\x90\x00"), "../../evil.pdf")})
    # A refused document is shown like any form's error: in the summary, linked to the field, and beside it.
    assert bad.status_code == 422
    message = re.search(r'<a href="#file">([^<]*folder path[^<]*)</a>', page(bad)).group(1)
    assert_summary_links_to(bad, "file", message)
    empty = client.post(f"/bids/{bid.id}/documents", content_type="multipart/form-data", data={"csrf_token": token})
    assert empty.status_code == 422
    assert_summary_links_to(empty, "file", "Choose a file to upload.")
    no_token = client.post(f"/bids/{bid.id}/documents", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(PDF), "again.pdf")})
    assert no_token.status_code == 400
    assert [d.filename for d in the_bid().documents] == ["method.pdf"]
    document = the_bid().documents[0]
    download = client.get(f"/bids/{bid.id}/documents/{document.id}")
    assert download.data == PDF and download.headers["Content-Security-Policy"].startswith("sandbox")
    client.post(f"/bids/{bid.id}/documents/{document.id}/remove", data={"csrf_token": token})
    assert the_bid().documents == []


@pytest.mark.parametrize("who", ["admin", "officer", "evaluator", "board"])
def test_only_suppliers_have_a_bid_form(app, world, framework, who):
    framework, _, _ = framework
    assert browser(app, world, who).get(f"/frameworks/{framework['id']}/bid").status_code == 403


def test_the_export_keeps_a_spreadsheet_from_running_a_name_as_a_formula(app, world, make_user, framework):
    framework, laptops, _ = framework
    make_user("eve@evil.example", role="supplier", org="=HYPERLINK(\"http://evil.example\") Ltd", kind="supplier")
    client = app.test_client()
    sign_in(client, "eve@evil.example")
    save_lots(client, framework, laptops)
    bid = the_bid()
    client.post(f"/bids/{bid.id}/submit", data={"csrf_token": csrf_token(client, f"/bids/{bid.id}/submit")})
    past_deadline(framework["id"])
    export = browser(app, world, "admin").get(f"/frameworks/{framework['id']}/bids.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = export.get_data(as_text=True).splitlines()
    assert len(rows) == 2
    assert "'=HYPERLINK" in rows[1] and ",=HYPERLINK" not in rows[1]


def test_a_bundle_larger_than_the_lot_limit_is_refused_at_submission(world):
    framework, laptops, tablets = two_lot_framework_with_limit(world)
    from tests.functional.bids_support import bid_body, offer

    bid = world.post("supplier", f"/api/v1/frameworks/{framework['id']}/bids", bid_body(
        offer(laptops), offer(tablets), bundles=[{"lot_ids": [laptops["id"], tablets["id"]], "price": "900.00"}]))
    assert bid.status_code == 201, bid.get_json()
    error = assert_error(world.post("supplier", f"/api/v1/bids/{bid.get_json()['id']}/submit"), 422,
                         "validation_failed")
    assert error["fields"] == {"bundles.0.lot_ids": "This bundle has 2 lots, but a supplier may win at most 1 lot of "
                                                    "this framework, so it could never win. Bundle at most 1 lot."}


def two_lot_framework_with_limit(world):
    framework, laptops = world.draft_with_lot(max_lots_per_supplier=1)
    need = world.requirement("officer", title="Tablets for carers", unit="tablet", quantity="50")
    tablets = world.lot(framework["id"], [need["id"]], title="Tablets")
    opened = world.transition(framework["id"], "open")
    assert opened.status_code == 200, opened.get_json()
    return opened.get_json(), laptops, tablets


def test_an_answer_has_its_hint_once_and_its_word_limit_under_it_without_scripts(app, world, framework):
    framework, laptops, _ = framework
    shown = page(browser(app, world).get(lot_path(framework, laptops)))
    criterion = laptops["criteria"][0]
    name = f"answer_{criterion['id']}"
    textarea = re.search(rf'<textarea[^>]*id="{name}"[^>]*>', shown).group(0)
    assert f'data-word-limit="{criterion["word_limit"]}"' in textarea
    assert f'aria-describedby="{name}-info"' in textarea or f'{name}-info"' in textarea
    # The GOV.UK character count's message, counting words: the limit is there for anyone without scripts.
    assert f'<p class="hint word-count" id="{name}-info">You can enter up to {criterion["word_limit"]} words</p>' \
        in shown
    hint = re.search(rf'<p class="hint" id="{name}-hint">([^<]*)</p>', shown)
    assert hint is None or "words" not in hint.group(1)  # the limit is said once, under the answer
    assert '<script src="/static/word-count.js" defer></script>' in shown


def test_a_framework_of_one_lot_has_no_bundles_in_its_task_list(app, world):
    from frameworks.models import Lot
    from suppliers.forms import bundle_rows

    framework, _ = world.draft_with_lot()
    assert world.transition(framework["id"], "open").status_code == 200
    shown = page(browser(app, world).get(f"/frameworks/{framework['id']}/bid"))
    assert 'id="bundles-status"' not in shown and "Bundles" not in shown
    three = type("F", (), {"lots": [Lot(), Lot(), Lot()], "max_lots_per_supplier": 2})
    assert bundle_rows(three) == 3  # three pairs; every row offered, up to three
