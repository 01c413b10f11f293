"""Helpers of the clarification questions' API tests."""
from datetime import datetime

import pytest

from tests.functional.frameworks_support import (
    World,
)

PUBLIC_QUESTION_KEYS = {"id", "framework_id", "text", "answer", "answered_at"}


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)


def ask(world, framework_id: int, text: str = "Is a three-year warranty enough?", who: str = "supplier"):
    return world.post(who, f"/api/v1/frameworks/{framework_id}/questions", {"text": text})


def answer(world, question_id: int, text: str = "Yes, three years is enough.", who: str = "admin"):
    return world.post(who, f"/api/v1/questions/{question_id}/answer", {"answer": text})


def published_questions(world, framework_id: int, who: str = "supplier") -> dict:
    response = world.get(who, f"/api/v1/frameworks/{framework_id}/questions")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def moment(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    assert value.utcoffset() is not None
    return value
