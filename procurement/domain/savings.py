"""Savings against the authorities' own estimates.

An authority's baseline on a lot is what it estimated its requirements would cost bought alone; what it pays
is its share (by quantity) of the lot's awarded price. Where a lot has several winners an authority may call off
from any of them, so the awarded price of a lot is its dearest winning price: the saving is not overstated.
"""
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(frozen=True)
class LotOutcome:
    lot_id: int
    awarded_price: Decimal | None  # None: the lot was not awarded
    estimates: dict[int, Decimal]  # authority id → its estimated value of its requirements on the lot
    shares: dict[int, Decimal]  # authority id → its share of the lot's quantity


@dataclass(frozen=True)
class AuthoritySavings:
    organisation_id: int
    baseline: Decimal
    awarded: Decimal

    @property
    def savings(self) -> Decimal:
        return self.baseline - self.awarded


def by_authority(lots: list[LotOutcome]) -> list[AuthoritySavings]:
    """Each authority's baseline, awarded price and saving over the awarded lots (unawarded lots count for none)."""
    baseline: dict[int, Decimal] = defaultdict(lambda: ZERO)
    awarded: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for lot in lots:
        if lot.awarded_price is None:
            continue
        for authority, estimate in lot.estimates.items():
            baseline[authority] += estimate
            awarded[authority] += lot.awarded_price * lot.shares.get(authority, ZERO)
    return [AuthoritySavings(org, baseline[org], awarded[org]) for org in sorted(baseline)]


def dearest_prices(awards: list[tuple[int, Decimal]]) -> dict[int, Decimal]:
    """Per lot, the dearest awarded price, from (lot id, price) pairs."""
    prices: dict[int, Decimal] = {}
    for lot_id, price in awards:
        prices[lot_id] = max(price, prices.get(lot_id, price))
    return prices
