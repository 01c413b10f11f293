"""The award by trying every set of offers: only for tiny problems, to check the solver against."""
from itertools import combinations

from procurement.domain.award.model import ZERO, Offer, Problem, compliant, unfilled, value, violations


def brute_force(problem: Problem) -> tuple[int, object, list[Offer]]:
    """(lots left unfilled, total value, the award) of the best award: fewest unfilled lots, then most value."""
    lots = {lot.id: lot for lot in problem.lots}
    offers = [o for o in problem.offers if compliant(o, lots)]
    best: tuple[int, object, list[Offer]] | None = None
    for size in range(len(offers) + 1):
        for chosen in combinations(offers, size):
            if violations(problem, chosen):
                continue
            key = (len(unfilled(problem, chosen)), sum((value(o) for o in chosen), ZERO), list(chosen))
            if best is None or (key[0], -key[1]) < (best[0], -best[1]):
                best = key
    assert best is not None  # the empty award always keeps every rule
    return best
