"""The framework state machine: which moves are legal, what each guard refuses and says, and closing at the deadline."""
from datetime import UTC, datetime, timedelta
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frameworks.domain.lifecycle import (
    AFTER_BID_DEADLINE,
    TRANSITIONS,
    Facts,
    FrameworkStatus,
    IllegalTransition,
    check,
    effective_status,
    next_states,
)

S = FrameworkStatus
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)

# The legal moves, written down from the life of a framework in DESIGN.md (not read from the code):
#   draft -> open -> closed -> evaluation -> recommended -> standstill -> awarded -> expired
#   any state before awarded -> cancelled; recommended -> evaluation when the board rejects.
BEFORE_AWARDED = (S.DRAFT, S.OPEN, S.CLOSED, S.EVALUATION, S.RECOMMENDED, S.STANDSTILL)
DESIGNED = {
    (S.DRAFT, S.OPEN), (S.OPEN, S.CLOSED), (S.CLOSED, S.EVALUATION), (S.EVALUATION, S.RECOMMENDED),
    (S.RECOMMENDED, S.STANDSTILL), (S.RECOMMENDED, S.EVALUATION), (S.STANDSTILL, S.AWARDED),
    (S.AWARDED, S.EXPIRED), *((source, S.CANCELLED) for source in BEFORE_AWARDED),
}
ALL_PAIRS = list(product(FrameworkStatus, FrameworkStatus))
LEGAL = [pair for pair in ALL_PAIRS if pair in DESIGNED]
ILLEGAL = [pair for pair in ALL_PAIRS if pair not in DESIGNED]


def satisfying(target: FrameworkStatus) -> Facts:
    """Facts under which every guard on a move into `target` is satisfied."""
    if target == S.OPEN:
        return Facts(now=NOW, bid_deadline=NOW + timedelta(days=30), question_deadline=NOW + timedelta(days=20))
    return Facts(now=NOW, bid_deadline=NOW - MINUTE, question_deadline=NOW - timedelta(days=1),
                 has_recommended_award=True, board_approved=True, board_rejected=True,
                 standstill_ends=NOW - MINUTE, expires_at=NOW - MINUTE)


def refusal(current: FrameworkStatus, target: FrameworkStatus, facts: Facts) -> str:
    with pytest.raises(IllegalTransition) as raised:
        check(current, target, facts)
    assert str(raised.value) == raised.value.reason
    return raised.value.reason


def publishable(**changes) -> Facts:
    values = {"now": NOW, "bid_deadline": NOW + timedelta(days=30), "question_deadline": NOW + timedelta(days=20)}
    return Facts(**(values | changes))


def test_the_matrix_covers_every_pair_of_the_nine_states():
    assert len(FrameworkStatus) == 9
    assert len(ALL_PAIRS) == 81
    assert len(LEGAL) + len(ILLEGAL) == 81


def test_the_transition_table_is_exactly_the_designed_life_of_a_framework():
    assert set(TRANSITIONS) == DESIGNED


@pytest.mark.parametrize(("source", "target"), LEGAL, ids=[f"{s}->{t}" for s, t in LEGAL])
def test_a_legal_transition_whose_guard_is_satisfied_succeeds(source, target):
    check(source, target, satisfying(target))  # raises nothing
    assert target in next_states(source)


@pytest.mark.parametrize(("source", "target"), ILLEGAL, ids=[f"{s}->{t}" for s, t in ILLEGAL])
def test_an_illegal_transition_is_refused_with_a_reason_naming_both_states(source, target):
    # Even facts that satisfy every guard do not make an illegal move legal.
    reason = refusal(source, target, satisfying(target))
    assert source.value in reason
    assert target.value in reason
    assert target not in next_states(source)


@pytest.mark.parametrize(("source", "target"), [(s, t) for s, t in ILLEGAL if s != t])
def test_an_illegal_transition_says_where_the_framework_can_go_instead(source, target):
    reason = refusal(source, target, satisfying(target))
    assert reason.startswith(f"A framework cannot go from {source.value} to {target.value}")
    allowed = next_states(source)
    if allowed:
        assert all(state.value in reason.split(";", 1)[1] for state in allowed)
    else:
        assert "nothing (it is final)" in reason


def test_staying_in_the_same_state_is_refused_as_already_there():
    for state in FrameworkStatus:
        assert refusal(state, state, satisfying(state)) == f"The framework is already {state.value}."


@pytest.mark.parametrize("source", BEFORE_AWARDED)
def test_a_framework_can_be_cancelled_from_every_state_before_awarded(source):
    check(source, S.CANCELLED, Facts(now=NOW))  # needs no facts at all


@pytest.mark.parametrize("source", [S.AWARDED, S.EXPIRED, S.CANCELLED])
def test_a_framework_cannot_be_cancelled_once_awarded_or_after(source):
    reason = refusal(source, S.CANCELLED, satisfying(S.CANCELLED))
    assert "cancelled" in reason


def test_expired_and_cancelled_are_final():
    assert next_states(S.EXPIRED) == []
    assert next_states(S.CANCELLED) == []


def test_bids_are_frozen_in_every_state_after_the_deadline_and_only_those():
    assert set(AFTER_BID_DEADLINE) == {S.CLOSED, S.EVALUATION, S.RECOMMENDED, S.STANDSTILL, S.AWARDED, S.EXPIRED}


# Publishing: draft -> open


def test_publishing_with_problems_is_refused_listing_every_problem():
    facts = publishable(publication_problems=("add at least one lot", "lot 2 pools no requirements"))
    assert refusal(S.DRAFT, S.OPEN, facts) == (
        "It cannot be published yet: add at least one lot; lot 2 pools no requirements.")


@pytest.mark.parametrize("bid_deadline", [None, NOW - MINUTE, NOW], ids=["missing", "past", "now"])
def test_publishing_with_a_missing_or_past_bid_deadline_is_refused(bid_deadline):
    facts = publishable(bid_deadline=bid_deadline, question_deadline=NOW - timedelta(days=2))
    assert refusal(S.DRAFT, S.OPEN, facts) == (
        "It cannot be published with a bid deadline that is missing or already past.")


@pytest.mark.parametrize("question_deadline", [None, NOW - MINUTE, NOW], ids=["missing", "past", "now"])
def test_publishing_with_a_missing_or_past_question_deadline_is_refused(question_deadline):
    facts = publishable(question_deadline=question_deadline)
    assert refusal(S.DRAFT, S.OPEN, facts) == (
        "It cannot be published with a question deadline that is missing or already past.")


@pytest.mark.parametrize("after_bids", [timedelta(0), MINUTE, timedelta(days=3)], ids=["same", "minute", "days"])
def test_publishing_with_the_question_deadline_not_before_the_bid_deadline_is_refused(after_bids):
    bid_deadline = NOW + timedelta(days=30)
    facts = publishable(bid_deadline=bid_deadline, question_deadline=bid_deadline + after_bids)
    assert refusal(S.DRAFT, S.OPEN, facts) == "The question deadline must come before the bid deadline."


def test_publishing_with_future_deadlines_in_order_and_no_problems_succeeds():
    check(S.DRAFT, S.OPEN, publishable(bid_deadline=NOW + 2 * MINUTE, question_deadline=NOW + MINUTE))


# Closing: open -> closed


@pytest.mark.parametrize("bid_deadline", [NOW + MINUTE, NOW + timedelta(microseconds=1), None],
                         ids=["minute-before", "microsecond-before", "missing"])
def test_closing_before_the_bid_deadline_is_refused(bid_deadline):
    assert refusal(S.OPEN, S.CLOSED, Facts(now=NOW, bid_deadline=bid_deadline)) == (
        "Bids stay open until the bid deadline; it closes by itself then.")


def test_closing_is_allowed_exactly_at_the_bid_deadline():
    check(S.OPEN, S.CLOSED, Facts(now=NOW, bid_deadline=NOW))


# Recommending, the board's decision, the award and the end of the term


def test_recommending_without_a_recommended_award_run_is_refused():
    reason = refusal(S.EVALUATION, S.RECOMMENDED, Facts(now=NOW, board_approved=True, board_rejected=True))
    assert reason == ("An award run must be recommended to the board first "
                      "(POST /api/v1/award-runs/{id}/recommend).")


def test_standstill_without_the_boards_approval_is_refused():
    reason = refusal(S.RECOMMENDED, S.STANDSTILL, Facts(now=NOW, has_recommended_award=True, board_rejected=True))
    assert reason == "The board has not approved the recommendation by a quorum."


def test_going_back_to_evaluation_without_a_board_rejection_is_refused():
    reason = refusal(S.RECOMMENDED, S.EVALUATION, Facts(now=NOW, has_recommended_award=True, board_approved=True))
    assert reason == "Only a board rejection sends a recommendation back to evaluation."


@pytest.mark.parametrize("standstill_ends", [NOW + MINUTE, NOW + timedelta(microseconds=1), None],
                         ids=["minute-before", "microsecond-before", "missing"])
def test_awarding_before_the_standstill_ends_is_refused(standstill_ends):
    assert refusal(S.STANDSTILL, S.AWARDED, Facts(now=NOW, standstill_ends=standstill_ends)) == (
        "The framework cannot be awarded before the standstill period ends.")


def test_awarding_is_allowed_exactly_when_the_standstill_ends():
    check(S.STANDSTILL, S.AWARDED, Facts(now=NOW, standstill_ends=NOW))


@pytest.mark.parametrize("expires_at", [NOW + MINUTE, NOW + timedelta(microseconds=1), None],
                         ids=["minute-before", "microsecond-before", "missing"])
def test_expiring_before_the_term_ends_is_refused(expires_at):
    assert refusal(S.AWARDED, S.EXPIRED, Facts(now=NOW, expires_at=expires_at)) == (
        "The framework has not reached the end of its term.")


def test_expiring_is_allowed_exactly_when_the_term_ends():
    check(S.AWARDED, S.EXPIRED, Facts(now=NOW, expires_at=NOW))


def test_a_legal_move_whose_guard_fails_gives_the_guards_reason_not_the_illegal_move_message():
    reason = refusal(S.OPEN, S.CLOSED, Facts(now=NOW, bid_deadline=NOW + MINUTE))
    assert "cannot go from" not in reason


# The effective status: an open framework is closed from its deadline on


moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


@given(deadline=moments, now=moments)
def test_an_open_framework_is_closed_exactly_from_its_deadline(deadline, now):
    expected = S.CLOSED if now >= deadline else S.OPEN
    assert effective_status(S.OPEN, deadline, now) == expected


@given(deadline=moments)
def test_an_open_framework_closes_at_the_deadline_itself_and_not_a_microsecond_earlier(deadline):
    assert effective_status(S.OPEN, deadline, deadline) == S.CLOSED
    assert effective_status(S.OPEN, deadline, deadline - timedelta(microseconds=1)) == S.OPEN


@given(stored=st.sampled_from([s for s in FrameworkStatus if s != S.OPEN]), deadline=moments, now=moments)
def test_only_an_open_framework_changes_its_effective_status(stored, deadline, now):
    assert effective_status(stored, deadline, now) == stored


@given(now=moments)
def test_an_open_framework_without_a_deadline_stays_open(now):
    assert effective_status(S.OPEN, None, now) == S.OPEN
