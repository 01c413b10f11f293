"""Savings through the API and on their page; the pages of call-offs and levies, and paying a levy with
Stripe's test card against localstripe."""
import time
from decimal import Decimal

from app.extensions import db
from tests.functional.board.test_board_api import approved
from tests.functional.frameworks_support import PEOPLE, assert_error
from tests.functional.pages_support import page
from tests.functional.payments.test_levies_and_stripe import call_off
from tests.support import csrf_token, sign_in


def browser(app, world, who):
    client = app.test_client()
    world.user(who)
    assert sign_in(client, PEOPLE[who][0]).status_code == 302
    return client


def test_savings_are_shared_two_ways_and_add_up(world, awarded_lot):
    framework, _, winner, _ = awarded_lot
    body = world.get("admin", f"/api/v1/frameworks/{framework['id']}/savings").get_json()
    rows = body["by_authority"]
    assert len(rows) == 2 and body["method"] == "exact"
    assert Decimal(body["savings"]) == Decimal(body["baseline"]) - Decimal(body["awarded"])
    assert Decimal(body["awarded"]) == Decimal(winner["price"])
    for key in ("share_proportional", "share_shapley", "savings"):
        assert sum(Decimal(r[key]) for r in rows) == Decimal(body["savings"]), key
    mine = world.get("officer", f"/api/v1/frameworks/{framework['id']}/savings").get_json()["by_authority"]
    assert [r["organisation_id"] for r in mine] == [world.organisation_id("officer")]
    assert_error(world.get("supplier", f"/api/v1/frameworks/{framework['id']}/savings"), 403, "forbidden")


def test_savings_wait_for_the_boards_approval(world, run):
    framework, _, _ = run
    assert_error(world.get("admin", f"/api/v1/frameworks/{framework['id']}/savings"), 409, "conflict")


def test_the_savings_page_explains_both_sharings_in_plain_words(app, world, awarded_lot):
    framework, _, _, _ = awarded_lot
    shown = page(browser(app, world, "officer").get(f"/frameworks/{framework['id']}/savings"))
    for expected in ("In proportion to demand", "By the Shapley value", "Share, by Shapley value", "<svg"):
        assert expected in shown, expected
    assert "London Borough of Camden" in shown and "London Borough of Hackney" not in shown  # own row


def test_an_officer_calls_off_on_the_page_and_the_supplier_pays_with_the_test_card(app, world, awarded_lot,
                                                                                webhook_server):
    from procurement.calloffs.models import Levy

    framework, lot, _, who = awarded_lot
    officer = browser(app, world, "officer")
    path = f"/frameworks/{framework['id']}/call-offs"
    assert "Place a call-off" in page(officer.get(path))
    token = csrf_token(officer, path)
    unconfirmed = officer.post(path, data={"csrf_token": token, "lot_id": lot["id"], "value": "5000",
                                           "description": "Ten laptops."})
    assert unconfirmed.status_code == 422 and "Tick the box to confirm the order." in page(unconfirmed)
    too_much = officer.post(path, data={"csrf_token": token, "lot_id": lot["id"], "confirm": "y",
                                        "value": str(Decimal(framework["maximum_value"]) + 1), "description": "All."})
    assert too_much.status_code == 422 and "remains" in page(too_much)
    placed = officer.post(path, data={"csrf_token": token, "lot_id": lot["id"], "value": "5000", "confirm": "y",
                                      "description": "Ten laptops."})
    assert placed.status_code == 302
    call_off_id = int(placed.headers["Location"].removeprefix("/call-offs/").removesuffix("/placed"))
    confirmed = page(officer.get(placed.headers["Location"]))
    assert '<h1 class="panel-title">Call-off placed</h1>' in confirmed
    assert f'<strong class="panel-reference">{framework["reference"]} call-off {call_off_id}</strong>' in confirmed
    assert "What happens next" in confirmed and "owes the consortium a levy of £75.00 (1.50%" in confirmed
    for stranger in ("other_officer", who):  # another authority's officer, the supplier: not theirs to see
        assert browser(app, world, stranger).get(placed.headers["Location"]).status_code in (403, 404)
    assert "Ten laptops." in page(officer.get(path))
    supplier = browser(app, world, who)
    levies = page(supplier.get("/levies"))
    levy = db.session.scalars(db.select(Levy)).one()
    assert f"Pay levy {levy.id}" in levies and '<strong class="tag tag-yellow">Due</strong>' in levies
    pay_path = f"/levies/{levy.id}/pay"
    assert "Stripe's test card" in page(supplier.get(pay_path))
    paid = supplier.post(pay_path, data={"csrf_token": csrf_token(supplier, pay_path)})
    assert paid.status_code == 302
    for _ in range(100):
        db.session.expire_all()
        if db.session.get(Levy, levy.id).status == "paid":
            break
        time.sleep(0.1)
    assert "paid" in page(supplier.get("/levies")) and f"Pay levy {levy.id}" not in page(supplier.get("/levies"))
    admin = browser(app, world, "admin")
    shown = page(admin.get("/levies"))
    assert "Totals by framework and month" in shown and framework["reference"] in shown
    exported = admin.get("/levies.csv")
    assert exported.mimetype == "text/csv" and f"{levy.amount:.2f},paid" in exported.get_data(as_text=True)


def test_levy_pages_are_for_suppliers_and_admins(app, world, awarded_lot):
    framework, lot, winner, who = awarded_lot
    call_off(world, framework, lot, winner)
    assert browser(app, world, "officer").get("/levies").status_code == 403
    loser = browser(app, world, "other_supplier" if who == "supplier" else "supplier")
    from procurement.calloffs.models import Levy

    levy = db.session.scalars(db.select(Levy)).one()
    assert loser.get(f"/levies/{levy.id}/pay").status_code == 404


def test_no_call_off_form_before_the_award(app, world, run):
    framework, _, _ = approved(world, run)
    shown = page(browser(app, world, "officer").get(f"/frameworks/{framework['id']}/call-offs"))
    assert "Call-offs are made once the framework is awarded" in shown


def test_the_dashboards_show_spend_savings_levies_and_the_pipeline_with_csv(app, world, awarded_lot, stripe_app):
    from procurement.calloffs.models import Levy

    framework, lot, winner, _ = awarded_lot
    call_off(world, framework, lot, winner, value="8000.00")
    levy = db.session.scalars(db.select(Levy)).one()
    levy.status = "paid"  # as the webhook would (tested on its own above)
    db.session.commit()
    officer = browser(app, world, "officer")
    shown = page(officer.get("/dashboard"))
    assert "Your authority's frameworks" in shown and framework["reference"] in shown and "£8,000.00" in shown
    exported = officer.get("/dashboard/officer.csv").get_data(as_text=True)
    assert exported.startswith("Framework,Call-offs,Spend (£),Saving (£)") and framework["reference"] in exported
    assert ",8000.00," in exported, "the CSV keeps the machine's values"
    assert officer.get("/dashboard/pipeline.csv").status_code == 404
    admin = browser(app, world, "admin")
    shown = page(admin.get("/dashboard"))
    for expected in ("Value under management", "The pipeline by state", "Levies due and paid",
                     "Savings by authority", "<svg"):
        assert expected in shown, expected
    levies = admin.get("/dashboard/levies.csv").get_data(as_text=True)
    assert f"{framework['reference']},0.00,{levy.amount:.2f}" in levies
    savings = admin.get("/dashboard/savings.csv").get_data(as_text=True)
    assert "London Borough of Camden" in savings and "London Borough of Hackney" in savings
    assert f"awarded,1,{Decimal(framework['maximum_value']):.2f}" in admin.get("/dashboard/pipeline.csv").get_data(
        as_text=True)


def test_an_officer_starts_the_membership_on_its_page(app, world, stripe_app):
    officer = browser(app, world, "officer")
    shown = page(officer.get("/membership"))
    assert "£2,500.00 a year" in shown
    token = csrf_token(officer, "/membership")
    assert officer.post("/membership", data={"csrf_token": token}).status_code == 422
    assert officer.post("/membership", data={"csrf_token": token, "confirm": "y"}).status_code == 302
    assert "Status" in page(officer.get("/membership"))
    assert browser(app, world, "supplier").get("/membership").status_code == 403
