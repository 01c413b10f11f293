"""Background work through Huey: one instance for the whole application, configured from the app's config.

Each capability declares its tasks beside itself (`tasks.py`) with `@huey.task()`; the task consumer's entry
(`huey_consumer consort.tasks.huey`) builds the app, which configures the queue here, and imports every task.
Until an app configures it, the queue runs tasks at once in memory, so nothing is queued into a store nobody reads.
"""
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, has_app_context
from huey import Huey
from huey.storage import RedisStorage, SqliteStorage

huey = Huey("consort", immediate=True)
_configured_app: Flask | None = None


def init_app(app: Flask) -> None:
    """Point the queue at the app's store (REDIS_URL, else HUEY_SQLITE_PATH), immediate if HUEY_IMMEDIATE."""
    global _configured_app
    if app.config.get("REDIS_URL"):
        huey.storage_class, huey.storage_kwargs = RedisStorage, {"url": app.config["REDIS_URL"]}
    else:
        huey.storage_class, huey.storage_kwargs = SqliteStorage, {"filename": app.config["HUEY_SQLITE_PATH"]}
    huey._immediate = bool(app.config.get("HUEY_IMMEDIATE"))
    huey.storage = huey.create_storage()
    _configured_app = app


@contextmanager
def task_context() -> Iterator[Flask]:
    """The app a task runs in: the current one (tests, immediate mode), or the one the consumer configured."""
    if has_app_context():
        yield current_app._get_current_object()
        return
    if _configured_app is None:
        raise RuntimeError("No application configured the task queue: start the consumer with consort.tasks.huey.")
    with _configured_app.app_context():
        yield _configured_app
