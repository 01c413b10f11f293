"""The award optimiser: equal to brute force on small instances, every rule kept, never below greedy."""
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procurement.domain.award import solver
from procurement.domain.award.brute_force import brute_force
from procurement.domain.award.decompose import components
from procurement.domain.award.greedy import greedy, total_value
from procurement.domain.award.model import Lot, Offer, Problem, Rules, compliant, unfilled, value, violations
from procurement.domain.award.solver import solve

D = Decimal


@st.composite
def problems(draw, max_offers=9):
    n_lots = draw(st.integers(1, 4))
    lots = []
    for i in range(n_lots):
        a_share = D(draw(st.integers(0, 4))) / 4
        lots.append(Lot(id=100 + i, number=i + 1, max_awards=draw(st.integers(1, 2)),
                        quality_threshold=D(draw(st.sampled_from([0, 0, 20]))),
                        budget_shares={1: a_share, 2: 1 - a_share}))
    lot_ids = [lot.id for lot in lots]
    offers = []
    for j in range(draw(st.integers(0, max_offers))):
        covered = tuple(sorted(draw(st.sets(st.sampled_from(lot_ids), min_size=1, max_size=min(3, n_lots)))))
        offers.append(Offer(
            id=j + 1, supplier_id=draw(st.integers(1, 4)), sme=draw(st.booleans()),
            price=D(draw(st.integers(10, 200))), lot_ids=covered,
            meat={lot_id: D(draw(st.integers(10, 100))) for lot_id in covered},
            quality={lot_id: D(draw(st.integers(0, 60))) for lot_id in covered}))
    rules = Rules(max_lots_per_supplier=draw(st.one_of(st.none(), st.integers(1, 3))),
                  min_sme_share=D(draw(st.sampled_from([0, 0, 25, 50]))) / 100,
                  budgets=draw(st.sampled_from([{}, {1: D(150)}, {1: D(120), 2: D(200)}])))
    return Problem(lots, offers, rules)


fast = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(problems())
def test_the_optimiser_equals_brute_force(problem):
    result = solve(problem)
    assert result.optimal
    best_unfilled, best_value, _ = brute_force(problem)
    assert len(result.unfilled) == best_unfilled
    assert result.value == best_value


@fast
@given(problems(max_offers=14))
def test_every_rule_holds_in_every_result(problem):
    result = solve(problem)
    assert violations(problem, result.chosen) == []
    assert result.value == sum((value(o) for o in result.chosen), D(0))
    assert result.unfilled == unfilled(problem, result.chosen)


@fast
@given(problems(max_offers=14))
def test_the_optimum_is_never_below_a_valid_greedy_award(problem):
    baseline = greedy(problem)
    result = solve(problem)
    if violations(problem, baseline):
        return  # greedy may break the SME share, which it does not look at; the optimiser never does
    assert (len(result.unfilled), -result.value) <= (len(unfilled(problem, baseline)), -total_value(baseline))


def test_a_lot_no_offer_can_fill_is_reported_not_crashed_on():
    lots = [Lot(1, 1), Lot(2, 2)]
    offers = [Offer(1, 10, False, D(100), (1,), {1: D(80)}), Offer(2, 10, False, D(100), (2,), {2: D(70)})]
    result = solve(Problem(lots, offers, Rules(max_lots_per_supplier=1)))
    assert result.optimal and [o.id for o in result.chosen] == [1] and result.unfilled == [2]


def test_a_bundle_wins_all_its_lots_or_none_and_the_sme_share_binds():
    lots = [Lot(1, 1), Lot(2, 2)]
    offers = [Offer(1, 10, False, D(100), (1,), {1: D(80)}), Offer(2, 11, True, D(90), (2,), {2: D(70)}),
              Offer(3, 12, False, D(150), (1, 2), {1: D(85), 2: D(75)}), Offer(4, 13, True, D(50), (1,), {1: D(60)})]
    free = solve(Problem(lots, offers))
    assert [o.id for o in free.chosen] == [3] and free.value == 160
    half_sme = solve(Problem(lots, offers, Rules(min_sme_share=D("0.5"))))
    assert sorted(o.id for o in half_sme.chosen) == [2, 4] and half_sme.value == 130


def test_an_offer_below_the_quality_threshold_cannot_win():
    lots = [Lot(1, 1, quality_threshold=D(30))]
    offers = [Offer(1, 10, False, D(100), (1,), {1: D(95)}, {1: D(29)}),
              Offer(2, 11, False, D(100), (1,), {1: D(60)}, {1: D(30)})]
    assert [o.id for o in solve(Problem(lots, offers)).chosen] == [2]


def test_the_explanation_names_the_winner_the_runner_up_and_the_rule_that_binds():
    from procurement.domain.award.explain import binding_text, explain

    lots = [Lot(1, 1), Lot(2, 2)]
    offers = [Offer(1, 10, False, D(100), (1,), {1: D(80)}), Offer(2, 11, True, D(90), (2,), {2: D(70)}),
              Offer(3, 12, False, D(150), (1, 2), {1: D(85), 2: D(75)}), Offer(4, 13, True, D(50), (1,), {1: D(60)})]
    names = {10: "Albion", 11: "Bankside", 12: "Capital", 13: "Deptford"}
    free = Problem(lots, offers)
    lines = [lot.as_text(names) for lot in explain(free, solve(free)).lots]
    assert lines[0] == ("Lot 1: won by Capital (bundle). Runner-up Albion: a lower score on this lot (80.00 against "
                        "85.00); taking it would lower the total value by 10.00.")
    sme = Problem(lots, offers, Rules(min_sme_share=D("0.5")))
    explained = explain(sme, solve(sme))
    assert explained.lots[0].as_text(names).endswith("it would take the SME share of the award below the minimum.")
    assert "Binding: the minimum SME share (without it the award would be worth 30.00 more)." in binding_text(
        explained.binding)
    limited = Problem(lots, offers, Rules(max_lots_per_supplier=1))
    assert explain(limited, solve(limited)).lots[0].as_text(names).endswith(
        "it is a bundle of 2 lots, more than the lot limit of 1.")


def test_a_lot_nobody_can_win_is_explained():
    from procurement.domain.award.explain import explain

    lots = [Lot(1, 1, quality_threshold=D(50)), Lot(2, 2)]
    offers = [Offer(1, 10, False, D(100), (1,), {1: D(80)}, {1: D(40)})]
    problem = Problem(lots, offers)
    texts = [lot.as_text({}) for lot in explain(problem, solve(problem)).lots]
    assert texts == ["Lot 1: no winner. No offer meets its quality threshold.", "Lot 2: no winner. Nobody bid for it."]


@contextmanager
def tuned(**changes):
    """Solve with other tuning for a while (the benchmark compares them; the app always uses the default)."""
    before = solver.TUNING
    solver.TUNING = replace(before, **changes)
    try:
        yield
    finally:
        solver.TUNING = before


@st.composite
def splitting_problems(draw):
    """Problems made of two blocks of lots that no offer, supplier, budget or SME share joins, so that they split
    into at least two parts; within a block, bundles, lot limits and a budget that may bind join lots."""
    lots, offers = [], []
    for block in range(2):
        for i in range(draw(st.integers(1, 3))):
            lots.append(Lot(id=100 * (block + 1) + i, number=len(lots) + 1, max_awards=draw(st.integers(1, 2)),
                            quality_threshold=D(draw(st.sampled_from([0, 0, 20]))),
                            budget_shares={block + 1: D(1)}))
    for j in range(draw(st.integers(0, 10))):
        block = draw(st.integers(0, 1))
        own = [lot.id for lot in lots if lot.id // 100 == block + 1]
        size = min(len(own), draw(st.sampled_from([1, 1, 1, 2, 3])))  # mostly single-lot offers
        covered = tuple(sorted(draw(st.sets(st.sampled_from(own), min_size=size, max_size=size))))
        offers.append(Offer(
            id=j + 1, supplier_id=10 * (block + 1) + draw(st.integers(1, 3)), sme=draw(st.booleans()),
            price=D(draw(st.integers(10, 200))), lot_ids=covered,
            meat={lot_id: D(draw(st.integers(10, 100))) for lot_id in covered},
            quality={lot_id: D(draw(st.integers(0, 60))) for lot_id in covered}))
    rules = Rules(max_lots_per_supplier=draw(st.one_of(st.none(), st.integers(1, 2))),
                  budgets=draw(st.sampled_from([{}, {1: D(150)}, {1: D(120), 2: D(2000)}, {2: D(90)}])))
    return Problem(lots, offers, rules)


@fast
@given(splitting_problems())
def test_solving_the_parts_one_by_one_equals_brute_force_and_the_whole(problem):
    with tuned(batch=1):  # every part in a model of its own, however small
        parts = solve(problem)
    with tuned(decompose=False):
        whole = solve(problem)
    best_unfilled, best_value, _ = brute_force(problem)
    for result in (parts, whole):
        assert result.optimal and result.gap == 0.0
        assert (len(result.unfilled), result.value) == (best_unfilled, best_value)
        assert violations(problem, result.chosen) == []
        assert result.unfilled == unfilled(problem, result.chosen)
    assert parts.bound == parts.value


@fast
@given(st.one_of(problems(), splitting_problems()))
def test_the_tuning_alternatives_give_the_same_optimum(problem):
    best_unfilled, best_value, _ = brute_force(problem)
    for changes in ({"merge_rows": True, "cliques": True}, {"highs": {"presolve": "on"}}):
        with tuned(batch=1, **changes):
            result = solve(problem)
        assert result.optimal and (len(result.unfilled), result.value) == (best_unfilled, best_value)
        assert violations(problem, result.chosen) == []


@fast
@given(st.one_of(problems(max_offers=12), splitting_problems()))
def test_no_rule_crosses_two_parts(problem):
    from procurement.domain.award.decompose import binding_budgets

    lots = {lot.id: lot for lot in problem.lots}
    parts = components(problem)
    part_of = {lot.id: i for i, part in enumerate(parts) for lot in part.lots}
    offers = [o for part in parts for o in part.offers if compliant(o, lots)]  # one part: the problem itself
    assert sorted(o.id for o in offers) == sorted(o.id for o in problem.offers if compliant(o, lots))
    for offer in offers:
        assert len({part_of[lot_id] for lot_id in offer.lot_ids}) == 1
    limit = problem.rules.max_lots_per_supplier
    for supplier in {o.supplier_id for o in offers}:
        covered = {lot_id for o in offers if o.supplier_id == supplier for lot_id in o.lot_ids}
        if limit is not None and len(covered) > limit:
            assert len({part_of[lot_id] for lot_id in covered}) == 1
    for authority in binding_budgets(lots, offers, problem.rules):
        assert len({part_of[lot_id] for lot_id in part_of if authority in lots[lot_id].budget_shares}) == 1
    if len(parts) > 1:
        with tuned(batch=1):
            split = solve(problem)
        best_unfilled, best_value, _ = brute_force(problem)
        assert (len(split.unfilled), split.value) == (best_unfilled, best_value)
        assert violations(problem, split.chosen) == []


def test_independent_blocks_split_and_each_block_is_solved_on_its_own():
    lots = [Lot(1, 1, budget_shares={1: D(1)}), Lot(2, 2, budget_shares={1: D(1)}), Lot(3, 3), Lot(4, 4), Lot(5, 5)]
    offers = [Offer(1, 10, False, D(50), (1,), {1: D(50)}), Offer(2, 11, False, D(60), (1,), {1: D(60)}),
              Offer(3, 12, False, D(60), (2,), {2: D(45)}), Offer(4, 13, False, D(10), (3,), {3: D(30)}),
              Offer(5, 13, False, D(10), (4,), {4: D(20)}), Offer(6, 14, False, D(10), (5,), {5: D(25)})]
    tight = Problem(lots, offers, Rules(max_lots_per_supplier=1, budgets={1: D(110)}))
    # the budget can bind (60 + 60 > 110): lots 1 and 2 go together; supplier 13 bids on more lots than the
    # limit of 1: lots 3 and 4 go together; lot 5 is on its own
    assert sorted(sorted(lot.id for lot in part.lots) for part in components(tight)) == [[1, 2], [3, 4], [5]]
    loose = Problem(lots, offers, Rules(max_lots_per_supplier=2, budgets={1: D(1000)}))  # neither can bind
    assert len(components(loose)) == 5
    sme = Problem(lots, offers, Rules(min_sme_share=D("0.1")))  # no SME offer at all: the share binds everything
    assert len(components(sme)) == 1
    with tuned(batch=1):
        result = solve(tight)
        # under the budget of 110, offer 2 (60) and offer 3 (60) do not both fit; supplier 13 wins one lot only
        assert sorted(o.id for o in result.chosen) == [1, 3, 4, 6] and result.value == 150 and result.optimal
        assert result.unfilled == [4]
        forced = solve(tight, force=frozenset({2, 3}))  # the budget forbids it: no award, as without splitting
        assert forced.chosen == [] and not forced.optimal
