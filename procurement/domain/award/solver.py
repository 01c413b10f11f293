"""The award as a mixed-integer programme, solved exactly by HiGHS.

Variables: x_o ∈ {0, 1} for each compliant offer (an offer below a lot's quality threshold is left out), and
s_l ∈ [0, 1] for each lot that some compliant offer covers: s_l = 1 marks the lot as left unfilled. The objective
is lexicographic, folded into one: first fill as many lots as the rules allow (a weight on s_l larger than any
award's whole value), then maximise the total value. Because every s_l may be 1, the model always has a solution;
a lot the rules cannot fill is reported as unfilled, with the reason, instead of making the problem infeasible.

Rows: at most max_awards winners per lot; s_l + (winners of l) ≥ 1; a supplier holds at most one offer per lot;
a supplier wins at most the lot limit; the SME share of the awarded price is at least the minimum:
Σ (sme_o - share) · price_o · x_o ≥ 0; and the budgets: p_l ≥ (o's price on l) · x_o for every offer o on lot l,
so that p_l is the dearest winning price there (an authority may have to call off from any winner), and each
authority's shares of the p_l stay within its budget.

Tuning, chosen by measurement (benchmarks/award.py --compare-options; the figures are in benchmarks/README.md):
the problem is first split into independent parts (decompose.py), each solved on its own with a share of the
time limit; small parts are solved together in one model, as a model of its own costs more than they do.
`TUNING` holds the choices, so that the benchmark can compare the alternatives; the app never changes it.
"""
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

import highspy
import numpy as np

from procurement.domain.award.decompose import components
from procurement.domain.award.model import ZERO, Offer, Problem, Rules, compliant, lot_price, unfilled, value

INF = highspy.kHighsInf


@dataclass(frozen=True)
class Tuning:
    decompose: bool = True  # solve independent parts one by one
    batch: int = 300  # parts with fewer offers than this are solved together, in models of about this size
    warm_start: bool = True  # use the warm start solve() is given (the app gives greedy's award)
    merge_rows: bool = False  # with one place on a lot: drop its per-supplier rows and make "filled" an equality
    cliques: bool = False  # add set-packing rows grown greedily into larger cliques of the conflict graph
    # HiGHS options set on every model. Presolve off: measured faster on every family (benchmarks/README.md).
    highs: dict[str, object] = field(default_factory=lambda: {"presolve": "off"})


TUNING = Tuning()


@dataclass(frozen=True)
class Result:
    chosen: list[Offer]
    value: Decimal
    bound: Decimal
    optimal: bool
    gap: float
    unfilled: list[int]
    status: str
    seconds: float


@dataclass
class _Model:
    highs: highspy.Highs
    offers: list[Offer]
    lot_slacks: dict[int, int]  # lot id → column of s_l
    dearest: dict[int, int]  # lot id → column of p_l


def build(problem: Problem, *, exclude_rules: frozenset[str] = frozenset(),
          force: frozenset[int] = frozenset(), fill_first: bool = True) -> _Model:
    """The model of a problem. `exclude_rules` drops families of rows (to see which bind); `force` fixes offers in."""
    lots = {lot.id: lot for lot in problem.lots}
    offers = [o for o in problem.offers if compliant(o, lots)]
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    total = float(sum((value(o) for o in offers), ZERO)) + 1.0
    n = len(offers)
    # Without fill_first (a plain winner-determination problem) there are no slacks: value alone counts.
    coverable = sorted({lot_id for o in offers for lot_id in o.lot_ids}) if fill_first else []
    costs = [float(value(o)) for o in offers] + [-total] * len(coverable)
    lower = [1.0 if o.id in force else 0.0 for o in offers] + [0.0] * len(coverable)
    upper = [1.0] * (n + len(coverable))
    highs.addVars(n + len(coverable), np.array(lower), np.array(upper))
    highs.changeColsCost(n + len(coverable), np.arange(n + len(coverable), dtype=np.int32), np.array(costs))
    if n:
        highs.changeColsIntegrality(n, np.arange(n, dtype=np.int32),
                                    np.array([highspy.HighsVarType.kInteger] * n))
    highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
    slack = {lot_id: n + i for i, lot_id in enumerate(coverable)}

    def row(low: float, high: float, columns: list[int], values: list[float]) -> None:
        if columns:
            highs.addRow(low, high, len(columns), np.array(columns, dtype=np.int32), np.array(values))

    by_lot: dict[int, list[int]] = defaultdict(list)
    for j, offer in enumerate(offers):
        for lot_id in offer.lot_ids:
            by_lot[lot_id].append(j)
    packing: list[list[int]] = []  # rows Σ x ≤ 1: the cliques of the conflict graph the model states
    for lot_id, columns in by_lot.items():
        single = "max_awards" not in exclude_rules and lots[lot_id].max_awards == 1
        if single:
            packing.append(columns)
        if single and fill_first and TUNING.merge_rows:
            # s_l + Σ x = 1 states both rows: s_l ≥ 0 gives Σ x ≤ 1, and s_l is as small as it can be anyway
            row(1.0, 1.0, [*columns, slack[lot_id]], [1.0] * (len(columns) + 1))
        else:
            if "max_awards" not in exclude_rules:
                row(-INF, lots[lot_id].max_awards, columns, [1.0] * len(columns))
            if fill_first:
                row(1.0, INF, [*columns, slack[lot_id]], [1.0] * (len(columns) + 1))
        if single and TUNING.merge_rows:
            continue  # at most one winner on the lot: at most one per supplier follows
        per_supplier: dict[int, list[int]] = defaultdict(list)
        for j in columns:
            per_supplier[offers[j].supplier_id].append(j)
        for same in per_supplier.values():
            if len(same) > 1:
                row(-INF, 1.0, same, [1.0] * len(same))
                packing.append(same)
    if TUNING.cliques:
        for clique in _grown_cliques(packing, [float(value(o)) for o in offers]):
            row(-INF, 1.0, clique, [1.0] * len(clique))
    limit = problem.rules.max_lots_per_supplier
    if limit is not None and "lot_limit" not in exclude_rules:
        by_supplier: dict[int, list[int]] = defaultdict(list)
        for j, offer in enumerate(offers):
            by_supplier[offer.supplier_id].append(j)
        for columns in by_supplier.values():
            if len({lot_id for j in columns for lot_id in offers[j].lot_ids}) > limit:
                row(-INF, limit, columns, [float(len(offers[j].lot_ids)) for j in columns])
    dearest: dict[int, int] = {}
    if problem.rules.budgets and "budget" not in exclude_rules:
        # p_l: the dearest winning price on lot l (p_l >= part of o's price on l, for every winner o); each
        # authority pays its share of p_l on every lot it draws on.
        for lot_id, columns in sorted(by_lot.items()):
            if not any(a in problem.rules.budgets for a in lots[lot_id].budget_shares):
                continue
            top = max(float(lot_price(offers[j], lot_id)) for j in columns)
            highs.addVar(0.0, top)
            dearest[lot_id] = highs.getNumCol() - 1
            for j in columns:
                row(0.0, INF, [dearest[lot_id], j], [1.0, -float(lot_price(offers[j], lot_id))])
        for authority, budget in problem.rules.budgets.items():
            terms = {dearest[lot_id]: float(lots[lot_id].budget_shares[authority])
                     for lot_id in dearest if authority in lots[lot_id].budget_shares}
            if terms:
                row(-INF, float(budget), list(terms), list(terms.values()))
    share = problem.rules.min_sme_share
    if share > 0 and "sme_share" not in exclude_rules:
        row(0.0, INF, list(range(n)), [float(((1 if o.sme else 0) - share) * o.price) for o in offers])
    return _Model(highs, offers, slack, dearest)


def solve(problem: Problem, *, time_limit: float = 60.0, exclude_rules: frozenset[str] = frozenset(),
          force: frozenset[int] = frozenset(), warm_start: list[Offer] | None = None,
          fill_first: bool = True) -> Result:
    """Solve the award exactly (or to the time limit, reporting the gap)."""
    started = time.perf_counter()
    if not TUNING.warm_start:
        warm_start = None
    parts = _batched(components(problem, exclude_rules)) if TUNING.decompose else [problem]
    if len(parts) == 1:
        return _solve_one(problem, started, time_limit, exclude_rules, force, warm_start, fill_first)
    results = []
    weights = [len(part.offers) for part in parts]
    for i, part in enumerate(parts):  # smallest first: what they leave of their share goes to the larger ones
        left = time_limit - (time.perf_counter() - started)
        share = max(left * weights[i] / sum(weights[i:]), 0.0)
        ids = {o.id for o in part.offers}
        own_force = frozenset(force & ids)
        own_start = [o for o in warm_start if o.id in ids] if warm_start else None
        result = _solve_one(part, time.perf_counter(), share, exclude_rules, own_force, own_start, fill_first)
        if result.gap == float("inf"):  # no award for this part (infeasible with `force`, or out of time)
            return replace(result, seconds=time.perf_counter() - started)
        results.append(result)
    chosen = [o for result in results for o in result.chosen]
    award_value = sum((result.value for result in results), ZERO)
    bound = sum((result.bound for result in results), ZERO)
    optimal = all(result.optimal for result in results)
    status = next((result.status for result in results if not result.optimal), results[0].status)
    gap = 0.0 if optimal else float(bound - award_value) / max(abs(float(award_value)), 1.0)
    return Result(chosen, award_value, bound, optimal, gap, unfilled(problem, chosen), status,
                  time.perf_counter() - started)


def _batched(parts: list[Problem]) -> list[Problem]:
    """The parts, with the small ones (they come first) gathered into problems of about TUNING.batch offers."""
    batches: list[list[Problem]] = [[]]
    for part in parts:
        if len(part.offers) >= TUNING.batch:
            batches.append([part])
        elif sum(len(p.offers) for p in batches[-1]) + len(part.offers) <= TUNING.batch:
            batches[-1].append(part)
        else:
            batches.append([part])
    return [_union(batch) for batch in batches if batch]


def _union(parts: list[Problem]) -> Problem:
    if len(parts) == 1:
        return parts[0]
    rules = parts[0].rules
    budgets = {a: b for part in parts for a, b in part.rules.budgets.items()}
    return Problem([lot for part in parts for lot in part.lots], [o for part in parts for o in part.offers],
                   Rules(rules.max_lots_per_supplier, rules.min_sme_share, budgets))


def _solve_one(problem: Problem, started: float, time_limit: float, exclude_rules: frozenset[str],
               force: frozenset[int], warm_start: list[Offer] | None, fill_first: bool) -> Result:
    model = build(problem, exclude_rules=exclude_rules, force=force, fill_first=fill_first)
    if not model.offers:  # nothing can win: the empty award is the optimum, and HiGHS has no model to solve
        return Result([], ZERO, ZERO, True, 0.0, [], "Optimal", time.perf_counter() - started)
    highs = model.highs
    highs.setOptionValue("time_limit", max(float(time_limit), 0.01))
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.setOptionValue("mip_abs_gap", 1e-6)
    for option, setting in TUNING.highs.items():
        highs.setOptionValue(option, setting)
    if warm_start and not force:
        _warm_start(model, warm_start)
    highs.run()
    status = highs.getModelStatus()
    info = highs.getInfo()
    solved = status in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kTimeLimit) and \
        info.primal_solution_status == 2
    if not solved:
        return Result([], ZERO, ZERO, False, float("inf"), [], highs.modelStatusToString(status),
                      time.perf_counter() - started)
    values = highs.getSolution().col_value
    chosen = [o for j, o in enumerate(model.offers) if values[j] > 0.5]
    award_value = sum((value(o) for o in chosen), ZERO)
    optimal = status == highspy.HighsModelStatus.kOptimal
    unfilled_count = len(unfilled(problem, chosen)) if not exclude_rules and fill_first else 0
    penalty = float(sum((value(o) for o in model.offers), ZERO)) + 1.0
    bound = Decimal(str(info.mip_dual_bound + penalty * unfilled_count)) if not optimal else award_value
    return Result(chosen, award_value, max(bound, award_value), optimal, 0.0 if optimal else info.mip_gap,
                  unfilled(problem, chosen), highs.modelStatusToString(status), time.perf_counter() - started)


def _warm_start(model: _Model, chosen: list[Offer]) -> None:
    ids = {o.id for o in chosen}
    won = {lot_id for o in chosen for lot_id in o.lot_ids}
    columns = [1.0 if o.id in ids else 0.0 for o in model.offers]
    columns += [0.0 if lot_id in won else 1.0 for lot_id in model.lot_slacks]
    columns += [max((float(lot_price(o, lot_id)) for o in chosen if lot_id in o.lot_ids), default=0.0)
                for lot_id in model.dearest]
    solution = highspy.HighsSolution()
    solution.col_value = columns
    solution.value_valid = True
    model.highs.setSolution(solution)


def _grown_cliques(packing: list[list[int]], worth: list[float]) -> list[list[int]]:
    """Each clique the model states (a row Σ x ≤ 1), grown greedily by the most valuable offers that conflict with
    every member, where it can be grown: a row that cuts off more fractional solutions than the rows it covers."""
    neighbours: dict[int, int] = defaultdict(int)  # column → bit set of the columns it shares a row with
    masks = []
    for clique in packing:
        mask = 0
        for j in clique:
            mask |= 1 << j
        masks.append(mask)
        for j in clique:
            neighbours[j] |= mask
    grown: dict[int, list[int]] = {}
    for clique, mask in zip(packing, masks, strict=True):
        common = -1
        for j in clique:
            common &= neighbours[j]
        candidates = common & ~mask
        if not candidates:
            continue
        members = list(clique)
        while candidates:
            best, bits = -1, candidates
            while bits:
                low = bits & -bits
                j = low.bit_length() - 1
                if best < 0 or worth[j] > worth[best]:
                    best = j
                bits ^= low
            members.append(best)
            mask |= 1 << best
            candidates &= neighbours[best] & ~mask
        grown.setdefault(mask, members)
    return list(grown.values())
