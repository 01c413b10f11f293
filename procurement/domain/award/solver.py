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
"""
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import highspy
import numpy as np

from procurement.domain.award.model import ZERO, Offer, Problem, compliant, lot_price, unfilled, value

INF = highspy.kHighsInf


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
    for lot_id, columns in by_lot.items():
        if "max_awards" not in exclude_rules:
            row(-INF, lots[lot_id].max_awards, columns, [1.0] * len(columns))
        if fill_first:
            row(1.0, INF, [*columns, slack[lot_id]], [1.0] * (len(columns) + 1))
        per_supplier: dict[int, list[int]] = defaultdict(list)
        for j in columns:
            per_supplier[offers[j].supplier_id].append(j)
        for same in per_supplier.values():
            if len(same) > 1:
                row(-INF, 1.0, same, [1.0] * len(same))
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
    model = build(problem, exclude_rules=exclude_rules, force=force, fill_first=fill_first)
    if not model.offers:  # nothing can win: the empty award is the optimum, and HiGHS has no model to solve
        return Result([], ZERO, ZERO, True, 0.0, [], "Optimal", time.perf_counter() - started)
    highs = model.highs
    highs.setOptionValue("time_limit", float(time_limit))
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.setOptionValue("mip_abs_gap", 1e-6)
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
