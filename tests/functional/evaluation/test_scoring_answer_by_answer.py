"""Scoring answer by answer: the evaluator's list of a lot's answers with their statuses and a count, one page per
answer with "Save and next" and "Save and return to the list", the errors shown on that page with nothing saved,
the refusals of evaluation's rules, and a bounded number of queries at any size of lot."""
import html

import pytest

from app.extensions import db
from procurement.evaluation.models import Score
from tests.functional.bids_support import OTHER_PRICE, PRICE, QUALITY_ANSWER, SOCIAL_ANSWER, past_deadline, submitted
from tests.functional.evaluation.test_evaluation_api import add_scored_bids, declare, score, scored_lot
from tests.functional.framework_pages_support import assert_summary_links_to
from tests.functional.frameworks_support import PEOPLE
from tests.functional.pages_support import page
from tests.support import counting_queries, csrf_token, sign_in


@pytest.fixture
def declared(world, tendered):
    """The evaluator has declared no conflict; the lot and its two bids in the order the sheet lists them (by bid
    id, which says nothing of who bid first), each with its supplier's name."""
    framework, lot, ours, theirs = tendered
    past_deadline(framework["id"])
    assert declare(world, lot).status_code == 201
    first, second = sorted((ours | {"name": "Acme Ltd"}, theirs | {"name": "Bolt Ltd"}), key=lambda b: b["id"])
    return lot, first, second


def browser(app, world, who="evaluator"):
    client = app.test_client()
    world.user(who)
    assert sign_in(client, PEOPLE[who][0]).status_code == 302
    return client


def answer_url(lot, bid, index):
    return f"/lots/{lot['id']}/evaluate/{bid['id']}/{lot['criteria'][index]['id']}"


def save(client, lot, bid, index, then, value="3", rationale="A dated plan."):
    url = answer_url(lot, bid, index)
    return client.post(url, data={"csrf_token": csrf_token(client, url), "score": value, "rationale": rationale,
                                  "then": then})


def scores_saved() -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count()).select_from(Score))


def test_the_list_has_a_row_per_answer_with_its_status_and_the_count(app, world, declared):
    lot, first, second = declared
    assert score(world, lot, second, 1, "7").status_code == 201
    shown = html.unescape(page(browser(app, world).get(f"/lots/{lot['id']}/evaluate")))
    assert "1 of 4 answers scored" in shown and "Prices are hidden" in shown
    for bid in (first, second):
        for index in (0, 1):
            assert f'href="{answer_url(lot, bid, index)}"' in shown
    assert shown.count('class="tag tag-blue">Not started<') == 3 and shown.count('class="tag tag-green">Scored<') == 1
    assert "your score 7.00" in shown
    assert "Acme Ltd" in shown and "Bolt Ltd" in shown  # the bidders as the evaluation names them
    assert QUALITY_ANSWER not in shown, "the answers are read on their own pages"
    assert f'href="{answer_url(lot, first, 0)}">Start scoring' not in shown
    assert f'href="{answer_url(lot, first, 0)}">Score the next answer' in shown


def test_an_answer_page_shows_the_criterion_its_guidance_and_scale_and_the_answer(app, world, declared):
    lot, first, _ = declared
    shown = html.unescape(page(browser(app, world).get(answer_url(lot, first, 1))))
    assert "Answer 2 of 4" in shown and "0 of 4 answers scored" in shown
    assert f"Social value: {first['name']}" in shown and "Apprenticeships in London." in shown and "0 to 10" in shown
    assert SOCIAL_ANSWER in shown and QUALITY_ANSWER not in shown
    assert "Save and next" in shown and "Save and return to the list" in shown
    assert f'href="{answer_url(lot, first, 0)}" rel="prev">Previous answer' in shown
    assert 'rel="next">Next answer' in shown
    assert "918,273.64" not in shown and OTHER_PRICE not in shown, "prices are hidden from quality evaluators"


def test_save_and_next_goes_to_the_next_answer_not_yet_scored(app, world, declared):
    lot, first, second = declared
    assert score(world, lot, first, 1, "6").status_code == 201  # the second answer is already scored
    evaluator = browser(app, world)
    saved = save(evaluator, lot, first, 0, "next")
    assert saved.status_code == 302 and saved.headers["Location"] == answer_url(lot, second, 0)
    after = html.unescape(page(evaluator.get(saved.headers["Location"])))
    assert "Score saved." in after and "Answer 3 of 4" in after and "2 of 4 answers scored" in after
    recorded = [e for e in world.audit(object_type="Score") if e["action"] == "score.recorded"]
    assert len(recorded) == 2 and scores_saved() == 2


def test_save_and_next_on_the_last_answer_to_score_returns_to_the_list_saying_so(app, world, declared):
    lot, first, second = declared
    for bid, index in ((first, 1), (second, 0), (second, 1)):
        assert score(world, lot, bid, index).status_code == 201
    evaluator = browser(app, world)
    saved = save(evaluator, lot, first, 0, "next")
    assert saved.status_code == 302
    assert saved.headers["Location"] == f"/lots/{lot['id']}/evaluate#answer-{first['id']}-{lot['criteria'][0]['id']}"
    listed = html.unescape(page(evaluator.get(f"/lots/{lot['id']}/evaluate")))
    assert "You have scored all 4 answers" in listed and "4 of 4 answers scored" in listed
    assert "See the ranking" in listed and "Not started" not in listed


def test_save_and_next_goes_round_to_an_earlier_answer_left_unscored(app, world, declared):
    lot, first, second = declared
    for bid, index in ((first, 1), (second, 0)):
        assert score(world, lot, bid, index).status_code == 201
    saved = save(browser(app, world), lot, second, 1, "next")  # the last answer; the first is still to score
    assert saved.status_code == 302 and saved.headers["Location"] == answer_url(lot, first, 0)


def test_where_the_framework_shows_prices_the_evaluator_sees_them(app, world):
    framework, lot = world.published(price_hidden_from_evaluators=False)
    ours = submitted(world, framework, lot)
    assert world.post("admin", f"/api/v1/lots/{lot['id']}/panel",
                      {"user_ids": [world.user("evaluator").id]}).status_code == 200
    past_deadline(framework["id"])
    assert declare(world, lot).status_code == 201
    evaluator = browser(app, world)
    listed = html.unescape(page(evaluator.get(f"/lots/{lot['id']}/evaluate")))
    shown = html.unescape(page(evaluator.get(answer_url(lot, ours, 0))))
    assert "918,273.64" in listed and "918,273.64" in shown and PRICE not in listed
    assert "Prices are hidden" not in listed


def test_save_and_return_goes_back_to_the_list_at_the_answer(app, world, declared):
    lot, first, _ = declared
    evaluator = browser(app, world)
    saved = save(evaluator, lot, first, 0, "list", value="4.5")
    anchor = f"answer-{first['id']}-{lot['criteria'][0]['id']}"
    assert saved.status_code == 302 and saved.headers["Location"] == f"/lots/{lot['id']}/evaluate#{anchor}"
    listed = html.unescape(page(evaluator.get(f"/lots/{lot['id']}/evaluate")))
    assert "Score saved." in listed and "1 of 4 answers scored" in listed and f'id="{anchor}"' in listed
    again = html.unescape(page(evaluator.get(answer_url(lot, first, 0))))
    assert 'value="4.50"' in again and "A dated plan." in again, "a scored answer's page shows the score to change"


def test_errors_are_shown_on_the_answer_page_and_nothing_is_saved(app, world, declared):
    lot, first, _ = declared
    evaluator = browser(app, world)
    no_reason = save(evaluator, lot, first, 0, "next", rationale="")
    assert no_reason.status_code == 422 and "Answer 1 of 4" in page(no_reason)
    assert_summary_links_to(no_reason, "rationale", "Give the reason for this score.")
    both = save(evaluator, lot, first, 0, "list", value="9", rationale=" ")
    assert both.status_code == 422
    assert_summary_links_to(both, "score", "Score “Quality of the devices” from 0 to 5.")
    assert_summary_links_to(both, "rationale", "Give the reason for this score.")
    assert 'value="9"' in page(both), "what was typed stays in the field"
    not_a_number = save(evaluator, lot, first, 0, "next", value="lots")
    assert not_a_number.status_code == 422 and 'class="error-summary"' in page(not_a_number)
    assert scores_saved() == 0
    assert not [e for e in world.audit(object_type="Score") if e["action"] == "score.recorded"]


def test_a_conflicted_evaluator_is_refused_the_answer_pages(app, world, tendered):
    framework, lot, ours, _ = tendered
    past_deadline(framework["id"])
    declare(world, lot, conflict=True, details="I advise Acme Ltd.")
    evaluator = browser(app, world)
    shown = evaluator.get(answer_url(lot, ours, 0))
    assert shown.status_code == 403 and "You declared a conflict of interest on this lot" in page(shown)
    assert QUALITY_ANSWER not in page(shown)
    refused = evaluator.post(answer_url(lot, ours, 0), data={
        "csrf_token": csrf_token(evaluator, f"/lots/{lot['id']}/evaluate"), "score": "3", "rationale": "Good",
        "then": "next"})
    assert refused.status_code == 403 and scores_saved() == 0
    listed = evaluator.get(f"/lots/{lot['id']}/evaluate")
    assert "Make the declaration" in page(listed), "the list still offers the declaration first"


def test_an_evaluator_taken_off_the_panel_is_refused(app, world, declared):
    lot, first, _ = declared
    assert world.post("admin", f"/api/v1/lots/{lot['id']}/panel",
                      {"user_ids": [world.user("second_evaluator").id]}).status_code == 200
    evaluator = browser(app, world)
    shown = evaluator.get(answer_url(lot, first, 0))
    assert shown.status_code == 403 and "You are not on this lot's evaluation panel." in page(shown)
    assert evaluator.get(f"/lots/{lot['id']}/evaluate").status_code == 403
    assert scores_saved() == 0


def test_before_the_deadline_the_answers_are_sealed(app, world, tendered):
    _, lot, ours, _ = tendered
    assert declare(world, lot).status_code == 201  # a declaration may come before the deadline
    evaluator = browser(app, world)
    shown = evaluator.get(answer_url(lot, ours, 0))
    assert shown.status_code == 409 and "The bids are sealed until the deadline" in page(shown)
    assert QUALITY_ANSWER not in page(shown)


def test_the_declaration_comes_before_any_answer_page(app, world, tendered):
    framework, lot, ours, _ = tendered
    past_deadline(framework["id"])
    evaluator = browser(app, world)
    for url in (answer_url(lot, ours, 0), f"/lots/{lot['id']}/evaluate/next"):
        response = evaluator.get(url)
        assert response.status_code == 302 and response.headers["Location"] == f"/lots/{lot['id']}/evaluate"


def test_answers_not_of_the_lot_and_other_roles_are_refused(app, world, declared):
    lot, first, _ = declared
    evaluator = browser(app, world)
    assert evaluator.get(f"/lots/{lot['id']}/evaluate/{first['id']}/999999").status_code == 404
    assert evaluator.get(f"/lots/{lot['id']}/evaluate/999999/{lot['criteria'][0]['id']}").status_code == 404
    assert browser(app, world, "admin").get(answer_url(lot, first, 0)).status_code == 403


def test_the_next_answer_link_goes_to_the_first_not_yet_scored_then_to_the_list(app, world, declared):
    lot, first, second = declared
    evaluator = browser(app, world)
    assert score(world, lot, first, 0).status_code == 201
    following = evaluator.get(f"/lots/{lot['id']}/evaluate/next")
    assert following.status_code == 302 and following.headers["Location"] == answer_url(lot, first, 1)
    for bid, index in ((first, 1), (second, 0), (second, 1)):
        assert score(world, lot, bid, index).status_code == 201
    done = evaluator.get(f"/lots/{lot['id']}/evaluate/next")
    assert done.status_code == 302 and done.headers["Location"] == f"/lots/{lot['id']}/evaluate"


def test_the_others_scores_show_on_an_answer_only_once_every_answer_is_scored(app, world, declared):
    lot, first, second = declared
    assert declare(world, lot, who="second_evaluator").status_code == 201
    assert score(world, lot, first, 0, "2", "Sid's reason: thin.", who="second_evaluator").status_code == 201
    evaluator = browser(app, world)
    assert score(world, lot, first, 0, "4", "Eve's reason.").status_code == 201
    assert "Sid's reason: thin." not in html.unescape(page(evaluator.get(answer_url(lot, first, 0))))
    for bid, index in ((first, 1), (second, 0), (second, 1)):
        assert score(world, lot, bid, index).status_code == 201
    assert "Sid's reason: thin." in html.unescape(page(evaluator.get(answer_url(lot, first, 0))))


@pytest.mark.parametrize("which", ["list", "answer"])
def test_the_list_and_an_answer_page_take_as_many_queries_for_500_bids_as_for_10(app, world, tendered, which):
    framework, lot, ours, _ = scored_lot(world, tendered)
    lot = lot | {"framework_id": framework["id"]}
    evaluator = browser(app, world)
    evaluators = [world.user("evaluator").id, world.user("second_evaluator").id]
    url = f"/lots/{lot['id']}/evaluate" if which == "list" else answer_url(lot, ours, 0)
    counts = []
    for n in (8, 490):
        add_scored_bids(lot, evaluators, n)
        with counting_queries() as count:
            response = evaluator.get(url)
        assert response.status_code == 200
        counts.append(count["n"])
    assert 0 < counts[0] == counts[1], counts
