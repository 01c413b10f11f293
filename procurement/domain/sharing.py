"""Shared savings: the framework's total saving shared between its authorities, in proportion to demand and by
the Shapley value.

An authority's baseline on a lot is its own estimate of its requirements; what it pays is its share (by quantity)
of the lot's awarded price; its saving is the difference (as in `savings.by_authority`, and unawarded lots count
for none). The framework's total saving, Σ baselines - Σ awarded prices, is then shared two ways.

**In proportion to demand.** Each lot's saving (its authorities' estimates less its awarded price) is split by
each authority's share of the lot's quantity, the same share by which it pays the price, and added up over the
lots. Quantity is the measure because it is what a supplier prices; units differ between lots, so the split is
made lot by lot and never across them.

**By the Shapley value** of the game in which each coalition S of authorities buys its pooled demand alone:

    v(S) = Σ_lots [ Σ_{i∈S} b_i - P · f(q_S / Q) ]

where b_i is authority i's estimate on the lot, q_S the coalition's volume there, Q the lot's whole volume, P its
awarded price and f the lot's *volume curve*: the fraction of the awarded price that a fraction of the volume
would cost. f(0) = 0 and f(1) = 1, so a coalition with no volume on a lot pays nothing there and the grand
coalition pays exactly the awarded price: v(all) is the framework's total saving, whatever the curve.

**The curve.** The bids price one volume only, the pooled one, so they fix the curve at Q and say nothing of its
slope. The default is a power law, unit price u(q) = (P / Q) · (Q / q) ** e, that is f(x) = x ** (1 - e), with
the volume elasticity e ≥ 0 fitted per lot to the only prices for other volumes the app holds: the authorities'
own estimates, each what one authority expected to pay for its own volume bought alone. e is the least-squares
slope, through the bid's point, of log(estimated unit price / awarded unit price) against log(Q / q_i), clamped
to [0, 0.5] (0 where the estimates are below the price; 0.5 means a unit price 41% dearer at half the volume, the
cap stopping one outlying estimate from making the curve absurd). With e = 0 prices are linear in volume. The
caller may pass its own elasticity or any curve instead (`curves`, `elasticity`).

With e in [0, 1) the cost P · f(q_S / Q) is concave in the coalition's volume, so the game is convex: the Shapley
value is in the core, and no group of authorities could have saved more by buying apart.

**When the two agree.** With linear prices (e = 0) the game is additive, v(S) = Σ_{i∈S} (b_i - s_i P) per lot with
s_i = q_i / Q, so each authority's Shapley share is exactly its own saving, b_i - s_i P. Proportional sharing
gives s_i (Σ_j b_j - P). They coincide when every authority's estimate is its quantity share of the lot's
estimated value (all estimated the same unit price) — more precisely, when Σ_lots (b_i - s_i Σ_j b_j) = 0 for
every authority. Otherwise the difference between them is the estimates' differences, not the volume discount.

**Computing it.** The Shapley value is linear in the game, so each lot's part is computed over the authorities
with demand on that lot only (the others are null players there), and lots with the same authorities are summed
into one game first. A group of at most `exact_limit` (20) authorities is solved exactly over all 2^n coalitions
(bitmask tables in numpy, O(n · 2^n), 8 MB an array at n = 20); a larger one by sampling orders of arrival, each
with its reverse (antithetic pairs), which gives a standard error per authority. The estimates sum exactly to the
total in every sample, since each order shares out all of it. 20,000 orders by default: for 34 authorities on 20
lots about half a second, and a standard error about 0.1% of the mean share (see benchmarks/shapley.py).

Money is Decimal. The games are played in floating point (errors far below a penny); the shares are then put at
the penny by the largest remainders so that they add up exactly to the total at the penny (a share of exactly
nothing never takes an odd penny); standard errors are rounded up to the penny.
"""
import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_UP, Decimal

import numpy as np

from procurement.domain.savings import LotOutcome

ZERO = Decimal(0)
PENNY = Decimal("0.01")
MAX_ELASTICITY = 0.5
LARGEST_EXACT = 24  # 2^24 coalitions: 128 MB an array, the most an exact game may take here
DEFAULT_SAMPLES = 20_000

# The fraction of a lot's awarded price that fractions of its volume would cost, element by element.
VolumeCurve = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class AuthorityShare:
    organisation_id: int
    baseline: Decimal  # its own estimates, on the awarded lots
    awarded: Decimal  # its share (by quantity) of the awarded prices
    share_proportional: Decimal  # of the total saving, at the penny
    share_shapley: Decimal  # of the total saving, at the penny
    shapley_error: Decimal | None  # the sampled estimate's standard error; None where the share is exact

    @property
    def savings(self) -> Decimal:
        return self.baseline - self.awarded


@dataclass(frozen=True)
class Sharing:
    authorities: tuple[AuthorityShare, ...]
    total: Decimal  # the framework's saving: Σ baselines - Σ awarded prices
    method: str  # "exact", or "sampled" when any lot had more than `exact_limit` authorities
    samples: int  # orders of arrival drawn for each sampled game (0 when exact)
    elasticities: Mapping[int, float | None]  # lot id → the power law's elasticity used (None: a caller's curve)


@dataclass(frozen=True, eq=False)
class VolumeGame:
    """What coalitions of n authorities would pay: Σ_lots price · curve(the coalition's fraction of the volume)."""
    shares: np.ndarray  # lots x authorities: each authority's fraction of each lot's volume (rows sum to 1)
    prices: np.ndarray  # lots: the awarded prices
    curves: tuple[VolumeCurve, ...]  # lots: each lot's volume curve

    @property
    def players(self) -> int:
        return self.shares.shape[1]


def power_law(elasticity: float) -> VolumeCurve:
    """The curve of a constant volume elasticity: a fraction x of the volume costs x ** (1 - e) of the price."""
    if not 0 <= elasticity < 1:
        # At e ≥ 1 buying more would cost less in total, which no price list does.
        raise ValueError("A volume elasticity must be at least 0 and below 1.")
    exponent = 1.0 - elasticity
    return lambda fraction: np.power(np.clip(fraction, 0.0, None), exponent)


def _volume_shares(lot: LotOutcome) -> dict[int, Decimal]:
    """Each authority's fraction of the lot's volume, summing to 1 (equal fractions if the lot has no volume)."""
    total = sum(lot.shares.get(a, ZERO) for a in lot.estimates)
    if not lot.estimates:
        return {}
    if total == 0:
        return {a: Decimal(1) / len(lot.estimates) for a in lot.estimates}
    return {a: lot.shares.get(a, ZERO) / total for a in lot.estimates}


def fitted_elasticity(lot: LotOutcome) -> float:
    """The volume elasticity the authorities' own estimates imply, through the awarded price (see the module)."""
    shares = _volume_shares(lot)
    if lot.awarded_price is None or lot.awarded_price <= 0:
        return 0.0
    price = float(lot.awarded_price)
    points = [(-math.log(float(s)), math.log(float(lot.estimates[a]) / (price * float(s))))
              for a, s in shares.items() if s > 0 and lot.estimates[a] > 0]
    spread = sum(x * x for x, _ in points)
    if spread == 0:  # one authority has all the volume: the curve's slope makes no difference
        return 0.0
    slope = sum(x * y for x, y in points) / spread
    return min(max(slope, 0.0), MAX_ELASTICITY)


def coalition_volumes(shares: np.ndarray) -> np.ndarray:
    """The volume of every coalition, indexed by bitmask (bit i: authority i is in), built by doubling."""
    volumes = np.zeros(1)
    for share in shares:
        volumes = np.concatenate([volumes, volumes + share])
    return volumes


def coalition_sizes(players: int) -> np.ndarray:
    """The number of authorities in every coalition, indexed by bitmask."""
    sizes = np.zeros(1, dtype=np.int64)
    for _ in range(players):
        sizes = np.concatenate([sizes, sizes + 1])
    return sizes


def worth_table(game: VolumeGame) -> np.ndarray:
    """What every coalition would pay, indexed by bitmask (the empty coalition pays 0)."""
    cost = np.zeros(1 << game.players)
    for shares, price, curve in zip(game.shares, game.prices, game.curves, strict=True):
        cost += price * curve(coalition_volumes(shares))
    return cost


def shapley_exact(worth: np.ndarray) -> np.ndarray:
    """The Shapley value of the game whose worth of every coalition is given, indexed by bitmask."""
    players = worth.size.bit_length() - 1
    if worth.size != 1 << players:
        raise ValueError("A game's table needs one worth for each of the 2^n coalitions.")
    sizes = coalition_sizes(players)
    # |S|!(n - |S| - 1)!/n!, the chance that exactly S comes before i in a random order of arrival.
    weights = np.array([1.0 / (players * math.comb(players - 1, s)) for s in range(players)])
    value = np.empty(players)
    for i in range(players):
        # Reshaped so that the middle axis is i's bit: [:, 0, :] are the coalitions without i, [:, 1, :] with.
        table = worth.reshape(-1, 2, 1 << i)
        without = sizes.reshape(-1, 2, 1 << i)[:, 0, :].ravel()
        gains = (table[:, 1, :] - table[:, 0, :]).ravel()
        value[i] = weights @ np.bincount(without, weights=gains, minlength=players)
    return value


def _marginals(game: VolumeGame, orders: np.ndarray) -> np.ndarray:
    """What each authority adds to the cost, joining in each order of arrival (orders x authorities)."""
    rows = np.arange(orders.shape[0])[:, None]
    added = np.zeros(orders.shape)
    for shares, price, curve in zip(game.shares, game.prices, game.curves, strict=True):
        cost = price * curve(np.cumsum(shares[orders], axis=1))
        added[rows, orders] += np.diff(cost, axis=1, prepend=0.0)
    return added


def shapley_sampled(game: VolumeGame, samples: int = DEFAULT_SAMPLES,
                    seed: int | np.random.Generator = 0) -> tuple[np.ndarray, np.ndarray]:
    """The Shapley value of the cost game estimated from random orders of arrival, and each one's standard error."""
    pairs = max(2, (samples + 1) // 2)
    rng = np.random.default_rng(seed)
    players = game.players
    means = np.empty((pairs, players))
    chunk = max(1, 2 ** 20 // max(players, 1))  # about 8 MB of marginals at a time
    for start in range(0, pairs, chunk):
        count = min(chunk, pairs - start)
        orders = np.argsort(rng.random((count, players)), axis=1)
        # An order and its reverse are a pair: early joiners' high costs are set against late joiners' low ones.
        means[start:start + count] = (_marginals(game, orders) + _marginals(game, orders[:, ::-1])) / 2
    return means.mean(axis=0), means.std(axis=0, ddof=1) / math.sqrt(pairs)


def at_the_penny(total: Decimal, parts: Mapping[int, Decimal]) -> dict[int, Decimal]:
    """The parts in pennies, adding up exactly to the total at the penny: leftover pennies to the largest remainders."""
    target = total.quantize(PENNY, ROUND_HALF_EVEN)
    floors = {k: p.quantize(PENNY, ROUND_FLOOR) for k, p in parts.items()}
    left = int((target - sum(floors.values(), ZERO)) / PENNY)
    # A part of exactly nothing (a null player) never takes a penny; ties go to the larger part, then the lower id.
    order = sorted((k for k in parts if parts[k] != 0), key=lambda k: (floors[k] - parts[k], -parts[k], k))
    if left and not order:
        raise ValueError("Nothing to share a non-zero total by.")
    rounded = dict(floors)
    if left < 0:
        order.reverse()
    each, extra = divmod(abs(left), len(order)) if order else (0, 0)
    step = PENNY if left > 0 else -PENNY
    for position, k in enumerate(order):
        rounded[k] += step * (each + (1 if position < extra else 0))
    return rounded


def proportional(lots: Sequence[LotOutcome]) -> dict[int, Decimal]:
    """Each lot's saving split by the authorities' shares of its quantity, summed over the lots (not rounded)."""
    parts: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for lot in lots:
        if lot.awarded_price is None:
            continue
        saving = sum(lot.estimates.values(), ZERO) - lot.awarded_price
        for authority, share in _volume_shares(lot).items():
            parts[authority] += share * saving
    return dict(parts)


def _curve(lot: LotOutcome, curves: Mapping[int, VolumeCurve],
           elasticity: float | None) -> tuple[VolumeCurve, float | None]:
    if lot.lot_id in curves:
        curve = curves[lot.lot_id]
        ends = curve(np.array([0.0, 1.0]))
        if not np.allclose(ends, [0.0, 1.0], atol=1e-12):
            raise ValueError(f"Lot {lot.lot_id}'s volume curve must cost nothing at no volume and the price at all.")
        return curve, None
    used = fitted_elasticity(lot) if elasticity is None else float(elasticity)
    return power_law(used), used


def share_savings(lots: Sequence[LotOutcome], *, curves: Mapping[int, VolumeCurve] | None = None,
                  elasticity: float | None = None, exact_limit: int = 20, samples: int = DEFAULT_SAMPLES,
                  seed: int = 0) -> Sharing:
    """Each authority's baseline, awarded price and saving, and its share of the total saving both ways."""
    if exact_limit > LARGEST_EXACT:
        raise ValueError(f"Exact Shapley values are limited to {LARGEST_EXACT} authorities a lot.")
    awarded_lots = [lot for lot in lots if lot.awarded_price is not None and lot.estimates]
    baseline: dict[int, Decimal] = defaultdict(lambda: ZERO)
    awarded: dict[int, Decimal] = defaultdict(lambda: ZERO)
    groups: dict[tuple[int, ...], list[tuple[LotOutcome, dict[int, Decimal], VolumeCurve]]] = defaultdict(list)
    elasticities: dict[int, float | None] = {}
    for lot in awarded_lots:
        shares = _volume_shares(lot)
        for authority, estimate in lot.estimates.items():
            baseline[authority] += estimate
            awarded[authority] += lot.awarded_price * shares[authority]
        curve, elasticities[lot.lot_id] = _curve(lot, curves or {}, elasticity)
        # Only the authorities with volume play the lot's cost game: for the others it costs nothing either way.
        groups[tuple(sorted(a for a, s in shares.items() if s > 0))].append((lot, shares, curve))
    authorities = sorted(baseline)
    total = sum(baseline.values(), ZERO) - sum((lot.awarded_price for lot in awarded_lots), ZERO)

    cost: dict[int, float] = defaultdict(float)
    variance: dict[int, float] = defaultdict(float)
    sampled = False
    rng = np.random.default_rng(seed)
    for players, members in sorted(groups.items()):
        game = VolumeGame(np.array([[float(shares[a]) for a in players] for _, shares, _ in members]),
                          np.array([float(lot.awarded_price) for lot, _, _ in members]),
                          tuple(curve for _, _, curve in members))
        if len(players) <= exact_limit:
            value, error = shapley_exact(worth_table(game)), np.zeros(len(players))
        else:
            value, error = shapley_sampled(game, samples, rng)
            sampled = True
        for authority, paid, spread in zip(players, value, error, strict=True):
            cost[authority] += float(paid)
            variance[authority] += float(spread) ** 2

    shapley = at_the_penny(total, {a: baseline[a] - Decimal(cost[a]) for a in authorities})
    by_demand = at_the_penny(total, proportional(awarded_lots))
    rows = tuple(AuthorityShare(a, baseline[a], awarded[a], by_demand.get(a, ZERO), shapley[a],
                                Decimal(math.sqrt(variance[a])).quantize(PENNY, ROUND_UP) if sampled else None)
                 for a in authorities)
    return Sharing(rows, total, "sampled" if sampled else "exact", samples if sampled else 0, elasticities)


def explain(sharing: Sharing) -> list[str]:
    """How the shares were worked out, in plain words, for the page."""
    lines = [
        "Each authority's saving is what it estimated its requirements would cost less its share, by quantity, "
        "of the prices awarded. Together they make the framework's total saving, which is shared out two ways.",
        "In proportion to demand: each lot's saving is split by how much of the lot each authority buys, and the "
        "lots are added up. An authority that estimated a dearer unit price than the others still gets only its "
        "quantity's share of the lot's saving.",
        "By the Shapley value: imagine the authorities joining the framework one at a time, in every possible "
        "order. Each time one joins, the group's saving grows by what it brings: its own estimate, less what it "
        "costs to add its volume to the others' at the price the bids imply for the bigger volume. Its Shapley "
        "share is what it brings, averaged over all the orders. Because more volume buys at a lower unit price, "
        "an authority whose volume earns the others a discount is credited with it. These shares add up to the "
        "total, authorities in the same position get the same, and one with no demand gets nothing.",
    ]
    fitted = sorted(e for e in sharing.elasticities.values() if e is not None)
    if fitted and len(fitted) == len(sharing.elasticities):
        # A power law's cost is concave in volume, so the game is convex and the Shapley value in its core.
        lines[-1] += " And no group of authorities could have saved more by buying on its own."
    if fitted:
        low, high = fitted[0], fitted[-1]
        span = f"{low:.2f}" if high - low < 0.005 else f"{low:.2f} to {high:.2f}"
        lines.append(
            "The bids price only the pooled volume, so the price of a smaller volume is read from the authorities' "
            "own estimates: the unit price rises as the volume falls, by a power law with an elasticity of "
            f"{span} (0 would mean the same unit price at any volume). With the same unit price at any volume the "
            "Shapley share would be each authority's own saving.")
    if sharing.method == "sampled":
        lines.append(
            f"Some lots have too many authorities for every order to be counted, so their Shapley shares are "
            f"estimated from {sharing.samples:,} random orders; the ± beside a share is its standard error (about "
            "two in three estimates fall within one of it of the exact share).")
    return lines
