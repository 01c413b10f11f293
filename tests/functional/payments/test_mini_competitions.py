"""Mini-competitions on a lot with two suppliers: the request, sealed answers, scores after the deadline, the award
as a call-off with its levy; and the refusals."""
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from app.extensions import db
from tests.functional.board.test_board_api import declare, end_standstill, recommend, vote
from tests.functional.frameworks_support import PEOPLE
from tests.functional.pages_support import page
from tests.support import csrf_token, date_input, sign_in


@pytest.fixture
def shared_lot(world):
    """An awarded framework whose one lot has two winners."""
    from tests.functional.bids_support import submitted
    from tests.functional.evaluation.test_evaluation_api import scored_lot

    for who in ("board", "board2", "board3"):
        world.user(who)
    framework, lot = world.published(min_sme_share="0")
    ours = submitted(world, framework, lot, price="180000.00")
    theirs = submitted(world, framework, lot, who="other_supplier", price="150000.00")
    panel = [world.user("evaluator").id, world.user("second_evaluator").id]
    world.post("admin", f"/api/v1/lots/{lot['id']}/panel", {"user_ids": panel})
    framework, lot, ours, theirs = scored_lot(world, (framework, lot, ours, theirs))
    world.transition(framework["id"], "evaluation")
    record = world.post("admin", f"/api/v1/frameworks/{framework['id']}/award-runs", {}).get_json()
    assert len(record["awards"]) == 2
    recommend(world, record)
    for who in ("board", "board2", "board3"):
        declare(world, who, lot)
        vote(world, who, record, "approve")
    end_standstill(framework["id"])
    assert world.transition(framework["id"], "awarded").status_code == 200
    return framework, lot


def user(world, who):
    from app.accounts.models import User

    return db.session.get(User, world.user(who).id)


def close(competition_id: int) -> None:
    from procurement.calloffs.models import MiniCompetition

    db.session.execute(update(MiniCompetition).where(MiniCompetition.id == competition_id).values(
        deadline=datetime.now(UTC) - timedelta(minutes=1)))
    db.session.commit()


def test_a_direct_award_on_a_shared_lot_is_refused_for_a_mini_competition(world, shared_lot):
    framework, lot = shared_lot
    answer = world.post("officer", f"/api/v1/frameworks/{framework['id']}/call-offs", {
        "lot_id": lot["id"], "supplier_id": world.organisation_id("supplier"), "value": "1000.00"})
    assert answer.status_code == 409 and "mini-competition" in answer.get_json()["message"]


def test_the_best_scoring_answer_wins_and_becomes_a_call_off_with_its_levy(world, shared_lot, app):
    from app.domain.errors import Conflict, ValidationFailed
    from procurement.calloffs import minicompetitions
    from procurement.calloffs.models import CallOff, Levy

    framework, lot = shared_lot
    officer = user(world, "officer")
    app.extensions["mail_outbox"] = []
    competition = minicompetitions.start(officer, framework["id"], lot["id"], "Twenty rugged tablets.",
                                         Decimal("30000"), datetime.now(UTC) + timedelta(days=3))
    assert sorted(m["To"] for m in app.extensions["mail_outbox"]) == sorted(
        [PEOPLE["supplier"][0], PEOPLE["other_supplier"][0]])
    acme, bolt = user(world, "supplier"), user(world, "other_supplier")
    with pytest.raises(ValidationFailed):
        minicompetitions.answer(acme, competition.id, Decimal("30000.01"), "Too dear.")
    minicompetitions.answer(acme, competition.id, Decimal("24000"), "Rugged tablets in a week.")
    minicompetitions.answer(bolt, competition.id, Decimal("21000"), "Tablets in a fortnight.")
    assert [a.supplier_id for a in minicompetitions.answers_visible(acme, competition)] == [acme.organisation_id]
    assert minicompetitions.answers_visible(officer, competition) == []  # sealed until the deadline
    with pytest.raises(Conflict):
        minicompetitions.score(officer, competition.id, competition.answers[0].id, Decimal(80), "Good.")
    close(competition.id)
    with pytest.raises(Conflict):
        minicompetitions.answer(bolt, competition.id, Decimal("20000"), "Late change.")
    first, second = competition.answers
    minicompetitions.score(officer, competition.id, first.id, Decimal(85), "Faster delivery, better support.")
    with pytest.raises(Conflict):
        minicompetitions.award(officer, competition.id)  # one answer is not scored yet
    minicompetitions.score(officer, competition.id, second.id, Decimal(70), "Cheaper but slower.")
    done = minicompetitions.award(officer, competition.id)
    assert done.status == "awarded" and "85" in done.award_reason
    placed = db.session.get(CallOff, done.call_off_id)
    assert (placed.supplier_id, placed.value) == (first.supplier_id, Decimal("24000.00"))
    levy = db.session.scalars(db.select(Levy).where(Levy.call_off_id == placed.id)).one()
    assert levy.amount == (Decimal("24000.00") * Decimal(framework["levy_percent"]) / 100).quantize(Decimal("0.01"))
    with pytest.raises(Conflict):
        minicompetitions.award(officer, competition.id)
    # Published as a contracting process of its own, competed among the lot's suppliers.
    call_off_release = world.get("officer", f"/api/v1/frameworks/{framework['id']}/ocds").get_json()["releases"][-1]
    assert call_off_release["relatedProcesses"][0]["relationship"] == ["framework"]
    assert call_off_release["tender"]["procurementMethod"] == "selective"
    assert call_off_release["awards"][0]["suppliers"][0]["id"] == f"consort-org-{first.supplier_id}"
    assert call_off_release["tender"]["description"].startswith(f"Mini-competition {competition.id}: ")


def test_a_mini_competition_on_pages(app, world, shared_lot):
    framework, lot = shared_lot
    officer = app.test_client()
    sign_in(officer, PEOPLE["officer"][0])
    path = f"/frameworks/{framework['id']}/mini-competitions/new"
    assert "Run a mini-competition" in page(officer.get(f"/frameworks/{framework['id']}/call-offs"))
    token = csrf_token(officer, path)
    past = officer.post(path, data={"csrf_token": token, "lot_id": lot["id"], "request": "Tablets.",
                                    "maximum_value": "5000", **date_input("deadline", "2020-01-01T12:00")})
    assert past.status_code == 422 and "must be in the future" in page(past)
    made = officer.post(path, data={"csrf_token": token, "lot_id": lot["id"], "request": "Tablets.",
                                    "maximum_value": "5000", **date_input("deadline", "2099-01-01T12:00")})
    assert made.status_code == 302
    competition_path = made.headers["Location"]
    assert "sealed until the deadline" in page(officer.get(competition_path))
    supplier = app.test_client()
    sign_in(supplier, PEOPLE["supplier"][0])
    token = csrf_token(supplier, competition_path)
    sent = supplier.post(competition_path, data={"csrf_token": token, "action": "answer", "answer-price": "4500",
                                                 "answer-answer": "Ten tablets, next week."})
    assert sent.status_code == 302 and "£4,500.00" in page(supplier.get(competition_path))
    PEOPLE.setdefault("islington_officer", ("ian@islington.gov.uk", "officer", "London Borough of Islington"))
    world.user("islington_officer")
    stranger = app.test_client()
    sign_in(stranger, PEOPLE["islington_officer"][0])
    assert stranger.get(competition_path).status_code == 404


def test_who_answered_stays_out_of_the_audit_log_until_the_officer_opens_the_answers(world, shared_lot):
    from app.audit import sealed, transparency
    from app.audit.models import AuditEvent
    from procurement.calloffs import minicompetitions

    framework, lot = shared_lot
    officer, acme, bolt = user(world, "officer"), user(world, "supplier"), user(world, "other_supplier")
    competition = minicompetitions.start(officer, framework["id"], lot["id"], "Twenty rugged tablets.",
                                         Decimal("30000"), datetime.now(UTC) + timedelta(days=3))
    size = transparency.tree_size()
    minicompetitions.answer(acme, competition.id, Decimal("24000"), "Rugged tablets in a week.")
    minicompetitions.answer(bolt, competition.id, Decimal("21000"), "Tablets in a fortnight.")
    minicompetitions.answer(bolt, competition.id, Decimal("20500"), "Tablets in a fortnight, for less.")
    assert transparency.tree_size() == size  # nothing public tells that anyone answered
    close(competition.id)
    minicompetitions.score(officer, competition.id, competition.answers[0].id, Decimal(85), "Faster delivery.")
    actions = db.session.execute(db.select(AuditEvent.action, AuditEvent.object_type, AuditEvent.after)
                                 .where(AuditEvent.log_index >= size).order_by(AuditEvent.log_index)).all()
    assert [(action, kind) for action, kind, _ in actions] == [
        (sealed.SEAL_OPENED, "MiniCompetition"), *[("mini_competition.answered", "MiniCompetitionAnswer")] * 3,
        ("mini_competition.scored", "MiniCompetition")]
    assert [after["supplier_id"] for _, _, after in actions[1:4]] == [
        acme.organisation_id, bolt.organisation_id, bolt.organisation_id]
    minicompetitions.score(officer, competition.id, competition.answers[1].id, Decimal(70), "Slower.")
    assert [event.action for event in db.session.scalars(db.select(AuditEvent).where(
        AuditEvent.log_index >= size + 5))] == ["mini_competition.scored"]  # opened once
    assert sealed.problems() == []


def test_the_award_on_pages_ends_on_a_confirmation_panel_with_the_reference_and_what_happens_next(
        app, world, shared_lot):
    from procurement.calloffs import minicompetitions

    framework, lot = shared_lot
    officer = user(world, "officer")
    competition = minicompetitions.start(officer, framework["id"], lot["id"], "Twenty rugged tablets.",
                                         Decimal("30000"), datetime.now(UTC) + timedelta(days=3))
    minicompetitions.answer(user(world, "supplier"), competition.id, Decimal("24000"), "In a week.")
    minicompetitions.answer(user(world, "other_supplier"), competition.id, Decimal("21000"), "In a fortnight.")
    close(competition.id)
    first, second = competition.answers
    minicompetitions.score(officer, competition.id, first.id, Decimal(85), "Faster delivery.")
    minicompetitions.score(officer, competition.id, second.id, Decimal(70), "Slower.")
    pages = app.test_client()
    sign_in(pages, PEOPLE["officer"][0])
    path = f"/mini-competitions/{competition.id}"
    assert pages.get(f"{path}/awarded").status_code == 404  # nothing awarded yet
    token = csrf_token(pages, path)
    unticked = pages.post(path, data={"csrf_token": token, "action": "award"})
    assert unticked.status_code == 422 and "Tick the box to confirm the award." in page(unticked)
    done = pages.post(path, data={"csrf_token": token, "action": "award", "confirm": "y"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"{path}/awarded")
    html = page(pages.get(done.headers["Location"]))
    db.session.expire_all()
    call_off_id = db.session.get(type(competition), competition.id).call_off_id
    assert 'class="panel-confirmation"' in html and "Mini-competition awarded" in html
    assert f"{framework['reference']} call-off {call_off_id}" in html
    assert "What happens next" in html and "Highest score, 85" in html and "£24,000.00" in html
    assert f"Lot {lot['number']}: {lot['title']}" in html
    supplier = app.test_client()
    sign_in(supplier, PEOPLE["supplier"][0])
    assert supplier.get(f"{path}/awarded").status_code == 403  # the officers' page, not the suppliers'
