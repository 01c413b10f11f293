"""Minimisation: suppliers' assessment letters name roles, never the evaluators or board members; the OCDS feed
carries organisations, never the names or e-mail addresses of people."""
import io
import json
import re

import pytest
from pypdf import PdfReader

from tests.functional.board.test_board_api import approved, run  # noqa: F401 - run: a fixture
from tests.functional.frameworks_support import PEOPLE, World

PEOPLE.setdefault("second_evaluator", ("sid@hackney.gov.uk", "evaluator", "London Borough of Hackney"))


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)


def _named(world, text: str) -> list[str]:
    """The people of the world whose e-mail address, or its local part as a word, is in `text`."""
    addresses = [user.email for user in world.users.values()]
    return [a for a in addresses if a in text or re.search(rf"\b{re.escape(a.split('@')[0])}\b", text)]


@pytest.fixture
def in_standstill(world, run):  # noqa: F811 - the fixture
    """The board approved the award: each bidder has been sent its assessment summary letter."""
    return approved(world, run)


def test_assessment_letters_and_the_ocds_feed_name_no_person(app, world, in_standstill):
    framework, _, _ = in_standstill
    letters = [m for m in app.extensions["mail_outbox"] if m["Subject"].startswith("Assessment summary")]
    assert letters
    for letter in letters:
        attachment = next(letter.iter_attachments())
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(attachment.get_content())).pages)
        assert "the evaluators recorded" in text
        assert _named(world, text) == []
    feed = json.dumps(world.get("officer", f"/api/v1/frameworks/{framework['id']}/ocds").get_json())
    assert "Acme Ltd" in feed  # organisations are published
    assert _named(world, feed) == []
