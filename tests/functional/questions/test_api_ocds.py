"""The OCDS release package through the API, and the answers of the questions and OCDS operations checked against
the OpenAPI document."""
import copy
import json

import pytest

from consort.publication.ocds import validation_errors
from frameworks import services as framework_services
from tests.functional.frameworks_support import (
    assert_answer_satisfies_openapi,
    assert_error,
    move_deadlines,
)
from tests.functional.questions.support import answer, ask
from tests.functional.test_openapi import fetch_document, response_validator


@pytest.mark.parametrize("role", ["admin", "supplier", "officer"])
def test_a_draft_has_no_ocds_release_package(world, role):
    framework, _ = world.draft_with_lot()
    assert_error(world.get(role, f"/api/v1/frameworks/{framework['id']}/ocds"), 404, "not_found")


def test_the_ocds_package_of_a_framework_that_does_not_exist_gives_404(world):
    assert_error(world.get("admin", "/api/v1/frameworks/987654/ocds"), 404, "not_found")


def test_the_ocds_package_needs_a_token(world, client):
    framework, _ = world.published()
    assert_error(client.get(f"/api/v1/frameworks/{framework['id']}/ocds"), 401, "unauthorised")


def _open(world):
    return world.published()[0]


def _question_deadline_passed(world):
    framework = world.published()[0]
    move_deadlines(framework["id"], question_hours=-1, bid_hours=24)
    return framework


def _closed(world):
    framework = world.published()[0]
    move_deadlines(framework["id"], question_hours=-2, bid_hours=-1)
    framework_services.close_due()
    return framework


def _cancelled(world):
    framework = world.published()[0]
    world.transition(framework["id"], "cancelled")
    return framework


@pytest.mark.parametrize(("make", "tender_status"), [
    (_open, "active"), (_question_deadline_passed, "active"), (_closed, "active"), (_cancelled, "cancelled"),
], ids=["open", "question deadline passed", "closed", "cancelled"])
@pytest.mark.parametrize("role", ["supplier", "officer", "board"])
def test_after_publication_the_ocds_package_is_valid_against_the_schema(world, make, tender_status, role):
    framework = make(world)
    response = world.get(role, f"/api/v1/frameworks/{framework['id']}/ocds")
    assert response.status_code == 200, response.get_json()
    package = response.get_json()
    assert validation_errors(package) == []
    release = package["releases"][-1]
    assert release["ocid"].endswith(framework["reference"])
    assert release["tender"]["status"] == tender_status
    assert release["tender"]["title"] == framework["title"]
    assert len(release["tender"]["lots"]) == 1
    buyers = {party["name"] for party in release["parties"] if "buyer" in party["roles"]}
    assert {"London Borough of Camden", "London Borough of Hackney"} <= buyers


@pytest.mark.parametrize(("path", "wrong"), [
    (("version",), None), (("releases", 0, "ocid"), 12), (("releases", 0, "tender", "status"), "live"),
    (("releases", 0, "date"), "yesterday"),
])
def test_the_ocds_validation_used_notices_a_broken_package(world, path, wrong):
    framework, _ = world.published()
    package = world.get("supplier", f"/api/v1/frameworks/{framework['id']}/ocds").get_json()
    broken = copy.deepcopy(package)
    target = broken
    for key in path[:-1]:
        target = target[key]
    if wrong is None:
        del target[path[-1]]
    else:
        target[path[-1]] = wrong
    assert validation_errors(broken) != []


def test_the_ocds_package_never_names_a_question_asker(world):
    framework, _ = world.published()
    question = ask(world, framework["id"], who="other_supplier").get_json()
    answer(world, question["id"])
    raw = json.dumps(world.get("admin", f"/api/v1/frameworks/{framework['id']}/ocds").get_json())
    assert "Bolt" not in raw and world.user("other_supplier").email not in raw


# Answers against the OpenAPI document


def _ask(world):
    framework, _ = world.published()
    return ask(world, framework["id"])


def _ask_too_late(world):
    framework = _closed(world)
    return ask(world, framework["id"])


def _answer(world):
    framework, _ = world.published()
    return answer(world, ask(world, framework["id"]).get_json()["id"])


def _list(world):
    framework, _ = world.published()
    answer(world, ask(world, framework["id"]).get_json()["id"])
    return world.get("supplier", f"/api/v1/frameworks/{framework['id']}/questions")


def _ocds(world):
    framework, _ = world.published()
    return world.get("supplier", f"/api/v1/frameworks/{framework['id']}/ocds")


def _ocds_draft(world):
    framework, _ = world.draft_with_lot()
    return world.get("admin", f"/api/v1/frameworks/{framework['id']}/ocds")


ANSWERS = [
    (_ask, "/api/v1/frameworks/{framework_id}/questions", "POST", 201, "status"),
    (_ask_too_late, "/api/v1/frameworks/{framework_id}/questions", "POST", 409, "message"),
    (_answer, "/api/v1/questions/{question_id}/answer", "POST", 200, "answer"),
    (_list, "/api/v1/frameworks/{framework_id}/questions", "GET", 200, "items"),
    (_ocds, "/api/v1/frameworks/{framework_id}/ocds", "GET", 200, "releases"),
    (_ocds_draft, "/api/v1/frameworks/{framework_id}/ocds", "GET", 404, "error"),
]


@pytest.mark.parametrize(("call", "path", "method", "status", "required"), ANSWERS,
                         ids=[f"{method} {path} {status}" for _, path, method, status, _ in ANSWERS])
def test_a_questions_or_ocds_answer_satisfies_the_openapi_document(world, call, path, method, status, required):
    assert_answer_satisfies_openapi(world, call, path, method, status, required)


def test_the_published_questions_schema_checks_each_item(world):
    from jsonschema.exceptions import ValidationError

    body = _list(world).get_json()
    validator = response_validator(fetch_document(world.client), "/api/v1/frameworks/{framework_id}/questions",
                                   "GET", 200)
    validator.validate(body)
    body["items"][0]["answered_at"] = "last week"
    with pytest.raises(ValidationError):
        validator.validate(body)
