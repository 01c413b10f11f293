"""Evaluation through the API: panels, conflict declarations, scores with rationale, moderation, the ranking."""
from datetime import timedelta
from decimal import Decimal

import pytest

from app.extensions import db
from app.types import utcnow
from tests.functional.bids_support import OTHER_PRICE, PRICE, past_deadline
from tests.functional.frameworks_support import PEOPLE, assert_error
from tests.support import counting_queries


def declare(world, lot, who="evaluator", conflict=False, details=""):
    return world.post(who, f"/api/v1/lots/{lot['id']}/conflict-declaration", {"conflict": conflict, "details": details})


def score(world, lot, bid, criterion_index=0, value="4", rationale="Clear delivery plan with dates.",
          who="evaluator"):
    body = {"bid_id": bid["id"], "criterion_id": lot["criteria"][criterion_index]["id"], "score": value,
            "rationale": rationale}
    return world.post(who, f"/api/v1/lots/{lot['id']}/scores", body)


def test_the_admin_sets_and_replaces_a_panel(world):
    _, lot = world.published()
    eve, sid = world.user("evaluator"), world.user("second_evaluator")
    response = world.post("admin", f"/api/v1/lots/{lot['id']}/panel", {"user_ids": [sid.id, eve.id]})
    assert response.status_code == 200
    assert response.get_json() == {"lot_id": lot["id"], "evaluators": [
        {"id": eve.id, "email": eve.email}, {"id": sid.id, "email": sid.email}]}
    replaced = world.post("admin", f"/api/v1/lots/{lot['id']}/panel", {"user_ids": [sid.id]}).get_json()
    assert replaced["evaluators"] == [{"id": sid.id, "email": sid.email}]
    assert [e["action"] for e in world.audit(object_type="Lot")].count("lot.panel_set") == 2


@pytest.mark.parametrize("who", ["officer", "supplier", "board"])
def test_only_evaluators_sit_on_a_panel(world, who):
    _, lot = world.published()
    error = assert_error(world.post("admin", f"/api/v1/lots/{lot['id']}/panel",
                                    {"user_ids": [world.user(who).id]}), 422, "validation_failed")
    assert "is not an active evaluator" in error["message"]


@pytest.mark.parametrize("who", ["evaluator", "officer", "supplier"])
def test_only_admins_set_panels(world, who):
    _, lot = world.published()
    assert_error(world.post(who, f"/api/v1/lots/{lot['id']}/panel", {"user_ids": []}), 403, "forbidden")


def test_a_declaration_names_the_bidders_once_the_seal_is_broken(world, tendered):
    framework, lot, _, _ = tendered
    before = declare(world, lot)
    assert before.status_code == 201
    assert before.get_json()["bidders_named"] == []  # sealed: nobody may know who bid
    past_deadline(framework["id"])
    after = declare(world, lot).get_json()
    assert after["bidders_named"] == ["Acme Ltd", "Bolt Ltd"] and after["conflict"] is False


def test_a_conflict_needs_details_and_removes_access(world, tendered):
    framework, lot, ours, _ = tendered
    past_deadline(framework["id"])
    assert_error(declare(world, lot, conflict=True), 422, "validation_failed")
    assert declare(world, lot).status_code == 201
    assert world.get("evaluator", f"/api/v1/bids/{ours['id']}").status_code == 200
    assert declare(world, lot, conflict=True, details="I advise Acme Ltd.").status_code == 201
    assert world.get("evaluator", f"/api/v1/bids/{ours['id']}").status_code == 404
    error = assert_error(score(world, lot, ours), 403, "forbidden")
    assert "declared a conflict" in error["message"]


def test_declaring_is_for_the_panel_and_the_board(world, tendered):
    _, lot, _, _ = tendered
    world.user("other_officer")
    assert declare(world, lot, who="board").status_code == 201
    assert_error(declare(world, lot, who="officer"), 403, "forbidden")
    PEOPLE.setdefault("outsider_evaluator", ("oz@hackney.gov.uk", "evaluator", "London Borough of Hackney"))
    assert_error(declare(world, lot, who="outsider_evaluator"), 403, "forbidden")


def test_an_evaluator_scores_with_a_rationale_and_a_rescore_keeps_the_first(world, tendered):
    framework, lot, ours, _ = tendered
    past_deadline(framework["id"])
    declare(world, lot)
    first = score(world, lot, ours, value="3")
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert (body["score"], body["rationale"], body["evaluator_id"]) == ("3.00", "Clear delivery plan with dates.",
                                                                          world.user("evaluator").id)
    assert score(world, lot, ours, value="4", rationale="On reflection, better.").status_code == 201
    events = sorted((e for e in world.audit(object_type="Score") if e["action"] == "score.recorded"),
                    key=lambda e: e["id"])
    assert [e["before"] for e in events] == [None, {"score": "3.00"}]


@pytest.mark.parametrize(("setup", "body_changes", "status", "words"), [
    ("no declaration", {}, 403, "Declare any conflict"),
    ("before the deadline", {}, 409, "sealed until the deadline"),
    ("declared", {"rationale": ""}, 422, "rationale"),
    ("declared", {"rationale": "   "}, 422, "rationale"),
    ("declared", {"score": "6"}, 422, "from 0 to 5"),
    ("declared", {"score": "-1"}, 422, "score"),
    ("declared", {"criterion_id": 999999}, 422, "not a criterion"),
    ("declared", {"bid_id": 999999}, 404, "no submitted bid"),
])
def test_every_refusal_of_a_score_says_why(world, tendered, setup, body_changes, status, words):
    framework, lot, ours, _ = tendered
    if setup != "before the deadline":
        past_deadline(framework["id"])
    if setup != "no declaration":
        declare(world, lot)
    body = {"bid_id": ours["id"], "criterion_id": lot["criteria"][0]["id"], "score": "4",
            "rationale": "Clear plan."} | body_changes
    response = world.post("evaluator", f"/api/v1/lots/{lot['id']}/scores", body)
    assert response.status_code == status, response.get_json()
    assert words.lower() in (response.get_json()["message"] + str(response.get_json()["fields"])).lower()
    assert world.audit(object_type="Score") == []


def test_an_evaluator_off_the_panel_cannot_score(world, tendered):
    framework, lot, ours, _ = tendered
    past_deadline(framework["id"])
    world.post("admin", f"/api/v1/lots/{lot['id']}/panel", {"user_ids": [world.user("second_evaluator").id]})
    assert "not on this lot's evaluation panel" in assert_error(score(world, lot, ours), 403, "forbidden")["message"]


def scored_lot(world, tendered):
    """Both evaluators score every answer: ours 4/5 and 8/10 from one, 2/5 and 6/10 from the other."""
    framework, lot, ours, theirs = tendered
    past_deadline(framework["id"])
    for who in ("evaluator", "second_evaluator"):
        assert declare(world, lot, who=who).status_code == 201
    for who, values in (("evaluator", {ours["id"]: ("4", "8"), theirs["id"]: ("3", "5")}),
                        ("second_evaluator", {ours["id"]: ("2", "6"), theirs["id"]: ("3", "5")})):
        for bid in (ours, theirs):
            for index in (0, 1):
                assert score(world, lot, bid, index, values[bid["id"]][index], who=who).status_code == 201
    return framework, lot, ours, theirs


def test_the_ranking_scores_quality_by_the_mean_and_price_by_the_formula(world, tendered):
    _, lot, ours, _ = scored_lot(world, tendered)
    response = world.get("admin", f"/api/v1/lots/{lot['id']}/ranking")
    assert response.status_code == 200, response.get_json()
    items = {i["bid_id"]: i for i in response.get_json()["items"]}
    quality_weight, social_weight = (Decimal(c["weight"]) for c in lot["criteria"])
    quality_max, social_max = (Decimal(c["max_score"]) for c in lot["criteria"])
    ours_quality = Decimal(3) / quality_max * quality_weight + Decimal(7) / social_max * social_weight
    assert Decimal(items[ours["id"]]["quality_score"]) == ours_quality.quantize(Decimal("0.01"))
    price_weight = Decimal(lot["price_weight"])
    lowest = min(Decimal(PRICE), Decimal(OTHER_PRICE))
    assert Decimal(items[ours["id"]]["price_score"]) == (lowest / Decimal(PRICE) * price_weight).quantize(
        Decimal("0.01"))
    for item in items.values():
        assert Decimal(item["total"]) == Decimal(item["quality_score"]) + Decimal(item["price_score"])
        assert item["complete"] is True
    assert sorted(i["rank"] for i in items.values()) == [1, 2]
    assert items[ours["id"]]["price"] == PRICE and items[ours["id"]]["supplier_id"] == ours["supplier_id"]


def test_moderation_sets_the_score_that_counts_and_keeps_the_originals(world, tendered):
    _, lot, ours, _ = scored_lot(world, tendered)
    criterion = lot["criteria"][0]["id"]
    before = world.get("admin", f"/api/v1/lots/{lot['id']}/ranking").get_json()
    response = world.post("admin", f"/api/v1/lots/{lot['id']}/moderated-scores", {
        "bid_id": ours["id"], "criterion_id": criterion, "score": "5", "reason": "Panel agreed the plan is full."})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["score"] == "5.00" and sorted(s["score"] for s in body["original_scores"]) == ["2.00", "4.00"]
    after = world.get("admin", f"/api/v1/lots/{lot['id']}/ranking").get_json()
    quality = {i["bid_id"]: Decimal(i["quality_score"]) for i in after["items"]}
    earlier = {i["bid_id"]: Decimal(i["quality_score"]) for i in before["items"]}
    weight, maximum = Decimal(lot["criteria"][0]["weight"]), Decimal(lot["criteria"][0]["max_score"])
    assert quality[ours["id"]] - earlier[ours["id"]] == ((5 - 3) / maximum * weight).quantize(Decimal("0.01"))
    assert_error(world.post("admin", f"/api/v1/lots/{lot['id']}/moderated-scores", {
        "bid_id": ours["id"], "criterion_id": criterion, "score": "5", "reason": ""}), 422, "validation_failed")
    assert_error(world.post("evaluator", f"/api/v1/lots/{lot['id']}/moderated-scores", {
        "bid_id": ours["id"], "criterion_id": criterion, "score": "5", "reason": "x"}), 403, "forbidden")


def test_an_evaluator_sees_the_ranking_only_after_scoring_everything_and_without_prices(world, tendered):
    framework, lot, ours, theirs = tendered
    past_deadline(framework["id"])
    declare(world, lot)
    score(world, lot, ours)
    error = assert_error(world.get("evaluator", f"/api/v1/lots/{lot['id']}/ranking"), 403, "forbidden")
    assert "Score every answer" in error["message"]
    for bid in (ours, theirs):
        for index in (0, 1):
            score(world, lot, bid, index)
    ranking = world.get("evaluator", f"/api/v1/lots/{lot['id']}/ranking")
    assert ranking.status_code == 200
    assert all(i["price"] is None and i["total"] is None for i in ranking.get_json()["items"])
    bid = world.get("evaluator", f"/api/v1/bids/{ours['id']}").get_json()
    assert bid["lots"][0]["price"] is None and bid["bundles"] == []


@pytest.mark.parametrize("who", ["officer", "supplier", "board"])
def test_the_ranking_is_for_admins_and_evaluators(world, tendered, who):
    framework, lot, _, _ = tendered
    past_deadline(framework["id"])
    assert_error(world.get(who, f"/api/v1/lots/{lot['id']}/ranking"), 403, "forbidden")


def test_the_ranking_is_sealed_before_the_deadline(world, tendered):
    _, lot, _, _ = tendered
    assert_error(world.get("admin", f"/api/v1/lots/{lot['id']}/ranking"), 409, "conflict")


def add_scored_bids(lot: dict, evaluator_ids: list[int], n: int) -> None:
    """n submitted bids on the lot, each scored on every criterion by every evaluator, inserted directly."""
    from app.domain.roles import OrganisationKind
    from app.organisations.models import Organisation
    from procurement.evaluation.models import Score
    from suppliers.models import Bid, BidAnswer, BidLot, BidStatus

    now = utcnow()
    existing = db.session.scalar(db.select(db.func.count()).select_from(Organisation))
    organisations = [Organisation(name=f"Bulk supplier {existing + i}", kind=OrganisationKind.SUPPLIER)
                     for i in range(n)]
    db.session.add_all(organisations)
    db.session.flush()
    criteria = [c["id"] for c in lot["criteria"]]
    bids = [Bid(framework_id=lot["framework_id"], supplier_id=o.id, status=BidStatus.SUBMITTED,
                submitted_at=now - timedelta(hours=2, seconds=i), receipt_sha256="0" * 64, submissions=1,
                lots=[BidLot(lot_id=lot["id"], price=Decimal(100000 + i),
                             answers=[BidAnswer(criterion_id=c, text="Answer") for c in criteria])])
            for i, o in enumerate(organisations)]
    db.session.add_all(bids)
    db.session.flush()
    db.session.add_all(Score(lot_id=lot["id"], bid_id=b.id, criterion_id=c, evaluator_id=e, score=Decimal(i % 5),
                             rationale="Bulk") for i, b in enumerate(bids) for c in criteria for e in evaluator_ids)
    db.session.commit()


def test_the_ranking_takes_as_many_queries_for_500_bids_as_for_10(world, tendered):
    framework, lot, _, _ = scored_lot(world, tendered)
    lot = lot | {"framework_id": framework["id"]}
    evaluators = [world.user("evaluator").id, world.user("second_evaluator").id]
    world.headers("admin")
    counts = []
    for n in (8, 490):  # with the two bids already there: 10, then 500
        add_scored_bids(lot, evaluators, n)
        with counting_queries() as count:
            response = world.get("admin", f"/api/v1/lots/{lot['id']}/ranking")
        assert response.status_code == 200
        counts.append((response.get_json()["total"], count["n"]))
    assert [total for total, _ in counts] == [10, 500]
    assert 0 < counts[0][1] == counts[1][1], counts
