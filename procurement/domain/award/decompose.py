"""Split an award problem into independent parts that can be solved one by one.

Two lots belong to the same part when a row of the model could tie their offers together:
- an offer covering several lots (a bundle is won whole or not at all);
- a supplier's lot-limit row, when the supplier's compliant offers cover more lots than the limit (otherwise the
  limit can never bind and the model has no such row);
- an authority's budget row, when it could bind: its budget is below the sum, over the lots it draws on, of its
  share of the dearest compliant price on the lot (otherwise no award can exceed it, so the row is dropped);
- the minimum SME share, which ties every lot with a compliant offer together, unless every compliant offer is from
  an SME (then the row always holds).
Rules left out with `exclude_rules` join nothing. Lots no compliant offer covers belong to no part: the model has
nothing to decide for them.

Because the parts share no row, the best award is the union of each part's best award: the fewest unfilled lots
overall is the sum of each part's fewest, and the most value among those is the sum of each part's most.
"""
from collections import defaultdict
from collections.abc import Mapping

from procurement.domain.award.model import ZERO, Lot, Offer, Problem, Rules, compliant, lot_price


def binding_budgets(lots: Mapping[int, Lot], offers: list[Offer], rules: Rules) -> dict[int, object]:
    """The budgets that some award could exceed; any other budget always holds and needs no row."""
    dearest: dict[int, object] = {}
    for offer in offers:
        for lot_id in offer.lot_ids:
            price = lot_price(offer, lot_id)
            if price > dearest.get(lot_id, ZERO):
                dearest[lot_id] = price
    binding = {}
    for authority, budget in rules.budgets.items():
        most = sum((dearest[lot_id] * lots[lot_id].budget_shares[authority] for lot_id in dearest
                    if authority in lots[lot_id].budget_shares), ZERO)
        if most > budget:
            binding[authority] = budget
    return binding


def components(problem: Problem, exclude_rules: frozenset[str] = frozenset()) -> list[Problem]:
    """The independent parts of a problem, each a Problem of its own (its lots, its compliant offers, the rules
    that act on it), smallest first. One part means the problem does not split."""
    lots = {lot.id: lot for lot in problem.lots}
    offers = [o for o in problem.offers if compliant(o, lots)]
    parent: dict[int, int] = {lot_id: lot_id for o in offers for lot_id in o.lot_ids}

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def join(lot_ids) -> None:
        lot_ids = iter(lot_ids)
        first = next(lot_ids, None)
        if first is None:
            return
        root = find(first)
        for other in lot_ids:
            other_root = find(other)
            if other_root != root:
                parent[other_root] = root

    for offer in offers:
        if offer.is_bundle:
            join(offer.lot_ids)
    rules = problem.rules
    limit = rules.max_lots_per_supplier
    if limit is not None and "lot_limit" not in exclude_rules:
        held: dict[int, set[int]] = defaultdict(set)
        for offer in offers:
            held[offer.supplier_id].update(offer.lot_ids)
        for covered in held.values():
            if len(covered) > limit:
                join(covered)
    budgets = binding_budgets(lots, offers, rules) if "budget" not in exclude_rules else {}
    for authority in budgets:
        join(lot_id for lot_id in parent if authority in lots[lot_id].budget_shares)
    sme_binds = rules.min_sme_share > 0 and "sme_share" not in exclude_rules and not all(o.sme for o in offers)
    if sme_binds:
        join(list(parent))
    groups: dict[int, list[int]] = defaultdict(list)
    for lot_id in parent:
        groups[find(lot_id)].append(lot_id)
    if len(groups) <= 1:
        return [problem]
    offers_of: dict[int, list[Offer]] = defaultdict(list)
    for offer in offers:
        offers_of[find(offer.lot_ids[0])].append(offer)
    parts = []
    for root, lot_ids in groups.items():
        members = set(lot_ids)
        part_budgets = {a: b for a, b in budgets.items()
                        if any(a in lots[lot_id].budget_shares for lot_id in members)}
        part_rules = Rules(limit, rules.min_sme_share if sme_binds else ZERO, part_budgets)
        parts.append(Problem([lot for lot in problem.lots if lot.id in members], offers_of[root], part_rules))
    parts.sort(key=lambda part: len(part.offers))
    return parts
