"""The Consort application factory."""
import logging
from functools import partial
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from app import config, errors, templating
from app.extensions import csrf, db, login_manager, migrate

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(config.from_environment(app.instance_path))
    app.config.from_prefixed_env()  # FLASK_* from the environment
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)

    # Ids are integer columns (32-bit on PostgreSQL), so a larger number in a URL names nothing: 404, not 500.
    app.url_map.converters["int"] = partial(IntegerConverter, max=2**31 - 1)
    _register_models()
    _register_blueprints(app)
    errors.register(app)
    templating.register(app)
    _register_cli(app)
    return app


def _register_models() -> None:
    """Import every package's models so that the metadata (and Alembic) knows them all."""
    import app.accounts.models
    import app.audit.models
    import app.organisations.models  # noqa: F401
    import frameworks.models  # noqa: F401
    import procurement.models  # noqa: F401
    import suppliers.models  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from app.accounts import api as accounts_api
    from app.accounts import views as accounts_views
    from app.admin import views as admin_views
    from app.api import meta
    from app.audit import api as audit_api
    from app.dashboard import views as dashboard_views
    from app.organisations import api as organisations_api
    from frameworks import api as frameworks_api
    from frameworks import views as frameworks_views
    from procurement import api as procurement_api
    from procurement import board_api, board_views, evaluation_api, evaluation_views, payments_api, payments_views
    from procurement import views as procurement_views
    from suppliers import api as suppliers_api
    from suppliers import views as suppliers_views

    for blueprint in (
        accounts_views.bp, admin_views.bp, dashboard_views.bp,
        frameworks_views.bp, suppliers_views.bp, procurement_views.bp, evaluation_views.bp, board_views.bp,
        payments_views.bp,
        meta.health_bp, meta.bp, accounts_api.bp, organisations_api.bp, audit_api.bp,
        frameworks_api.bp, procurement_api.bp, suppliers_api.bp, evaluation_api.bp, board_api.bp,
        payments_api.bp, payments_api.webhook_bp,
    ):
        app.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    from app import cli

    cli.register(app)

