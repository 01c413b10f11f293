"""An insider who owns the database rewrites the audit log, six ways, after a checkpoint was kept outside it.

Each way is tried by two insiders: one who knows only the events (the hash chain, which they keep valid), and one who
also rebuilds the Merkle tree's stored nodes to match. `flask audit verify --checkpoint` and the witness must both
notice every time. The database's triggers refuse such writes; the insider gets past them as the database's owner
can (tests.support.audit_triggers_off).
"""
import json
from datetime import timedelta

import pytest
from sqlalchemy import text

from app.audit import services as audit
from app.audit import transparency
from app.audit.models import AuditEvent
from app.audit.witness import witness
from app.domain import merkle
from app.domain.audit_chain import event_hash
from app.extensions import db
from tests.support import audit_triggers_off

EVENTS = 40


def _events() -> list[AuditEvent]:
    events = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.log_index)).all()
    db.session.expunge_all()
    return events


def _rehash(connection, events: list[AuditEvent], start: int) -> None:
    """Recompute every hash from `start` on so that the chain is valid again (the insider's cover-up)."""
    prev = events[start - 1].hash if start else "0" * 64
    for event in events[start:]:
        digest = event_hash(prev, event.at, event.actor_id, event.action, event.object_type, event.object_id,
                            event.before, event.after)
        connection.execute(text("UPDATE audit_event SET prev_hash = :p, hash = :h WHERE id = :id"),
                           {"p": prev, "h": "x" + digest[1:], "id": event.id})  # step aside: hashes are unique
        event.prev_hash, event.hash, prev = prev, digest, digest
    for event in events[start:]:
        connection.execute(text("UPDATE audit_event SET hash = :h WHERE id = :id"), {"h": event.hash, "id": event.id})


def _rebuild_tree(connection) -> None:
    """The thorough insider: the stored nodes rebuilt from the events as they now are."""
    connection.execute(text("DELETE FROM audit_tree_node"))
    nodes: dict = {}
    for position, (digest,) in enumerate(connection.execute(
            text("SELECT hash FROM audit_event ORDER BY log_index")).all()):
        nodes.update(merkle.append(position, bytes.fromhex(digest),
                                   {key: nodes[key] for key in merkle.left_siblings(position)}))
    for (level, position), value in nodes.items():
        connection.execute(text("INSERT INTO audit_tree_node (level, position, hash) VALUES (:l, :p, :h)"),
                           {"l": level, "p": position, "h": value.hex()})


def delete_the_last_event(connection, events):
    connection.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": events[-1].id})


def delete_the_last_25(connection, events):
    connection.execute(text("DELETE FROM audit_event WHERE log_index >= :i"), {"i": len(events) - 25})


def empty_the_table(connection, events):
    connection.execute(text("DELETE FROM audit_event"))


def edit_one_and_rehash_after(connection, events):
    target = events[10]
    connection.execute(text("UPDATE audit_event SET action = 'test.rewritten' WHERE id = :id"), {"id": target.id})
    target.action = "test.rewritten"
    _rehash(connection, events, 10)


def delete_a_middle_one_and_relink(connection, events):
    connection.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": events[20].id})
    rest = events[:20] + events[21:]
    for event in rest[20:]:  # close the gap, one at a time (positions are unique)
        connection.execute(text("UPDATE audit_event SET log_index = log_index - 1 WHERE id = :id"), {"id": event.id})
    _rehash(connection, rest, 20)


def append_a_forged_backdated_event(connection, events):
    last = events[-1]
    at = last.at - timedelta(hours=1)  # a bid "submitted" an hour before the deadline, added after it
    digest = event_hash(last.hash, at, None, "bid.submitted", "Bid", "999", None, {"sha256": "f" * 64})
    connection.execute(text(
        "INSERT INTO audit_event (log_index, at, actor_id, action, object_type, object_id, before, after, "
        "prev_hash, hash) VALUES (:i, :at, NULL, 'bid.submitted', 'Bid', '999', NULL, :after, :p, :h)"),
        {"i": len(events), "at": at.replace(tzinfo=None).isoformat(sep=" "), "after": json.dumps({"sha256": "f" * 64}),
         "p": last.hash, "h": digest})


TAMPERINGS = [delete_the_last_event, delete_the_last_25, empty_the_table, edit_one_and_rehash_after,
              delete_a_middle_one_and_relink, append_a_forged_backdated_event]


def _fetch(client):
    def fetch(path: str):
        answer = client.get(path)
        return answer.status_code, answer.get_json()
    return fetch


@pytest.mark.parametrize("thorough", [False, True], ids=["events-only", "tree-rebuilt-too"])
@pytest.mark.parametrize("tamper", TAMPERINGS, ids=lambda f: f.__name__)
def test_every_tampering_is_found_by_verify_and_by_the_witness(app, client, runner, tmp_path, tamper, thorough):
    for n in range(EVENTS):
        audit.record("test.happened", object_type="Test", object_id=n, after={"n": n})
    db.session.commit()
    assert transparency.make_checkpoint().tree_size == EVENTS
    kept = tmp_path / "checkpoint.json"  # held outside the database
    kept.write_text(json.dumps(client.get("/api/v1/transparency/checkpoint").get_json()))
    first = witness(_fetch(client), None, every=True)
    assert first.ok, first.lines
    assert runner.invoke(args=["audit", "verify", "--checkpoint", str(kept)]).exit_code == 0

    with audit_triggers_off() as connection:
        tamper(connection, _events())
        if thorough:
            _rebuild_tree(connection)
    db.session.commit()

    result = runner.invoke(args=["audit", "verify", "--checkpoint", str(kept)])
    assert result.exit_code == 1, result.output
    assert "TAMPERED" in result.output

    # The log keeps running: a legitimate event, then the consumer's minute. It must not sign the rewritten log.
    try:
        transparency.make_checkpoint(now=None)
        signed_after = True
    except transparency.LogDoesNotExtendCheckpoint:
        db.session.rollback()
        signed_after = False
    report = witness(_fetch(client), first.state, every=True)
    if tamper is not append_a_forged_backdated_event:
        assert not report.ok, report.lines  # a leaf's event missing or changed, or a tree that no longer proves
        return
    # A forged event that no checkpoint covers is not visible to a witness, which sees only signed trees; but the
    # log refuses to sign it, so the witness notices when no checkpoint comes (each hour at least, on a quiet log).
    assert report.ok and not signed_after
    later = transparency.utcnow() + timedelta(hours=2)
    stale = witness(_fetch(client), first.state, every=True, now=later)
    assert not stale.ok and "signed nothing" in stale.lines[0]
