"""Erasure's background work: each night, anonymise the people whose retention periods have ended."""
from huey import crontab

from app.tasking import huey, task_context
from app.types import london_today
from consort.privacy import erasure


@huey.periodic_task(crontab(hour="2", minute="15"))
def anonymise_when_retention_ends() -> list[int]:
    """The users anonymised in place tonight."""
    with task_context():
        return erasure.anonymise_due(london_today())
