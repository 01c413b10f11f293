"""The baseline: lot by lot, the best-ranked compliant single-lot offer, keeping the limits in the order met."""
from collections.abc import Sequence
from decimal import Decimal

from procurement.domain.award.model import ZERO, Offer, Problem, compliant, spend, value


def greedy(problem: Problem) -> list[Offer]:
    lots = {lot.id: lot for lot in problem.lots}
    limit = problem.rules.max_lots_per_supplier
    held: dict[int, int] = {}
    chosen: list[Offer] = []
    budgets = problem.rules.budgets
    for lot in sorted(problem.lots, key=lambda lot: lot.number):
        ranked = sorted((o for o in problem.offers if o.lot_ids == (lot.id,) and compliant(o, lots)),
                        key=lambda o: (-o.meat[lot.id], o.id))
        winners: list[Offer] = []
        for offer in ranked:
            if len(winners) == lot.max_awards:
                break
            if any(w.supplier_id == offer.supplier_id for w in winners):
                continue
            if limit is not None and held.get(offer.supplier_id, 0) >= limit:
                continue
            if budgets:
                after = spend([*chosen, *winners, offer], lots)
                if any(after.get(a, ZERO) > budget for a, budget in budgets.items()):
                    continue
            winners.append(offer)
            held[offer.supplier_id] = held.get(offer.supplier_id, 0) + 1
        chosen += winners
    return chosen


def total_value(chosen: Sequence[Offer]) -> Decimal:
    return sum((value(o) for o in chosen), ZERO)
