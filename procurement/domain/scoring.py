"""Scoring the most advantageous tender: quality by criterion, price by the published formula, totals and ranks.

Pure functions over plain data, in Decimal throughout; rounding is for display only.

- Quality per criterion = score / max score * weight, where the score is the moderated score if there is one,
  else the mean of the evaluators' scores.
- Price, by the lot's formula, never below 0: `relative` = lowest / price * weight and `linear` =
  max(0, 1 - (price - lowest) / lowest) * weight (both give the lowest price the full weight, and both depend on
  the other bids); `absolute` = max(0, 1 - price / budget) * weight (each bid against the budget alone).
- Total = quality + price. Rank 1 is the highest total; ties go to the higher quality, then the earlier
  submission, then the lower bid id (so that a rank is never shared and never depends on the order of input).

A lot is ranked in O(n log n) of its n bids, the rank-reversal check included (see `rank_reversals`).
"""
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

ZERO = Decimal(0)
ONE = Decimal(1)


def relative(price: Decimal, lowest: Decimal, budget: Decimal, weight: Decimal) -> Decimal:
    return lowest / price * weight


def linear(price: Decimal, lowest: Decimal, budget: Decimal, weight: Decimal) -> Decimal:
    return max(ZERO, ONE - (price - lowest) / lowest) * weight


def absolute(price: Decimal, lowest: Decimal, budget: Decimal, weight: Decimal) -> Decimal:
    """Each price against the lot's budget alone, so that no bid ever moves another's score."""
    return max(ZERO, ONE - price / budget) * weight


PriceFormula = Callable[[Decimal, Decimal, Decimal, Decimal], Decimal]
PRICE_FORMULAS: Mapping[str, PriceFormula] = {"relative": relative, "linear": linear, "absolute": absolute}


@dataclass(frozen=True)
class Criterion:
    id: int
    weight: Decimal
    max_score: Decimal


@dataclass(frozen=True)
class Offer:
    bid_id: int
    supplier_id: int
    price: Decimal
    submitted_at: datetime


@dataclass(frozen=True)
class Scored:
    bid_id: int
    supplier_id: int
    price: Decimal
    quality: Decimal
    price_score: Decimal
    total: Decimal
    rank: int
    complete: bool  # every criterion has a score (moderated or by at least one evaluator)


def agreed_score(evaluator_scores: Sequence[Decimal], moderated: Decimal | None) -> Decimal | None:
    """The score that counts for one answer: the moderated one if set, else the evaluators' mean."""
    if moderated is not None:
        return moderated
    if not evaluator_scores:
        return None
    return sum(evaluator_scores, ZERO) / len(evaluator_scores)


def quality_points(score: Decimal, criterion: Criterion) -> Decimal:
    return score / criterion.max_score * criterion.weight


def price_points(formula: str, prices: Sequence[Decimal], budget: Decimal, weight: Decimal) -> list[Decimal]:
    """Every offer's price score under the formula, given all the offers' prices."""
    if not prices:
        return []
    lowest = min(prices)
    function = PRICE_FORMULAS[formula]
    return [function(price, lowest, budget, weight) for price in prices]


def price_points_beside(formula: str, lowest: Decimal | None, price: Decimal, budget: Decimal,
                        weight: Decimal) -> Decimal:
    """The price score of one more offer at `price`, beside offers whose lowest price is `lowest` (None: no
    others): what `price_points` gives the last of their prices and this one, without scoring the others again."""
    if lowest is None or price < lowest:  # as min() would: the first lowest, unless this one is strictly lower
        lowest = price
    return PRICE_FORMULAS[formula](price, lowest, budget, weight)


def spread(scores: Sequence[Decimal]) -> Decimal:
    return max(scores) - min(scores) if scores else ZERO


def spread_is_wide(scores: Sequence[Decimal], max_score: Decimal, fraction: Decimal) -> bool:
    """Evaluators disagree by more than the set fraction of the scale: the answer needs moderation."""
    return len(scores) > 1 and spread(scores) > fraction * max_score


def rank(offers: Sequence[Offer], criteria: Sequence[Criterion],
         scores: Mapping[tuple[int, int], Decimal | None], formula: str, budget: Decimal,
         price_weight: Decimal) -> list[Scored]:
    """Score and rank a lot's offers. `scores` maps (bid id, criterion id) to the agreed score (or None)."""
    prices = price_points(formula, [o.price for o in offers], budget, price_weight)
    rows = []
    for offer, price_score in zip(offers, prices, strict=True):
        agreed = [scores.get((offer.bid_id, c.id)) for c in criteria]
        quality = sum((quality_points(s, c) for s, c in zip(agreed, criteria, strict=True) if s is not None), ZERO)
        rows.append((offer, quality, price_score, quality + price_score, all(s is not None for s in agreed)))
    rows.sort(key=lambda r: (-r[3], -r[1], r[0].submitted_at, r[0].bid_id))
    return [Scored(o.bid_id, o.supplier_id, o.price, q, p, t, position, complete)
            for position, (o, q, p, t, complete) in enumerate(rows, start=1)]


def rank_reversals(offers: Sequence[Offer], criteria: Sequence[Criterion],
                   scores: Mapping[tuple[int, int], Decimal | None], formula: str, budget: Decimal,
                   price_weight: Decimal, ranked: Sequence[Scored] | None = None) -> list[int]:
    """The bids whose removal would change the order of the others (a known flaw of relative price formulas).

    `ranked` is `rank` of the same arguments, if the caller has it already. A price formula sees the other bids
    only through the lowest price, and a bid's quality is its own: removing a bid leaves every other total as it
    was unless the lowest price leaves with it, and then the others keep their order (the ranking's key orders
    them the same with or without it). So only the bid that alone holds the lowest price can reverse ranks, and
    only it is tried: two rankings in all, where trying every bid would be n + 1 of them.
    """
    full = [s.bid_id for s in (ranked if ranked is not None else
                               rank(offers, criteria, scores, formula, budget, price_weight))]
    holder = _sole_lowest_bid(offers)
    if holder is None:
        return []
    rest = [o for o in offers if o.bid_id != holder]
    order = [s.bid_id for s in rank(rest, criteria, scores, formula, budget, price_weight)]
    if order == [b for b in full if b != holder]:
        return []
    return [o.bid_id for o in offers if o.bid_id == holder]


def _sole_lowest_bid(offers: Sequence[Offer]) -> int | None:
    """The bid whose removal would raise the lowest price: the only one offering it (None if two bids do)."""
    if not offers:
        return None
    lowest = min(o.price for o in offers)
    holders = {o.bid_id for o in offers if o.price == lowest}
    return holders.pop() if len(holders) == 1 else None
