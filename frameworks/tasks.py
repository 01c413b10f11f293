"""The frameworks' background work: closing every framework whose bid deadline has passed."""
from huey import crontab

from app.tasking import huey, task_context
from frameworks import services as frameworks


@huey.periodic_task(crontab(minute="*"))
def close_due_frameworks() -> list[int]:
    """Close every framework whose bid deadline has passed, once a minute, whoever is looking."""
    with task_context():
        return frameworks.close_due()
