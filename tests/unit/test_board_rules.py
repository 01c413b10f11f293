"""The board's rules: the quorum, what the votes decide, who may vote."""
from hypothesis import given
from hypothesis import strategies as st

from procurement.domain.board import Decision, Outcome, quorum, refusal_to_vote, tally

A, R, X = Decision.APPROVE, Decision.REJECT, Decision.ABSTAIN


def test_the_quorum_is_a_majority_of_the_board_and_never_below_three():
    assert [quorum(n) for n in (1, 2, 3, 4, 5, 6, 7, 10)] == [3, 3, 3, 3, 3, 4, 4, 6]
    assert quorum(9, configured=7) == 7 and quorum(9, configured=2) == 3


def test_three_approvals_of_five_approve():
    assert tally([A, A], 5).outcome == Outcome.PENDING
    assert tally([A, A, A], 5).outcome == Outcome.APPROVED


def test_a_majority_of_rejections_rejects_and_abstentions_count_for_neither():
    assert tally([R, R, X, X], 5).outcome == Outcome.PENDING
    assert tally([R, R, R], 5).outcome == Outcome.REJECTED
    assert tally([X, X, X, X, X], 5).outcome == Outcome.PENDING


def test_a_board_smaller_than_three_can_never_approve():
    assert tally([A, A], 2).outcome == Outcome.PENDING


@given(st.integers(1, 15), st.data())
def test_approval_and_rejection_never_both_hold_and_the_counts_add_up(size, data):
    votes = data.draw(st.lists(st.sampled_from([A, R, X]), max_size=size))
    result = tally(votes, size)
    assert result.approve + result.reject + result.abstain == len(votes)
    assert not (result.approve >= result.quorum and result.reject >= result.rejection_majority)
    assert (result.outcome == Outcome.APPROVED) == (result.approve >= result.quorum)


def test_who_may_vote():
    fine = {"is_board_member": True, "declared": True, "conflicted": False, "already_voted": False,
            "outcome": Outcome.PENDING}
    assert refusal_to_vote(**fine) is None
    assert "Only members" in refusal_to_vote(**fine | {"is_board_member": False})
    assert "conflict of interest with a winning supplier" in refusal_to_vote(**fine | {"conflicted": True})
    assert "Declare" in refusal_to_vote(**fine | {"declared": False})
    assert "already voted" in refusal_to_vote(**fine | {"already_voted": True})
    assert "already decided" in refusal_to_vote(**fine | {"outcome": Outcome.APPROVED})
