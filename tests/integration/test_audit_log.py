"""The audit log on a real database: written with the change, append-only, one unbroken chain."""
import threading

import pytest
from sqlalchemy import text

from app.audit import services as audit
from app.audit.models import AuditEvent, AuditLogIsAppendOnly
from app.domain.roles import OrganisationKind
from app.extensions import db
from app.organisations import services as organisations
from app.organisations.models import Organisation
from consort import create_app
from tests.support import audit_triggers_off


def test_an_event_is_committed_with_its_change(app):
    organisations.add("London Borough of Camden", OrganisationKind.AUTHORITY)
    db.session.commit()
    events = db.session.scalars(db.select(AuditEvent)).all()
    assert [(e.action, e.object_type, e.after["name"]) for e in events] == [
        ("organisation.created", "Organisation", "London Borough of Camden")]


def test_a_rolled_back_change_leaves_no_event(app):
    organisations.add("London Borough of Camden", OrganisationKind.AUTHORITY)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(Organisation)) == 0


def test_events_cannot_be_changed_or_deleted_through_the_orm(app):
    event = audit.record("test.happened", object_type="Test", object_id=1, after={"n": 1})
    db.session.commit()
    event.after = {"n": 2}
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, event.id))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(AuditEvent, event.id).after == {"n": 1}


def test_values_are_hashed_as_the_database_returns_them(app):
    from datetime import UTC, datetime
    from decimal import Decimal

    audit.record("test.money", object_type="Test", object_id=1,
                 after={"price": Decimal("125000.00"), "at": datetime(2026, 1, 1, tzinfo=UTC)})
    db.session.commit()
    db.session.expire_all()
    assert audit.verify() == (1, None)


def test_a_raw_update_is_found_by_verify(app):
    for n in range(3):
        audit.record("test.happened", object_type="Test", object_id=n, after={"n": n})
    db.session.commit()
    second = db.session.scalars(db.select(AuditEvent.id).order_by(AuditEvent.id)).all()[1]
    with audit_triggers_off() as connection:  # the database refuses it (see test_transparency_log): its owner can
        connection.execute(text("UPDATE audit_event SET action = 'test.forged' WHERE id = :id"), {"id": second})
    db.session.commit()
    _, broken = audit.verify()
    assert broken is not None and broken.event_id == second


def test_two_events_cannot_share_a_predecessor(app):
    first = audit.record("test.happened", object_type="Test", object_id=1)
    db.session.commit()
    fork = AuditEvent(log_index=first.log_index + 1, at=first.at, action="test.fork", object_type="Test",
                      prev_hash=first.prev_hash, hash="f" * 64)
    db.session.add(fork)
    with pytest.raises(Exception, match=r"(?i)unique"):
        db.session.commit()
    db.session.rollback()


def test_concurrent_writers_keep_one_unbroken_chain(app, database_url):
    """Several threads, each with its own connection, append at once; the chain must not fork."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers itself; the advisory lock is PostgreSQL's")
    errors = []

    # The apps are made here, one after another: Werkzeug compiles the URL rules with ast.parse, which CPython 3.11
    # does not always survive in several threads at once ("AST constructor recursion depth mismatch").
    workers = [create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True, "SECRET_KEY": "t"})
               for _ in range(4)]

    def writer(n: int):
        worker = workers[n]
        with worker.app_context():
            try:
                for i in range(10):
                    audit.record("test.concurrent", object_type="Test", object_id=f"{n}-{i}")
                    db.session.commit()
            except Exception as error:  # collected and asserted below
                errors.append(error)
            finally:
                db.session.remove()
                db.engine.dispose()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert audit.verify() == (40, None)
