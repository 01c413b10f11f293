"""Background work through Huey: SQLite storage by default (no extra server), Redis when REDIS_URL is set.

Run a consumer beside the web server: `huey_consumer app.tasks.huey` (`make run` does).
"""
import os
from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import RedisHuey, SqliteHuey, crontab

INSTANCE = Path(__file__).resolve().parent.parent / "instance"


def _make_huey():
    if redis_url := os.environ.get("REDIS_URL"):
        return RedisHuey("consort", url=redis_url)
    INSTANCE.mkdir(exist_ok=True)
    return SqliteHuey("consort", filename=os.environ.get("HUEY_SQLITE_PATH") or str(INSTANCE / "huey.sqlite3"),
                      immediate=os.environ.get("HUEY_IMMEDIATE") == "1")


huey = _make_huey()
_consumer_app: Flask | None = None


def _app() -> Flask:
    """The Flask app a task runs in: the current one (tests, immediate mode), or one made for the consumer."""
    global _consumer_app
    if has_app_context():
        return current_app._get_current_object()
    if _consumer_app is None:
        from app import create_app

        _consumer_app = create_app()
    return _consumer_app


@huey.periodic_task(crontab(minute="*"))
def close_due_frameworks() -> list[int]:
    """Close every framework whose bid deadline has passed, once a minute, whoever is looking."""
    from frameworks import services as frameworks

    with _app().app_context():
        return frameworks.close_due()


@huey.task()
def run_award(run_id: int) -> str:
    """Finish an award run that is too large to solve while a person waits."""
    from procurement import award

    with _app().app_context():
        record = award.complete(run_id)
        return record.status if record is not None else "missing"


@huey.task()
def send_standstill_letters(framework_id: int) -> int:
    """Write and e-mail the assessment summary letters of a framework whose standstill has started."""
    from procurement import standstill

    with _app().app_context():
        return standstill.send_letters(framework_id)


@huey.task()
def render_contracts(framework_id: int) -> int:
    """Render the contracts of a newly awarded framework."""
    from procurement import contracts

    with _app().app_context():
        return contracts.render_pending(framework_id)
