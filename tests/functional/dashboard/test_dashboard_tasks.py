"""Each role's dashboard opens on its to-do list: every task a link to where it is done, with its deadline and how
far along it is; a task done leaves the list; an empty list says what would appear there; and the list costs the
same number of queries however much work waits."""
import html
import re
from decimal import Decimal

import pytest

from app.extensions import db
from consort.dashboard import todo
from procurement.board.models import BoardVote
from procurement.board.services import recommendation_of
from procurement.evaluation import moderation
from procurement.evaluation import services as evaluation
from suppliers import profiles
from suppliers.domain.exclusion import GROUNDS
from tests.conftest import _empty_tables
from tests.functional.dashboard.support import PEOPLE, build, people
from tests.support import counting_queries, sign_in

ROLES = ["admin", "officer", "evaluator", "board", "supplier"]


def dashboard_of(app, role: str) -> str:
    client = app.test_client()
    assert sign_in(client, PEOPLE[role][0]).status_code == 302
    response = client.get("/dashboard")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def tasks(text: str) -> list[tuple[str, str, str]]:
    """(link, name, the rest of the item) of each task of the to-do list, in order."""
    listed = re.search(r'<ul class="task-list">(.*?)</ul>', text, re.S)
    if listed is None:
        return []
    return [(href, name, " ".join(re.sub(r"<[^>]+>", " ", rest).split())) for href, name, rest in re.findall(
        r'<li class="task-list-item">\s*<a class="task-name" href="([^"]+)">([^<]+)</a>(.*?)</li>',
        listed.group(1), re.S)]


def test_the_evaluator_declares_then_scores_each_lot_and_sees_how_many_answers_are_scored(app, make_user):
    world = build(make_user, 2)
    eve = world.users["evaluator"]
    (first, first_lot), (second, second_lot) = world.closed
    evaluation.declare(eve, first_lot.id, False, "")
    bid_id = moderation.answer_sheets(evaluation.evaluator_access(eve, first_lot.id))[0].bid_id
    evaluation.record_score(eve, first_lot.id, bid_id, first_lot.criteria[0].id, Decimal(4), "Clear plan.")
    listed = tasks(dashboard_of(app, "evaluator"))
    assert listed == [
        (f"/lots/{first_lot.id}/evaluate/next", f"Score the answers to {first.reference}, lot 1: Laptops 1",
         "1 of 4 answers scored No deadline"),
        (f"/lots/{second_lot.id}/evaluate",
         f"Declare any conflict of interest for {second.reference}, lot 1: Laptops 1",
         "Then you can read and score its bids. No deadline")]
    for sheet in moderation.answer_sheets(evaluation.evaluator_access(eve, first_lot.id)):
        for criterion in first_lot.criteria:
            evaluation.record_score(eve, first_lot.id, sheet.bid_id, criterion.id, Decimal(3), "Sound.")
    evaluation.declare(eve, second_lot.id, True, "I advise Albion Technology plc.")
    assert tasks(dashboard_of(app, "evaluator")) == []


def test_the_board_member_sees_each_vote_waiting_until_they_have_voted(app, make_user):
    world = build(make_user, 2)
    listed = tasks(dashboard_of(app, "board"))
    assert [(href, name) for href, name, _ in listed] == [
        (f"/award-runs/{run.id}/recommendation", f"Vote on the recommended award of {f.reference} {f.title}")
        for f, run in world.recommended]
    assert "0 of 3 members have voted" in listed[0][2]
    db.session.add(BoardVote(recommendation_id=recommendation_of(world.recommended[0][1].id).id,
                             user_id=world.users["board"].id, decision="approve"))
    db.session.commit()
    assert [href for href, _, _ in tasks(dashboard_of(app, "board"))] == [
        f"/award-runs/{world.recommended[1][1].id}/recommendation"]


def test_the_supplier_sees_its_profile_drafts_contracts_levies_and_mini_competitions(app, make_user):
    world = build(make_user, 1)
    (framework,) = world.open
    (awarded, _), (issued, _) = world.awarded[0], world.contracts
    listed = tasks(dashboard_of(app, "supplier"))
    by_link = {href: (name, rest) for href, name, rest in listed}
    assert by_link["/supplier/profile"][0] == "Complete your company profile"
    assert by_link["/supplier/declaration"][1] == "Needed before you can submit a bid No deadline"
    name, rest = by_link[f"/frameworks/{framework.id}/bid"]
    assert name == f"Finish and submit your bid for {framework.reference} {framework.title}"
    assert re.fullmatch(r"Draft: not yet submitted Due by \d{1,2} \w{3} 20\d\d, \d\d:\d\d GMT", rest), rest
    assert by_link[f"/contracts/{issued.id}"][0] == f"Sign contract {issued.reference}"
    assert by_link[f"/levies/{world.levies[0].id}/pay"] == (
        f"Pay the levy on a call-off from {awarded.reference}", "Amount due £600.00 No deadline")
    name, rest = by_link[f"/mini-competitions/{world.competitions[0].id}"]
    assert name == f"Answer the mini-competition on {awarded.reference}, lot 3: Laptops 3"
    assert rest.startswith("An order of up to £1,200,000.00 Due by ")
    # The soonest deadline first (the mini-competition's week, then the bid's month), those without one after.
    assert [href for href, _, _ in listed[:2]] == [f"/mini-competitions/{world.competitions[0].id}",
                                                   f"/frameworks/{framework.id}/bid"]
    assert listed[-1][2].endswith("No deadline")
    assert len(listed) == 6

    sam = world.users["supplier"]
    profiles.update_profile(sam, {"registered_address": "1 Thames Street", "contact_name": "Sam",
                                  "contact_email": "sam@thames.example"})
    profiles.declare(sam, {ground.code: False for ground in GROUNDS})
    links = [href for href, _, _ in tasks(dashboard_of(app, "supplier"))]
    assert "/supplier/profile" not in links and "/supplier/declaration" not in links and len(links) == 4


def test_the_officer_is_sent_to_call_off_from_lots_with_no_order_yet(app, make_user):
    world = build(make_user, 1)
    ((framework, _),) = world.awarded
    listed = tasks(dashboard_of(app, "officer"))
    assert listed[0][:2] == (f"/mini-competitions/{world.competitions[0].id}",
                             f"Follow the mini-competition on {framework.reference}, lot 3: Laptops 3")
    assert listed[1:] == [(f"/frameworks/{framework.id}/call-offs",
                           f"Place a call-off from {framework.reference}, lot 1: Laptops 1",
                           "Awarded: your authority has not called off yet No deadline")]


def test_the_admin_sees_questions_evaluations_and_countersignatures(app, make_user):
    world = build(make_user, 1)
    (opened,), ((closed, _),), ((recommended, _),) = world.open, world.closed, world.recommended
    signed = world.contracts[1]
    names = {href: name for href, name, _ in tasks(dashboard_of(app, "admin"))}
    assert names == {
        f"/frameworks/{opened.id}#questions": f"Answer 1 clarification question on {opened.reference}",
        f"/frameworks/{closed.id}": f"Set the panels and start the evaluation of {closed.reference}",
        f"/contracts/{signed.id}": f"Countersign contract {signed.reference}",
    }
    assert recommended.reference not in str(names)  # it waits on the board, not on the admin


@pytest.mark.parametrize("role", ROLES)
def test_an_empty_to_do_list_says_what_would_appear_there(app, make_user, role):
    sam = people(make_user)["supplier"]
    profiles.update_profile(sam, {"registered_address": "1 Thames Street", "contact_name": "Sam",
                                  "contact_email": "sam@thames.example"})
    profiles.declare(sam, {ground.code: False for ground in GROUNDS})
    text = dashboard_of(app, role)
    assert tasks(text) == []
    empty = re.search(r'<h2 id="todo-heading">Your to-do list</h2>\s*<p class="empty">([^<]+)</p>', text)
    assert empty and "appear" in empty.group(1), text


@pytest.mark.parametrize("role", ROLES)
def test_the_to_do_list_costs_the_same_queries_for_one_task_of_each_kind_as_for_three(app, make_user, role):
    # The list alone: the money tables below it on the officer's and admin's dashboards read each framework apart.
    counts, found = [], []
    for size in (1, 3):
        user = build(make_user, size).users[role]
        db.session.expire_all()
        with counting_queries() as queries:
            found.append(len(todo.tasks_for(user)))
        counts.append(queries["n"])
        _empty_tables()
    assert found[1] > found[0] > 0
    assert counts[0] == counts[1], counts
