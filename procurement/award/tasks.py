"""Award runs' background work: finishing a run too large to solve while a person waits."""
from app.tasking import huey, task_context
from procurement.award import services as award


@huey.task()
def run_award(run_id: int) -> str:
    """Finish an award run that is too large to solve while a person waits."""
    with task_context():
        record = award.complete(run_id)
        return record.status if record is not None else "missing"


@award.queued.connect
def _queue(run_id: int) -> None:
    run_award(run_id)
