"""The pages of issue 20's table take as many queries with a framework of 150 bids (and two awarded frameworks) as
with one of 10 (and one): the public list and its search, the framework page, both dashboards, the API's list of
frameworks and the health check. (The ranking's page and API answer, and the levies page, have theirs beside them:
tests/functional/evaluation/test_ranking_at_scale.py and tests/functional/payments/test_levy_totals.py.)"""
from app.extensions import db
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.models import Framework
from procurement.award.models import AwardRun
from procurement.board.models import Recommendation
from suppliers.models import BidLot
from tests import ranking_lots
from tests.support import PASSWORD, api_token, bearer, counting_queries, sign_in


def past_the_board(built: ranking_lots.BuiltLot) -> None:
    """The built framework awarded on an approved recommendation, its lot to its cheapest bid, as the dashboards'
    savings read it."""
    framework = db.session.get(Framework, built.framework_id)
    framework.status = FrameworkStatus.AWARDED
    cheapest = db.session.execute(db.select(BidLot.bid_id, BidLot.price).where(BidLot.lot_id == built.lot_id)
                                  .order_by(BidLot.price).limit(1)).one()
    run = AwardRun(framework_id=framework.id, result={"awards": [
        {"lot_id": built.lot_id, "bid_id": cheapest.bid_id, "price": str(cheapest.price)}]})
    db.session.add(run)
    db.session.flush()
    db.session.add(Recommendation(framework_id=framework.id, award_run_id=run.id, board_size=3, quorum=2,
                                  outcome="approved"))
    db.session.commit()


def counted(client, path: str, headers=None, expect: str | None = None) -> int:
    with counting_queries() as count:
        response = client.get(path, headers=headers or {})
    assert response.status_code == 200, (path, response.status_code)
    if expect is not None:
        assert expect in response.get_data(as_text=True), path
    return count["n"]


def test_the_benchmarked_pages_take_the_same_queries_at_two_sizes(app, make_user):
    first = ranking_lots.build_lot(10, seed=21)
    past_the_board(ranking_lots.build_lot(4, seed=22))
    make_user("bidder@ranked.example", "supplier", org=f"Ranked supplier {first_tag(first)} 00000")
    admin, bidder, public = app.test_client(), app.test_client(), app.test_client()
    assert sign_in(admin, first.admin_email).status_code == 302
    assert sign_in(bidder, "bidder@ranked.example", PASSWORD).status_code == 302
    token = api_token(admin, first.admin_email)  # an admin gives a second factor's code too

    counts = []
    for built in (first, None):
        if built is None:
            built = ranking_lots.build_lot(150, seed=23)
            past_the_board(ranking_lots.build_lot(4, seed=24))
        counts.append({
            "opportunities": counted(public, "/opportunities?status=all", expect="Ranking at scale"),
            "search": counted(public, "/opportunities?q=Ranking&status=all", expect="Ranking at scale"),
            "framework page": counted(admin, f"/frameworks/{built.framework_id}", expect="Ranking at scale"),
            "admin dashboard": counted(admin, "/dashboard", expect="Savings by authority"),
            "supplier dashboard": counted(bidder, "/dashboard"),
            "API frameworks": counted(admin, "/api/v1/frameworks", bearer(token)),
            "health": counted(public, "/healthz"),
        })
    assert counts[0] == counts[1], counts
    assert all(n > 0 for n in counts[0].values()), counts


def first_tag(built: ranking_lots.BuiltLot) -> str:
    """The tag of a built lot's names (its framework is 'Ranking at scale <tag>')."""
    title = db.session.scalar(db.select(Framework.title).where(Framework.id == built.framework_id))
    return title.removeprefix("Ranking at scale ")

