"""Scoring: the price formulas, quality, totals, ranks and rank reversal."""
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from procurement.domain.scoring import (
    PRICE_FORMULAS,
    Criterion,
    Offer,
    agreed_score,
    price_points,
    rank,
    rank_reversals,
    spread_is_wide,
)

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
CRITERIA = [Criterion(1, Decimal(35), Decimal(5)), Criterion(2, Decimal(25), Decimal(10))]
prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000000"), places=2)
weights = st.integers(min_value=0, max_value=100).map(Decimal)
formulas = st.sampled_from(sorted(PRICE_FORMULAS))


def offer(bid_id: int, price: str, minutes: int = 0) -> Offer:
    return Offer(bid_id, 100 + bid_id, Decimal(price), T0 + timedelta(minutes=minutes))


@given(formulas, st.lists(prices, min_size=1, max_size=12), prices, weights)
def test_price_scores_stay_between_zero_and_the_weight(formula, bid_prices, budget, weight):
    for points in price_points(formula, bid_prices, budget, weight):
        assert Decimal(0) <= points <= weight


@given(st.lists(prices, min_size=1, max_size=12), prices, weights)
def test_the_lowest_price_gets_the_full_weight_under_relative_and_linear(bid_prices, budget, weight):
    for formula in ("relative", "linear"):
        points = price_points(formula, bid_prices, budget, weight)
        assert points[bid_prices.index(min(bid_prices))] == weight


def test_the_formulas_as_published():
    assert price_points("relative", [Decimal(100), Decimal(200)], Decimal(1000), Decimal(40)) == [40, 20]
    assert price_points("linear", [Decimal(100), Decimal(150), Decimal(300)], Decimal(1000), Decimal(40)) == [40, 20, 0]
    assert price_points("absolute", [Decimal(250), Decimal(1200)], Decimal(1000), Decimal(40)) == [30, 0]


quality = st.integers(min_value=0, max_value=5).map(Decimal)


@st.composite
def lots(draw, min_size=1):
    n = draw(st.integers(min_value=min_size, max_value=8))
    offers = [Offer(i, 100 + i, draw(prices), T0 + timedelta(minutes=draw(st.integers(0, 60)))) for i in range(n)]
    scores = {(o.bid_id, c.id): draw(st.one_of(st.none(), st.integers(0, int(c.max_score)).map(Decimal)))
              for o in offers for c in CRITERIA}
    return offers, scores


@given(lots(), formulas, prices, weights)
def test_totals_are_the_sum_of_their_parts_and_quality_stays_within_its_weights(lot, formula, budget, weight):
    offers, scores = lot
    for row in rank(offers, CRITERIA, scores, formula, budget, weight):
        assert row.total == row.quality + row.price_score
        assert Decimal(0) <= row.quality <= sum(c.weight for c in CRITERIA)
        assert row.complete == all(scores[(row.bid_id, c.id)] is not None for c in CRITERIA)


@given(lots(), formulas, prices, weights)
def test_ranks_are_one_to_n_and_follow_the_totals(lot, formula, budget, weight):
    offers, scores = lot
    ranked = rank(offers, CRITERIA, scores, formula, budget, weight)
    assert [r.rank for r in ranked] == list(range(1, len(offers) + 1))
    assert all(a.total >= b.total for a, b in pairwise(ranked))


@given(lots(), prices, weights, prices, st.integers(0, 5).map(Decimal))
def test_adding_a_worse_bid_never_changes_the_order_of_the_others_under_absolute(lot, budget, weight, price, q):
    offers, scores = lot
    before = [r.bid_id for r in rank(offers, CRITERIA, scores, "absolute", budget, weight)]
    newcomer = Offer(999, 999, price, T0 + timedelta(days=1))
    after = rank([*offers, newcomer], CRITERIA, scores | {(999, 1): q, (999, 2): None}, "absolute", budget, weight)
    assert [r.bid_id for r in after if r.bid_id != 999] == before
    assert rank_reversals(offers, CRITERIA, scores, "absolute", budget, weight) == []


def test_ties_go_to_quality_then_to_the_earlier_submission():
    offers = [offer(1, "100", minutes=5), offer(2, "100", minutes=1), offer(3, "125")]
    scores = {(1, 1): Decimal(4), (1, 2): Decimal(8), (2, 1): Decimal(4), (2, 2): Decimal(8),
              (3, 1): Decimal(5), (3, 2): Decimal(10)}
    # Bid 3: quality 60 + price 32 = 92; bids 1 and 2: quality 48 + price 40 = 88, equal: bid 2 was earlier.
    ranked = rank(offers, CRITERIA, scores, "relative", Decimal(1000), Decimal(40))
    assert [(r.bid_id, r.rank) for r in ranked] == [(3, 1), (2, 2), (1, 3)]
    equal_totals = rank([offer(1, "100"), offer(2, "80")], CRITERIA,
                        {(1, 1): Decimal(5), (1, 2): Decimal(10), (2, 1): Decimal(3), (2, 2): Decimal(10)},
                        "relative", Decimal(1000), Decimal(14))
    # Bid 1: 60 + 11.2 = 71.2; bid 2: 46 + 14 = 60: quality decides before price does.
    assert [r.bid_id for r in equal_totals] == [1, 2]


def test_the_moderated_score_counts_else_the_mean():
    assert agreed_score([Decimal(2), Decimal(4)], None) == 3
    assert agreed_score([Decimal(2), Decimal(4)], Decimal(5)) == 5
    assert agreed_score([], None) is None


def test_a_wide_spread_is_flagged():
    assert spread_is_wide([Decimal(1), Decimal(4)], Decimal(5), Decimal("0.4"))
    assert not spread_is_wide([Decimal(2), Decimal(4)], Decimal(5), Decimal("0.4"))
    assert not spread_is_wide([Decimal(0)], Decimal(5), Decimal("0.4"))


def test_relative_pricing_can_reverse_ranks_when_a_bid_leaves():
    # A: cheap and weak; B: dear and strong; C: very cheap. With C present, A's price score shrinks more than
    # B's, so B leads; without C, A's full price score puts it first.
    offers = [offer(1, "100"), offer(2, "150"), offer(3, "50")]
    scores = {(1, 1): Decimal(2), (1, 2): Decimal(4), (2, 1): Decimal(3), (2, 2): Decimal(6),
              (3, 1): Decimal(0), (3, 2): Decimal(0)}
    with_all = [r.bid_id for r in rank(offers, CRITERIA, scores, "relative", Decimal(1000), Decimal(40))]
    without_c = [r.bid_id for r in rank(offers[:2], CRITERIA, scores, "relative", Decimal(1000), Decimal(40))]
    assert [b for b in with_all if b != 3] != without_c
    assert rank_reversals(offers, CRITERIA, scores, "relative", Decimal(1000), Decimal(40)) == [3]
