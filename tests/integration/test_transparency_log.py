"""The audit log as a transparency log, on a real database: the tree kept as events are added, signed checkpoints,
proofs through the public API that an independent verifier accepts, and a database that refuses to rewrite it."""
import base64
import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from app.audit import services as audit
from app.audit import tasks as audit_tasks
from app.audit import transparency
from app.audit.models import AuditCheckpoint, AuditEvent
from app.extensions import db
from app.types import utcnow
from frameworks import services as framework_services
from tests.functional.bids_support import past_deadline, submitted
from tests.functional.frameworks_support import World
from tests.merkle_oracle import H, mth, oracle_consistent, oracle_includes
from tests.support import audit_triggers_off, counting_queries, sign_in

TABLES = ("audit_event", "audit_tree_node", "audit_checkpoint")


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)


def add_events(count: int) -> list[AuditEvent]:
    events = [audit.record("test.happened", object_type="Test", object_id=n, after={"n": n}) for n in range(count)]
    db.session.commit()
    return events


def leaves() -> list[bytes]:
    return [bytes.fromhex(digest) for digest in
            db.session.scalars(db.select(AuditEvent.hash).order_by(AuditEvent.log_index))]


def test_events_take_leaves_in_order_and_the_tree_has_the_rfcs_root(app):
    events = add_events(13)
    assert [event.log_index for event in events] == list(range(13))
    for size in range(14):
        assert transparency.root(size) == mth(leaves()[:size])


def test_a_checkpoint_is_signed_with_the_published_key(app, client):
    add_events(5)
    checkpoint = transparency.make_checkpoint()
    key = client.get("/api/v1/transparency/key").get_json()
    assert key["algorithm"] == "ed25519" and len(base64.b64decode(key["public_key"])) == 32
    latest = client.get("/api/v1/transparency/checkpoint").get_json()
    assert latest == {"tree_size": 5, "root_hash": mth(leaves()).hex(), "timestamp": checkpoint.timestamp,
                      "key_id": key["key_id"], "signature": checkpoint.signature}
    message = f"consort-audit-checkpoint\n5\n{latest['root_hash']}\n{latest['timestamp']}\n".encode()
    Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"])).verify(
        base64.b64decode(latest["signature"]), message)  # raises if it does not hold


def test_the_consumer_signs_only_when_the_log_grew(app):
    add_events(2)
    assert audit_tasks.checkpoint_the_log.call_local() == 2
    assert audit_tasks.checkpoint_the_log.call_local() is None
    add_events(1)
    assert audit_tasks.checkpoint_the_log.call_local() == 3
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditCheckpoint)) == 2


def test_an_admin_signs_on_demand_and_every_checkpoint_is_listed_newest_first(app, client, world):
    add_events(3)
    answer = world.post("admin", "/api/v1/transparency/checkpoints", json={})
    assert answer.status_code == 201 and answer.get_json()["tree_size"] >= 3
    again = world.post("admin", "/api/v1/transparency/checkpoints", json={})
    listed = client.get("/api/v1/transparency/checkpoints").get_json()
    assert [item["signature"] for item in listed["items"]] == [again.get_json()["signature"],
                                                               answer.get_json()["signature"]]
    assert listed["total"] == 2


def test_only_an_admin_signs_on_demand(app, client, world):
    assert client.post("/api/v1/transparency/checkpoints", json={}).status_code == 401
    assert world.post("officer", "/api/v1/transparency/checkpoints", json={}).status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditCheckpoint)) == 0


def test_no_checkpoint_yet_is_a_404(app, client):
    answer = client.get("/api/v1/transparency/checkpoint")
    assert answer.status_code == 404 and answer.get_json()["error"] == "not_found"


def test_every_proof_between_checkpoints_verifies_with_an_independent_verifier(app, client):
    """A checkpoint at every size from 1 to 12; every inclusion and consistency proof the API gives checks out."""
    roots = {}
    for size in range(1, 13):
        add_events(1)
        roots[size] = bytes.fromhex(transparency.make_checkpoint().root_hash)
    all_leaves = leaves()
    for n in range(1, 13):
        assert roots[n] == mth(all_leaves[:n])
        for index in range(n):
            answer = client.get(f"/api/v1/transparency/proof/inclusion?index={index}&tree_size={n}").get_json()
            proof = [bytes.fromhex(node) for node in answer["proof"]]
            assert bytes.fromhex(answer["leaf_hash"]) == H(b"\x00" + all_leaves[index])
            assert oracle_includes(index, n, bytes.fromhex(answer["leaf_hash"]), proof, roots[n])
        for m in range(1, n):
            answer = client.get(f"/api/v1/transparency/proof/consistency?from={m}&to={n}").get_json()
            assert (answer["from"], answer["to"]) == (m, n)
            assert oracle_consistent(m, n, [bytes.fromhex(node) for node in answer["proof"]], roots[m], roots[n])


@pytest.mark.parametrize("query", [
    "inclusion?index=0&tree_size=3",  # no checkpoint of that size
    "inclusion?index=4&tree_size=4",  # past the end
    "inclusion?index=-1&tree_size=4",
    "inclusion?index=x&tree_size=4",
    "inclusion?index=0",
    "inclusion?index=0&tree_size=99999999999999999999999",
    "consistency?from=4&to=2",
    "consistency?from=2&to=3",
    "consistency?from=%D9%A1&to=4",  # not ASCII digits
])
def test_a_bad_proof_request_is_a_422(app, client, query):
    add_events(4)
    transparency.make_checkpoint()
    db.session.add(AuditCheckpoint(tree_size=2, root_hash=mth(leaves()[:2]).hex(), timestamp="2026-01-01T00:00:00Z",
                                   key_id="x", signature="x"))
    db.session.commit()
    answer = client.get(f"/api/v1/transparency/proof/{query}")
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["error"] == "validation_failed"


@pytest.mark.parametrize("size", [20, 300])
def test_a_proof_costs_the_same_few_queries_at_any_size(app, client, size):
    add_events(7)
    transparency.make_checkpoint()
    add_events(size - 7)
    transparency.make_checkpoint()
    with counting_queries() as queries:
        assert client.get(f"/api/v1/transparency/proof/inclusion?index=5&tree_size={size}").status_code == 200
    assert queries["n"] == 3  # the checkpoint's size checked, the tree's nodes read at once, the leaf's event
    with counting_queries() as queries:
        assert client.get(f"/api/v1/transparency/proof/consistency?from=7&to={size}").status_code == 200
    assert queries["n"] == 3  # both sizes checked, the nodes read at once


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("statement", ["UPDATE {table} SET hash = hash", "DELETE FROM {table}"])
def test_the_database_refuses_to_change_or_remove_the_log(app, table, statement):
    add_events(2)
    transparency.make_checkpoint()
    if table == "audit_checkpoint":
        statement = statement.replace("hash = hash", "root_hash = root_hash")
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text(statement.format(table=table)))
    db.session.rollback()
    assert audit.verify() == (2, None)


@pytest.mark.parametrize("table", TABLES)
def test_postgresql_refuses_to_truncate_the_log(app, table):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text(f"TRUNCATE {table} CASCADE"))
    db.session.rollback()


def opened(world, framework: dict, bid: dict) -> dict:
    """The bid's receipt once the deadline has passed and the bids are opened (its events then join the public log)."""
    past_deadline(framework["id"])
    assert framework_services.close_due(utcnow() + timedelta(minutes=5)) == [framework["id"]]
    return world.get("supplier", f"/api/v1/bids/{bid['id']}").get_json()["receipt"]


def test_a_receipts_leaf_is_proved_once_a_checkpoint_covers_it(app, client, world):
    framework, lot = world.published()
    bid = submitted(world, framework, lot)
    assert bid["receipt"]["log_index"] is None  # in the framework's sealed log until the bids are opened
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "bid.submitted")) is None
    receipt = opened(world, framework, bid)
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "bid.submitted"))
    assert receipt["log_index"] == event.log_index
    assert (receipt["sha256"], receipt["submitted_at"]) == (bid["receipt"]["sha256"], bid["receipt"]["submitted_at"])
    checkpoint = transparency.make_checkpoint()
    answer = client.get(f"/api/v1/transparency/proof/inclusion?index={receipt['log_index']}"
                        f"&tree_size={checkpoint.tree_size}").get_json()
    assert answer["leaf_hash"] == H(b"\x00" + bytes.fromhex(event.hash)).hex()
    assert oracle_includes(receipt["log_index"], checkpoint.tree_size, bytes.fromhex(answer["leaf_hash"]),
                           [bytes.fromhex(node) for node in answer["proof"]], bytes.fromhex(checkpoint.root_hash))


def test_a_checkpoint_file_round_trips_through_the_cli(app, runner, tmp_path):
    add_events(3)
    path = tmp_path / "checkpoint.json"
    checkpoint = transparency.make_checkpoint()
    path.write_text(json.dumps(transparency.Claim.of(checkpoint).__dict__))
    result = runner.invoke(args=["audit", "verify", "--checkpoint", str(path)])
    assert result.exit_code == 0, result.output
    assert "extends the checkpoint" in result.output
    path.write_text("{not json")
    assert runner.invoke(args=["audit", "verify", "--checkpoint", str(path)]).exit_code == 2


def test_the_receipt_page_links_to_its_proof_once_a_checkpoint_covers_it(app, world):
    framework, lot = world.published()
    bid = submitted(world, framework, lot)
    browser = app.test_client()
    assert sign_in(browser, world.user("supplier").email).status_code == 302
    sealed = browser.get(f"/bids/{bid['id']}").get_data(as_text=True)
    assert "recorded in this framework's sealed log" in sealed and "Event " not in sealed
    receipt = opened(world, framework, bid)
    before = browser.get(f"/bids/{bid['id']}").get_data(as_text=True)
    assert f"Event {receipt['log_index']}." in before
    assert "Its proof is ready once the next checkpoint is signed" in before
    checkpoint = transparency.make_checkpoint()
    after = browser.get(f"/bids/{bid['id']}").get_data(as_text=True)
    link = (f"/api/v1/transparency/proof/inclusion?index={receipt['log_index']}&amp;"
            f"tree_size={checkpoint.tree_size}")
    assert link in after
    assert app.test_client().get(link.replace("&amp;", "&")).status_code == 200


def test_a_checkpoint_after_a_long_pause_checks_every_new_leaf(app):
    """More new events than one query could name one by one (the consumer was down for a while)."""
    add_events(3)
    transparency.make_checkpoint()
    add_events(1200)
    assert transparency.make_checkpoint().tree_size == 1203
    assert transparency.verify_against(transparency.Claim.of(transparency.latest_checkpoint())).problem is None


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(st.integers(1, 6), min_size=1, max_size=5), data=st.data())
def test_for_random_logs_every_proof_from_the_api_verifies_and_a_rewritten_tree_fails(app, client, batches, data):
    """Random logs, a checkpoint after each batch: every pair of checkpoints and every leaf, through the API."""
    try:
        roots = {}
        for batch in batches:
            add_events(batch)
            roots[transparency.make_checkpoint().tree_size] = None
        all_leaves = leaves()
        roots = {size: mth(all_leaves[:size]) for size in roots}
        sizes = sorted(roots)
        for n in sizes:
            for m in (s for s in sizes if s <= n):
                answer = client.get(f"/api/v1/transparency/proof/consistency?from={m}&to={n}").get_json()
                proof = [bytes.fromhex(node) for node in answer["proof"]]
                assert m == n or oracle_consistent(m, n, proof, roots[m], roots[n])
            index = data.draw(st.integers(0, n - 1))
            answer = client.get(f"/api/v1/transparency/proof/inclusion?index={index}&tree_size={n}").get_json()
            assert oracle_includes(index, n, bytes.fromhex(answer["leaf_hash"]),
                                   [bytes.fromhex(node) for node in answer["proof"]], roots[n])
        # An insider rewrites one stored leaf node: a proof that passes through it no longer verifies.
        n = sizes[-1]
        if n > 1:
            victim = data.draw(st.integers(0, n - 1))
            with audit_triggers_off() as connection:
                connection.execute(text("UPDATE audit_tree_node SET hash = :h WHERE level = 0 AND position = :p"),
                                   {"h": "00" * 32, "p": victim})
            db.session.commit()
            other = victim ^ 1 if victim ^ 1 < n else 0  # its sibling, or (the last, alone) the first leaf
            answer = client.get(f"/api/v1/transparency/proof/inclusion?index={other}&tree_size={n}").get_json()
            assert not oracle_includes(other, n, bytes.fromhex(answer["leaf_hash"]),
                                       [bytes.fromhex(node) for node in answer["proof"]], roots[n])
    finally:
        db.session.rollback()
        with audit_triggers_off() as connection:
            for table in TABLES:
                connection.execute(text(f"DELETE FROM {table}"))
        db.session.commit()
