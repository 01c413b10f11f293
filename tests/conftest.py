"""Fixtures for every level of test: a real database migrated with Alembic, the app, its client and CLI.

The database is SQLite in a temporary folder unless TEST_DATABASE_URL names another
(for example postgresql+psycopg://postgres@127.0.0.1:5432/consort_test), which the suite then owns:
it is emptied and migrated from scratch at the start. When the suite runs in parallel (pytest-xdist, as
`make test` does), each worker has a PostgreSQL database of its own beside that one, named after it with the
worker's id (consort_test_gw0, ...), created at the start and dropped at the end.
"""
import contextlib
import contextvars
import copy
import os
import tempfile
from unittest import mock

import pytest
from flask import current_app
from flask.testing import FlaskClient
from hypothesis import settings
from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.engine import Engine

from app import memo
from app.config import RATE_LIMITS
from app.extensions import db
from app.throttle import limiter
from consort import create_app
from tests.s3_support import s3_documents, seaweedfs  # noqa: F401 - a real S3 service for the document store
from tests.stripe_support import localstripe  # noqa: F401 - a fixture for the tests that pay
from tests.support import PASSWORD, audit_triggers_off, data_sharing_accepted

# Property tests: "dev" (the default) is Hypothesis' own settings, fresh examples each run; "ci" (when the CI
# environment variable is set, or HYPOTHESIS_PROFILE=ci) tries fewer examples, the same ones every run (derandomized,
# so a failure reproduces and a pass is not luck), without the timing deadline a loaded machine would trip.
# A test's own @settings (max_examples, for one) still wins.
settings.register_profile("dev")
settings.register_profile("ci", max_examples=50, deadline=None, derandomize=True, database=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


def _reset_database(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _postgres_admin(url: str):
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _worker_database(url: str, worker: str) -> str:
    """A database of this worker's own beside the one named, created afresh."""
    name = f"{make_url(url).database}_{worker}"
    engine = _postgres_admin(url)
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        # Thrown away at the end, so a commit need not wait for the disk (about 1 ms each here; SQLite's likewise).
        connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))
    engine.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id):
    url = os.environ.get("TEST_DATABASE_URL")
    own = bool(url) and url.startswith("postgresql") and worker_id != "master"
    if own:
        url = _worker_database(url, worker_id)
    url = url or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    _reset_database(url)
    app = create_app(_test_config(url))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()
    yield url
    if own:
        engine = _postgres_admin(url)
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
        engine.dispose()


def _test_config(url: str) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key",
        "MAIL_SERVER": None,
        "MAIL_SEND_INLINE": True,  # e-mail is still kept in the outbox and sent after the commit, but here, at once
        "PUBLIC_BASE_URL": "http://localhost",
        # The task queue's store is the suite's own, never the one `make run` uses in instance/.
        "HUEY_SQLITE_PATH": os.path.join(tempfile.gettempdir(), f"consort-test-huey-{os.getpid()}.sqlite3"),
        # Real scrypt at a lower cost: the fixture users' hash is computed once (see make_user), but every sign-in
        # and every API token the tests ask for checks a password, thousands in all.
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        # A key for the tests' checkpoints only (32 bytes of 0x01), so that no test writes one into instance/.
        "AUDIT_SIGNING_KEY": "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=",
        # And the tests' own key for the TOTP secrets (32 bytes of 0x02, as Fernet writes it).
        "TWO_FACTOR_KEYS": ["AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI="],
        # Rate limits no test meets by chance (every client of the suite is 127.0.0.1); the tests of the limits set
        # tight ones of their own (tests/functional/test_rate_limits.py). Counts start afresh in each test.
        **{name: "100000 per minute" for name in RATE_LIMITS},
    }


def _empty_tables() -> None:
    # DELETE, children first: on PostgreSQL it is far quicker than TRUNCATE for the few rows a test leaves, and
    # quicker still sent as one batch (one round trip, not one per table). The audit tables' triggers refuse a
    # DELETE, so the cleaning does it as the database's owner would: see tests.support.audit_triggers_off.
    deletes = [f'DELETE FROM "{table.name}"' for table in reversed(db.metadata.sorted_tables)]
    with audit_triggers_off() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(no_parameters=True).exec_driver_sql("; ".join(deletes))
        else:
            for delete in deletes:
                connection.exec_driver_sql(delete)
    db.session.commit()


@event.listens_for(Engine, "connect")
def _sqlite_without_waiting_for_the_disk(dbapi_connection, connection_record):
    """The test database is thrown away, so SQLite need not flush it to the disk at every commit."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in a fresh context, as on a real server.

    The test itself holds an application context (for its own database work). Without this, a request
    would reuse that context: its `g` (where Flask-Login caches the user) and its database session.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def worker_app(database_url):
    """The app the tests of one worker share: building it (its ~140 URL rules, its templates) takes a tenth of a
    second, more than most tests. The `app` fixture gives each test a clean one: see `_isolated`."""
    app = create_app(_test_config(database_url))
    app.test_client_class = IsolatedClient
    yield app
    with app.app_context():
        db.engine.dispose()


def _routes(app) -> tuple[int, int]:
    return len(app.view_functions), len(list(app.url_map.iter_rules()))


@contextlib.contextmanager
def _isolated(app, tmp_path, shared: bool = True):
    """One test's use of an app: its own configuration (restored afterwards), outbox, application context and
    database session, and every table emptied at the end (tests commit, some from several connections, so a
    rolled-back transaction would not undo them)."""
    config, routes = copy.deepcopy(dict(app.config)), _routes(app)
    app.config["DOCUMENT_STORE"] = str(tmp_path / "documents")
    app.extensions.pop("mail_outbox", None)
    limiter.reset()
    try:
        with app.app_context():
            db.session.remove()
            memo.forget_all()  # its keys name rows by id, and the next test's rows take the same ids
            try:
                yield app
            finally:
                db.session.rollback()
                _empty_tables()
                db.session.remove()
    finally:
        app.config.clear()
        app.config.update(config)
        app.extensions.pop("mail_outbox", None)
    if shared:
        assert _routes(app) == routes, "a test changed the shared app's routes: mark it own_app"


@pytest.fixture
def app(request, worker_app, database_url, tmp_path):
    if request.node.get_closest_marker("own_app") is None:
        with _isolated(worker_app, tmp_path):
            yield worker_app
        return
    # The test changes the app itself (adds routes, which Flask allows only before the first request).
    app = create_app(_test_config(database_url))
    app.test_client_class = IsolatedClient
    with _isolated(app, tmp_path, shared=False):
        yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# The hash of the shared test PASSWORD, for each PASSWORD_HASH_METHOD: hashing is deliberately slow, and most
# fixture users have that password. Each is a real hash (one salt for all of them), which sign-in checks as usual.
_PASSWORD_HASHES: dict[str, str] = {}


def _hash_once(real_hash):
    def hash_password(password: str) -> str:
        if password != PASSWORD:
            return real_hash(password)
        method = current_app.config["PASSWORD_HASH_METHOD"]
        if method not in _PASSWORD_HASHES:
            _PASSWORD_HASHES[method] = real_hash(password)
        return _PASSWORD_HASHES[method]

    return hash_password


@pytest.fixture
def make_user(app):
    """Create a user (and organisation) through the same service the CLI uses."""
    from app.accounts import services as accounts
    from app.domain.roles import OrganisationKind, Role

    hash_password = _hash_once(accounts.hash_password)

    def make(email: str, role: str = "officer", org: str = "London Borough of Camden",
             kind: str | None = None, sme: bool = False, password: str = PASSWORD, data_sharing: bool = True):
        """`data_sharing`: an officer's authority has accepted the data-sharing agreement, so that its
        requirements can be pooled (False for the tests of the refusal)."""
        with mock.patch.object(accounts, "hash_password", hash_password):
            user = accounts.create_user(email, password, Role(role), org,
                                        OrganisationKind(kind) if kind else None, sme=sme)
        if data_sharing and user.role == Role.OFFICER:
            data_sharing_accepted(user.organisation_id)
        return user

    return make
