"""The schema that `flask db upgrade` builds is the schema the models describe."""
import ast
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db

ROOT = Path(__file__).resolve().parents[2]


def test_upgrade_from_empty_gives_the_models_schema(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_the_database_is_at_the_latest_revision(app):
    from alembic.script import ScriptDirectory
    from flask_migrate import Config

    config = Config(str(ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    heads = ScriptDirectory.from_config(config).get_heads()
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    assert len(heads) == 1, "migrations have branched; merge them"
    assert set(current) == set(heads)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_domain_module_imports_flask_or_sqlalchemy():
    forbidden = {"flask", "flask_sqlalchemy", "flask_login", "flask_wtf", "sqlalchemy", "werkzeug", "app"}
    domain_files = [p for p in ROOT.glob("*/domain/**/*.py") if ".venv" not in p.parts]
    assert len(domain_files) >= 4, "the domain packages are missing"
    offenders = {}
    for path in domain_files:
        allowed_app = path.is_relative_to(ROOT / "app" / "domain")
        bad = _imports(path) & (forbidden - ({"app"} if allowed_app else set()))
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}


def test_the_transparency_migration_gives_existing_events_their_leaves_and_tree(tmp_path):
    """Migration 0011 on a log that already has events (SQLite, a database of this test's own)."""
    from datetime import UTC, datetime

    from flask_migrate import upgrade
    from sqlalchemy import text

    from app.audit import transparency
    from app.domain.audit_chain import GENESIS_HASH, event_hash
    from consort import create_app
    from tests.merkle_oracle import mth

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}", "TESTING": True,
                      "SECRET_KEY": "t", "AUDIT_SIGNING_KEY": "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision="0010_signed_in_sessions")
        prev, hashes = GENESIS_HASH, []
        for n in range(5):
            at = datetime(2026, 11, 1, 9, n, tzinfo=UTC)
            digest = event_hash(prev, at, None, "test.old", "Test", str(n), None, {"n": n})
            db.session.execute(text(
                "INSERT INTO audit_event (at, action, object_type, object_id, after, prev_hash, hash) "
                "VALUES (:at, 'test.old', 'Test', :id, :after, :prev, :hash)"),
                {"at": at.replace(tzinfo=None).isoformat(sep=" "), "id": str(n), "after": f'{{"n": {n}}}',
                 "prev": prev, "hash": digest})
            prev = digest
            hashes.append(bytes.fromhex(digest))
        db.session.commit()
        upgrade(directory=str(ROOT / "migrations"))
        positions = db.session.execute(text("SELECT log_index FROM audit_event ORDER BY id")).scalars().all()
        assert positions == [0, 1, 2, 3, 4]
        assert transparency.tree_size() == 5 and transparency.root(5) == mth(hashes)
        assert audit_verify_intact()
        db.engine.dispose()


def audit_verify_intact() -> bool:
    from app.audit import services as audit

    checked, broken = audit.verify()
    return checked == 5 and broken is None
