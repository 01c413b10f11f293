"""The award problem in plain data, the rules every award must keep, and the one definition of value.

An offer is a single-lot bid or a bundle (one price for several lots, won whole or not at all). Its value is the
sum of the MEAT totals of the lots it covers (quality + price score per lot, with a bundle's price used for the
price scores): the same scores that rank each lot, so that the award and the rankings never disagree.
"""
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(frozen=True)
class Lot:
    id: int
    number: int
    max_awards: int = 1
    quality_threshold: Decimal = ZERO  # an offer whose quality on this lot is below this cannot win it
    # The authorities whose budgets this lot draws on, each with its share of the lot (shares sum to 1).
    budget_shares: Mapping[int, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Offer:
    id: int
    supplier_id: int
    sme: bool
    price: Decimal
    lot_ids: tuple[int, ...]
    meat: Mapping[int, Decimal]  # lot id → MEAT total of this offer on that lot
    quality: Mapping[int, Decimal] = field(default_factory=dict)  # lot id → quality score on that lot

    @property
    def is_bundle(self) -> bool:
        return len(self.lot_ids) > 1


@dataclass(frozen=True)
class Rules:
    max_lots_per_supplier: int | None = None
    min_sme_share: Decimal = ZERO  # of the awarded price
    budgets: Mapping[int, Decimal] = field(default_factory=dict)  # authority id → the most it may spend


@dataclass(frozen=True)
class Problem:
    lots: Sequence[Lot]
    offers: Sequence[Offer]
    rules: Rules = Rules()


def value(offer: Offer) -> Decimal:
    """The value of an offer: the sum of its MEAT totals over the lots it covers. Defined here and only here."""
    return sum((offer.meat[lot_id] for lot_id in offer.lot_ids), ZERO)


def lot_price(offer: Offer, lot_id: int) -> Decimal:
    """The part of an offer's price that falls on one lot: all of it for a single-lot bid; for a bundle, split
    equally between its lots (the bundle's price has no finer breakdown)."""
    return offer.price / len(offer.lot_ids)


def spend(chosen: Sequence[Offer], lots: Mapping[int, Lot]) -> dict[int, Decimal]:
    """What an award may cost each authority: on each lot, its share of the dearest winner's price there (with
    several suppliers on a lot it may have to call off from any of them), summed over the lots."""
    dearest: dict[int, Decimal] = {}
    for offer in chosen:
        for lot_id in offer.lot_ids:
            dearest[lot_id] = max(dearest.get(lot_id, ZERO), lot_price(offer, lot_id))
    total: dict[int, Decimal] = {}
    for lot_id, price in dearest.items():
        for authority, share in lots[lot_id].budget_shares.items():
            total[authority] = total.get(authority, ZERO) + price * share
    return total


def compliant(offer: Offer, lots: Mapping[int, Lot]) -> bool:
    """An offer can win only if it meets every lot's quality threshold."""
    return all(offer.quality.get(lot_id, ZERO) >= lots[lot_id].quality_threshold for lot_id in offer.lot_ids)


def violations(problem: Problem, chosen: Sequence[Offer]) -> list[str]:
    """Every rule an award breaks, in words; empty for a valid award."""
    lots = {lot.id: lot for lot in problem.lots}
    found = []
    for lot in problem.lots:
        winners = [o for o in chosen if lot.id in o.lot_ids]
        if len(winners) > lot.max_awards:
            found.append(f"lot {lot.number} has {len(winners)} winners; at most {lot.max_awards}")
        suppliers = [o.supplier_id for o in winners]
        if len(suppliers) != len(set(suppliers)):
            found.append(f"a supplier holds two offers on lot {lot.number}")
    for offer in chosen:
        if not compliant(offer, lots):
            found.append(f"offer {offer.id} is below a lot's quality threshold")
    limit = problem.rules.max_lots_per_supplier
    if limit is not None:
        held: dict[int, int] = {}
        for offer in chosen:
            held[offer.supplier_id] = held.get(offer.supplier_id, 0) + len(offer.lot_ids)
        found += [f"supplier {s} wins {n} lots; at most {limit}" for s, n in held.items() if n > limit]
    spent = spend(chosen, lots)
    for authority, budget in problem.rules.budgets.items():
        if spent.get(authority, ZERO) > budget * (1 + Decimal("1e-9")):
            found.append(f"authority {authority} may spend {spent[authority]:.2f}; its budget is {budget:.2f}")
    total = sum((o.price for o in chosen), ZERO)
    sme = sum((o.price for o in chosen if o.sme), ZERO)
    if total > 0 and sme < problem.rules.min_sme_share * total * (1 - Decimal("1e-9")):
        found.append(f"the SME share is {sme / total:.1%}; at least {problem.rules.min_sme_share:.1%}")
    return found


def unfilled(problem: Problem, chosen: Sequence[Offer]) -> list[int]:
    """The lots left without a winner although some compliant offer covers them."""
    lots = {lot.id: lot for lot in problem.lots}
    coverable = {lot_id for o in problem.offers if compliant(o, lots) for lot_id in o.lot_ids}
    won = {lot_id for o in chosen for lot_id in o.lot_ids}
    return sorted(lot_id for lot_id in coverable if lot_id not in won)
