"""Contracts' background work: the standstill letters once the board approves (always by the task consumer), the
contracts' PDFs once a framework is awarded (a few at once, a larger batch by the task consumer)."""
from flask import current_app

from app.extensions import db
from app.tasking import huey, task_context
from frameworks import signals as framework_signals
from frameworks.domain.lifecycle import FrameworkStatus
from procurement.board import services as board
from procurement.contracts import services as contracts
from procurement.contracts import standstill
from procurement.contracts.models import Contract


@huey.task()
def send_standstill_letters(framework_id: int) -> int:
    """Write and e-mail the assessment summary letters of a framework whose standstill has started."""
    with task_context():
        return standstill.send_letters(framework_id)


@huey.task()
def render_contracts(framework_id: int) -> int:
    """Render the contracts of a newly awarded framework."""
    with task_context():
        return contracts.render_pending(framework_id)


@board.approved.connect
def send_or_queue(framework_id: int) -> None:
    """Hand the letters to the task consumer, however few: the board member whose vote decided waits for none of
    them (rendering six took two seconds). The framework's page shows how many are written."""
    send_standstill_letters(framework_id)


@framework_signals.committed.connect
def _render_awarded(framework, target: FrameworkStatus, **_) -> None:
    if target == FrameworkStatus.AWARDED:
        render_or_queue(framework.id)


def render_or_queue(framework_id: int) -> None:
    """Render the new contracts now if there are few; a larger batch goes to the task consumer, with progress."""
    pending = db.session.scalar(db.select(db.func.count(Contract.id)).where(
        Contract.framework_id == framework_id, Contract.status == "rendering")) or 0
    if pending <= current_app.config.get("PDF_INLINE_LIMIT", 6):
        contracts.render_pending(framework_id)
    else:
        render_contracts(framework_id)
