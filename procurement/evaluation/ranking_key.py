"""The key under which a settled lot's ranking is kept (app/memo.py): what it depends on and can still change."""
from app.extensions import db
from frameworks.models import Lot
from procurement.evaluation.models import ModeratedScore, Score
from suppliers.models import Bid, BidLot, BidStatus

KIND = "ranking.v1"  # a new version when the kept value's shape changes


def of(lot: Lot) -> tuple:
    """Its scores and moderated scores (each a new row, never changed or deleted), and, for safety, its submitted
    offers. Its criteria, weights and formula are fixed once the framework is published (named by its publication),
    its bids once settled. One query."""
    def seen(model) -> list:
        return [db.select(aggregate(model.id)).where(model.lot_id == lot.id).scalar_subquery()
                for aggregate in (db.func.count, db.func.max)]
    offers = (db.select(db.func.count(BidLot.id)).join(Bid, Bid.id == BidLot.bid_id)
              .where(BidLot.lot_id == lot.id, Bid.framework_id == lot.framework_id, Bid.status == BidStatus.SUBMITTED)
              .scalar_subquery())  # naming the framework reads its bids by index, not all of them
    row = db.session.execute(db.select(*seen(Score), *seen(ModeratedScore), offers)).one()
    return (lot.id, lot.framework_id, lot.framework.published_at, *row)
