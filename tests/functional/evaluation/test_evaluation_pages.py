"""The evaluation pages: the panel, declaring, scoring with its errors, moderation, the ranking and its chart."""
import re

from tests.functional.bids_support import OTHER_PRICE, past_deadline, submitted
from tests.functional.evaluation.test_evaluation_api import add_scored_bids, declare, scored_lot
from tests.functional.framework_pages_support import assert_summary_links_to
from tests.functional.frameworks_support import PEOPLE
from tests.functional.pages_support import page
from tests.support import counting_queries, csrf_token, sign_in


def browser(app, world, who):
    client = app.test_client()
    world.user(who)
    assert sign_in(client, PEOPLE[who][0]).status_code == 302
    return client


def test_the_admin_sets_the_panel_on_its_page(app, world):
    _, lot = world.published()
    eve = world.user("evaluator")
    admin = browser(app, world, "admin")
    form = page(admin.get(f"/lots/{lot['id']}/panel"))
    assert eve.email in form
    response = admin.post(f"/lots/{lot['id']}/panel", data={
        "csrf_token": csrf_token(admin, f"/lots/{lot['id']}/panel"), "user_ids": [str(eve.id)]})
    assert response.status_code == 302
    assert world.audit(object_type="Lot")[0]["after"] == {"user_ids": [eve.id]}


def test_an_evaluator_must_declare_before_seeing_the_bids(app, world, tendered):
    framework, lot, _, _ = tendered
    past_deadline(framework["id"])
    evaluator = browser(app, world, "evaluator")
    first = page(evaluator.get(f"/lots/{lot['id']}/evaluate"))
    assert "Acme Ltd" in first and "Bolt Ltd" in first and "Make the declaration" in first
    assert "answers scored" not in first and "Save and next" not in first
    assert re.search(r'<input class="radio-input" id="conflict-1" name="conflict" [^>]*value="yes">'
                     r'<label for="conflict-1" class="radio-label">Yes</label>\s*'
                     r'<div class="radio-reveal" id="conflict-1-reveal">\s*<div class="field">\s*'
                     r'<label for="details">If yes', first), "the details follow the yes they depend on"
    token = csrf_token(evaluator, f"/lots/{lot['id']}/evaluate")
    missing = evaluator.post(f"/lots/{lot['id']}/evaluate", data={"csrf_token": token, "declare": "1"})
    assert missing.status_code == 422 and "Say whether you have a conflict" in page(missing)
    no_details = evaluator.post(f"/lots/{lot['id']}/evaluate",
                                data={"csrf_token": token, "declare": "1", "conflict": "yes"})
    assert no_details.status_code == 422 and "Say what the conflict is" in page(no_details)
    assert re.search(r'<input checked class="radio-input" id="conflict-1"[^>]*value="yes">', page(no_details)), \
        "sent back with an error, the yes stays chosen, so its details stay shown"
    assert evaluator.post(f"/lots/{lot['id']}/evaluate",
                          data={"csrf_token": token, "declare": "1", "conflict": "no"}).status_code == 302
    scoring = page(evaluator.get(f"/lots/{lot['id']}/evaluate"))
    assert "0 of 4 answers scored" in scoring and "Prices are hidden" in scoring
    assert OTHER_PRICE not in scoring and "918,273.64" not in scoring


def test_a_conflicted_evaluator_is_told_and_sees_no_answers(app, world, tendered):
    framework, lot, _, _ = tendered
    past_deadline(framework["id"])
    declare(world, lot, conflict=True, details="I advise Acme Ltd.")
    shown = page(browser(app, world, "evaluator").get(f"/lots/{lot['id']}/evaluate"))
    assert "You declared a conflict of interest on this lot" in shown
    assert "Quokka" not in shown


def test_moderation_flags_wide_spreads_and_records_the_reason(app, world, tendered):
    _, lot, ours, _ = scored_lot(world, tendered)
    admin = browser(app, world, "admin")
    shown = page(admin.get(f"/lots/{lot['id']}/moderation"))
    assert "Wide spread" not in shown  # 4 and 2 of 5 are 40% apart: not more than 40%
    answer = f"{ours['id']}-{lot['criteria'][0]['id']}"
    token = csrf_token(admin, f"/lots/{lot['id']}/moderation")
    refused = admin.post(f"/lots/{lot['id']}/moderation",
                         data={"csrf_token": token, "answer": answer, "score": "5", "reason": ""})
    assert refused.status_code == 422
    assert_summary_links_to(refused, f"reason-{answer}", "Give the reason for the moderated score.")
    # Every rule in one pass: a score off the criterion's scale and a missing reason are both said at once.
    both = admin.post(f"/lots/{lot['id']}/moderation",
                      data={"csrf_token": token, "answer": answer, "score": "50", "reason": " "})
    assert both.status_code == 422
    maximum = lot["criteria"][0]["max_score"]
    assert_summary_links_to(both, f"score-{answer}", f"Score “{lot['criteria'][0]['name']}” from 0 to {maximum}.")
    assert_summary_links_to(both, f"reason-{answer}", "Give the reason for the moderated score.")
    assert 'value="50"' in page(both)  # what was typed stays in the field
    done = admin.post(f"/lots/{lot['id']}/moderation",
                      data={"csrf_token": token, "answer": answer, "score": "5", "reason": "Agreed at the panel."})
    assert done.status_code == 302
    after = page(admin.get(f"/lots/{lot['id']}/moderation"))
    assert "Agreed at the panel." in after and "Clear delivery plan with dates." in after
    assert browser(app, world, "evaluator").get(f"/lots/{lot['id']}/moderation").status_code == 403


def test_the_ranking_page_shows_the_table_and_the_chart(app, world, tendered):
    _, lot, _, _ = scored_lot(world, tendered)
    shown = page(browser(app, world, "admin").get(f"/lots/{lot['id']}/ranking"))
    assert "Ranked bids" in shown and "Acme Ltd" in shown and "Bolt Ltd" in shown
    bars = re.findall(r'<rect [^>]*width="([\d.]+)" height="10" class="chart-bar chart-bar-(\d)"', shown)
    assert sorted(colour for _, colour in bars) == ["1", "1", "2", "2"]  # quality and price, stacked, per bid
    assert all(float(width) > 0 for width, _ in bars), "every score that is not zero has a bar that can be seen"


def test_the_ranking_page_takes_as_many_queries_for_500_bids_as_for_10(app, world, tendered):
    framework, lot, _, _ = scored_lot(world, tendered)
    lot = lot | {"framework_id": framework["id"]}
    admin = browser(app, world, "admin")
    evaluators = [world.user("evaluator").id, world.user("second_evaluator").id]
    counts = []
    for n in (8, 490):
        add_scored_bids(lot, evaluators, n)
        with counting_queries() as count:
            response = admin.get(f"/lots/{lot['id']}/ranking")
        assert response.status_code == 200
        counts.append(count["n"])
    assert 0 < counts[0] == counts[1], counts


def test_the_portfolio_shows_each_supplier_across_the_lots_with_its_bundles(app, world):
    from tests.functional.bids_support import bid_body, offer, two_lot_framework

    framework, laptops, tablets = two_lot_framework(world)
    bid = world.post("supplier", f"/api/v1/frameworks/{framework['id']}/bids", bid_body(
        offer(laptops), offer(tablets), bundles=[{"lot_ids": [laptops["id"], tablets["id"]], "price": "1500000.00"}]))
    assert world.post("supplier", f"/api/v1/bids/{bid.get_json()['id']}/submit").status_code == 200
    submitted(world, framework, laptops, who="other_supplier", price=OTHER_PRICE)
    past_deadline(framework["id"])
    shown = page(browser(app, world, "admin").get(f"/frameworks/{framework['id']}/evaluation"))
    assert "Acme Ltd" in shown and "Bolt Ltd" in shown
    assert "Lots 1, 2: £1,500,000.00" in shown
    assert ">Not fully scored</strong>" in shown
    assert browser(app, world, "evaluator").get(f"/frameworks/{framework['id']}/evaluation").status_code == 403


def test_the_assessment_summary_puts_the_bidder_beside_the_winner_with_the_reasons(app, world, tendered):
    _, lot, _, _ = scored_lot(world, tendered)
    admin = browser(app, world, "admin")
    ranking = world.get("admin", f"/api/v1/lots/{lot['id']}/ranking").get_json()["items"]
    loser = next(i for i in ranking if i["rank"] == 2)
    shown = page(admin.get(f"/lots/{lot['id']}/assessment/{loser['bid_id']}"))
    assert "Ranked 2" in shown and "(highest ranked)" in shown
    assert "Clear delivery plan with dates." in shown
    assert admin.get(f"/lots/{lot['id']}/assessment/999999").status_code == 404


def test_the_evaluation_workbook_holds_rankings_scores_and_moderation(app, world, tendered):
    import io

    from openpyxl import load_workbook

    framework, lot, ours, _ = scored_lot(world, tendered)
    world.post("admin", f"/api/v1/lots/{lot['id']}/moderated-scores", {
        "bid_id": ours["id"], "criterion_id": lot["criteria"][0]["id"], "score": "5", "reason": "=cmd|' /C calc'!A0"})
    response = browser(app, world, "admin").get(f"/frameworks/{framework['id']}/evaluation.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('-evaluation.xlsx"')
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Rankings", "Scores", "Moderation"]
    assert [row[3] for row in book["Rankings"].iter_rows(min_row=2, values_only=True)].count("Acme Ltd") == 1
    assert len(list(book["Scores"].iter_rows(min_row=2))) == 8
    reason = book["Moderation"].cell(row=2, column=6)
    assert reason.value == "=cmd|' /C calc'!A0" and reason.data_type == "s"  # text, not a formula


def test_the_portfolio_page_takes_as_many_queries_for_500_bids_as_for_10(app, world, tendered):
    framework, lot, _, _ = scored_lot(world, tendered)
    lot = lot | {"framework_id": framework["id"]}
    admin = browser(app, world, "admin")
    evaluators = [world.user("evaluator").id, world.user("second_evaluator").id]
    counts = []
    for n in (8, 490):
        add_scored_bids(lot, evaluators, n)
        with counting_queries() as count:
            response = admin.get(f"/frameworks/{framework['id']}/evaluation")
        assert response.status_code == 200
        counts.append(count["n"])
    assert 0 < counts[0] == counts[1], counts
