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
