"""The statuses of a bid's task list, and the writes of one lot or the bundles that keep the rest of the bid."""
from decimal import Decimal

import pytest

from suppliers.domain.bid_tasks import (
    TaskStatus,
    bundles_holding,
    bundles_status,
    documents_status,
    lot_status,
    possible_bundles,
    submission_status,
    with_lot,
)
from suppliers.domain.bidding import Bundle, LotOffer, LotRules

RULES = LotRules(lot_id=1, number=1, criteria={10: 500, 11: 200})


@pytest.mark.parametrize(("offer", "status"), [
    (None, TaskStatus.NOT_STARTED),
    (LotOffer(1, Decimal("100"), {10: "Yes."}), TaskStatus.IN_PROGRESS),
    (LotOffer(1, Decimal("100"), {10: "Yes.", 11: "   "}), TaskStatus.IN_PROGRESS),
    (LotOffer(1, Decimal("100"), {10: "Yes.", 11: "Also."}), TaskStatus.COMPLETED),
])
def test_a_lot_is_completed_once_priced_and_every_question_is_answered(offer, status):
    assert lot_status(offer, RULES) is status


def test_bundles_cannot_start_before_two_lots_are_priced_and_are_optional_after():
    one, two = LotOffer(1, Decimal("1")), LotOffer(2, Decimal("1"))
    assert bundles_status([one], []) is TaskStatus.CANNOT_START
    assert bundles_status([one, two], []) is TaskStatus.NOT_STARTED
    assert bundles_status([one, two], [Bundle((1, 2), Decimal("1"))]) is TaskStatus.COMPLETED


def test_documents_need_a_bid_and_submitting_needs_a_bid_with_nothing_stopping_it():
    assert documents_status(False, 0) is TaskStatus.CANNOT_START
    assert (documents_status(True, 0), documents_status(True, 2)) == (TaskStatus.NOT_STARTED, TaskStatus.COMPLETED)
    assert submission_status(False, False, {}) is TaskStatus.CANNOT_START
    assert submission_status(True, False, {"lots": "Price at least one lot."}) is TaskStatus.CANNOT_START
    assert submission_status(True, False, {}) is TaskStatus.NOT_STARTED
    assert submission_status(True, True, {}) is TaskStatus.COMPLETED


def test_one_lot_is_put_in_first_replaced_or_taken_out_and_the_others_stay():
    one, two = LotOffer(1, Decimal("1")), LotOffer(2, Decimal("2"))
    changed = LotOffer(2, Decimal("3"))
    assert with_lot([one, two], 2, changed) == [changed, one]
    assert with_lot([one], 2, two) == [two, one]
    assert with_lot([one, two], 1, None) == [two]
    bundle = Bundle((1, 2), Decimal("2"))
    assert bundles_holding([bundle], 2) == [bundle] and bundles_holding([bundle], 3) == []


@pytest.mark.parametrize(("lots", "limit", "bundles"), [(1, None, 0), (2, None, 1), (3, None, 4), (3, 2, 3),
                                                        (3, 1, 0), (4, 2, 6)])
def test_the_bundles_there_can_be_are_the_sets_of_two_or_more_lots_within_the_limit(lots, limit, bundles):
    assert possible_bundles(lots, limit) == bundles
