"""tests/unit is the pure part of the suite: the domain's rules, with no database, app or server. Its answers are the
same on SQLite and on PostgreSQL, so CI runs it once (.ci/run); this keeps it so."""
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
OUTSIDE = {"database_url", "worker_app", "app", "client", "runner", "make_user", "live_server", "localstripe"}


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(item.path).resolve().parents and (needs := OUTSIDE & set(item.fixturenames)):
            raise pytest.UsageError(f"{item.nodeid} asks for {', '.join(sorted(needs))}: tests/unit takes no database "
                                    "or app (CI runs it on one database only); move it to tests/functional")
