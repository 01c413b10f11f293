"""Clarification questions and the OCDS release package through the API: suppliers ask while the framework is open
and before the question deadline; admins answer once and the answer is published to everyone without the asker's
identity; the OCDS package exists from publication and is valid against the schema. Real HTTP, real database."""
from datetime import UTC, datetime, timedelta

import pytest

from frameworks import services as framework_services
from tests.functional.frameworks_support import (
    PEOPLE,
    assert_error,
    move_deadlines,
)
from tests.functional.questions.support import PUBLIC_QUESTION_KEYS, answer, ask, moment, published_questions

# Asking


def test_a_supplier_asks_while_open_and_the_question_awaits_an_answer_unpublished(world):
    framework, _ = world.published()
    response = ask(world, framework["id"], "  Must the laptops have 16 GB of memory?  ")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert isinstance(body["id"], int)
    assert {k: body[k] for k in ("framework_id", "text", "status")} == {
        "framework_id": framework["id"], "text": "Must the laptops have 16 GB of memory?", "status": "awaiting answer"}
    assert abs(moment(body["asked_at"]) - datetime.now(UTC)) < timedelta(minutes=1)
    assert published_questions(world, framework["id"]) | {"page": 1, "per_page": 20} == {
        "items": [], "total": 0, "page": 1, "per_page": 20}
    [event] = world.audit(object_type="Question", object_id=body["id"])
    assert (event["action"], event["actor"]["email"]) == ("question.asked", world.user("supplier").email)


def test_a_question_of_exactly_4000_characters_is_accepted(world):
    framework, _ = world.published()
    response = ask(world, framework["id"], "q" * 4000)
    assert response.status_code == 201
    assert len(response.get_json()["text"]) == 4000


def test_a_supplier_cannot_see_or_ask_about_a_draft(world):
    framework, _ = world.draft_with_lot()
    assert_error(ask(world, framework["id"]), 404, "not_found")
    assert_error(world.get("supplier", f"/api/v1/frameworks/{framework['id']}/questions"), 404, "not_found")


def test_asking_after_the_question_deadline_gives_409_though_bids_are_still_open(world):
    framework, _ = world.published()
    move_deadlines(framework["id"], question_hours=-1, bid_hours=24)
    assert world.get("supplier", f"/api/v1/frameworks/{framework['id']}").get_json()["status"] == "open"
    body = assert_error(ask(world, framework["id"]), 409, "conflict")
    assert "deadline" in body["message"]


@pytest.mark.parametrize("recorded", [False, True], ids=["deadline passed", "closing recorded"])
def test_asking_once_the_framework_is_closed_gives_409(world, recorded):
    framework, _ = world.published()
    move_deadlines(framework["id"], question_hours=-2, bid_hours=-1)
    if recorded:
        assert framework_services.close_due() == [framework["id"]]
    body = assert_error(ask(world, framework["id"]), 409, "conflict")
    assert "open" in body["message"]


def test_asking_about_a_cancelled_framework_gives_409(world):
    framework, _ = world.published()
    world.transition(framework["id"], "cancelled")
    assert_error(ask(world, framework["id"]), 409, "conflict")


@pytest.mark.parametrize("role", ["admin", "officer", "evaluator", "board"])
def test_only_suppliers_ask_questions(world, role):
    framework, _ = world.published()
    body = assert_error(ask(world, framework["id"], who=role), 403, "forbidden")
    assert "supplier" in body["message"]
    assert world.audit(object_type="Question") == []


@pytest.mark.parametrize("body", [
    {"text": ""}, {"text": "   \n\t "}, {"text": "q" * 4001}, {"text": "q" * 5000}, {"text": None}, {"text": 42},
    {"text": ["a question"]}, {}, {"question": "Is this the field?"},
], ids=["empty", "blank", "4001 characters", "5000 characters", "null", "number", "list", "missing", "misnamed"])
def test_a_question_without_proper_text_gives_422(world, body):
    framework, _ = world.published()
    answer_ = assert_error(world.post("supplier", f"/api/v1/frameworks/{framework['id']}/questions", body),
                           422, "validation_failed")
    assert "text" in answer_["fields"]
    assert world.audit(object_type="Question") == []


def test_asking_about_a_framework_that_does_not_exist_gives_404(world):
    assert_error(ask(world, 987654), 404, "not_found")


# Answering and publishing


def test_an_admin_answers_and_the_answer_is_published_to_everyone(world):
    framework, _ = world.published()
    question = ask(world, framework["id"]).get_json()
    response = answer(world, question["id"], "  Yes, three years is enough.  ")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) == PUBLIC_QUESTION_KEYS
    assert {k: body[k] for k in ("id", "framework_id", "text", "answer")} == {
        "id": question["id"], "framework_id": framework["id"], "text": question["text"],
        "answer": "Yes, three years is enough."}
    assert abs(moment(body["answered_at"]) - datetime.now(UTC)) < timedelta(minutes=1)
    for who in ("supplier", "other_supplier", "officer", "evaluator", "board", "admin"):
        listed = published_questions(world, framework["id"], who)
        assert (listed["items"], listed["total"]) == ([body], 1)
    [event] = [e for e in world.audit(object_type="Question", object_id=question["id"])
               if e["action"] == "question.answered"]
    assert event["actor"]["email"] == world.user("admin").email


def test_a_question_is_answered_only_once_and_the_first_answer_stands(world):
    framework, _ = world.published()
    question = ask(world, framework["id"]).get_json()
    first = answer(world, question["id"], "The first answer.").get_json()
    body = assert_error(answer(world, question["id"], "A second thought."), 409, "conflict")
    assert "already been answered" in body["message"]
    assert published_questions(world, framework["id"])["items"] == [first]


def test_questions_can_still_be_answered_after_the_question_deadline(world):
    framework, _ = world.published()
    question = ask(world, framework["id"]).get_json()
    move_deadlines(framework["id"], question_hours=-1, bid_hours=24)
    assert answer(world, question["id"]).status_code == 200


def test_a_question_on_a_cancelled_framework_cannot_be_answered(world):
    framework, _ = world.published()
    question = ask(world, framework["id"]).get_json()
    world.transition(framework["id"], "cancelled")
    body = assert_error(answer(world, question["id"]), 409, "conflict")
    assert "cancelled" in body["message"]


@pytest.mark.parametrize("role", ["supplier", "officer", "evaluator", "board"])
def test_only_an_admin_answers(world, role):
    framework, _ = world.published()
    question = ask(world, framework["id"]).get_json()
    assert_error(answer(world, question["id"], who=role), 403, "forbidden")
    assert published_questions(world, framework["id"])["total"] == 0


@pytest.mark.parametrize("body", [{"answer": ""}, {"answer": "  "}, {"answer": "a" * 4001}, {}, {"answer": 7}],
                         ids=["empty", "blank", "too long", "missing", "number"])
def test_an_answer_without_proper_text_gives_422_and_publishes_nothing(world, body):
    framework, _ = world.published()
    question = ask(world, framework["id"]).get_json()
    answer_ = assert_error(world.post("admin", f"/api/v1/questions/{question['id']}/answer", body),
                           422, "validation_failed")
    assert "answer" in answer_["fields"]
    assert published_questions(world, framework["id"])["total"] == 0


def test_answering_a_question_that_does_not_exist_gives_404(world):
    assert_error(answer(world, 987654), 404, "not_found")


def test_only_answered_questions_are_listed_in_the_order_they_were_answered(world):
    framework, _ = world.published()
    other, _ = world.published(title="Another framework")
    first = ask(world, framework["id"], "First?").get_json()
    unanswered = ask(world, framework["id"], "Never answered?", who="other_supplier").get_json()
    second = ask(world, framework["id"], "Second?", who="other_supplier").get_json()
    elsewhere = ask(world, other["id"], "About the other one?").get_json()
    for question in (second, first, elsewhere):
        assert answer(world, question["id"], f"Answer to {question['text']}").status_code == 200
    body = published_questions(world, framework["id"])
    assert [item["id"] for item in body["items"]] == [second["id"], first["id"]]
    assert body["total"] == 2
    assert unanswered["id"] not in [item["id"] for item in body["items"]]
    assert [item["id"] for item in published_questions(world, other["id"])["items"]] == [elsewhere["id"]]


@pytest.mark.parametrize("per_page", [1, 2, 5])
def test_the_published_questions_are_a_list_in_pages(world, per_page):
    framework, _ = world.published()
    ids = []
    for n in range(5):
        question = ask(world, framework["id"], f"Question {n}?").get_json()
        assert answer(world, question["id"]).status_code == 200
        ids.append(question["id"])
    seen, page = [], 1
    while body := world.get("supplier", f"/api/v1/frameworks/{framework['id']}/questions",
                            query_string={"page": page, "per_page": per_page}).get_json():
        assert body["total"] == 5
        assert len(body["items"]) <= per_page
        if not body["items"]:
            break
        seen += [item["id"] for item in body["items"]]
        page += 1
    assert seen == ids


@pytest.mark.parametrize(("name", "value"), [("per_page", "101"), ("page", "0"), ("per_page", "x")])
def test_a_bad_page_of_published_questions_gives_400(world, name, value):
    framework, _ = world.published()
    body = assert_error(world.get("supplier", f"/api/v1/frameworks/{framework['id']}/questions",
                                  query_string={name: value}), 400, "bad_request")
    assert name in body["fields"]


def test_published_questions_never_identify_the_asker(world):
    framework, _ = world.published()
    asker = world.user("other_supplier")
    question = ask(world, framework["id"], "Can we offer refurbished laptops?", who="other_supplier").get_json()
    answered = answer(world, question["id"])
    organisation_name = PEOPLE["other_supplier"][2]
    for who in ("supplier", "other_supplier", "officer", "admin"):
        response = world.get(who, f"/api/v1/frameworks/{framework['id']}/questions")
        for raw in (response.get_data(as_text=True), answered.get_data(as_text=True)):
            for identity in (asker.email, organisation_name, "Bolt", "asked_by", "asker"):
                assert identity.lower() not in raw.lower(), (identity, raw)
        [item] = response.get_json()["items"]
        assert set(item) == PUBLIC_QUESTION_KEYS
        assert (item["id"], item["framework_id"]) == (question["id"], framework["id"])
        # No other value is a number that could be the asker's user or organisation id.
        assert [v for k, v in item.items() if k not in ("id", "framework_id") and isinstance(v, int)] == []


# The OCDS release package
