"""The rules of a sealed bid: completeness, word limits, bundles, the canonical form and the receipt."""
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suppliers.domain.bidding import (
    BidContent,
    Bundle,
    LotOffer,
    LotRules,
    canonical,
    deadline_problem,
    draft_problems,
    receipt,
    submission_problems,
    words,
)

LOTS = {1: LotRules(1, 1, {10: 5, 11: 500}), 2: LotRules(2, 2, {20: 500}), 3: LotRules(3, 3, {})}
NOW = datetime(2026, 12, 1, 11, 59, 59, tzinfo=UTC)
DEADLINE = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def complete_bid(**changes) -> BidContent:
    values = {"framework_id": 7, "supplier_id": 42,
              "lots": [LotOffer(1, Decimal("1000.00"), {10: "Four words in total", 11: "Yes."}),
                       LotOffer(2, Decimal("500.00"), {20: "We can."})],
              "bundles": [Bundle((1, 2), Decimal("1400.00"))]}
    return BidContent(**(values | changes))


def test_a_complete_bid_has_no_problems():
    assert submission_problems(complete_bid(), LOTS) == {}


def test_a_draft_may_leave_answers_empty_but_a_submission_may_not():
    draft = complete_bid(lots=[LotOffer(1, Decimal(1000), {})], bundles=[])
    assert draft_problems(draft, LOTS) == {}
    problems = submission_problems(draft, LOTS)
    assert set(problems) == {"lots.0.answers.10", "lots.0.answers.11"}
    assert "Answer every quality question of lot 1" in problems["lots.0.answers.10"]


@pytest.mark.parametrize("content, field, message", [
    (complete_bid(lots=[LotOffer(9, Decimal(1))]), "lots.0.lot_id", "not a lot of this framework"),
    (complete_bid(lots=[LotOffer(1, Decimal(1)), LotOffer(1, Decimal(2))], bundles=[]), "lots.1.lot_id",
     "priced twice"),
    (complete_bid(lots=[LotOffer(1, Decimal(0))], bundles=[]), "lots.0.price", "more than £0"),
    (complete_bid(lots=[LotOffer(1, Decimal(5), {10: "one two three four five six"})], bundles=[]),
     "lots.0.answers.10", "6 words; the limit is 5"),
    (complete_bid(lots=[LotOffer(1, Decimal(5), {20: "wrong lot's criterion"})], bundles=[]),
     "lots.0.answers.20", "not a criterion of lot 1"),
    (complete_bid(bundles=[Bundle((1,), Decimal(5))]), "bundles.0.lot_ids", "two or more different lots"),
    (complete_bid(bundles=[Bundle((1, 1), Decimal(5))]), "bundles.0.lot_ids", "two or more different lots"),
    (complete_bid(bundles=[Bundle((1, 3), Decimal(5))]), "bundles.0.lot_ids", "also prices on their own"),
    (complete_bid(bundles=[Bundle((1, 2), Decimal(0))]), "bundles.0.price", "more than £0"),
    (complete_bid(bundles=[Bundle((1, 2), Decimal(5)), Bundle((2, 1), Decimal(6))]), "bundles", "only once"),
    (complete_bid(lots=[], bundles=[]), "lots", "at least one lot"),
], ids=["unknown-lot", "lot-twice", "zero-price", "over-word-limit", "criterion-of-another-lot",
        "one-lot-bundle", "same-lot-twice-bundle", "bundle-of-unpriced-lot", "zero-bundle-price",
        "duplicate-bundle", "no-lots"])
def test_a_bad_bid_is_refused_with_a_clear_reason(content, field, message):
    problems = submission_problems(content, LOTS)
    assert message in problems[field]


def test_words_are_counted_as_runs_of_non_space():
    assert words("  one\ttwo\nthree  ") == 3
    assert words("") == 0


def test_the_canonical_form_ignores_the_order_things_were_entered_in():
    forwards = complete_bid()
    backwards = complete_bid(lots=list(reversed(forwards.lots)), bundles=[Bundle((2, 1), Decimal("1400"))])
    assert canonical(forwards) == canonical(backwards)


prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2)
texts = st.text(max_size=40)


@given(prices, prices, texts, texts)
def test_the_receipt_hash_changes_with_any_change_of_content(price, other_price, answer, other_answer):
    base = complete_bid(lots=[LotOffer(1, price, {10: answer})], bundles=[])
    changed_price = complete_bid(lots=[LotOffer(1, other_price, {10: answer})], bundles=[])
    changed_answer = complete_bid(lots=[LotOffer(1, price, {10: other_answer})], bundles=[])
    digest = receipt(base, NOW).sha256
    assert (receipt(changed_price, NOW).sha256 == digest) == (price == other_price)
    assert (receipt(changed_answer, NOW).sha256 == digest) == (answer == other_answer)


def test_the_receipt_hash_covers_bundles_supplier_and_framework():
    digest = receipt(complete_bid(), NOW).sha256
    assert receipt(complete_bid(bundles=[]), NOW).sha256 != digest
    assert receipt(complete_bid(bundles=[Bundle((1, 2), Decimal("1399.99"))]), NOW).sha256 != digest
    assert receipt(complete_bid(supplier_id=43), NOW).sha256 != digest
    assert receipt(complete_bid(framework_id=8), NOW).sha256 != digest


def test_the_receipt_carries_the_server_time_and_the_same_content_gives_the_same_hash():
    first, again = receipt(complete_bid(), NOW), receipt(complete_bid(), DEADLINE)
    assert first.submitted_at == NOW and first.sha256 == again.sha256 and len(first.sha256) == 64


def test_the_deadline_is_exclusive():
    assert deadline_problem(NOW, DEADLINE, is_open=True) is None
    assert "deadline has passed" in deadline_problem(DEADLINE, DEADLINE, is_open=True)
    assert "while the framework is open" in deadline_problem(NOW, DEADLINE, is_open=False)


def test_a_bundle_larger_than_the_lot_limit_cannot_be_submitted():
    from suppliers.domain.bidding import FrameworkRules

    bid = complete_bid()
    assert submission_problems(bid, LOTS, FrameworkRules(max_lots_per_supplier=2)) == {}
    found = submission_problems(bid, LOTS, FrameworkRules(max_lots_per_supplier=1))
    assert found == {"bundles.0.lot_ids": "This bundle has 2 lots, but a supplier may win at most 1 lot of this "
                                          "framework, so it could never win. Bundle at most 1 lot."}
    # A draft may still hold it: the limit is a rule of submission.
    assert draft_problems(bid, LOTS) == {}


def test_the_receipt_covers_the_documents():
    from suppliers.domain.bidding import Attachment

    plain = complete_bid()
    with_document = complete_bid(documents=[Attachment("method.pdf", "ab" * 32)])
    renamed = complete_bid(documents=[Attachment("method-v2.pdf", "ab" * 32)])
    changed = complete_bid(documents=[Attachment("method.pdf", "cd" * 32)])
    hashes = {receipt(b, NOW).sha256 for b in (plain, with_document, renamed, changed)}
    assert len(hashes) == 4
