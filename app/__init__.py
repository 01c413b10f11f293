"""The shell: configuration, extensions, errors, templates, accounts, organisations, the audit log and the API's
plumbing. It knows no feature: `consort.create_app` builds on `create_shell` and registers them."""
import logging
from pathlib import Path

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from app import config, edge, errors, memo, outbox, security, site, storage, tasking, templating, throttle  # noqa: F401 - outbox: a model, tasks
from app.accounts import api as accounts_api
from app.accounts import models as accounts_models  # noqa: F401 - the metadata (and Alembic) must know every model
from app.accounts import two_factor_views
from app.accounts import views as accounts_views
from app.admin import views as admin_views
from app.api import meta
from app.audit import api as audit_api
from app.audit import models as audit_models  # noqa: F401
from app.audit import transparency_api
from app.domain import two_factor
from app.extensions import csrf, db, login_manager, migrate
from app.organisations import api as organisations_api
from app.organisations import models as organisations_models  # noqa: F401
from app.privacy import views as privacy_views
from app.types import LARGEST_ID

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


class RowIdConverter(IntegerConverter):
    """Ids are integer columns (32-bit on PostgreSQL), so a larger number in a URL names nothing: 404 whatever the
    method (a converter that merely refused to match would let the router answer 405 for a sibling rule)."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > LARGEST_ID:
            raise NotFound("There is nothing with that id.")
        return number


def create_shell(test_config: dict | None = None) -> Flask:
    """The app with the shell's extensions, pages and API, ready for the features to be registered."""
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
    tasking.init_app(app)
    memo.init_app(app)
    throttle.register(app)

    # Outermost: the moment a request reached us (or its trusted proxy), which bids are judged by.
    edge.trusted_networks(tuple(app.config["TRUSTED_PROXIES"]))  # a mistyped address stops the start, not every request
    app.wsgi_app = edge.ReceivedAt(app.wsgi_app, app.config)
    two_factor.required_roles(app.config["TWO_FACTOR_REQUIRED_ROLES"])  # a mistyped role stops the start too
    storage.check_config(app.config)  # and so does a storage setting that cannot work
    app.url_map.converters["int"] = RowIdConverter
    for blueprint in (accounts_views.bp, two_factor_views.bp, admin_views.bp, meta.health_bp, meta.bp, accounts_api.bp,
                      organisations_api.bp, audit_api.bp, transparency_api.bp, privacy_views.bp, site.bp):
        app.register_blueprint(blueprint)
    errors.register(app)
    templating.register(app)
    security.register(app)
    return app
