"""Board decisions: who may vote, the quorum, and what a set of votes decides.

The board approves a recommended award by a quorum of approvals (by default a majority of the board, and never
fewer than three); a majority of the board rejecting it sends it back to evaluation. A member who has declared a
conflict with a winning supplier cannot vote. Abstentions count towards neither.
"""
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    ABSTAIN = "abstain"


class Outcome(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


MINIMUM_QUORUM = 3


def majority(board_size: int) -> int:
    return board_size // 2 + 1


def quorum(board_size: int, configured: int | None = None) -> int:
    """Approvals needed: the configured number, else a majority of the board; at least three either way."""
    return max(MINIMUM_QUORUM, configured if configured is not None else majority(board_size))


@dataclass(frozen=True)
class Tally:
    approve: int
    reject: int
    abstain: int
    quorum: int
    rejection_majority: int
    outcome: Outcome

    @property
    def still_needed(self) -> int:
        return max(0, self.quorum - self.approve)


def tally(decisions: list[Decision], board_size: int, configured_quorum: int | None = None) -> Tally:
    """What the votes cast so far decide. Approval is checked first: once a quorum approves, the decision is made."""
    counts = Counter(decisions)
    needed = quorum(board_size, configured_quorum)
    against = majority(board_size)
    if counts[Decision.APPROVE] >= needed:
        outcome = Outcome.APPROVED
    elif counts[Decision.REJECT] >= against:
        outcome = Outcome.REJECTED
    else:
        outcome = Outcome.PENDING
    return Tally(counts[Decision.APPROVE], counts[Decision.REJECT], counts[Decision.ABSTAIN], needed, against, outcome)


def refusal_to_vote(*, is_board_member: bool, declared: bool, conflicted: bool, already_voted: bool,
                    outcome: Outcome) -> str | None:
    """Why this member cannot vote now, or None."""
    if not is_board_member:
        return "Only members of the board vote on a recommendation."
    if outcome != Outcome.PENDING:
        return f"The board has already decided: the recommendation was {outcome.value}."
    if conflicted:
        return "You declared a conflict of interest with a winning supplier, so you cannot vote on this award."
    if not declared:
        return ("Declare any conflict of interest with the winning suppliers before voting "
                "(POST /api/v1/lots/{id}/conflict-declaration, or the form on the recommendation page).")
    if already_voted:
        return "You have already voted on this recommendation; a vote is final."
    return None
