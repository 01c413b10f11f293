"""Award runs through the API: the optimum beside greedy, explained; what-ifs; refusals."""
from decimal import Decimal

import pytest

from tests.functional.evaluation.test_evaluation_api import scored_lot
from tests.functional.frameworks_support import assert_error


@pytest.fixture
def in_evaluation(world):
    from tests.functional.bids_support import submitted

    framework, lot = world.published(min_sme_share="0")  # one lot, budget £250,000, up to 2 winners
    ours = submitted(world, framework, lot, price="180000.00")
    theirs = submitted(world, framework, lot, who="other_supplier", price="150000.00")
    panel = [world.user("evaluator").id, world.user("second_evaluator").id]
    assert world.post("admin", f"/api/v1/lots/{lot['id']}/panel", {"user_ids": panel}).status_code == 200
    framework, lot, ours, theirs = scored_lot(world, (framework, lot, ours, theirs))
    moved = world.transition(framework["id"], "evaluation")
    assert moved.status_code == 200, moved.get_json()
    return framework, lot, ours, theirs


def test_an_award_run_returns_the_optimum_beside_greedy_with_an_explanation(world, in_evaluation):
    """Two bids within the lot's budget, and two places: both win."""
    framework, lot, _, _ = in_evaluation
    response = world.post("admin", f"/api/v1/frameworks/{framework['id']}/award-runs", {})
    assert response.status_code == 201, response.get_json()
    run = response.get_json()
    assert (run["status"], run["optimal"]) == ("done", True)
    ranking = world.get("admin", f"/api/v1/lots/{lot['id']}/ranking").get_json()["items"]
    assert sorted(run["awards"], key=lambda a: a["bid_id"]) == sorted((
        {"lot_id": lot["id"], "bid_id": i["bid_id"], "supplier_id": i["supplier_id"], "price": i["price"],
         "bundle": False, "bundle_price": None} for i in ranking), key=lambda a: a["bid_id"])
    assert Decimal(run["total_value"]) == sum(Decimal(i["total"]) for i in ranking)
    assert Decimal(run["total_price"]) == Decimal("330000.00")
    assert run["greedy"] == {"total_value": run["total_value"], "total_price": run["total_price"]}
    assert run["explanation"][0] == "Lot 1: won by Acme Ltd, Bolt Ltd; no other compliant offer." or \
        run["explanation"][0] == "Lot 1: won by Bolt Ltd, Acme Ltd; no other compliant offer."
    assert world.get("admin", f"/api/v1/award-runs/{run['id']}").get_json() == run
    assert world.get("admin", f"/api/v1/frameworks/{framework['id']}/award-runs").get_json()["total"] == 1
    assert "award_run.completed" in [e["action"] for e in world.audit(object_type="AwardRun")]


def test_a_bid_above_the_lots_budget_cannot_win_and_the_explanation_says_so(world):
    from tests.functional.bids_support import past_deadline, submitted
    from tests.functional.evaluation.test_evaluation_api import declare, score

    framework, lot = world.published(min_sme_share="0")  # budget £250,000
    dear = submitted(world, framework, lot, price="260000.00")
    world.post("admin", f"/api/v1/lots/{lot['id']}/panel", {"user_ids": [world.user("evaluator").id]})
    past_deadline(framework["id"])
    declare(world, lot)
    for index in (0, 1):
        score(world, lot, dear, index)
    assert world.transition(framework["id"], "evaluation").status_code == 200
    run = world.post("admin", f"/api/v1/frameworks/{framework['id']}/award-runs", {}).get_json()
    assert run["awards"] == [] and run["unfilled_lot_ids"] == [lot["id"]]
    assert run["explanation"][0].endswith("it would take an authority's spending past its budget.")
    assert "budget" in run["binding"]


def test_a_what_if_excluding_the_winner_awards_the_runner_up(world, in_evaluation):
    framework, _, _, _ = in_evaluation
    first = world.post("admin", f"/api/v1/frameworks/{framework['id']}/award-runs", {}).get_json()
    winner = first["awards"][0]["supplier_id"]
    what_if = world.post("admin", f"/api/v1/frameworks/{framework['id']}/award-runs",
                         {"exclude_supplier_ids": [winner]}).get_json()
    assert what_if["awards"][0]["supplier_id"] != winner
    assert Decimal(what_if["total_value"]) <= Decimal(first["total_value"])
    assert what_if["options"]["exclude_supplier_ids"] == [winner]


def test_award_runs_are_for_admins_on_a_framework_in_evaluation(world):
    framework, _ = world.published()
    assert_error(world.post("admin", f"/api/v1/frameworks/{framework['id']}/award-runs", {}), 409, "conflict")
    assert_error(world.post("evaluator", f"/api/v1/frameworks/{framework['id']}/award-runs", {}), 403, "forbidden")
    assert_error(world.post("admin", f"/api/v1/frameworks/{framework['id']}/award-runs",
                            {"time_limit": 0}), 422, "validation_failed")
    assert_error(world.get("admin", "/api/v1/award-runs/999999"), 404, "not_found")


def test_a_minimum_sme_share_no_sme_can_meet_leaves_the_lot_unfilled_and_says_why(world):
    from tests.functional.bids_support import submitted

    framework, lot = world.published(min_sme_share="0.25")
    bids = [submitted(world, framework, lot, price="180000.00")]
    panel = [world.user("evaluator").id]
    world.post("admin", f"/api/v1/lots/{lot['id']}/panel", {"user_ids": panel})
    from tests.functional.bids_support import past_deadline
    from tests.functional.evaluation.test_evaluation_api import declare, score

    past_deadline(framework["id"])
    declare(world, lot)
    for index in (0, 1):
        score(world, lot, bids[0], index)
    assert world.transition(framework["id"], "evaluation").status_code == 200
    run = world.post("admin", f"/api/v1/frameworks/{framework['id']}/award-runs", {}).get_json()
    assert run["awards"] == [] and run["unfilled_lot_ids"] == [lot["id"]]
    assert run["explanation"][0].endswith("it would take the SME share of the award below the minimum.")


def test_a_large_award_run_answers_202_and_completes_off_the_request_path(app, world, in_evaluation, monkeypatch):
    from procurement.award import services as award
    from procurement.award import tasks

    framework, _, _, _ = in_evaluation
    app.config["AWARD_ASYNC_OFFERS"] = 1  # this framework's two offers count as large
    queue: list[int] = []
    monkeypatch.setattr(tasks, "run_award", queue.append)  # the queue, without a consumer
    response = world.post("admin", f"/api/v1/frameworks/{framework['id']}/award-runs", {})
    assert response.status_code == 202, response.get_json()
    queued = response.get_json()
    assert (queued["status"], queued["awards"], queue) == ("running", [], [queued["id"]])
    assert world.get("admin", f"/api/v1/award-runs/{queued['id']}").get_json()["status"] == "running"
    assert award.complete(queued["id"]).status == "done"  # what the task consumer does
    polled = world.get("admin", f"/api/v1/award-runs/{queued['id']}").get_json()
    assert polled["status"] == "done" and polled["optimal"] is True and len(polled["awards"]) == 2
