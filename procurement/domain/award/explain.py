"""The award explained in words: for each lot the winner, the runner-up and why it lost; which rules bind.

Every claim is checked by solving again: a rule binds when dropping it would give a better award, and a
runner-up's reason is found by forcing it into the award and seeing what that costs or breaks.
"""
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from procurement.domain.award.model import ZERO, Offer, Problem, compliant, value
from procurement.domain.award.solver import Result, solve

RULES = {"max_awards": "the number of winners a lot may have", "lot_limit": "the lot limit per supplier",
         "budget": "the authorities' budgets", "sme_share": "the minimum SME share"}


@dataclass(frozen=True)
class LotExplanation:
    lot_id: int
    number: int
    winners: list[Offer]
    runner_up: Offer | None
    reason: str

    def as_text(self, names: dict[int, str]) -> str:
        if not self.winners:
            return f"Lot {self.number}: no winner. {self.reason}"
        who = ", ".join(names.get(w.supplier_id, f"supplier {w.supplier_id}") + (" (bundle)" if w.is_bundle else "")
                        for w in self.winners)
        if self.runner_up is None:
            return f"Lot {self.number}: won by {who}; no other compliant offer."
        runner = names.get(self.runner_up.supplier_id, f"supplier {self.runner_up.supplier_id}")
        return f"Lot {self.number}: won by {who}. Runner-up {runner}: {self.reason}"


@dataclass(frozen=True)
class Explanation:
    lots: list[LotExplanation]
    binding: dict[str, Decimal]  # rule → how much value the award would gain without it


def _better(a: Result, b: Result) -> bool:
    return (len(a.unfilled), -a.value) < (len(b.unfilled), -b.value)


def binding_rules(problem: Problem, result: Result, time_limit: float) -> dict[str, Decimal]:
    present = {"max_awards"}
    if problem.rules.max_lots_per_supplier is not None:
        present.add("lot_limit")
    if problem.rules.budgets:
        present.add("budget")
    if problem.rules.min_sme_share > 0:
        present.add("sme_share")
    binding = {}
    for rule in sorted(present):
        relaxed = solve(problem, exclude_rules=frozenset({rule}), time_limit=time_limit)
        relaxed_unfilled = len(relaxed.unfilled)
        if relaxed.chosen and (relaxed_unfilled, -relaxed.value) < (len(result.unfilled), -result.value):
            binding[rule] = relaxed.value - result.value
    return binding


FORCED_REASONS = {
    "lot_limit": "its supplier already wins as many lots as the lot limit allows, and those are worth more.",
    "budget": "it would take an authority's spending past its budget.",
    "sme_share": "it would take the SME share of the award below the minimum.",
    "max_awards": "the lot's places are taken by offers worth more to the award.",
}


def _why_not(problem: Problem, result: Result, lot_id: int, runner: Offer, winners: Sequence[Offer],
             time_limit: float) -> str:
    lots = {lot.id: lot for lot in problem.lots}
    forced = solve(problem, force=frozenset({runner.id}), time_limit=time_limit)
    if not forced.chosen:  # it cannot win at all: find the rule that stops it
        for rule in ("sme_share", "budget", "lot_limit", "max_awards"):
            if solve(problem, force=frozenset({runner.id}), exclude_rules=frozenset({rule}),
                     time_limit=time_limit).chosen:
                limit = problem.rules.max_lots_per_supplier
                if rule == "lot_limit" and limit is not None and len(runner.lot_ids) > limit:
                    return f"it is a bundle of {len(runner.lot_ids)} lots, more than the lot limit of {limit}."
                if rule == "max_awards" and runner.is_bundle:
                    numbers = ", ".join(str(lots[n].number) for n in runner.lot_ids)
                    return f"it is a bundle of lots {numbers}, and their places are taken by offers worth more."
                return FORCED_REASONS[rule]
        return "no award that keeps every rule can include it."
    loss = result.value - forced.value
    if runner.is_bundle:
        others = [n for n in runner.lot_ids if n != lot_id]
        taken = [lots[n].number for n in others if any(n in o.lot_ids and o.id != runner.id for o in result.chosen)]
        if taken:
            return (f"it is a bundle that also needs lot{'s' if len(taken) > 1 else ''} "
                    f"{', '.join(map(str, taken))}, won by others; taking it would lower the total value by "
                    f"{loss:.2f}.")
    best_winner = max(winners, key=lambda w: w.meat[lot_id]) if winners else None
    if best_winner is not None and runner.meat[lot_id] < best_winner.meat[lot_id]:
        return (f"a lower score on this lot ({runner.meat[lot_id]:.2f} against {best_winner.meat[lot_id]:.2f}); "
                f"taking it would lower the total value by {loss:.2f}.")
    return f"taking it would lower the total value by {loss:.2f}, through the rules it shares with other lots."


def explain(problem: Problem, result: Result, time_limit: float = 10.0) -> Explanation:
    lots = {lot.id: lot for lot in problem.lots}
    binding = binding_rules(problem, result, time_limit)
    chosen_ids = {o.id for o in result.chosen}
    explained = []
    for lot in sorted(problem.lots, key=lambda lot: lot.number):
        winners = [o for o in result.chosen if lot.id in o.lot_ids]
        candidates = sorted((o for o in problem.offers if lot.id in o.lot_ids and o.id not in chosen_ids
                             and compliant(o, lots)), key=lambda o: (-o.meat[lot.id], o.id))
        below = [o for o in problem.offers if lot.id in o.lot_ids and not compliant(o, lots)]
        runner = candidates[0] if candidates else None
        if not winners:
            if runner is None:
                reason = ("No offer meets its quality threshold." if below else "Nobody bid for it.")
            else:
                reason = "The rules leave no room for its best offer: " + _why_not(
                    problem, result, lot.id, runner, [], time_limit)
        elif runner is None:
            reason = ""
        else:
            reason = _why_not(problem, result, lot.id, runner, winners, time_limit)
        explained.append(LotExplanation(lot.id, lot.number, winners, runner, reason))
    return Explanation(explained, binding)


def binding_text(binding: dict[str, Decimal]) -> list[str]:
    if not binding:
        return ["No rule binds: the award is the best offer on every lot."]
    return [f"Binding: {RULES[rule]} (without it the award would be worth {gain:.2f} more)."
            for rule, gain in binding.items()]


def total_value(chosen: Sequence[Offer]) -> Decimal:
    return sum((value(o) for o in chosen), ZERO)
