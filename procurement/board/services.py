"""The board: an award run recommended to it, conflict declarations, votes, the decision and its minutes."""
from dataclasses import dataclass
from datetime import datetime

from blinker import Namespace
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app import outbox, pdf
from app.accounts.models import User
from app.audit import services as audit
from app.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.domain.roles import Role
from app.extensions import db
from app.links import public_url
from app.types import utcnow
from frameworks import services as frameworks
from frameworks import signals as framework_signals
from frameworks.domain.lifecycle import FrameworkStatus
from frameworks.models import Framework, Lot
from procurement.award import pack
from procurement.award.models import AwardRun
from procurement.board.models import BoardVote, Recommendation
from procurement.domain import board as rules
from procurement.evaluation import services as evaluation
from procurement.evaluation.models import ConflictDeclaration


def members() -> list[User]:
    return list(db.session.scalars(db.select(User).where(User.role == Role.BOARD, User.active.is_(True))
                                   .order_by(User.id)))


def _run(run_id: int) -> AwardRun:
    record = db.session.get(AwardRun, run_id)
    if record is None:
        raise NotFound("There is no award run with that id.")
    return record


def latest_for(framework_id: int) -> Recommendation | None:
    return db.session.scalars(db.select(Recommendation).where(Recommendation.framework_id == framework_id)
                              .order_by(Recommendation.id.desc()).limit(1)).first()


@framework_signals.lifecycle_facts.connect
def _board_facts(framework: Framework) -> dict:
    """What the framework's lifecycle needs from the board: whether an award waits, was approved or rejected."""
    latest = latest_for(framework.id)
    outcome = latest.outcome if latest is not None else None
    return {"has_recommended_award": outcome == "pending", "board_approved": outcome == "approved",
            "board_rejected": outcome == "rejected"}


@framework_signals.page_context.connect
def _recommendation_on_framework_page(framework: Framework, user: User) -> dict:
    return {"recommendation": latest_for(framework.id)}


# Sent with the framework's id once the board's approval of an award is committed: the standstill starts.
approved = Namespace().signal("award-approved")


def recommendation_of(run_id: int, *, for_update: bool = False) -> Recommendation | None:
    query = db.select(Recommendation).where(Recommendation.award_run_id == run_id) \
        .order_by(Recommendation.id.desc()).limit(1)
    if for_update:
        query = query.with_for_update()
    return db.session.scalars(query).first()


def recommend(actor: User, run_id: int, now: datetime | None = None) -> Recommendation:
    """An admin puts a completed award run to the board; the framework becomes recommended. Commits, then tells
    the board by e-mail."""
    if actor.role != Role.ADMIN:
        raise Forbidden("Only the consortium's admins recommend an award to the board.")
    now = now or utcnow()
    record = _run(run_id)
    framework = frameworks.get(record.framework_id, for_update=True)
    if record.status != "done":
        raise Conflict(f"Only a completed award run can be recommended; this one is {record.status}.")
    if not record.result.get("awards"):
        raise Conflict("This award run awards nothing, so there is nothing to recommend.")
    newer = db.session.scalar(db.select(AwardRun.id).where(AwardRun.framework_id == framework.id,
                                                           AwardRun.id > record.id, AwardRun.status == "running"))
    if newer is not None:
        raise Conflict("A newer award run is still running; wait for it before recommending.")
    board = members()
    configured = current_app.config.get("BOARD_QUORUM")
    recommendation = Recommendation(framework_id=framework.id, award_run_id=record.id, recommended_by_id=actor.id,
                                    recommended_at=now, board_size=len(board),
                                    quorum=rules.quorum(len(board), int(configured) if configured else None))
    db.session.add(recommendation)
    db.session.flush()
    frameworks.move(actor, framework, FrameworkStatus.RECOMMENDED, now)
    # The pack the board reads is the one of this moment, rendered once: every later request is served this copy.
    recommendation.pack_pdf = pack.pack_pdf(actor, record.id)
    recommendation.pack_sha256 = pdf.sha256(recommendation.pack_pdf)
    audit.record("recommendation.made", recommendation, actor=actor,
                 after={"award_run_id": record.id, "board_size": recommendation.board_size,
                        "quorum": recommendation.quorum})
    _tell_board(board, framework, recommendation)
    db.session.commit()
    return recommendation


def _tell_board(board: list[User], framework: Framework, recommendation: Recommendation) -> None:
    link = public_url("board.recommendation", run_id=recommendation.award_run_id)
    body = (f"The consortium recommends an award for {framework.reference}, {framework.title}.\n\n"
            f"Read the recommendation pack, declare any conflict of interest with the winning suppliers, and vote:\n"
            f"{link}\n\nA quorum of {recommendation.quorum} approvals is needed.")
    for member in board:  # sent after the commit; the page lists what awaits a vote whether or not mail gets through
        outbox.send_later(member.email, f"Board vote needed: {framework.reference}", body)


def winning_supplier_ids(record: AwardRun) -> set[int]:
    return {a["supplier_id"] for a in record.result.get("awards", [])}


def framework_lot_ids(framework_id: int) -> list[int]:
    return list(db.session.scalars(db.select(Lot.id).where(Lot.framework_id == framework_id)))


@dataclass(frozen=True)
class Standing:
    """Where a board member stands on a recommendation."""

    declared: bool
    conflicted: bool
    vote: BoardVote | None


def standing(member: User, recommendation: Recommendation) -> Standing:
    lot_ids = framework_lot_ids(recommendation.framework_id)
    latest: dict[int, ConflictDeclaration] = {}
    for entry in db.session.scalars(db.select(ConflictDeclaration).where(
            ConflictDeclaration.user_id == member.id, ConflictDeclaration.lot_id.in_(lot_ids))
            .order_by(ConflictDeclaration.id)):
        latest[entry.lot_id] = entry
    vote = next((v for v in recommendation.votes if v.user_id == member.id), None)
    return Standing(bool(latest), any(d.conflict for d in latest.values()), vote)


def declare(actor: User, run_id: int, conflict: bool, details: str) -> list[ConflictDeclaration]:
    """A board member declares, on every lot of the recommended award at once, any conflict of interest with
    the winning suppliers. Commits."""
    if actor.role != Role.BOARD:
        raise Forbidden("Only board members declare conflicts on a recommendation.")
    record = _run(run_id)
    details = details.strip()
    if conflict and not details:
        message = "Say what the conflict is: which supplier, and your connection with it."
        raise ValidationFailed(message, {"details": message})
    names = sorted(evaluation.supplier_names(winning_supplier_ids(record)).values())
    lot_ids = sorted({a["lot_id"] for a in record.result.get("awards", [])})
    now = utcnow()
    entries = [ConflictDeclaration(lot_id=lot_id, user_id=actor.id, conflict=conflict, details=details,
                                   bidders_named=names, declared_at=now) for lot_id in lot_ids]
    db.session.add_all(entries)
    audit.record("board.conflict_declared", record, actor=actor,
                 after={"conflict": conflict, "suppliers_named": names})
    db.session.commit()
    return entries


@dataclass(frozen=True)
class VoteResult:
    vote: BoardVote
    tally: rules.Tally
    framework: Framework


def tally_of(recommendation: Recommendation) -> rules.Tally:
    return rules.tally([rules.Decision(v.decision) for v in recommendation.votes], recommendation.board_size,
                       recommendation.quorum)


def vote(actor: User, run_id: int, decision: str, comment: str, now: datetime | None = None) -> VoteResult:
    """A board member votes on the recommended award run. A quorum of approvals starts the standstill; a majority
    of rejections sends the framework back to evaluation with the reasons. One transaction; commits."""
    now = now or utcnow()
    _run(run_id)
    recommendation = recommendation_of(run_id, for_update=True)
    if recommendation is None:
        raise Conflict("This award run has not been recommended to the board.")
    framework = frameworks.get(recommendation.framework_id, for_update=True)
    comment = comment.strip()
    if decision == rules.Decision.REJECT and not comment:
        message = "Give the reasons for rejecting: they go back to the evaluators."
        raise ValidationFailed(message, {"comment": message})
    where = standing(actor, recommendation)
    if reason := rules.refusal_to_vote(is_board_member=actor.role == Role.BOARD, declared=where.declared,
                                       conflicted=where.conflicted, already_voted=where.vote is not None,
                                       outcome=rules.Outcome(recommendation.outcome)):
        db.session.rollback()
        raise (Forbidden if actor.role != Role.BOARD or where.conflicted else Conflict)(reason)
    entry = BoardVote(recommendation_id=recommendation.id, user_id=actor.id, decision=decision, comment=comment,
                      voted_at=now)
    recommendation.votes.append(entry)
    db.session.add(entry)
    audit.record("board.voted", entry, actor=actor,
                 after={"award_run_id": run_id, "decision": decision})  # the comment is in the vote, not the log
    result = tally_of(recommendation)
    if result.outcome != rules.Outcome.PENDING:
        _decide(actor, recommendation, framework, result, now)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("You have already voted on this recommendation; a vote is final.") from None
    if result.outcome == rules.Outcome.APPROVED:
        approved.send(framework.id)
    return VoteResult(entry, result, framework)


def _decide(actor: User, recommendation: Recommendation, framework: Framework, result: rules.Tally,
            now: datetime) -> None:
    recommendation.outcome = result.outcome.value
    recommendation.decided_at = now
    if result.outcome == rules.Outcome.REJECTED:
        recommendation.reasons = "\n".join(v.comment for v in recommendation.votes if v.decision == "reject")
        frameworks.move(actor, framework, FrameworkStatus.EVALUATION, now)
    else:
        frameworks.move(actor, framework, FrameworkStatus.STANDSTILL, now)
    audit.record(f"recommendation.{result.outcome.value}", recommendation, actor=actor,
                 after={"approve": result.approve, "reject": result.reject, "abstain": result.abstain,
                        "quorum": result.quorum, "standstill_ends": framework.standstill_ends})


def for_board(actor: User, run_id: int) -> Recommendation:
    """The recommendation of an award run, for an admin or a board member."""
    if actor.role not in (Role.ADMIN, Role.BOARD):
        raise Forbidden("Only the consortium's admins and board members see recommendations.")
    _run(run_id)
    recommendation = recommendation_of(run_id)
    if recommendation is None:
        raise NotFound("This award run has not been recommended to the board.")
    return recommendation


def awaiting(actor: User) -> list[Recommendation]:
    """Recommendations still waiting for the board's decision, newest first."""
    return list(db.session.scalars(db.select(Recommendation).where(Recommendation.outcome == "pending")
                                   .order_by(Recommendation.id.desc())))


def pack_of(actor: User, run_id: int) -> tuple[bytes, str | None]:
    """The recommendation pack's PDF and SHA-256: the stored copy once the run is recommended; before that (an
    admin's preview) rendered afresh, without a stored fingerprint."""
    made = recommendation_of(run_id)
    if made is None or made.pack_sha256 is None:
        return pack.pack_pdf(actor, run_id), None
    for_board(actor, run_id)  # who may read it, as for the page
    return made.pack_pdf, made.pack_sha256


def minutes_pdf(actor: User, run_id: int) -> bytes:
    """The minutes of the board's decision (who voted what, when), as a PDF; the same decision, the same bytes."""
    recommendation = for_board(actor, run_id)
    if recommendation.outcome == "pending":
        raise Conflict("The board has not decided yet; the minutes record a decision.")
    framework = db.session.get(Framework, recommendation.framework_id)
    voters = {u.id: u for u in db.session.scalars(db.select(User).where(
        User.id.in_([v.user_id for v in recommendation.votes])))}
    return pdf.render("board/pdf/minutes.html", created=recommendation.decided_at, framework=framework,
                      recommendation=recommendation, tally=tally_of(recommendation), voters=voters)


def member_names(recommendation: Recommendation) -> dict[int, str]:
    """The names of those who voted, by user id."""
    ids = [v.user_id for v in recommendation.votes]
    return {u.id: u.name or u.email for u in db.session.scalars(db.select(User).where(User.id.in_(ids)))}
