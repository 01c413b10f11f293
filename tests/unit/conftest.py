"""tests/unit is the pure part of the suite: the domain's rules, with no database, app or server. Its answers are the
same on SQLite and on PostgreSQL, so CI runs it once (.ci/run); this keeps it so."""
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    for item in items:
        # fixturenames is the whole closure: the app, a client, make_user, a live server all stand on database_url.
        if HERE in Path(item.path).resolve().parents and "database_url" in item.fixturenames:
            raise pytest.UsageError(f"{item.nodeid} uses the test database (through its fixtures): tests/unit takes no "
                                    "database or app (CI runs it on one database only); move it to tests/functional")
