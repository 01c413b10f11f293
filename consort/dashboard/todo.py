"""What each role has to do next, for the top of its dashboard: each task a link with its deadline.

Every list is read in a fixed number of queries, however many frameworks, lots, bids or contracts there are."""
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.models import User
from app.domain.roles import Role
from app.extensions import db
from app.types import utcnow
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.models import Framework, Lot, LotRequirement, Question
from frameworks.requirements.models import Requirement
from procurement.board.models import BoardVote, Recommendation
from procurement.calloffs.models import CallOff, Levy, MiniCompetition, MiniCompetitionAnswer
from procurement.contracts.models import Contract
from procurement.evaluation.models import ConflictDeclaration, PanelMember, Score
from suppliers import profiles
from suppliers.models import Bid, BidAnswer, BidLot, BidStatus

# The states in which a lot's bids are open to its panel and not yet decided.
BEING_EVALUATED = (FrameworkStatus.CLOSED, FrameworkStatus.EVALUATION)


@dataclass(frozen=True)
class Task:
    """One thing to do: what, where (an endpoint and its arguments), by when, and how far along."""

    title: str
    endpoint: str
    params: dict = field(default_factory=dict)
    deadline: datetime | None = None
    progress: str = ""
    anchor: str = ""
    amount: Decimal | None = None  # money the task is about, shown with the page's money filter


def tasks_for(user: User, now: datetime | None = None) -> list[Task]:
    """The signed-in person's tasks, soonest deadline first (those without one after)."""
    now = now or utcnow()
    found = {Role.EVALUATOR: evaluator_tasks, Role.BOARD: board_tasks, Role.SUPPLIER: supplier_tasks,
             Role.OFFICER: officer_tasks, Role.ADMIN: admin_tasks}[user.role](user, now)
    return sorted(found, key=lambda task: (task.deadline is None, task.deadline or now))


def _lot_name(lot: Lot, framework: Framework) -> str:
    return f"{framework.reference}, lot {lot.number}: {lot.title}"


def evaluator_tasks(user: User, now: datetime) -> list[Task]:
    """The lots of the evaluator's panels whose bids are open: declare first, then score every answer."""
    lots = db.session.execute(
        db.select(Lot, Framework).join(PanelMember, PanelMember.lot_id == Lot.id)
        .join(Framework, Framework.id == Lot.framework_id)
        .where(PanelMember.user_id == user.id, Framework.status.in_(BEING_EVALUATED))
        .order_by(Framework.id, Lot.number)).all()
    if not lots:
        return []
    lot_ids = [lot.id for lot, _ in lots]
    latest = (db.select(func.max(ConflictDeclaration.id)).where(ConflictDeclaration.user_id == user.id,
                                                                ConflictDeclaration.lot_id.in_(lot_ids))
              .group_by(ConflictDeclaration.lot_id))
    conflicted = dict(db.session.execute(db.select(ConflictDeclaration.lot_id, ConflictDeclaration.conflict)
                                         .where(ConflictDeclaration.id.in_(latest))).all())
    answers = dict(db.session.execute(
        db.select(BidLot.lot_id, func.count(BidAnswer.id)).join(BidAnswer, BidAnswer.bid_lot_id == BidLot.id)
        .join(Bid, Bid.id == BidLot.bid_id)
        .where(BidLot.lot_id.in_(lot_ids), Bid.status == BidStatus.SUBMITTED).group_by(BidLot.lot_id)).all())
    scored_answers = (db.select(Score.lot_id, Score.bid_id, Score.criterion_id).distinct()
                      .join(Bid, Bid.id == Score.bid_id)
                      .where(Score.evaluator_id == user.id, Score.lot_id.in_(lot_ids),
                             Bid.status == BidStatus.SUBMITTED).subquery())
    scored = dict(db.session.execute(db.select(scored_answers.c.lot_id, func.count())
                                     .group_by(scored_answers.c.lot_id)).all())
    tasks = []
    for lot, framework in lots:
        name = _lot_name(lot, framework)
        if lot.id not in conflicted:
            tasks.append(Task(f"Declare any conflict of interest for {name}", "evaluation.evaluate",
                              {"lot_id": lot.id}, progress="Then you can read and score its bids."))
        elif not conflicted[lot.id] and scored.get(lot.id, 0) < answers.get(lot.id, 0):
            tasks.append(Task(f"Score the answers to {name}", "evaluation.next_answer", {"lot_id": lot.id},
                              progress=f"{scored.get(lot.id, 0)} of {answers[lot.id]} answers scored"))
    return tasks


def board_tasks(user: User, now: datetime) -> list[Task]:
    """Recommendations waiting for the board on which this member has not voted."""
    voted = db.select(BoardVote.recommendation_id).where(BoardVote.user_id == user.id)
    rows = db.session.execute(
        db.select(Recommendation, Framework).join(Framework, Framework.id == Recommendation.framework_id)
        .where(Recommendation.outcome == "pending", Recommendation.id.not_in(voted))
        .options(selectinload(Recommendation.votes)).order_by(Recommendation.id)).all()
    return [Task(f"Vote on the recommended award of {framework.reference} {framework.title}",
                 "board.recommendation", {"run_id": recommendation.award_run_id},
                 progress=f"{len(recommendation.votes)} of {recommendation.board_size} members have voted; "
                          f"declare any conflict of interest, then vote")
            for recommendation, framework in rows]


def supplier_tasks(user: User, now: datetime) -> list[Task]:
    """A supplier's profile and declaration, bids in draft, contracts to sign, levies due, mini-competitions."""
    organisation_id = user.organisation_id
    tasks = _supplier_readiness(organisation_id)
    drafts = db.session.scalars(
        db.select(Framework).join(Bid, Bid.framework_id == Framework.id)
        .where(Bid.supplier_id == organisation_id, Bid.status == BidStatus.DRAFT,
               Framework.status == FrameworkStatus.OPEN, Framework.bid_deadline > now)).all()
    tasks += [Task(f"Finish and submit your bid for {framework.reference} {framework.title}", "bidding.task_list",
                   {"framework_id": framework.id}, framework.bid_deadline, "Draft: not yet submitted")
              for framework in drafts]
    contracts = db.session.scalars(db.select(Contract).where(Contract.supplier_id == organisation_id,
                                                             Contract.status == "issued")
                                   .order_by(Contract.id)).all()
    tasks += [Task(f"Sign contract {contract.reference}", "contracts.contract", {"contract_id": contract.id},
                   progress="Issued: waiting for your signature") for contract in contracts]
    levies = db.session.execute(
        db.select(Levy, Framework.reference).join(Framework, Framework.id == Levy.framework_id)
        .where(Levy.supplier_id == organisation_id, Levy.status == "due").order_by(Levy.id)).all()
    tasks += [Task(f"Pay the levy on a call-off from {reference}", "payments.pay", {"levy_id": levy.id},
                   progress="Amount due", amount=levy.amount) for levy, reference in levies]
    return tasks + _mini_competitions_to_answer(organisation_id, now)


def _supplier_readiness(organisation_id: int) -> list[Task]:
    """A supplier's bids need its profile and declaration: say so before it starts one."""
    tasks = {"profile": Task("Complete your company profile", "suppliers.profile",
                             progress="Needed before you can submit a bid"),
             "declaration": Task("Make your declaration against the exclusion grounds", "suppliers.declaration",
                                 progress="Needed before you can submit a bid")}
    return [tasks[missing] for missing in profiles.missing_before_bidding(organisation_id)]


def _mini_competitions_to_answer(organisation_id: int, now: datetime) -> list[Task]:
    """Open mini-competitions on lots this supplier holds (by the approved award) that it has not answered."""
    answered = db.select(MiniCompetitionAnswer.competition_id).where(
        MiniCompetitionAnswer.supplier_id == organisation_id)
    rows = db.session.execute(
        db.select(MiniCompetition, Framework.reference, Lot.number, Lot.title)
        .join(Framework, Framework.id == MiniCompetition.framework_id).join(Lot, Lot.id == MiniCompetition.lot_id)
        .where(MiniCompetition.status == "open", MiniCompetition.deadline > now,
               MiniCompetition.id.not_in(answered)).order_by(MiniCompetition.id)).all()
    if not rows:
        return []
    held = _lots_held(organisation_id, {competition.framework_id for competition, *_ in rows})
    return [Task(f"Answer the mini-competition on {reference}, lot {number}: {title}",
                 "calloffs.mini_competition", {"competition_id": competition.id}, competition.deadline,
                 "An order of up to", amount=competition.maximum_value)
            for competition, reference, number, title in rows if competition.lot_id in held]


def _lots_held(organisation_id: int, framework_ids: set[int]) -> set[int]:
    """The lots of these frameworks that the supplier won, by each one's approved recommendation."""
    recommendations = db.session.scalars(
        db.select(Recommendation).where(Recommendation.framework_id.in_(framework_ids),
                                        Recommendation.outcome == "approved")
        .options(joinedload(Recommendation.award_run))).all()
    return {award["lot_id"] for recommendation in recommendations
            for award in recommendation.award_run.result.get("awards", [])
            if award["supplier_id"] == organisation_id}


def officer_tasks(user: User, now: datetime) -> list[Task]:
    """Awarded lots the authority takes part in without a call-off yet, and its mini-competitions to award."""
    organisation_id = user.organisation_id
    placed = db.select(CallOff.lot_id).where(CallOff.organisation_id == organisation_id)
    competing = db.select(MiniCompetition.lot_id).where(MiniCompetition.organisation_id == organisation_id)
    lots = db.session.execute(
        db.select(Lot, Framework).join(Framework, Framework.id == Lot.framework_id)
        .join(LotRequirement, LotRequirement.lot_id == Lot.id)
        .join(Requirement, Requirement.id == LotRequirement.requirement_id)
        .where(Requirement.organisation_id == organisation_id, Framework.status == FrameworkStatus.AWARDED,
               Lot.id.not_in(placed), Lot.id.not_in(competing))
        .distinct().order_by(Framework.id, Lot.number)).all()
    tasks = [Task(f"Place a call-off from {_lot_name(lot, framework)}", "calloffs.call_offs",
                  {"framework_id": framework.id}, progress="Awarded: your authority has not called off yet")
             for lot, framework in lots]
    competitions = db.session.execute(
        db.select(MiniCompetition, Framework.reference, Lot.number, Lot.title)
        .join(Framework, Framework.id == MiniCompetition.framework_id).join(Lot, Lot.id == MiniCompetition.lot_id)
        .where(MiniCompetition.organisation_id == organisation_id, MiniCompetition.status == "open")
        .order_by(MiniCompetition.deadline)).all()
    for competition, reference, number, title in competitions:
        closed = competition.deadline <= now
        tasks.append(Task(f"{'Score and award' if closed else 'Follow'} the mini-competition on {reference}, "
                          f"lot {number}: {title}", "calloffs.mini_competition", {"competition_id": competition.id},
                          None if closed else competition.deadline,
                          "Answers are open to you now" if closed else "Answers are sealed until the deadline"))
    return tasks


def admin_tasks(user: User, now: datetime) -> list[Task]:
    """What waits on the consortium's admins: questions, evaluations to take to award, awards, countersignatures."""
    questions = db.session.execute(
        db.select(Framework, func.count(Question.id)).join(Question, Question.framework_id == Framework.id)
        .where(Question.answered_at.is_(None),
               Framework.status.not_in((FrameworkStatus.CANCELLED, FrameworkStatus.EXPIRED)))
        .group_by(Framework.id).order_by(Framework.id)).all()
    tasks = [Task(f"Answer {n} clarification question{'s' if n != 1 else ''} on {framework.reference}",
                  "frameworks.detail", {"framework_id": framework.id}, framework.bid_deadline,
                  "Answers are published to every bidder", anchor="questions")
             for framework, n in questions]
    frameworks = db.session.scalars(db.select(Framework).where(Framework.status.in_(
        (FrameworkStatus.CLOSED, FrameworkStatus.EVALUATION, FrameworkStatus.STANDSTILL)))
        .order_by(Framework.id)).all()
    for framework in frameworks:
        if framework.status == FrameworkStatus.CLOSED:
            tasks.append(Task(f"Set the panels and start the evaluation of {framework.reference}",
                              "frameworks.detail", {"framework_id": framework.id},
                              progress="Closed: the bids are open"))
        elif framework.status == FrameworkStatus.EVALUATION:
            tasks.append(Task(f"Run the award of {framework.reference} and recommend it to the board",
                              "award.award_page", {"framework_id": framework.id}, progress="In evaluation"))
        elif framework.standstill_ends is not None and framework.standstill_ends <= now:
            tasks.append(Task(f"Award {framework.reference} and issue its contracts",
                              "contracts.award_framework", {"framework_id": framework.id},
                              framework.standstill_ends, "The standstill has ended"))
    signed = db.session.scalars(db.select(Contract).where(Contract.status == "signed").order_by(Contract.id)).all()
    tasks += [Task(f"Countersign contract {contract.reference}", "contracts.contract",
                   {"contract_id": contract.id}, progress=f"Signed by the supplier on {contract.signed_at:%-d %b %Y}")
              for contract in signed]
    return tasks
