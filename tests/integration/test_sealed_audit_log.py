"""Sealed activity never shows in the audit log: while a framework takes bids, its bids' events wait in its sealed log,
and every view of the public log (its list, count, ids, links, size and checks) is the same whether anyone is bidding
or not. At the opening they are carried into the public log in order, and `flask audit verify` checks both sides."""
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import text

from app.audit import sealed, transparency
from app.audit import services as audit
from app.audit.models import AuditEvent, SealedAuditEvent
from app.domain.audit_chain import event_hash
from app.extensions import db
from app.types import utcnow
from frameworks import services as framework_services
from tests.functional.bids_support import bid_body, create, offer, past_deadline, submit
from tests.functional.frameworks_support import World
from tests.support import audit_triggers_off, csrf_token, sign_in

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ACTIONS = ["bid.drafted", "bid.revised", "bid.document_added", "bid.document_removed", "bid.submitted",
           "bid.withdrawn", "bid.submitted"]
CSRF = re.compile(r'name="csrf_token"[^>]*>|<meta name="csrf-token"[^>]*>')


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)


def _bid_activity(world, framework: dict, lot: dict) -> dict:
    """Everything a supplier does to a bid before the deadline: draft, revise, a document added and removed, submit,
    withdraw and submit again."""
    bid = create(world, framework, lot)
    assert world.put("supplier", f"/api/v1/bids/{bid['id']}", bid_body(offer(lot, price="175000.00"))).status_code \
        == 200
    documents = f"/api/v1/bids/{bid['id']}/documents"
    added = world.post("supplier", documents, data={"file": (io.BytesIO(PDF), "method.pdf")},
                       content_type="multipart/form-data")
    assert added.status_code == 201, added.get_json()
    assert world.client.delete(f"{documents}/{added.get_json()['id']}",
                               headers=world.headers("supplier")).status_code == 204
    assert submit(world, bid["id"]).status_code == 200
    assert world.post("supplier", f"/api/v1/bids/{bid['id']}/withdraw").status_code == 200
    response = submit(world, bid["id"])
    assert response.status_code == 200
    return response.get_json()


def _public_views(world, browser) -> dict:
    """What anyone may see of the audit log: the admin's API list, pages and check, and the signed tree."""
    listing = world.get("admin", "/api/v1/audit", query_string={"per_page": 100}).get_json()
    pages = {path: CSRF.sub("", browser.get(path).get_data(as_text=True)) for path in ("/admin/audit", "/dashboard")}
    check = browser.post("/admin/audit/verify", data={"csrf_token": csrf_token(browser, "/admin/audit")},
                         follow_redirects=True)
    checked = re.search(r"All \d+ audit events are intact[^<]*", check.get_data(as_text=True)).group(0)
    return {"listing": listing, "pages": pages, "check": checked, "tree_size": transparency.tree_size()}


def test_no_view_of_the_log_tells_whether_anyone_is_bidding(app, world):
    framework, lot = world.published()
    for who in ("supplier", "admin"):
        world.headers(who)  # everyone signed in before, so that the only difference can be the bids
    browser = app.test_client()
    assert sign_in(browser, world.user("admin").email).status_code == 302
    before = _public_views(world, browser)
    receipt = _bid_activity(world, framework, lot)["receipt"]
    assert receipt["log_index"] is None
    after = _public_views(world, browser)
    assert after["listing"] == before["listing"]
    assert after["tree_size"] == before["tree_size"]
    assert after["check"] == before["check"]
    for path, page in before["pages"].items():
        assert after["pages"][path] == page, path
    assert db.session.scalar(db.select(db.func.count()).select_from(SealedAuditEvent)) == len(ACTIONS)


def test_at_the_opening_the_sealed_log_is_carried_into_the_public_log_in_order(app, world, runner):
    framework, lot = world.published()
    bid = _bid_activity(world, framework, lot)
    waiting = db.session.scalars(db.select(SealedAuditEvent).order_by(SealedAuditEvent.position)).all()
    size = transparency.tree_size()
    past_deadline(framework["id"])
    assert framework_services.close_due(utcnow() + timedelta(minutes=5)) == [framework["id"]]
    events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.log_index >= size)
                                .order_by(AuditEvent.log_index)).all()
    [at] = [number for number, event in enumerate(events) if event.action == sealed.SEAL_OPENED]
    opening, copies = events[at], events[at + 1:at + 1 + len(waiting)]
    assert [event.action for event in events[:at]] == ["framework.closed"]
    assert (opening.action, opening.object_type, opening.object_id) == (
        sealed.SEAL_OPENED, "Framework", str(framework["id"]))
    assert opening.after == {"seal": f"framework:{framework['id']}", "events": len(ACTIONS),
                             "head_hash": waiting[-1].hash}
    assert [copy.action for copy in copies] == [event.action for event in waiting] == ACTIONS
    assert [copy.after["sealed_hash"] for copy in copies] == [event.hash for event in waiting]
    assert all(copy.at >= event.at for copy, event in zip(copies, waiting, strict=True))
    receipt = world.get("supplier", f"/api/v1/bids/{bid['id']}").get_json()["receipt"]
    assert receipt["log_index"] == copies[-1].log_index  # the last submission's leaf
    assert [event.action for event in events[at + 1 + len(waiting):]] == ["framework.bids_opened"]
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert sealed.problems() == []


def _opened_world(world) -> tuple[dict, list[SealedAuditEvent]]:
    framework, lot = world.published()
    _bid_activity(world, framework, lot)
    past_deadline(framework["id"])
    assert framework_services.close_due(utcnow() + timedelta(minutes=5)) == [framework["id"]]
    events = db.session.scalars(db.select(SealedAuditEvent).order_by(SealedAuditEvent.position)).all()
    db.session.expunge_all()
    return framework, events


def _change_a_sealed_event(connection, events):
    connection.execute(text("UPDATE audit_sealed_event SET after = :a WHERE id = :id"),
                       {"a": '{"status": "draft"}', "id": events[2].id})


def _drop_the_last_sealed_event(connection, events):
    connection.execute(text("DELETE FROM audit_sealed_event WHERE id = :id"), {"id": events[-1].id})


def _add_one_after_the_opening(connection, events):
    last = events[-1]
    connection.execute(text(
        "INSERT INTO audit_sealed_event (seal, position, at, actor_id, action, object_type, object_id, prev_hash, "
        "hash) VALUES (:seal, :position, :at, NULL, 'bid.submitted', 'Bid', :object, :prev, :hash)"),
        {"seal": last.seal, "position": last.position + 1, "at": last.at, "object": last.object_id,
         "prev": last.hash, "hash": event_hash(last.hash, last.at, None, "bid.submitted", "Bid",
                                                       last.object_id, None, None)})


@pytest.mark.parametrize("tamper", [_change_a_sealed_event, _drop_the_last_sealed_event, _add_one_after_the_opening])
def test_a_sealed_log_changed_after_its_opening_is_found(app, world, runner, tamper):
    framework, events = _opened_world(world)
    with audit_triggers_off() as connection:
        tamper(connection, events)
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"sealed log framework:{framework['id']}" in result.output
    assert sealed.problems(opened_only=True)  # public once opened: the admin's check names it too


def test_the_database_refuses_to_change_a_sealed_log(app, world):
    framework, lot = world.published()
    create(world, framework, lot)
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("UPDATE audit_sealed_event SET action = 'x'"))
    db.session.rollback()
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("DELETE FROM audit_sealed_event"))
    db.session.rollback()


def test_an_unopened_sealed_log_is_checked_by_the_operator_but_never_named_to_an_admin(app, world, runner):
    framework, lot = world.published()
    _bid_activity(world, framework, lot)
    events = db.session.scalars(db.select(SealedAuditEvent).order_by(SealedAuditEvent.position)).all()
    with audit_triggers_off() as connection:
        _change_a_sealed_event(connection, events)
    db.session.commit()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 1
    assert sealed.problems(opened_only=True) == []
    assert audit.verify()[1] is None
