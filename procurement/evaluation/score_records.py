"""The lot's score records as they stand: nothing is overwritten, so the latest row of each answer counts. Read by
the evaluation's services and by moderation."""
from app.accounts.models import User
from app.extensions import db
from procurement.evaluation.models import ModeratedScore, Score


def latest_scores(lot_id: int, evaluator_id: int | None = None) -> dict:
    """The latest score of each (bid, criterion) by one evaluator, or of each (bid, criterion, evaluator)."""
    latest = (db.select(db.func.max(Score.id)).where(Score.lot_id == lot_id)
              .group_by(Score.bid_id, Score.criterion_id, Score.evaluator_id))
    query = db.select(Score).where(Score.id.in_(latest))
    if evaluator_id is not None:
        query = query.where(Score.evaluator_id == evaluator_id)
        return {(s.bid_id, s.criterion_id): s for s in db.session.scalars(query)}
    return {(s.bid_id, s.criterion_id, s.evaluator_id): s for s in db.session.scalars(query)}


def latest_moderated(lot_id: int) -> dict:
    """The latest moderated score of each (bid, criterion)."""
    latest = (db.select(db.func.max(ModeratedScore.id)).where(ModeratedScore.lot_id == lot_id)
              .group_by(ModeratedScore.bid_id, ModeratedScore.criterion_id))
    return {(m.bid_id, m.criterion_id): m
            for m in db.session.scalars(db.select(ModeratedScore).where(ModeratedScore.id.in_(latest)))}


def evaluator_emails(lot_id: int) -> dict[int, str]:
    """User id → e-mail address of everyone who has scored an answer of the lot."""
    return dict(db.session.execute(db.select(User.id, User.email).join(Score, Score.evaluator_id == User.id)
                                   .where(Score.lot_id == lot_id).distinct()).all())
