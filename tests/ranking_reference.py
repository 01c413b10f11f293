"""The ranking as Consort computed it before issue 20 made it O(n log n), kept as the reference that the fast one
must agree with exactly: the same order, scores, Decimal values and tie-breaks.

`rank` and `rank_reversals` are `procurement.domain.scoring`'s as they were (the rank-reversal check ranks the lot
again without each bid in turn: O(n² log n)); `bundle_price_points` is the award's price score of a bundle's share
of a lot as `procurement.award.services.build_problem` computed it (every single bid's price score again, for each
bundle); `ranking` is `procurement.evaluation.services.ranking` as it was (every score record loaded whole, then
`rank` and `rank_reversals` above). Used by tests/unit/test_ranking_reference.py,
tests/functional/evaluation/test_ranking_at_scale.py and benchmarks/ranking.py; never by the app.
"""
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from app.accounts.models import User
from app.domain.errors import Forbidden
from app.domain.roles import Role
from procurement.domain.scoring import PRICE_FORMULAS, ZERO, Criterion, Offer, Scored, agreed_score
from procurement.evaluation import score_records
from procurement.evaluation import services as evaluation


def quality_points(score: Decimal, criterion: Criterion) -> Decimal:
    return score / criterion.max_score * criterion.weight


def price_points(formula: str, prices: Sequence[Decimal], budget: Decimal, weight: Decimal) -> list[Decimal]:
    if not prices:
        return []
    lowest = min(prices)
    function = PRICE_FORMULAS[formula]
    return [function(price, lowest, budget, weight) for price in prices]


def rank(offers: Sequence[Offer], criteria: Sequence[Criterion],
         scores: Mapping[tuple[int, int], Decimal | None], formula: str, budget: Decimal,
         price_weight: Decimal) -> list[Scored]:
    prices = price_points(formula, [o.price for o in offers], budget, price_weight)
    rows = []
    for offer, price_score in zip(offers, prices, strict=True):
        agreed = [scores.get((offer.bid_id, c.id)) for c in criteria]
        quality = sum((quality_points(s, c) for s, c in zip(agreed, criteria, strict=True) if s is not None), ZERO)
        rows.append((offer, quality, price_score, quality + price_score, all(s is not None for s in agreed)))
    rows.sort(key=lambda r: (-r[3], -r[1], r[0].submitted_at, r[0].bid_id))
    return [Scored(o.bid_id, o.supplier_id, o.price, q, p, t, position, complete)
            for position, (o, q, p, t, complete) in enumerate(rows, start=1)]


def rank_reversals(offers: Sequence[Offer], criteria: Sequence[Criterion],
                   scores: Mapping[tuple[int, int], Decimal | None], formula: str, budget: Decimal,
                   price_weight: Decimal) -> list[int]:
    full = [s.bid_id for s in rank(offers, criteria, scores, formula, budget, price_weight)]
    reversing = []
    for leaving in offers:
        rest = [o for o in offers if o.bid_id != leaving.bid_id]
        order = [s.bid_id for s in rank(rest, criteria, scores, formula, budget, price_weight)]
        if order != [b for b in full if b != leaving.bid_id]:
            reversing.append(leaving.bid_id)
    return reversing


def reorders_when_leaving(leaving: Offer, full: Sequence[int], offers: Sequence[Offer],
                          criteria: Sequence[Criterion], scores: Mapping[tuple[int, int], Decimal | None],
                          formula: str, budget: Decimal, price_weight: Decimal) -> bool:
    """One turn of `rank_reversals`' loop: would this bid's removal reorder the others? (`full` is the ranked bid
    ids.) For checking a sample of a lot too large for the whole loop."""
    rest = [o for o in offers if o.bid_id != leaving.bid_id]
    order = [s.bid_id for s in rank(rest, criteria, scores, formula, budget, price_weight)]
    return order != [b for b in full if b != leaving.bid_id]


def bundle_price_points(formula: str, singles: Sequence[Decimal], part: Decimal, budget: Decimal,
                        weight: Decimal) -> Decimal:
    """A bundle's price score on one lot: `part` (its price over its lots) scored among the lot's single bids'
    prices (`singles`, in the order of the lot's ranking)."""
    return price_points(formula, [*singles, part], budget, weight)[-1]


def ranking(actor: User, lot_id: int, now: datetime | None = None) -> evaluation.Ranking:
    access = evaluation.evaluator_access(actor, lot_id, now)
    lot = access.lot
    offers = evaluation._offers(lot.id)
    if actor.role == Role.EVALUATOR and not evaluation.has_scored_everything(actor, lot, offers):
        raise Forbidden("Score every answer of this lot first: the ranking shows the other evaluators' scores.")
    criteria = [Criterion(c.id, Decimal(c.weight), Decimal(c.max_score)) for c in lot.criteria]
    by_answer: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    for (bid_id, criterion_id, _), entry in score_records.latest_scores(lot.id).items():
        by_answer[(bid_id, criterion_id)].append(entry.score)
    moderated = score_records.latest_moderated(lot.id)
    agreed = {(o.bid_id, c.id): agreed_score(by_answer.get((o.bid_id, c.id), []),
                                             moderated[(o.bid_id, c.id)].score
                                             if (o.bid_id, c.id) in moderated else None)
              for o in offers for c in criteria}
    args = (offers, criteria, agreed, lot.price_formula, lot.budget, Decimal(lot.price_weight))
    rows = rank(*args)
    reversals = rank_reversals(*args) if lot.price_formula == "relative" else []
    return evaluation.Ranking(lot, rows, access.sees_prices, reversals)
