"""Large lots read from the database (tests/ranking_lots.py): the ranking is the reference's (the service as it was
before issue 20), the award's inputs score bundles as before, and the ranking's API answer and page take the same
number of queries at two sizes, for an admin and for an evaluator."""
from decimal import Decimal

import pytest

from app.accounts.models import User
from app.extensions import db
from frameworks import services as frameworks
from procurement.award import services as award
from procurement.evaluation import moderation, score_records
from procurement.evaluation import services as evaluation
from suppliers.models import BundleOffer
from tests import ranking_lots
from tests import ranking_reference as reference
from tests.support import api_token, bearer, counting_queries, sign_in


def user(email: str) -> User:
    return db.session.scalar(db.select(User).where(User.email == email))


def as_text(result: evaluation.Ranking) -> tuple[list[tuple], list[int]]:
    rows = [(r.bid_id, r.supplier_id, str(r.price), str(r.quality), str(r.price_score), str(r.total), r.rank,
             r.complete) for r in result.rows]
    return rows, result.reversals


@pytest.mark.parametrize(("formula", "tied_lowest"), [("relative", False), ("relative", True), ("linear", False),
                                                      ("absolute", False)])
def test_a_large_lots_ranking_is_the_references(app, formula, tied_lowest):
    built = ranking_lots.build_lot(300, seed=3, formula=formula, tied_lowest=tied_lowest)
    admin = user(built.admin_email)
    ours, theirs = as_text(evaluation.ranking(admin, built.lot_id)), as_text(reference.ranking(admin, built.lot_id))
    assert ours == theirs
    assert len(ours[0]) == 300 and any(not complete for *_, complete in ours[0])
    if formula == "relative":
        assert (ours[1] != []) == (not tied_lowest)  # the one far cheaper bid reverses the others' ranks


def test_an_evaluators_ranking_of_a_large_lot_is_the_references(app):
    built = ranking_lots.build_lot(200, seed=4, all_scored=True)
    evaluator = user(built.evaluator_emails[0])
    ours = evaluation.ranking(evaluator, built.lot_id)
    assert as_text(ours) == as_text(reference.ranking(evaluator, built.lot_id))
    assert not ours.sees_prices


def test_the_award_scores_a_large_lots_bundles_as_before(app):
    built = ranking_lots.build_lot(300, seed=5)
    admin = user(built.admin_email)
    framework = frameworks.get(built.framework_id)
    problem, _, _ = award.build_problem(admin, framework, award.Options())
    rankings = {lot.id: reference.ranking(admin, lot.id) for lot in framework.lots}
    lots = {lot.id: lot for lot in framework.lots}
    singles = {(r.bid_id, lot_id): r for lot_id, ranking in rankings.items() for r in ranking.rows}
    bundles = [o for o in problem.offers if o.is_bundle]
    assert len(bundles) == 30 and len(problem.offers) == 300 + 30 + 30
    for offer in problem.offers:
        if not offer.is_bundle:
            [lot_id] = offer.lot_ids
            assert str(offer.meat[lot_id]) == str(singles[(offer.id, lot_id)].total)
            continue
        bid_id = db.session.get(BundleOffer, offer.id - award.BUNDLE_ID_OFFSET).bid_id
        for lot_id in offer.lot_ids:
            lot = lots[lot_id]
            price_score = reference.bundle_price_points(
                lot.price_formula, [r.price for r in rankings[lot_id].rows], offer.price / len(offer.lot_ids),
                lot.budget, Decimal(lot.price_weight))
            assert str(offer.meat[lot_id]) == str(singles[(bid_id, lot_id)].quality + price_score)


def _ranking_queries(app, built: ranking_lots.BuiltLot, who: str, where: str) -> int:
    email = built.admin_email if who == "admin" else built.evaluator_emails[0]
    client = app.test_client()
    if where == "api":
        headers, path = bearer(api_token(client, email)), f"/api/v1/lots/{built.lot_id}/ranking"
    else:
        assert sign_in(client, email).status_code == 302
        headers, path = {}, f"/lots/{built.lot_id}/ranking"
    with counting_queries() as count:
        response = client.get(path, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return count["n"]


@pytest.mark.parametrize("who", ["admin", "evaluator"])
@pytest.mark.parametrize("where", ["api", "page"])
def test_the_ranking_takes_as_many_queries_for_400_bids_as_for_20(app, who, where):
    counts = [_ranking_queries(app, ranking_lots.build_lot(n, seed=6, all_scored=True), who, where)
              for n in (20, 400)]
    assert 0 < counts[0] == counts[1], counts


def test_the_awards_inputs_take_as_many_queries_for_400_bids_as_for_20(app):
    counts = []
    for n in (20, 400):
        built = ranking_lots.build_lot(n, seed=7)
        admin, framework = user(built.admin_email), frameworks.get(built.framework_id)
        with counting_queries() as count:
            award.build_problem(admin, framework, award.Options())
        counts.append(count["n"])
    assert 0 < counts[0] == counts[1], counts


def test_a_large_lots_moderation_rows_are_as_before(app):
    built = ranking_lots.build_lot(150, seed=8)
    admin = user(built.admin_email)
    lot, rows = moderation.moderation_rows(admin, built.lot_id)
    # As they were found before: each answer's scores picked out of all of the lot's, one answer at a time.
    emails = {u.id: u.email for u in db.session.scalars(db.select(User))}
    latest = score_records.latest_scores(lot.id)
    expected = [(sheet.bid_id, criterion.id, sorted(((emails[e], s.id) for (b, c, e), s in latest.items()
                                                     if (b, c) == (sheet.bid_id, criterion.id)),
                                                    key=lambda pair: pair[0]))
                for sheet in moderation.answer_sheets(evaluation.evaluator_access(admin, lot.id))
                for criterion in lot.criteria]
    assert [(r.bid_id, r.criterion.id, [(e, s.id) for e, s in r.scores]) for r in rows] == expected
    assert any(r.wide for r in rows) and any(r.moderated for r in rows) and any(not r.scores for r in rows)
