"""The award optimiser against CBC (through PuLP) and against greedy, on generated problems.

    .venv/bin/python benchmarks/award.py                 # every family, 3 seeds each (several minutes)
    .venv/bin/python benchmarks/award.py --quick         # one small seed of each, to check it runs
    .venv/bin/python benchmarks/award.py --write-readme  # and put the table in benchmarks/README.md
    .venv/bin/python benchmarks/award.py --compare-options --time-limit 60   # the solver's tuning alternatives

Families:
- realistic: 10 to 50 lots, 20 to 200 suppliers, up to 2,000 offers of which a third are bundles of 2 to 5 lots,
  1 to 3 places per lot, a lot limit per supplier, 34 authorities' budgets as shares of the lots' budgets and a
  minimum SME share of 20%; solved as the app solves it (fill every lot it can, then maximise value);
- CATS "arbitrary": a combinatorial auction in the manner of Leyton-Brown's CATS generator (goods with common
  values, bidders with private values and an affinity between goods, bids on bundles of 1 to many goods with
  super-additive values), 200 goods x 2,000 bids and 500 goods x 10,000 bids, without side constraints: each good
  sold at most once, value alone counts;
- blocks (for --compare-options): four independent CATS "arbitrary" auctions of 50 goods x 500 bids side by side
  (200 goods x 2,000 bids in all), the case decomposition is for.

--compare-options solves the same instances (realistic and CATS 200 x 2,000 and blocks, 3 seeds each) with each
tuning alternative of the solver in turn (solver.TUNING: decomposition, warm start, merged and clique rows, HiGHS
options), instance by instance so that every alternative meets the same machine load, and checks that all the
proven optima agree.

For each instance: our solver's time to a proven optimum (HiGHS, built from the same domain objects the app uses),
CBC's time on the same model through PuLP (the time of `prob.solve`, which includes PuLP writing the model file),
and greedy's value gap. The two optima are checked to agree.
"""
import argparse
import random
import statistics
import sys
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal

import support  # before the app's packages: it puts the project's root on sys.path

from procurement.domain.award import solver
from procurement.domain.award.greedy import greedy, total_value
from procurement.domain.award.model import Lot, Offer, Problem, Rules, compliant, lot_price, value
from procurement.domain.award.solver import Tuning, solve

D = Decimal


def realistic(seed: int) -> Problem:
    rng = random.Random(seed)
    n_lots, n_suppliers = rng.randint(10, 50), rng.randint(20, 200)
    authorities = list(range(1, 35))
    lots = []
    for i in range(n_lots):
        drawing = rng.sample(authorities, rng.randint(3, 10))
        weights = [rng.random() + 0.1 for _ in drawing]
        total = sum(weights)
        lots.append(Lot(1000 + i, i + 1, rng.randint(1, 3), D(0),
                        {a: D(str(round(w / total, 6))) for a, w in zip(drawing, weights, strict=True)}))
    budgets = {}
    lot_budget = {lot.id: D(rng.randint(100_000, 2_000_000)) for lot in lots}
    for lot in lots:
        for a, share in lot.budget_shares.items():
            budgets[a] = budgets.get(a, D(0)) + lot_budget[lot.id] * share
    offers: list[Offer] = []
    target = rng.randint(min(400, 2000), 2000)
    singles_target = target * 2 // 3
    suppliers = [(s, rng.random() < 0.6) for s in range(1, n_suppliers + 1)]
    singles: dict[int, list[Offer]] = {}
    while len(offers) < singles_target:
        supplier, sme = rng.choice(suppliers)
        lot = rng.choice(lots)
        if any(o.lot_ids == (lot.id,) for o in singles.get(supplier, [])):
            continue
        price = (lot_budget[lot.id] * D(str(round(rng.uniform(0.6, 1.05), 4)))).quantize(D("1"))
        quality = D(rng.randint(20, 60))
        meat = quality + D(40) * (D(1) - (price / lot_budget[lot.id] - D("0.6")))
        offer = Offer(len(offers) + 1, supplier, sme, price, (lot.id,), {lot.id: meat}, {lot.id: quality})
        offers.append(offer)
        singles.setdefault(supplier, []).append(offer)
    while len(offers) < target:
        supplier, sme = rng.choice(suppliers)
        own = singles.get(supplier, [])
        if len(own) < 2:
            continue
        parts = rng.sample(own, min(len(own), rng.randint(2, 5)))
        price = (sum((p.price for p in parts), D(0)) * D(str(round(rng.uniform(0.85, 0.97), 4)))).quantize(D("1"))
        meat = {p.lot_ids[0]: p.meat[p.lot_ids[0]] + D(rng.randint(1, 6)) for p in parts}
        quality = {p.lot_ids[0]: p.quality[p.lot_ids[0]] for p in parts}
        offers.append(Offer(len(offers) + 1, supplier, sme, price, tuple(sorted(meat)), meat, quality))
    rules = Rules(rng.randint(3, 8), D("0.2"), budgets)
    return Problem(lots, offers, rules)


def cats_arbitrary(seed: int, goods: int, bids: int) -> Problem:
    """Bids on bundles in the manner of CATS' "arbitrary" distribution (Leyton-Brown, Pearson and Shoham 2000)."""
    rng = random.Random(seed)
    common = [rng.uniform(1, 100) for _ in range(goods)]
    affinity = [[rng.random() for _ in range(goods)] for _ in range(min(goods, 60))]  # a few affinity profiles
    offers = []
    for b in range(bids):
        profile = affinity[rng.randrange(len(affinity))]
        first = rng.randrange(goods)
        bundle = {first}
        while rng.random() < 0.75 and len(bundle) < 12:  # add goods while the bidder keeps wanting more
            candidates = rng.sample(range(goods), 8)
            bundle.add(max(candidates, key=lambda g: profile[g] * rng.random()))
        private = {g: common[g] + rng.uniform(0, 50) for g in bundle}
        total = sum(private.values()) * (1 + 0.2 * (len(bundle) - 1) ** 0.5 * rng.random())
        per = D(str(round(total / len(bundle), 4)))
        lot_ids = tuple(sorted(10_000 + g for g in bundle))
        offers.append(Offer(b + 1, b + 1, False, D(1), lot_ids, dict.fromkeys(lot_ids, per)))
    lots = [Lot(10_000 + g, g + 1) for g in range(goods)]
    return Problem(lots, offers, Rules())


def blocks(seed: int, count: int = 4, goods: int = 50, bids: int = 500) -> Problem:
    """Independent CATS auctions side by side: no bid covers goods of two of them."""
    lots, offers = [], []
    for k in range(count):
        part = cats_arbitrary(seed * 100 + k, goods, bids)
        shift = {lot.id: lot.id + k * goods for lot in part.lots}
        lots += [Lot(shift[lot.id], lot.number + k * goods) for lot in part.lots]
        offers += [Offer(len(offers) + 1, len(offers) + 1, False, o.price, tuple(shift[i] for i in o.lot_ids),
                         {shift[i]: m for i, m in o.meat.items()}) for o in part.offers]
    return Problem(lots, offers, Rules())


@dataclass
class Row:
    family: str
    seed: int
    lots: int
    offers: int
    bundles: int
    ours: float
    ours_optimal: bool
    cbc: float | None
    cbc_optimal: bool
    agree: bool | None  # None: one side did not prove its optimum, so there is nothing to compare
    greedy_gap: float


def cbc(problem: Problem, fill_first: bool, time_limit: float) -> tuple[float, bool, float]:
    """The same model through PuLP and CBC: (seconds in prob.solve, proven optimal, award value)."""
    import pulp

    lots = {lot.id: lot for lot in problem.lots}
    offers = [o for o in problem.offers if compliant(o, lots)]
    prob = pulp.LpProblem("award", pulp.LpMaximize)
    x = {o.id: pulp.LpVariable(f"x{o.id}", cat="Binary") for o in offers}
    coverable = sorted({lot_id for o in offers for lot_id in o.lot_ids}) if fill_first else []
    s = {lot_id: pulp.LpVariable(f"s{lot_id}", 0, 1) for lot_id in coverable}
    penalty = float(sum(value(o) for o in offers)) + 1.0
    prob += pulp.lpSum(float(value(o)) * x[o.id] for o in offers) - penalty * pulp.lpSum(s.values())
    by_lot: dict[int, list[Offer]] = {}
    for o in offers:
        for lot_id in o.lot_ids:
            by_lot.setdefault(lot_id, []).append(o)
    for lot_id, covering in by_lot.items():
        prob += pulp.lpSum(x[o.id] for o in covering) <= lots[lot_id].max_awards
        if fill_first:
            prob += pulp.lpSum(x[o.id] for o in covering) + s[lot_id] >= 1
        same: dict[int, list[Offer]] = {}
        for o in covering:
            same.setdefault(o.supplier_id, []).append(o)
        for group in same.values():
            if len(group) > 1:
                prob += pulp.lpSum(x[o.id] for o in group) <= 1
    limit = problem.rules.max_lots_per_supplier
    if limit is not None:
        per_supplier: dict[int, list[Offer]] = {}
        for o in offers:
            per_supplier.setdefault(o.supplier_id, []).append(o)
        for group in per_supplier.values():
            if len({lot_id for o in group for lot_id in o.lot_ids}) > limit:
                prob += pulp.lpSum(len(o.lot_ids) * x[o.id] for o in group) <= limit
    if problem.rules.budgets:
        dearest = {}
        for lot_id, covering in by_lot.items():
            dearest[lot_id] = pulp.LpVariable(f"p{lot_id}", 0)
            for o in covering:
                prob += dearest[lot_id] >= float(lot_price(o, lot_id)) * x[o.id]
        for a, budget in problem.rules.budgets.items():
            terms = [(float(lots[lot_id].budget_shares[a]), dearest[lot_id]) for lot_id in dearest
                     if a in lots[lot_id].budget_shares]
            if terms:
                prob += pulp.lpSum(c * p for c, p in terms) <= float(budget)
    share = problem.rules.min_sme_share
    if share > 0:
        prob += pulp.lpSum(float(((1 if o.sme else 0) - share) * o.price) * x[o.id] for o in offers) >= 0
    started = time.perf_counter()
    prob.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, gapRel=0))
    seconds = time.perf_counter() - started
    # PuLP reports CBC stopped at its time limit with an award as "Optimal"; sol_status tells the two apart
    optimal = pulp.LpStatus[prob.status] == "Optimal" and prob.sol_status == pulp.LpSolutionOptimal \
        and seconds < time_limit
    won = sum(float(value(o)) for o in offers if (x[o.id].value() or 0) > 0.5)
    return seconds, optimal, won


def measure(family: str, seed: int, problem: Problem, fill_first: bool, time_limit: float) -> Row:
    started = time.perf_counter()
    baseline = greedy(problem) if fill_first else []
    result = solve(problem, time_limit=time_limit, warm_start=baseline or None, fill_first=fill_first)
    ours = time.perf_counter() - started
    cbc_seconds, cbc_optimal, cbc_value = cbc(problem, fill_first, time_limit)
    # Two proven optima must be equal; when either side stopped at the time limit there is nothing to compare.
    agree = abs(cbc_value - float(result.value)) < 1e-6 * max(1.0, float(result.value)) \
        if cbc_optimal and result.optimal else None
    greedy_value = float(total_value(baseline)) if fill_first else 0.0
    gap = (float(result.value) - greedy_value) / float(result.value) if fill_first and result.value else 0.0
    return Row(family, seed, len(problem.lots), len(problem.offers), sum(o.is_bundle for o in problem.offers),
               ours, result.optimal, cbc_seconds, cbc_optimal, agree, gap)


def machine() -> str:
    cpus = support.cpus()
    import highspy
    import pulp

    return (f"{cpus}, {support.python()}, HiGHS (highspy) "
            f"{highspy.__version__ if hasattr(highspy, '__version__') else '1.16.0'}, PuLP {pulp.__version__} with "
            f"its bundled CBC")


def table(rows: list[Row]) -> str:
    out = [support.table_head("family", "instances", "lots", "offers (bundles)", "ours: median s", "CBC: median s",
                              "ours/CBC", "proven optimal (ours / CBC)", "optima agree (where both proved)",
                              "greedy below the optimum (median)")]
    families: dict[str, list[Row]] = {}
    for row in rows:
        families.setdefault(row.family, []).append(row)
    for family, group in families.items():
        ours = statistics.median(r.ours for r in group)
        theirs = statistics.median(r.cbc for r in group if r.cbc is not None)
        greedy_gap = f"{statistics.median(r.greedy_gap for r in group):.1%}" if family == "realistic" else "n/a"
        out.append(
            f"| {family} | {len(group)} | {min(r.lots for r in group)}–{max(r.lots for r in group)} | "
            f"{min(r.offers for r in group)}–{max(r.offers for r in group)} "
            f"({min(r.bundles for r in group)}–{max(r.bundles for r in group)}) | {ours:.2f} | {theirs:.2f} | "
            f"{ours / theirs:.2f} | {sum(r.ours_optimal for r in group)}/{len(group)} / "
            f"{sum(r.cbc_optimal for r in group)}/{len(group)} | "
            f"{sum(r.agree is True for r in group)}/{sum(r.agree is not None for r in group)} | "
            f"{greedy_gap} |")
    return "\n".join(out)


DEFAULT = Tuning()


def _highs(**options: object) -> Tuning:
    return replace(DEFAULT, highs={**DEFAULT.highs, **options})


VARIANTS: dict[str, Tuning] = {
    "default": DEFAULT,
    "no decomposition": replace(DEFAULT, decompose=False),
    "no warm start": replace(DEFAULT, warm_start=False),
    "merged rows": replace(DEFAULT, merge_rows=True),
    "grown cliques": replace(DEFAULT, cliques=True),
    "merged rows + cliques": replace(DEFAULT, merge_rows=True, cliques=True),
    "presolve on (HiGHS's default)": _highs(presolve="choose"),
    "mip_heuristic_effort 0.3": _highs(mip_heuristic_effort=0.3),
    "mip_detect_symmetry off": _highs(mip_detect_symmetry=False),
    "mip_feasibility_tolerance 1e-7": _highs(mip_feasibility_tolerance=1e-7),
    "random_seed 1": _highs(random_seed=1),
    "random_seed 2": _highs(random_seed=2),
}


def compare_options(seeds: int, time_limit: float, quick: bool, names: list[str] | None) -> int:
    """Every tuning alternative on the same instances; a table of median seconds and proven optima per family."""
    variants = {name: VARIANTS[name] for name in (names or VARIANTS)}
    times: dict[tuple[str, str], list[float]] = {}
    proven: dict[tuple[str, str], int] = {}
    disagreements = 0
    families = ["realistic", "cats200", "blocks"]
    for seed in range(1, (1 if quick else seeds) + 1):
        for family in families:
            if family == "realistic":
                problem, fill = realistic(seed), True
            elif family == "cats200":
                problem, fill = cats_arbitrary(seed, 40 if quick else 200, 400 if quick else 2000), False
            else:
                problem, fill = blocks(seed, goods=10 if quick else 50, bids=100 if quick else 500), False
            optima = set()
            for name, tuning in variants.items():
                solver.TUNING = tuning
                try:
                    started = time.perf_counter()
                    baseline = greedy(problem)  # the app's warm start; for CATS, the best single-good bids
                    result = solve(problem, time_limit=time_limit, warm_start=baseline, fill_first=fill)
                    seconds = time.perf_counter() - started
                finally:
                    solver.TUNING = DEFAULT
                times.setdefault((name, family), []).append(seconds)
                proven[(name, family)] = proven.get((name, family), 0) + result.optimal
                if result.optimal:
                    optima.add((len(result.unfilled), round(float(result.value), 6)))
                print(f"{family} seed {seed} {name}: {seconds:.2f} s "
                      f"({'optimal' if result.optimal else f'not proven, gap {result.gap:.2%}'})", flush=True)
            if len(optima) > 1:
                disagreements += 1
                print(f"{family} seed {seed}: the proven optima disagree: {optima}", flush=True)
    out = [support.table_head("variant", *(f"{f}: median s (proven)" for f in families))]
    for name in variants:
        cells = [f"{statistics.median(times[(name, f)]):.2f} ({proven[(name, f)]}/{len(times[(name, f)])})"
                 for f in families]
        out.append(support.table_row(name, *cells))
    per_instance = [f"{name}: " + "; ".join(f"{f} " + "/".join(f"{t:.1f}" for t in times[(name, f)])
                                            for f in families) for name in variants]
    print("\n".join(out) + "\n\nPer instance (seconds, seeds in order):\n" + "\n".join(per_instance)
          + f"\n\nMachine: {machine()}. Time limit {time_limit:g} s. Run on {datetime.now(UTC):%Y-%m-%d}.")
    return 1 if disagreements else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=300.0)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--write-readme", action="store_true")
    parser.add_argument("--only", choices=["realistic", "cats200", "cats500"], action="append")
    parser.add_argument("--compare-options", action="store_true", help="compare the solver's tuning alternatives")
    parser.add_argument("--variant", choices=list(VARIANTS), action="append", help="with --compare-options")
    args = parser.parse_args()
    if args.compare_options:
        return compare_options(args.seeds, args.time_limit, args.quick, args.variant)
    families = args.only or ["realistic", "cats200", "cats500"]
    rows = []
    for seed in range(1, (1 if args.quick else args.seeds) + 1):
        for family in families:
            if family == "realistic":
                problem, fill = realistic(seed), True
            elif family == "cats200":
                problem, fill = cats_arbitrary(seed, 40 if args.quick else 200, 400 if args.quick else 2000), False
            else:
                problem, fill = cats_arbitrary(seed, 60 if args.quick else 500, 600 if args.quick else 10_000), False
            row = measure(family, seed, problem, fill, args.time_limit)
            rows.append(row)
            print(f"{family} seed {seed}: {row.lots} lots, {row.offers} offers; ours {row.ours:.2f} s "
                  f"({'optimal' if row.ours_optimal else 'not proven'}), CBC {row.cbc:.2f} s "
                  f"({'optimal' if row.cbc_optimal else 'not proven'}), agree {row.agree}, "
                  f"greedy gap {row.greedy_gap:.1%}", flush=True)
    text = table(rows) + f"\n\nMachine: {machine()}. Run on {datetime.now(UTC):%Y-%m-%d}."
    print(text)
    if args.write_readme:
        support.write_results(("<!-- award results -->", "<!-- /award results -->"), text)
    return 0 if all(r.agree is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
