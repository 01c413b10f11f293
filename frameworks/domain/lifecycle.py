"""The life of a framework, as a state machine with guarded transitions.

    draft ──publish──> open ──bid deadline──> closed ──> evaluation ──award run──> recommended
    recommended ──board approves──> standstill ──standstill ends──> awarded ──term ends──> expired
    any state before awarded ──> cancelled          recommended ──board rejects──> evaluation
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class FrameworkStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    EVALUATION = "evaluation"
    RECOMMENDED = "recommended"
    STANDSTILL = "standstill"
    AWARDED = "awarded"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


S = FrameworkStatus
CANCELLABLE = frozenset({S.DRAFT, S.OPEN, S.CLOSED, S.EVALUATION, S.RECOMMENDED, S.STANDSTILL})
# States in which nothing about a bid can change any more.
AFTER_BID_DEADLINE = frozenset({S.CLOSED, S.EVALUATION, S.RECOMMENDED, S.STANDSTILL, S.AWARDED, S.EXPIRED})


@dataclass(frozen=True)
class Facts:
    """What the guards need to know about a framework, gathered by the service."""

    now: datetime
    bid_deadline: datetime | None = None
    question_deadline: datetime | None = None
    publication_problems: tuple[str, ...] = ()
    has_recommended_award: bool = False
    board_approved: bool = False
    board_rejected: bool = False
    standstill_ends: datetime | None = None
    expires_at: datetime | None = None


class IllegalTransition(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


Guard = Callable[[Facts], str | None]


def _publishable(facts: Facts) -> str | None:
    if facts.publication_problems:
        return "It cannot be published yet: " + "; ".join(facts.publication_problems) + "."
    if facts.bid_deadline is None or facts.bid_deadline <= facts.now:
        return "It cannot be published with a bid deadline that is missing or already past."
    if facts.question_deadline is None or facts.question_deadline <= facts.now:
        return "It cannot be published with a question deadline that is missing or already past."
    if facts.question_deadline >= facts.bid_deadline:
        return "The question deadline must come before the bid deadline."
    return None


def _deadline_passed(facts: Facts) -> str | None:
    if facts.bid_deadline is None or facts.now < facts.bid_deadline:
        return "Bids stay open until the bid deadline; it closes by itself then."
    return None


def _recommended(facts: Facts) -> str | None:
    return None if facts.has_recommended_award else (
        "An award run must be recommended to the board first (POST /api/v1/award-runs/{id}/recommend).")


def _approved(facts: Facts) -> str | None:
    return None if facts.board_approved else "The board has not approved the recommendation by a quorum."


def _rejected(facts: Facts) -> str | None:
    return None if facts.board_rejected else "Only a board rejection sends a recommendation back to evaluation."


def _standstill_over(facts: Facts) -> str | None:
    if facts.standstill_ends is None or facts.now < facts.standstill_ends:
        return "The framework cannot be awarded before the standstill period ends."
    return None


def _term_over(facts: Facts) -> str | None:
    if facts.expires_at is None or facts.now < facts.expires_at:
        return "The framework has not reached the end of its term."
    return None


def _always(facts: Facts) -> str | None:
    return None


@dataclass(frozen=True)
class Transition:
    source: FrameworkStatus
    target: FrameworkStatus
    guard: Guard = field(default=_always)


TRANSITIONS: dict[tuple[FrameworkStatus, FrameworkStatus], Transition] = {
    (t.source, t.target): t
    for t in [
        Transition(S.DRAFT, S.OPEN, _publishable),
        Transition(S.OPEN, S.CLOSED, _deadline_passed),
        Transition(S.CLOSED, S.EVALUATION),
        Transition(S.EVALUATION, S.RECOMMENDED, _recommended),
        Transition(S.RECOMMENDED, S.STANDSTILL, _approved),
        Transition(S.RECOMMENDED, S.EVALUATION, _rejected),
        Transition(S.STANDSTILL, S.AWARDED, _standstill_over),
        Transition(S.AWARDED, S.EXPIRED, _term_over),
        *[Transition(source, S.CANCELLED) for source in CANCELLABLE],
    ]
}


def next_states(current: FrameworkStatus) -> list[FrameworkStatus]:
    return [target for (source, target) in TRANSITIONS if source == current]


def check(current: FrameworkStatus, target: FrameworkStatus, facts: Facts) -> None:
    """Raise IllegalTransition with the reason if `current` cannot move to `target` now."""
    if current == target:
        raise IllegalTransition(f"The framework is already {current.value}.")
    transition = TRANSITIONS.get((current, target))
    if transition is None:
        allowed = ", ".join(s.value for s in next_states(current)) or "nothing (it is final)"
        raise IllegalTransition(f"A framework cannot go from {current.value} to {target.value}; "
                                f"from {current.value} it can go to {allowed}.")
    if reason := transition.guard(facts):
        raise IllegalTransition(reason)


def effective_status(stored: FrameworkStatus, bid_deadline: datetime | None, now: datetime) -> FrameworkStatus:
    """An open framework is closed from the moment its bid deadline passes, whether or not
    the closing job has run yet."""
    if stored == S.OPEN and bid_deadline is not None and now >= bid_deadline:
        return S.CLOSED
    return stored
