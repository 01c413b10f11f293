"""Demo data past evaluation: frameworks scored, awarded by the optimiser, recommended, approved by the board,
and awarded with their contracts, all through the same services as the pages use."""
from datetime import timedelta
from decimal import Decimal

from app.accounts import services as accounts
from app.accounts.models import User
from app.domain.roles import Role
from app.extensions import db
from app.types import utcnow
from frameworks import services as frameworks
from frameworks.domain.lifecycle import FrameworkStatus
from procurement.award import services as award
from procurement.board import services as board
from procurement.calloffs import services as calloffs
from procurement.contracts import services as contracts
from procurement.contracts import standstill
from procurement.evaluation import services as evaluation
from suppliers.models import Bid, BidLot, BidStatus

RATIONALES = ("Meets every requirement with a credible plan.", "Strong on delivery, thin on social value.",
              "Clear and specific, with named staff and dates.")


def advance(admin: User, framework, target: FrameworkStatus) -> None:
    """Take a closed framework on to `target`: recommended, standstill or awarded."""
    evaluator = accounts.find_by_email("evaluator@islington.gov.uk")
    frameworks.transition(admin, framework.id, FrameworkStatus.EVALUATION)
    for lot in framework.lots:
        evaluation.set_panel(admin, lot.id, [evaluator.id])
        evaluation.declare(evaluator, lot.id, False, "")
        bid_ids = db.session.scalars(db.select(BidLot.bid_id).join(Bid, Bid.id == BidLot.bid_id).where(
            BidLot.lot_id == lot.id, Bid.status == BidStatus.SUBMITTED).order_by(BidLot.bid_id)).all()
        for index, bid_id in enumerate(bid_ids):
            for criterion in lot.criteria:
                mark = Decimal(max(1, criterion.max_score - (index + criterion.position) % 4))
                evaluation.record_score(evaluator, lot.id, bid_id, criterion.id, mark,
                                        RATIONALES[(index + criterion.position) % len(RATIONALES)])
    run = award.run(admin, framework.id, award.Options(time_limit=10.0))
    board.recommend(admin, run.id)
    if target == FrameworkStatus.RECOMMENDED:
        return
    members = db.session.scalars(db.select(User).where(User.role == Role.BOARD).order_by(User.id)).all()
    for member in members:
        board.declare(member, run.id, False, "")
        result = board.vote(member, run.id, "approve", "The pack shows the best value; approved.")
        if result.tally.outcome.value != "pending":
            break
    standstill.send_letters(framework.id)  # at once, whether or not a task consumer is running yet
    if target == FrameworkStatus.STANDSTILL:
        return
    framework = frameworks.get(framework.id)
    framework.standstill_ends = utcnow() - timedelta(days=1)  # as if the standstill had run its course
    db.session.commit()
    frameworks.transition(admin, framework.id, FrameworkStatus.AWARDED)
    contracts.render_pending(framework.id)  # at once, whether or not a task consumer is running yet
    _call_off(framework)


def _call_off(framework) -> None:
    """The first authority of each single-supplier lot calls off, so that a levy is due."""
    held = calloffs.winners(framework.id)
    for lot in framework.lots:
        suppliers = held.get(lot.id, [])
        authority = frameworks.demand(lot).authorities[0].organisation_id if lot.pooled else None
        officer = db.session.scalars(db.select(User).where(User.organisation_id == authority,
                                                           User.role == Role.OFFICER).limit(1)).first()
        if len(suppliers) == 1 and officer is not None:
            calloffs.call_off(officer, framework.id, lot.id, suppliers[0], (lot.budget / 10).quantize(Decimal("1")),
                              f"A first order under lot {lot.number}.")
