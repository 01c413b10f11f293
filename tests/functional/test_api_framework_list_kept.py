"""GET /api/v1/frameworks keeps a published framework's lots as JSON (frameworks/listing.py): the list must say
exactly what each framework's own answer says, whether its lots were built now or kept, and a draft's lots (which
change) are never kept. Real HTTP, real database."""
import pytest

from app import memo
from frameworks.listing import LOTS_MEMO
from tests.functional.frameworks_support import World, stored_framework
from tests.support import counting_queries


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)


def listed(world, who: str = "admin") -> dict[int, dict]:
    body = world.get(who, "/api/v1/frameworks", query_string={"per_page": 100}).get_json()
    return {item["id"]: item for item in body["items"]}


def own_answer(world, framework_id: int, who: str = "admin") -> dict:
    return world.get(who, f"/api/v1/frameworks/{framework_id}").get_json()


def test_the_list_says_what_each_frameworks_own_answer_says_built_or_kept(world):
    published, _ = world.published(title="Published one")
    draft, _ = world.draft_with_lot(title="Draft one")
    first, second = listed(world), listed(world)
    for framework_id in (published["id"], draft["id"]):
        assert first[framework_id] == second[framework_id] == own_answer(world, framework_id)
    assert first[published["id"]]["lots"] and first[published["id"]]["lots"][0]["demand"]["authorities"]
    assert memo.recall(LOTS_MEMO, (published["id"], _published_at(published["id"]))) == first[published["id"]]["lots"]


def test_a_drafts_lots_are_never_kept_so_a_new_lot_shows_at_once(world):
    draft, lot = world.draft_with_lot()
    assert [item["id"] for item in listed(world)[draft["id"]]["lots"]] == [lot["id"]]
    requirement = world.requirement("officer", quantity="10", estimated_unit_price="100.00")
    second = world.lot(draft["id"], [requirement["id"]], title="Second lot")
    assert [item["id"] for item in listed(world)[draft["id"]]["lots"]] == [lot["id"], second["id"]]


def test_publishing_shows_the_new_status_and_the_lots_as_they_were(world):
    draft, _ = world.draft_with_lot()
    before = listed(world)[draft["id"]]
    assert world.transition(draft["id"], "open").status_code == 200
    after = listed(world)[draft["id"]]
    assert (before["status"], after["status"]) == ("draft", "open")
    assert after["lots"] == before["lots"] and after == own_answer(world, draft["id"])


def test_kept_lots_are_read_with_no_query_for_them(world):
    for n in range(3):
        world.published(title=f"Published {n}")
    listed(world)  # builds and keeps them
    with counting_queries() as kept:
        assert len(listed(world)) == 3
    memo.forget_all()
    with counting_queries() as built:
        assert len(listed(world)) == 3
    # built: the page, its count, then the lots, their criteria and their pooled requirements; kept: no lot query
    assert kept["n"] == built["n"] - 3, (kept, built)


def _published_at(framework_id: int):
    return stored_framework(framework_id).published_at
