"""The bid as a GOV.UK task list: each task's status as the bid fills in, the organisation's gaps told at the
start, and checking the answers before submitting from there."""
import re

import pytest

from app.extensions import db
from suppliers import profiles
from suppliers.domain.exclusion import GROUNDS
from suppliers.models import Bid, BidStatus
from tests.functional.bids_support import two_lot_framework
from tests.functional.frameworks_support import World
from tests.functional.pages_support import page
from tests.functional.suppliers.test_bid_pages import browser, lot_form, lot_path, save_lots
from tests.support import csrf_token


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)


@pytest.fixture
def framework(world):
    return two_lot_framework(world)


def statuses(shown: str) -> dict[str, str]:
    """Each task's status as the page says it, by the task's id: {"lot-7": "In progress", ...}."""
    found = re.findall(r'<div class="task-status" id="([\w-]+)-status">\s*(.*?)\s*</div>', shown, re.S)
    return {task: re.sub(r"<[^>]+>", "", status).strip() for task, status in found}


def the_bid() -> Bid:
    db.session.expire_all()
    return db.session.scalar(db.select(Bid))


def complete_the_organisation(world) -> None:
    sam = world.user("supplier")
    profiles.update_profile(sam, {"registered_address": "1 Acme Way", "contact_name": "Sam",
                                  "contact_email": "sam@acme.example"})
    profiles.declare(sam, {ground.code: False for ground in GROUNDS})


def test_each_task_has_its_status_as_the_bid_fills_in(app, world, framework):
    framework, laptops, tablets = framework
    client = browser(app, world)
    path = f"/frameworks/{framework['id']}/bid"
    laptops_task, tablets_task = f"lot-{laptops['id']}", f"lot-{tablets['id']}"
    assert statuses(page(client.get(path))) == {
        "profile": "Not started", "declaration": "Not started", laptops_task: "Not started",
        tablets_task: "Not started", "bundles": "Cannot start yet", "documents": "Cannot start yet",
        "check": "Cannot start yet"}
    quality = laptops["criteria"][0]["id"]
    client.post(lot_path(framework, laptops), data=lot_form(client, framework, laptops, **{f"answer_{quality}": ""}))
    shown = page(client.get(path))
    assert statuses(shown)[laptops_task] == "In progress" and statuses(shown)["documents"] == "Not started"
    assert statuses(shown)["check"] == "Cannot start yet" and "You have completed 0 of 7 tasks." in shown
    # A task that cannot start yet has no link; one that can, has.
    assert f'href="/frameworks/{framework["id"]}/bid/check"' not in shown
    assert f'href="/frameworks/{framework["id"]}/bid/documents"' in shown
    save_lots(client, framework, laptops, tablets)
    complete_the_organisation(world)
    shown = page(client.get(path))
    assert statuses(shown) == {
        "profile": "Completed", "declaration": "Completed", laptops_task: "Completed", tablets_task: "Completed",
        "bundles": "Not started", "documents": "Not started", "check": "Not started"}
    assert "You have completed 4 of 7 tasks." in shown
    bid = the_bid()
    client.post(f"/bids/{bid.id}/submit", data={"csrf_token": csrf_token(client, path)})
    shown = page(client.get(path))
    assert statuses(shown)["check"] == "Completed" and "Your bid is submitted." in shown


def test_a_supplier_without_a_profile_or_declaration_is_told_so_at_the_start(app, world, framework):
    framework, _, _ = framework
    client = browser(app, world)
    path = f"/frameworks/{framework['id']}/bid"
    shown = page(client.get(path))
    organisation = re.search(r'<h2 id="organisation-heading">1. Your organisation</h2>(.*?)</ul>', shown, re.S)
    assert organisation, shown
    assert re.search(r'<a href="/supplier/profile" aria-describedby="profile-status profile-hint">Company profile</a>',
                     organisation.group(1))
    assert 'href="/supplier/declaration"' in organisation.group(1)
    sam = world.user("supplier")
    profiles.update_profile(sam, {"website": "https://acme.example"})
    assert statuses(page(client.get(path)))["profile"] == "In progress"
    profiles.update_profile(sam, {"registered_address": "1 Acme Way", "contact_name": "Sam",
                                  "contact_email": "sam@acme.example"})
    assert [statuses(page(client.get(path)))[task] for task in ("profile", "declaration")] == [
        "Completed", "Not started"]
    profiles.declare(sam, {ground.code: False for ground in GROUNDS})
    assert statuses(page(client.get(path)))["declaration"] == "Completed"


def test_check_your_answers_shows_the_whole_bid_with_change_links_and_submits_it(app, world, framework):
    framework, laptops, tablets = framework
    client = browser(app, world)
    check = f"/frameworks/{framework['id']}/bid/check"
    assert client.get(check).headers["Location"] == f"/frameworks/{framework['id']}/bid"  # nothing to check yet
    save_lots(client, framework, laptops, tablets)
    complete_the_organisation(world)
    shown = page(client.get(check))
    assert "<h1>Check your answers before submitting your bid</h1>" in shown
    assert "<h2>Lot 1: Laptops</h2>" in shown and "<h2>Lot 2: Tablets</h2>" in shown
    assert "£150,000.00" in shown and "£40,000.00" in shown and "Two apprentices from Camden." in shown
    quality = laptops["criteria"][0]
    assert re.search(rf'<a href="{lot_path(framework, laptops)}#answer_{quality["id"]}">Change'
                     rf'<span class="visually-hidden"> {quality["name"]} for lot 1</span></a>', shown)
    assert f'<a href="{lot_path(framework, tablets)}#price">Change' in shown
    assert 'href="/supplier/declaration">Change' in shown and "Declared that no exclusion ground applies." in shown
    assert "<h2>Now submit your bid</h2>" in shown
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', shown).group(1)
    form = re.search(r'<form method="post" action="(/bids/\d+/submit)">', shown)
    response = client.post(form.group(1), data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/submitted")
    assert "Bid submitted" in page(client.get(response.headers["Location"]))
    assert the_bid().status == BidStatus.SUBMITTED
    shown = page(client.get(check))
    assert "Now submit your bid" not in shown and "Your bid is submitted." in shown


def test_check_your_answers_says_what_stops_the_submission_and_offers_no_button(app, world, framework):
    framework, laptops, _ = framework
    client = browser(app, world)
    quality = laptops["criteria"][0]["id"]
    client.post(lot_path(framework, laptops), data=lot_form(client, framework, laptops, **{f"answer_{quality}": ""}))
    shown = page(client.get(f"/frameworks/{framework['id']}/bid/check"))
    assert "Answer every quality question of lot 1 before submitting." in shown and "Not answered yet." in shown
    assert "Submit the bid" not in shown


def test_after_the_deadline_the_task_list_shows_only_the_lots_bid_for(app, world, framework):
    from tests.functional.bids_support import past_deadline

    framework, laptops, _ = framework
    client = browser(app, world)
    save_lots(client, framework, laptops)
    past_deadline(framework["id"])
    shown = page(client.get(f"/frameworks/{framework['id']}/bid"))
    assert "Lot 1: Laptops" in shown and "Lot 2: Tablets" not in shown and "Bidding is closed" in shown
    assert 'href="/frameworks/{}/bid/check"'.format(framework["id"]) not in shown
