"""Sharing the framework's savings: in proportion to demand, and by the Shapley value (exact and sampled)."""
import itertools
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procurement.domain.savings import LotOutcome, by_authority
from procurement.domain.sharing import (
    PENNY,
    VolumeGame,
    at_the_penny,
    coalition_volumes,
    explain,
    fitted_elasticity,
    power_law,
    proportional,
    shapley_exact,
    shapley_sampled,
    share_savings,
    worth_table,
)

D = Decimal


def lot(lot_id: int, price: str | Decimal | None,
        demand: dict[int, tuple[int | Decimal, str | Decimal]]) -> LotOutcome:
    """A lot from each authority's quantity and estimate, with its shares of the quantity as the app computes them."""
    total = sum(q for q, _ in demand.values())
    return LotOutcome(lot_id, None if price is None else D(price), {a: D(e) for a, (_, e) in demand.items()},
                      {a: D(q) / total if total else D(0) for a, (q, _) in demand.items()})


def rows(sharing):
    return {r.organisation_id: r for r in sharing.authorities}


def brute_force(worth: np.ndarray, players: int) -> list[float]:
    """Shapley by its definition: the average over every order of arrival of what each player adds."""
    value = [0.0] * players
    orders = list(itertools.permutations(range(players)))
    for order in orders:
        mask = 0
        for player in order:
            value[player] += worth[mask | 1 << player] - worth[mask]
            mask |= 1 << player
    return [v / len(orders) for v in value]


@st.composite
def frameworks(draw, max_authorities=7, max_lots=4, common_unit_price=False):
    authorities = list(range(1, draw(st.integers(1, max_authorities)) + 1))
    lots = []
    for lot_id in range(1, draw(st.integers(1, max_lots)) + 1):
        buying = draw(st.lists(st.sampled_from(authorities), min_size=1, max_size=len(authorities), unique=True))
        unit = D(draw(st.integers(100, 10_000))) / 100
        demand = {}
        for a in buying:
            quantity = draw(st.integers(1, 1_000))
            price = unit if common_unit_price else D(draw(st.integers(100, 10_000))) / 100
            demand[a] = (quantity, quantity * price)
        estimated = sum(e for _, e in demand.values())
        awarded = (estimated * D(draw(st.integers(50, 120))) / 100).quantize(PENNY)  # some dearer than estimated
        lots.append(lot(lot_id, awarded, demand))
    return lots


def game_of(shares: list[list[float]], prices: list[float], elasticity: float) -> VolumeGame:
    return VolumeGame(np.array(shares), np.array(prices), tuple(power_law(elasticity) for _ in prices))


# --- The exact Shapley value against its definition -----------------------------------------------------------

@given(st.integers(1, 6), st.data())
def test_exact_shapley_is_the_average_over_every_order_of_what_each_adds(players, data):
    others = data.draw(st.lists(st.floats(-1e6, 1e6), min_size=2 ** players - 1, max_size=2 ** players - 1))
    worth = np.array([0.0, *others])
    assert shapley_exact(worth) == pytest.approx(brute_force(worth, players), rel=1e-9, abs=1e-6)


def test_coalition_volumes_are_indexed_by_bitmask():
    assert list(coalition_volumes(np.array([1.0, 10.0, 100.0]))) == [0, 1, 10, 11, 100, 101, 110, 111]


# --- The axioms: efficiency, symmetry, the null player ---------------------------------------------------------

@given(frameworks())
def test_both_sharings_add_up_exactly_to_the_total_saving_at_the_penny(lots):
    sharing = share_savings(lots)
    target = sharing.total.quantize(PENNY)
    assert sum(r.share_shapley for r in sharing.authorities) == target
    assert sum(r.share_proportional for r in sharing.authorities) == target
    assert sharing.total == sum(r.baseline for r in sharing.authorities) - sum(x.awarded_price for x in lots)
    assert sharing.method == "exact" and all(r.shapley_error is None for r in sharing.authorities)


@settings(max_examples=25)
@given(frameworks(max_authorities=6, max_lots=2), st.integers(0, 2 ** 32 - 1))
def test_sampled_shares_add_up_exactly_too(lots, seed):
    sharing = share_savings(lots, exact_limit=1, samples=200, seed=seed)
    assert sum(r.share_shapley for r in sharing.authorities) == sharing.total.quantize(PENNY)
    assert sharing.method == ("sampled" if any(len(x.estimates) > 1 for x in lots) else "exact")
    if sharing.method == "sampled":
        assert all(r.shapley_error is not None and r.shapley_error >= 0 for r in sharing.authorities)


@given(frameworks(max_authorities=5, common_unit_price=True), st.integers(1, 1_000), st.integers(1, 100),
       st.floats(0, 0.5))
def test_two_authorities_in_the_same_position_get_the_same(lots, quantity, estimate, elasticity):
    # Authorities 98 and 99 each ask for the same quantity at the same estimate on the first lot, and nothing else.
    first = lots[0]
    total = sum(first.estimates.values())  # a common unit price: quantities in proportion to the estimates
    demand = {a: (first.shares[a] * total, first.estimates[a]) for a in first.estimates}
    demand |= {98: (D(quantity), D(estimate)), 99: (D(quantity), D(estimate))}
    lots = [lot(first.lot_id, first.awarded_price, demand), *lots[1:]]
    shares = rows(share_savings(lots, elasticity=elasticity))
    # At the penny one of them may take the odd penny of the total (to the lower id, so that ties are decided).
    assert abs(shares[98].share_shapley - shares[99].share_shapley) <= PENNY
    assert abs(shares[98].share_proportional - shares[99].share_proportional) <= PENNY


def test_identical_players_have_equal_exact_values_before_rounding():
    value = shapley_exact(worth_table(game_of([[0.2, 0.3, 0.3, 0.2]], [1000.0], 0.3)))
    assert value[1] == pytest.approx(value[2], rel=1e-12) and value[0] == pytest.approx(value[3], rel=1e-12)


@given(frameworks(), st.floats(0, 0.5))
def test_an_authority_with_no_demand_gets_nothing(lots, elasticity):
    lots = [LotOutcome(x.lot_id, x.awarded_price, x.estimates | {77: D(0)}, x.shares | {77: D(0)}) for x in lots]
    for sharing in (share_savings(lots, elasticity=elasticity),
                    share_savings(lots, elasticity=elasticity, exact_limit=1, samples=50)):
        null = rows(sharing)[77]
        assert (null.share_shapley, null.share_proportional, null.savings) == (0, 0, 0)


# --- Linear prices: Shapley is each authority's own saving, and proportional where unit estimates agree -------

@given(frameworks())
def test_with_prices_linear_in_volume_the_shapley_share_is_the_authoritys_own_saving(lots):
    own = {r.organisation_id: r.savings for r in by_authority(lots)}
    sharing = share_savings(lots, elasticity=0)
    for row in sharing.authorities:
        assert abs(row.share_shapley - own[row.organisation_id]) <= PENNY
    assert all(e == 0 for e in sharing.elasticities.values())


@given(frameworks(common_unit_price=True))
def test_with_linear_prices_and_one_estimated_unit_price_a_lot_shapley_is_proportional_sharing(lots):
    for row in share_savings(lots, elasticity=0).authorities:
        # Both are the same exact amount put at the penny; floating point may tip one boundary by a penny.
        assert abs(row.share_shapley - row.share_proportional) <= PENNY


def test_otherwise_linear_shapley_credits_the_estimates_and_proportional_the_quantities():
    lots = [lot(1, "150", {1: (10, "100"), 2: (10, "60")})]  # the same quantity, estimated at 10.00 and 6.00
    shares = rows(share_savings(lots, elasticity=0))
    assert (shares[1].share_shapley, shares[2].share_shapley) == (D("25.00"), D("-15.00"))
    assert (shares[1].share_proportional, shares[2].share_proportional) == (D("5.00"), D("5.00"))


# --- The volume discount: a convex game, so the Shapley value is in the core ----------------------------------

@given(st.integers(2, 6), st.data(), st.floats(0, 0.9))
def test_with_a_volume_discount_no_group_could_have_saved_more_alone(players, data, elasticity):
    lots = data.draw(st.integers(1, 3))
    quantities = [[data.draw(st.integers(0, 100)) + (a == 0) for a in range(players)] for _ in range(lots)]
    shares = [[q / sum(row) for q in row] for row in quantities]
    prices = [float(data.draw(st.integers(1, 10 ** 7))) for _ in range(lots)]
    cost = worth_table(game_of(shares, prices, elasticity))
    paid = shapley_exact(cost)
    for mask in range(1, 2 ** players):
        # Each group pays, by its Shapley shares, no more than it would have paid buying alone.
        assert sum(paid[i] for i in range(players) if mask >> i & 1) <= cost[mask] * (1 + 1e-9) + 1e-6


def test_bigger_buyers_bring_the_discount_so_get_more_a_unit_than_in_proportion():
    lots = [lot(1, "800", {1: (80, "800"), 2: (10, "100"), 3: (10, "100")})]  # all estimated 10.00 a unit
    shares = rows(share_savings(lots, elasticity=0.2))
    assert shares[1].share_shapley > shares[1].share_proportional == D("160.00")
    assert abs(shares[2].share_shapley - shares[3].share_shapley) <= PENNY
    assert shares[2].share_shapley < D("20.00") and shares[3].share_shapley < D("20.00")


def test_a_dearer_estimate_raises_the_shapley_share_by_exactly_as_much_and_nobody_elses():
    before = [lot(1, "700", {1: (30, "400"), 2: (50, "380"), 3: (20, "150")}), lot(2, "90", {2: (5, "120")})]
    after = [lot(1, "700", {1: (30, "412.34"), 2: (50, "380"), 3: (20, "150")}), before[1]]
    # The same curve on both sides: the fitted elasticity would move with the estimate.
    a, b = rows(share_savings(before, elasticity=0.15)), rows(share_savings(after, elasticity=0.15))
    assert b[1].share_shapley - a[1].share_shapley == D("12.34")
    assert (b[2].share_shapley, b[3].share_shapley) == (a[2].share_shapley, a[3].share_shapley)


@given(st.integers(2, 6), st.data(), st.floats(0, 0.9))
def test_asking_for_more_volume_at_the_same_estimate_never_raises_the_shapley_share(players, data, elasticity):
    volumes = [data.draw(st.integers(1, 100)) for _ in range(players)]
    more = [volumes[0] + data.draw(st.integers(1, 100)), *volumes[1:]]
    # In money, not shares of a lot: the cost curve is fixed, and only authority 0's volume grows.
    scale = float(sum(more))
    cost = [shapley_exact(worth_table(game_of([[v / scale for v in vs]], [1000.0], elasticity)))[0]
            for vs in (volumes, more)]
    assert cost[1] >= cost[0] - 1e-9


# --- Sampling ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_sampled_estimate_is_within_a_few_standard_errors_of_the_exact_value(seed):
    rng = np.random.default_rng(seed)
    players = 8 + seed  # 9 to 11
    quantities = rng.lognormal(0, 1, size=(3, players)) * (rng.random((3, players)) < 0.8)
    quantities[:, 0] += 1  # every lot has someone
    game = game_of((quantities / quantities.sum(axis=1, keepdims=True)).tolist(),
                   rng.uniform(1e4, 1e6, size=3).tolist(), 0.2)
    exact = shapley_exact(worth_table(game))
    estimate, error = shapley_sampled(game, 2_000, seed)
    assert np.all(np.abs(estimate - exact) <= 4 * error + 1e-6)
    assert estimate.sum() == pytest.approx(exact.sum(), rel=1e-12)
    assert 0 < error.max() < 0.01 * np.abs(exact).max()


def test_the_sampled_sharing_is_close_to_the_exact_one_and_says_how_close():
    rng = np.random.default_rng(7)
    lots = []
    for lot_id in range(1, 4):
        demand = {a: (int(rng.integers(1, 500)), D(int(rng.integers(1_000, 100_000)))) for a in range(1, 11)}
        estimated = sum(e for _, e in demand.values())
        lots.append(lot(lot_id, (estimated * D("0.85")).quantize(PENNY), demand))
    exact = rows(share_savings(lots))
    sampled = share_savings(lots, exact_limit=5, samples=4_000, seed=3)
    assert sampled.method == "sampled" and sampled.samples == 4_000
    for row in sampled.authorities:
        assert abs(row.share_shapley - exact[row.organisation_id].share_shapley) <= 4 * row.shapley_error + PENNY
    assert share_savings(lots, exact_limit=5, samples=4_000, seed=3) == sampled  # the same for the same seed
    assert any("random orders" in line for line in explain(sampled))


# --- The curve ----------------------------------------------------------------------------------------------------

def test_the_elasticity_is_read_from_estimates_that_follow_a_power_law():
    # Unit estimates u_Q * (Q / q) ** 0.2, through an awarded unit price of 10.00 for the 100 units.
    demand = {a: (q, D(q * 10 * (100 / q) ** 0.2)) for a, q in enumerate((50, 30, 15, 5), start=1)}
    assert fitted_elasticity(lot(1, "1000", demand)) == pytest.approx(0.2, abs=1e-9)


def test_the_elasticity_is_zero_when_prices_came_above_the_estimates_and_capped_at_a_half():
    assert fitted_elasticity(lot(1, "1000", {1: (50, "400"), 2: (50, "450")})) == 0
    assert fitted_elasticity(lot(1, "10", {1: (50, "400"), 2: (50, "450")})) == 0.5
    assert fitted_elasticity(lot(1, "10", {1: (50, "400")})) == 0  # one buyer: the slope changes nothing


def test_a_lot_may_bring_its_own_curve_which_must_cost_the_price_for_the_whole_volume():
    lots = [lot(1, "100", {1: (1, "80"), 2: (1, "80")})]
    sharing = share_savings(lots, curves={1: lambda x: np.sqrt(x)})
    assert sharing.elasticities == {1: None} and sum(r.share_shapley for r in sharing.authorities) == D("60.00")
    with pytest.raises(ValueError, match="volume curve"):
        share_savings(lots, curves={1: lambda x: 2 * x})
    with pytest.raises(ValueError, match="elasticity"):
        power_law(1.0)


# --- Edge cases and rounding ------------------------------------------------------------------------------------

def test_no_lots_and_unawarded_lots_share_nothing():
    assert share_savings([]).authorities == () and share_savings([]).total == 0
    assert share_savings([lot(1, None, {1: (5, "50")})]).authorities == ()


def test_one_authority_gets_the_whole_saving_both_ways_even_a_negative_one():
    for price, saving in (("70", D("30.00")), ("130", D("-30.00"))):
        [only] = share_savings([lot(1, price, {5: (3, "100")})]).authorities
        assert only.share_shapley == only.share_proportional == only.savings == saving


def test_savings_per_authority_are_the_recommendation_packs():
    lots = [lot(1, "90", {10: (6, "60"), 11: (4, "40")}), lot(2, "500", {10: (1, "450")})]
    expected = {r.organisation_id: (r.baseline, r.awarded) for r in by_authority(lots)}
    assert {r.organisation_id: (r.baseline, r.awarded) for r in share_savings(lots).authorities} == expected


def test_the_odd_pennies_go_to_the_largest_remainders_and_never_to_a_null_player():
    third = D(10) / 3
    assert at_the_penny(D(10), {1: third, 2: third, 3: third, 4: D(0)}) == {
        1: D("3.34"), 2: D("3.33"), 3: D("3.33"), 4: D("0.00")}
    assert at_the_penny(D("-1"), {1: D("-0.335"), 2: D("-0.665")}) == {1: D("-0.33"), 2: D("-0.67")}
    # Parts that overshoot the total (floating point) give back pennies from the smallest remainders.
    assert at_the_penny(D("1.00"), {1: D("0.500000001"), 2: D("0.500000001")}) == {1: D("0.50"), 2: D("0.50")}


def test_proportional_sharing_splits_each_lots_saving_by_quantity():
    lots = [lot(1, "90", {1: (3, "60"), 2: (1, "40")}), lot(2, None, {1: (1, "99")})]
    assert proportional(lots) == {1: D("7.5"), 2: D("2.5")}


def test_the_explanation_names_both_ways_and_the_elasticity():
    lines = explain(share_savings([lot(1, "800", {1: (80, "1000"), 2: (20, "300")})]))
    text = " ".join(lines)
    assert "In proportion to demand" in text and "Shapley" in text and "elasticity of 0." in text
    assert "no group of authorities could have saved more" in text
