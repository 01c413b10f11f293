"""Bulk loads append to the audit log in bulk inserts: the same chain and Merkle tree as one event at a time, so the
log verifies, checkpoints hold and one-at-a-time events carry on from it."""
from app.audit import services as audit
from app.audit import transparency
from app.audit.models import AuditEvent, AuditTreeNode
from app.extensions import db
from tests.merkle_oracle import mth


def leaves() -> list[bytes]:
    return [bytes.fromhex(digest) for digest in
            db.session.scalars(db.select(AuditEvent.hash).order_by(AuditEvent.log_index))]


def stored_nodes() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(AuditTreeNode))


def test_events_recorded_in_bulk_continue_the_chain_and_the_tree(app):
    for n in range(5):  # an odd start, so the bulk's first leaves need siblings stored before it
        audit.record("test.one", object_type="Test", object_id=n)
    db.session.commit()

    positions = audit.record_many([{"action": "test.bulk", "object_type": "Test", "object_id": n,
                                    "after": {"n": n}} for n in range(37)], batch_size=10)
    db.session.commit()
    audit.record("test.after", object_type="Test", object_id="last")
    db.session.commit()

    assert positions == list(range(5, 42))
    assert audit.verify() == (43, None)
    for size in (5, 6, 8, 32, 42, 43):
        assert transparency.root(size) == mth(leaves()[:size])
    # every perfect subtree is stored once: a leaf each, and a node for each pair completed above them
    assert stored_nodes() == sum(43 >> level for level in range(6))
    checkpoint = transparency.make_checkpoint()
    assert transparency.verify_against(transparency.Claim.of(checkpoint)).problem is None


def test_bulk_events_keep_their_content_and_actor(app, make_user):
    admin = make_user("admin@consort.example", "admin", org="Consort")
    audit.record_many([{"action": "bid.submitted", "object_type": "Bid", "object_id": 7,
                        "after": {"sha256": "ab" * 32}}], actor=admin)
    db.session.commit()

    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "bid.submitted"))
    assert (event.action, event.object_type, event.object_id, event.actor_id, event.after) == (
        "bid.submitted", "Bid", "7", admin.id, {"sha256": "ab" * 32})
    assert audit.verify()[1] is None
