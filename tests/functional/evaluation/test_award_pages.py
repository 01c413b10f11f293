"""The award pages: running, a run's page, comparing, and who may see them."""
from tests.functional.evaluation.test_award_runs_api import in_evaluation  # noqa: F401 - a fixture
from tests.functional.frameworks_support import PEOPLE
from tests.functional.pages_support import page
from tests.support import csrf_token, sign_in


def browser(app, world, who):
    client = app.test_client()
    world.user(who)
    assert sign_in(client, PEOPLE[who][0]).status_code == 302
    return client


def test_the_admin_runs_the_award_from_its_page_and_compares_runs(app, world, in_evaluation):  # noqa: F811
    framework, _, _, _ = in_evaluation
    admin = browser(app, world, "admin")
    form = page(admin.get(f"/frameworks/{framework['id']}/award"))
    assert "Acme Ltd" in form and "No runs yet." in form
    token = csrf_token(admin, f"/frameworks/{framework['id']}/award")
    first = admin.post(f"/frameworks/{framework['id']}/award", data={"csrf_token": token, "time_limit": "10"})
    assert first.status_code == 302
    shown = page(admin.get(first.headers["Location"]))
    assert "Proven optimal" in shown and "Lot 1: won by" in shown
    second = admin.post(f"/frameworks/{framework['id']}/award", data={
        "csrf_token": token, "time_limit": "10", "max_lots_per_supplier": "1"})
    assert second.status_code == 302
    runs = [int(x.rsplit("/", 1)[1]) for x in (first.headers["Location"], second.headers["Location"])]
    compared = page(admin.get(f"/frameworks/{framework['id']}/award-runs/compare?a={runs[0]}&b={runs[1]}"))
    assert "The award run of " in compared and " beside that of " in compared and "lot limit 1" in compared
    assert f"Run {runs[0]}" not in compared, "runs are named by when they ran, not by their database id"
    bad = admin.post(f"/frameworks/{framework['id']}/award", data={"csrf_token": token, "time_limit": "0"})
    assert bad.status_code == 422 and "1 to 600." in page(bad)
    assert admin.get(f"/frameworks/{framework['id']}/award-runs/compare?a={runs[0]}").status_code == 302
    assert admin.get(f"/frameworks/{framework['id'] + 999}/award-runs/compare?a={runs[0]}&b={runs[1]}"
                     ).status_code == 404


def test_award_pages_are_for_admins(app, world, in_evaluation):  # noqa: F811
    framework, _, _, _ = in_evaluation
    evaluator = browser(app, world, "evaluator")
    assert evaluator.get(f"/frameworks/{framework['id']}/award").status_code == 403


def test_a_running_award_shows_a_page_that_updates_itself(app, world, in_evaluation, monkeypatch):  # noqa: F811
    from procurement.award import tasks

    framework, _, _, _ = in_evaluation
    app.config["AWARD_ASYNC_OFFERS"] = 1
    monkeypatch.setattr(tasks, "run_award", lambda run_id: None)
    admin = browser(app, world, "admin")
    token = csrf_token(admin, f"/frameworks/{framework['id']}/award")
    started = admin.post(f"/frameworks/{framework['id']}/award", data={"csrf_token": token, "time_limit": "10"})
    shown = page(admin.get(started.headers["Location"]))
    assert '<meta http-equiv="refresh" content="2">' in shown and "refreshes itself" in shown


def test_a_greedy_award_that_breaks_the_sme_rule_is_named_so_and_not_compared(app, world, in_evaluation):  # noqa: F811
    from app.extensions import db
    from procurement.award.models import AwardRun

    framework, _, _, _ = in_evaluation
    run = world.post("admin", f"/api/v1/frameworks/{framework['id']}/award-runs", {}).get_json()
    admin = browser(app, world, "admin")
    valid = page(admin.get(f"/award-runs/{run['id']}"))
    assert "the optimum is no better" in valid and "points better" not in valid  # both winners: greedy's award
    record = db.session.get(AwardRun, run["id"])
    greedy = record.result["greedy"] | {"total_value": f"{float(record.result['total_value']) + 7.33:.2f}",
                                        "breaks": ["the SME share is 12.0%; at least 30.0%"]}
    record.result = record.result | {"greedy": greedy}
    db.session.commit()
    shown = page(admin.get(f"/award-runs/{run['id']}"))
    assert "breaks a rule of the framework (the SME rule: the SME share is 12.0%; at least 30.0%)" in shown
    assert "points better" not in shown and "-7.33" not in shown


def test_the_optimum_beside_greedy_never_says_a_negative_better():
    from procurement.award.services import beside_greedy

    def said(optimum, greedy, **more):
        return beside_greedy({"total_value": optimum, "greedy": {"total_value": greedy, **more}})

    assert said("80.00", "72.67", breaks=[]) == "the optimum is 7.33 points better"
    assert "breaks a rule" in said("72.67", "80.00")  # stored before greedy's breaks were: only the SME rule can
    assert said("72.67", "80.00", breaks=[]).startswith("greedy's award is 7.33 points better: the optimiser stopped")
    assert "-" not in said("72.67", "80.00", breaks=[])
