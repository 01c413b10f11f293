"""A settled lot's ranking is kept (app/memo.py) under a key of its scores and offers, with the API's JSON beside it:
what is served from it is what would be computed now, a new score or moderated score is seen at once, a lot whose
bids may still change is never kept, and the ranking page shows 50 bids a page. Real HTTP, real database."""
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from app import memo
from app.accounts.models import User
from app.extensions import db
from frameworks import services as frameworks
from procurement.evaluation import ranking_key
from procurement.evaluation import services as evaluation
from tests import ranking_lots
from tests.support import api_token, bearer, sign_in

RANK_CELL = re.compile(r'<tr><td class="num"[^>]*>(\d+)</td>')


def user(email: str) -> User:
    return db.session.scalar(db.select(User).where(User.email == email))


def ranked(client, headers, lot_id: int) -> dict:
    response = client.get(f"/api/v1/lots/{lot_id}/ranking", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_kept_ranking_is_what_would_be_computed_now_and_a_new_score_is_seen_at_once(app, client):
    built = ranking_lots.build_lot(60, seed=31)
    admin = user(built.admin_email)
    headers = bearer(api_token(client, built.admin_email))
    first = ranked(client, headers, built.lot_id)
    assert memo.recall(ranking_key.KIND, ranking_key.of(frameworks.get_lot(built.lot_id))) is not None
    assert ranked(client, headers, built.lot_id) == first
    memo.forget_all()
    assert ranked(client, headers, built.lot_id) == first

    last = first["items"][-1]
    lot = frameworks.get_lot(built.lot_id)
    for criterion in lot.criteria:  # the last bid moderated to full marks on every criterion
        evaluation.moderate(admin, lot.id, last["bid_id"], criterion.id, Decimal(criterion.max_score), "Agreed")
    after = ranked(client, headers, built.lot_id)
    assert after != first
    moved = next(item for item in after["items"] if item["bid_id"] == last["bid_id"])
    assert Decimal(moved["quality_score"]) > Decimal(last["quality_score"]) and moved["rank"] < last["rank"]
    memo.forget_all()
    assert ranked(client, headers, built.lot_id) == after


def test_a_lot_whose_bids_may_still_change_is_not_kept(app, client):
    """Within the grace after the deadline, a bid received in time may still be written: nothing is kept."""
    built = ranking_lots.build_lot(8, seed=32)
    framework = frameworks.get(built.framework_id)
    framework.bid_deadline = datetime.now(UTC) - timedelta(seconds=30)
    framework.question_deadline = framework.bid_deadline - timedelta(days=1)
    db.session.commit()
    result = evaluation.ranking(user(built.admin_email), built.lot_id)
    assert result.key is None and result.rows
    assert memo.recall(ranking_key.KIND, ranking_key.of(frameworks.get_lot(built.lot_id))) is None


def test_the_ranking_page_shows_fifty_bids_a_page_with_the_rest_on_the_next(app, client):
    built = ranking_lots.build_lot(120, seed=33)
    assert sign_in(client, built.admin_email).status_code == 302
    first = client.get(f"/lots/{built.lot_id}/ranking").get_data(as_text=True)
    assert "Ranked bids, ranks 1 to 50 of 120" in first and "Page 1 of 3 (120 in all)" in first
    assert len(RANK_CELL.findall(first)) == 50 and 'rel="next"' in first
    last = client.get(f"/lots/{built.lot_id}/ranking?page=3").get_data(as_text=True)
    assert "ranks 101 to 120 of 120" in last and 'rel="prev"' in last and 'rel="next"' not in last
    beyond = client.get(f"/lots/{built.lot_id}/ranking?page=99").get_data(as_text=True)
    assert "ranks 101 to 120 of 120" in beyond
    ranks = [int(r) for r in RANK_CELL.findall(last)]
    assert len(ranks) == 20 and ranks == sorted(ranks) and ranks[0] >= 99
