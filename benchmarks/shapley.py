"""Shared savings by the Shapley value: exact time for 10, 15 and 20 authorities, the sampled estimate's error and
time for 34.

    .venv/bin/python benchmarks/shapley.py             # the full run, about two minutes
    .venv/bin/python benchmarks/shapley.py --quick     # smaller and fewer, to check it runs
    .venv/bin/python benchmarks/shapley.py --markdown  # the tables in Markdown, for benchmarks/README.md

Frameworks are generated as London ones look: 20 lots; authorities of very different sizes (each one's volume a
lognormal draw, sigma 0.8, scaled by a size of its own); each lot a list unit price of £5 to £500, every authority
estimating it within ±20%; awarded prices 75% to 95% of the lot's estimates. *Dense* frameworks have every
authority on every lot: one game over all of them, the worst case for the exact value. *Sparse* ones have 3 to 10
authorities a lot (as in `award.py`'s realistic family), where the exact value is taken lot by lot.

Measured through `share_savings`, the entry point the service calls, with the elasticity fitted from the estimates:
- exact: the median of several runs, for dense frameworks of 10, 15 and 20 authorities, and a sparse one of 34;
  and the peak memory numpy takes (tracemalloc);
- sampled at 20 authorities (exact_limit=0 forces sampling), against the exact value: the real error and how
  often it is within 2 standard errors (about 95% if the errors are honest);
- sampled at 34 authorities, dense, where exact is out of reach: time and standard error at several sample sizes,
  and the real error against a reference estimate of 1,000,000 orders.

Checks (exit status 1 if one fails): both sharings add up to the total at the penny; sampled estimates at 20
authorities are never more than 5 standard errors from the exact value; the reference estimate agrees with every
smaller one within 5 of their standard errors.
"""
import argparse
import platform
import random
import statistics
import sys
import time
import tracemalloc
from decimal import Decimal

import numpy as np
import support  # before the app's packages: it puts the project's root on sys.path

from procurement.domain.savings import LotOutcome
from procurement.domain.sharing import PENNY, share_savings

D = Decimal


def framework(authorities: int, seed: int, dense: bool = True, lots: int = 20) -> list[LotOutcome]:
    """A generated framework (see the module's docstring)."""
    rng = random.Random(seed)
    size = {a: rng.lognormvariate(0, 0.8) for a in range(1, authorities + 1)}
    outcomes = []
    for lot_id in range(1, lots + 1):
        buying = list(size) if dense else rng.sample(list(size), rng.randint(3, min(10, authorities)))
        unit = rng.uniform(5, 500)
        quantity = {a: max(1, round(size[a] * rng.lognormvariate(5, 0.8))) for a in buying}
        total = sum(quantity.values())
        estimates = {a: (D(q) * D(str(round(unit * rng.uniform(0.8, 1.2), 2)))).quantize(PENNY)
                     for a, q in quantity.items()}
        price = (sum(estimates.values()) * D(str(round(rng.uniform(0.75, 0.95), 4)))).quantize(PENNY)
        outcomes.append(LotOutcome(lot_id, price, estimates, {a: D(q) / total for a, q in quantity.items()}))
    return outcomes


def timed(function, repeats: int):
    """The result of the last run, the median seconds of `repeats` runs, and the peak memory of one (MB)."""
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - start)
    tracemalloc.start()
    function()
    peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
    tracemalloc.stop()
    return result, statistics.median(seconds), peak


def adds_up(sharing) -> bool:
    target = sharing.total.quantize(PENNY)
    return (sum(r.share_shapley for r in sharing.authorities) == target
            and sum(r.share_proportional for r in sharing.authorities) == target)


def shapley_vector(sharing) -> np.ndarray:
    return np.array([float(r.share_shapley) for r in sharing.authorities])


def error_vector(sharing) -> np.ndarray:
    return np.array([float(r.shapley_error) for r in sharing.authorities])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--markdown", action="store_true", help="print the tables in Markdown")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    failures: list[str] = []
    sizes = (10, 15) if args.quick else (10, 15, 20)
    sample_sizes = (1_000, 4_000) if args.quick else (1_000, 4_000, 16_000, 64_000)
    reference_samples = 50_000 if args.quick else 1_000_000

    exact_rows = []
    for n in sizes:
        lots = framework(n, args.seed + n)
        sharing, seconds, peak = timed(lambda lots=lots: share_savings(lots), 3 if n == 20 else 5)
        if not adds_up(sharing) or sharing.method != "exact":
            failures.append(f"exact, {n} authorities: the shares do not add up")
        exact_rows.append((f"dense, {n}", f"{seconds:.3f}", f"{peak:.0f}"))
    sparse = framework(34, args.seed, dense=False)
    sharing, seconds, peak = timed(lambda: share_savings(sparse), 5)
    if not adds_up(sharing) or sharing.method != "exact":
        failures.append("sparse, 34 authorities: not exact or the shares do not add up")
    widest = max(len(lot.estimates) for lot in sparse)
    exact_rows.append((f"sparse, 34 (at most {widest} a lot)", f"{seconds:.3f}", f"{peak:.0f}"))

    # Sampled at 20 authorities against the exact value, over several frameworks.
    n20 = sizes[-1]
    truth_rows = []
    for samples in sample_sizes[:3]:
        errors, bounds, times = [], [], []
        for seed in range(3):
            lots = framework(n20, 100 + seed)
            exact = shapley_vector(share_savings(lots))
            start = time.perf_counter()
            sampled = share_savings(lots, exact_limit=0, samples=samples, seed=seed)
            times.append(time.perf_counter() - start)
            if not adds_up(sampled):
                failures.append(f"sampled, {n20} authorities: the shares do not add up")
            errors.append(np.abs(shapley_vector(sampled) - exact))
            bounds.append(error_vector(sampled))
        error, bound = np.concatenate(errors), np.concatenate(bounds)
        if np.any(error > 5 * bound + 0.01):
            failures.append(f"sampled, {n20} authorities, {samples} orders: an estimate beyond 5 standard errors")
        truth_rows.append((f"{samples:,}", f"{statistics.median(times):.3f}", f"£{bound.mean():,.2f}",
                           f"£{error.mean():,.2f}", f"£{error.max():,.2f}",
                           f"{np.mean(error <= 2 * bound + 0.01):.0%}"))

    # Sampled at 34 authorities, dense: no exact value, so against a far larger sample.
    lots = framework(34, args.seed + 34)
    start = time.perf_counter()
    reference = share_savings(lots, exact_limit=0, samples=reference_samples, seed=999)
    reference_seconds = time.perf_counter() - start
    truth = shapley_vector(reference)
    scale = np.abs(truth).mean()
    sampled_rows = []
    for samples in sample_sizes:
        sampled, seconds, _ = timed(lambda samples=samples: share_savings(lots, exact_limit=0, samples=samples,
                                                                         seed=1), 3)
        if not adds_up(sampled):
            failures.append(f"sampled, 34 authorities, {samples} orders: the shares do not add up")
        bound, error = error_vector(sampled), np.abs(shapley_vector(sampled) - truth)
        if np.any(error > 5 * np.hypot(bound, error_vector(reference)) + 0.01):
            failures.append(f"sampled, 34 authorities, {samples} orders: off the reference by over 5 errors")
        sampled_rows.append((f"{samples:,}", f"{seconds:.3f}", f"£{bound.mean():,.2f}", f"£{bound.max():,.2f}",
                             f"{bound.mean() / scale:.3%}", f"£{error.max():,.2f}"))

    # What difference the Shapley value makes, against proportional sharing, with the fitted curves.
    difference_rows = []
    for label, lots in ((f"dense, {n20}", framework(n20, args.seed + n20)), ("sparse, 34", sparse)):
        sharing = share_savings(lots)
        shares = np.array([float(r.share_proportional) for r in sharing.authorities])
        gap = np.abs(shapley_vector(sharing) - shares)
        # With linear prices the gap is the estimates' differences alone; the rest is the volume discount.
        linear_gap = np.abs(shapley_vector(share_savings(lots, elasticity=0)) - shares)
        fitted = sorted(e for e in sharing.elasticities.values() if e is not None)
        difference_rows.append((label, f"{fitted[0]:.2f} to {fitted[-1]:.2f}", f"{statistics.median(fitted):.2f}",
                                f"{gap.mean() / np.abs(shares).mean():.1%}", f"£{gap.max():,.0f}",
                                f"{linear_gap.mean() / np.abs(shares).mean():.1%}"))

    tables = [
        ("Exact, 20 lots (median seconds of `share_savings`; peak MB of numpy's arrays)",
         ("framework, authorities", "seconds", "peak MB"), exact_rows),
        (f"Sampled against exact, dense, {n20} authorities, 3 frameworks (error = |sampled - exact| per authority)",
         ("orders", "seconds", "mean std. error", "mean error", "max error", "within 2 std. errors"), truth_rows),
        (f"Sampled, dense, 34 authorities (mean |Shapley share| £{scale:,.0f}; reference {reference_samples:,} "
         f"orders, {reference_seconds:.0f} s, std. error up to £{error_vector(reference).max():,.2f})",
         ("orders", "seconds", "mean std. error", "max std. error", "mean std. error / mean share",
          "max error against the reference"), sampled_rows),
        ("Shapley against proportional sharing, with the elasticities fitted from the estimates",
         ("framework, authorities", "elasticities", "median", "mean abs. difference / mean share", "max difference",
          "the same with e = 0"),
         difference_rows),
    ]
    for title, header, table in tables:
        if args.markdown:
            print(f"\n{title}:\n\n{support.table_head(*header)}")
            print("\n".join(support.table_row(*row) for row in table))
        else:
            widths = [max(len(str(c)) for c in column) for column in zip(header, *table, strict=True)]
            print(f"\n{title}\n" + "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
            for row in table:
                print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    print(f"\n{support.python()}, numpy {np.__version__}, {platform.machine()}")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
