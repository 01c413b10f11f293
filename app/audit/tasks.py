"""The audit log's background work: a signed checkpoint each minute the log has grown."""
import logging

from huey import crontab

from app.audit import transparency
from app.extensions import db
from app.tasking import huey, task_context

log = logging.getLogger(__name__)


@huey.periodic_task(crontab(minute="*"))
def checkpoint_the_log() -> int | None:
    """Sign the log's size and root if events were added since the last checkpoint; the tree size signed."""
    with task_context():
        try:
            checkpoint = transparency.make_checkpoint(only_if_grown=True)
        except transparency.LogDoesNotExtendCheckpoint as error:
            db.session.rollback()
            log.error("The audit log no longer extends its last checkpoint; nothing signed: %s", error)
            raise
        return None if checkpoint is None else checkpoint.tree_size
