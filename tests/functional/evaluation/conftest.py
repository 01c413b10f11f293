"""What the evaluation's tests share: people of every role (a second evaluator among them) and a tendered lot."""
import pytest

from tests.functional.bids_support import OTHER_PRICE, submitted
from tests.functional.frameworks_support import PEOPLE, World

PEOPLE.setdefault("second_evaluator", ("sid@hackney.gov.uk", "evaluator", "London Borough of Hackney"))


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)


@pytest.fixture
def tendered(world):
    """An open framework's lot with two submitted bids, and a panel of two evaluators."""
    framework, lot = world.published()
    ours = submitted(world, framework, lot)
    theirs = submitted(world, framework, lot, who="other_supplier", price=OTHER_PRICE)
    panel = [world.user("evaluator").id, world.user("second_evaluator").id]
    assert world.post("admin", f"/api/v1/lots/{lot['id']}/panel", {"user_ids": panel}).status_code == 200
    return framework, lot, ours, theirs
