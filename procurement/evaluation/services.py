"""Evaluation: panels, conflict declarations, independent scores with rationale, moderation, and the ranking.

The rules of access, in one place here:
- an admin sets each lot's panel of evaluators;
- an evaluator on the panel declares conflicts of interest against the lot's bidders before seeing its bids;
  a declared conflict removes their access to the lot;
- scores are given only after the bid deadline, each with a rationale, on the criterion's scale;
- an evaluator sees the others' scores (and the ranking) only once they have scored every answer of the lot;
- nothing is overwritten: a new declaration, score or moderated score is a new row and the latest counts.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from app import memo
from app.accounts.models import User
from app.audit import services as audit
from app.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.domain.roles import Role
from app.extensions import db
from app.organisations.models import Organisation
from app.types import utcnow
from frameworks import services as frameworks
from frameworks import signals as framework_signals
from frameworks.models import Criterion, Lot
from procurement.domain import scoring
from procurement.evaluation import ranking_key, score_records
from procurement.evaluation.models import ConflictDeclaration, ModeratedScore, PanelMember, Score
from suppliers import bids
from suppliers.models import Bid, BidLot, BidStatus

SPREAD_FRACTION = Decimal("0.4")  # evaluators further apart than this share of the scale need moderating


def panel(lot_id: int) -> list[User]:
    return list(db.session.scalars(db.select(User).join(PanelMember, PanelMember.user_id == User.id)
                                   .where(PanelMember.lot_id == lot_id).order_by(User.email)))


def set_panel(actor: User, lot_id: int, user_ids: list[int]) -> tuple[Lot, list[User]]:
    """Replace a lot's evaluation panel. Commits."""
    if actor.role != Role.ADMIN:
        raise Forbidden("Only the consortium's admins set evaluation panels.")
    lot = frameworks.get_lot(lot_id)
    wanted = sorted(set(user_ids))
    users = list(db.session.scalars(db.select(User).where(User.id.in_(wanted)))) if wanted else []
    found = {u.id: u for u in users}
    problems = {}
    for user_id in wanted:
        user = found.get(user_id)
        if user is None:
            problems[f"user_ids.{user_id}"] = f"There is no user {user_id}."
        elif user.role != Role.EVALUATOR or not user.active:
            problems[f"user_ids.{user_id}"] = f"{user.email} is not an active evaluator."
    if problems:
        raise ValidationFailed(next(iter(problems.values())), problems)
    before = [u.id for u in panel(lot.id)]
    db.session.execute(db.delete(PanelMember).where(PanelMember.lot_id == lot.id))
    db.session.add_all(PanelMember(lot_id=lot.id, user_id=u, added_by_id=actor.id) for u in wanted)
    audit.record("lot.panel_set", lot, actor=actor, before={"user_ids": before}, after={"user_ids": wanted})
    db.session.commit()
    return lot, panel(lot.id)


@bids.evaluator_clearance.connect
def cleared_lot_ids(actor: User) -> set[int]:
    """The lots whose bids an evaluator may read: on the lot's panel, with a latest declaration of no conflict."""
    latest = (db.select(db.func.max(ConflictDeclaration.id)).where(ConflictDeclaration.user_id == actor.id)
              .group_by(ConflictDeclaration.lot_id))
    return set(db.session.scalars(
        db.select(ConflictDeclaration.lot_id)
        .join(PanelMember, db.and_(PanelMember.lot_id == ConflictDeclaration.lot_id,
                                   PanelMember.user_id == actor.id))
        .where(ConflictDeclaration.id.in_(latest), ConflictDeclaration.conflict.is_(False))))


@framework_signals.page_context.connect
def _panel_on_framework_page(framework, user: User) -> dict:
    """An evaluator sees, on a framework's page, which of its lots they sit on the panel of."""
    return {"panel_lots": panel_lot_ids(user)} if user.role == Role.EVALUATOR else {}


def panel_lot_ids(user: User) -> set[int]:
    return set(db.session.scalars(db.select(PanelMember.lot_id).where(PanelMember.user_id == user.id)))


def _on_panel(user: User, lot_id: int) -> bool:
    return db.session.scalar(db.select(PanelMember.id).where(PanelMember.lot_id == lot_id,
                                                             PanelMember.user_id == user.id)) is not None


def bidder_names(lot: Lot, now: datetime | None = None) -> list[str]:
    """The names of the lot's bidders, once the seal is broken; before it, nobody may know them."""
    if bids.is_sealed(lot.framework, now or utcnow()):
        return []
    return list(db.session.scalars(db.select(Organisation.name).join(Bid, Bid.supplier_id == Organisation.id).join(
        BidLot, BidLot.bid_id == Bid.id).where(BidLot.lot_id == lot.id, Bid.status == BidStatus.SUBMITTED)
        .order_by(Organisation.name)))


def latest_declaration(user: User, lot_id: int) -> ConflictDeclaration | None:
    return db.session.scalar(db.select(ConflictDeclaration).where(
        ConflictDeclaration.lot_id == lot_id, ConflictDeclaration.user_id == user.id)
        .order_by(ConflictDeclaration.id.desc()).limit(1))


def declare(actor: User, lot_id: int, conflict: bool, details: str) -> ConflictDeclaration:
    """An evaluator on the panel (or a board member) declares conflicts of interest for a lot. Commits."""
    lot = frameworks.get_lot(lot_id)
    if actor.role == Role.EVALUATOR:
        if not _on_panel(actor, lot.id):
            raise Forbidden("You are not on this lot's evaluation panel.")
    elif actor.role != Role.BOARD:
        raise Forbidden("Only the lot's evaluators and board members declare conflicts of interest.")
    details = details.strip()
    if conflict and not details:
        message = "Say what the conflict is: which bidder, and your connection with it."
        raise ValidationFailed(message, {"details": message})
    declaration = ConflictDeclaration(lot_id=lot.id, user_id=actor.id, conflict=conflict, details=details,
                                      bidders_named=bidder_names(lot), declared_at=utcnow())
    db.session.add(declaration)
    audit.record("lot.conflict_declared", declaration, actor=actor,
                 after={"lot_id": lot.id, "conflict": conflict})
    db.session.commit()
    return declaration


@dataclass(frozen=True)
class Access:
    lot: Lot
    sees_prices: bool


def evaluator_access(actor: User, lot_id: int, now: datetime | None = None) -> Access:
    """May this person read the lot's bids for evaluation? Raises with the reason if not."""
    lot = frameworks.get_lot(lot_id)
    if actor.role == Role.ADMIN:
        access = Access(lot, True)
    elif actor.role == Role.EVALUATOR:
        if not _on_panel(actor, lot.id):
            raise Forbidden("You are not on this lot's evaluation panel.")
        declaration = latest_declaration(actor, lot.id)
        if declaration is None:
            raise Forbidden("Declare any conflict of interest with this lot's bidders before seeing their bids.")
        if declaration.conflict:
            raise Forbidden("You declared a conflict of interest on this lot, so you cannot see or score its bids.")
        access = Access(lot, not lot.framework.price_hidden_from_evaluators)
    else:
        raise Forbidden("Only the consortium's admins and the lot's evaluators see its bids.")
    if bids.is_sealed(lot.framework, now or utcnow()):
        raise Conflict("The bids are sealed until the deadline; they can be evaluated after it.")
    return access


def _tendered_on(lot_id: int, bid_id: int) -> BidLot:
    offer = db.session.scalar(db.select(BidLot).join(Bid, Bid.id == BidLot.bid_id).where(
        BidLot.lot_id == lot_id, BidLot.bid_id == bid_id, Bid.status == BidStatus.SUBMITTED))
    if offer is None:
        raise NotFound("There is no submitted bid with that id on this lot.")
    return offer


def _criterion_of(lot: Lot, criterion_id: int) -> Criterion:
    criterion = criterion_of(lot, criterion_id)
    if criterion is None:
        message = f"Criterion {criterion_id} is not a criterion of lot {lot.number}."
        raise ValidationFailed(message, {"criterion_id": message})
    return criterion


def scale_problem(criterion: Criterion, score: Decimal) -> str | None:
    """What is wrong with a score on a criterion's scale, if anything."""
    return None if 0 <= score <= criterion.max_score else f"Score “{criterion.name}” from 0 to {criterion.max_score}."


def criterion_of(lot: Lot, criterion_id: int) -> Criterion | None:
    return next((c for c in lot.criteria if c.id == criterion_id), None)


def _check_score(score: Decimal, criterion: Criterion, reason: str, field: str, missing: str) -> None:
    """Every rule of a score at once: on the scale, and given with its reason."""
    problems = {"score": scale_problem(criterion, score), field: None if reason.strip() else missing}
    if problems := {name: message for name, message in problems.items() if message}:
        raise ValidationFailed(next(iter(problems.values())), problems)


def record_score(actor: User, lot_id: int, bid_id: int, criterion_id: int, score: Decimal,
                 rationale: str) -> Score:
    """An evaluator scores one answer, with the reason for the score. Commits."""
    if actor.role != Role.EVALUATOR:
        raise Forbidden("Only the lot's evaluators score its answers.")
    lot = evaluator_access(actor, lot_id).lot
    _tendered_on(lot.id, bid_id)
    criterion = _criterion_of(lot, criterion_id)
    _check_score(score, criterion, rationale, "rationale",
                 "Give the reason for this score: what in the answer earned it.")
    previous = score_records.latest_scores(lot.id, evaluator_id=actor.id).get((bid_id, criterion_id))
    entry = Score(lot_id=lot.id, bid_id=bid_id, criterion_id=criterion.id, evaluator_id=actor.id, score=score,
                  rationale=rationale.strip(), scored_at=utcnow())
    db.session.add(entry)
    audit.record("score.recorded", entry, actor=actor,
                 before={"score": previous.score} if previous else None,
                 after={"bid_id": bid_id, "criterion_id": criterion.id, "score": score})
    db.session.commit()
    return entry


def moderate(actor: User, lot_id: int, bid_id: int, criterion_id: int, score: Decimal, reason: str) -> ModeratedScore:
    """An admin sets the score that counts for an answer, with the reason; the evaluators' scores stay. Commits."""
    if actor.role != Role.ADMIN:
        raise Forbidden("Only the consortium's admins moderate scores.")
    lot = evaluator_access(actor, lot_id).lot
    _tendered_on(lot.id, bid_id)
    criterion = _criterion_of(lot, criterion_id)
    _check_score(score, criterion, reason, "reason", "Give the reason for the moderated score.")
    previous = score_records.latest_moderated(lot.id).get((bid_id, criterion_id))
    entry = ModeratedScore(lot_id=lot.id, bid_id=bid_id, criterion_id=criterion.id, moderator_id=actor.id,
                           score=score, reason=reason.strip(), moderated_at=utcnow())
    db.session.add(entry)
    audit.record("score.moderated", entry, actor=actor,
                 before={"score": previous.score} if previous else None,
                 after={"bid_id": bid_id, "criterion_id": criterion.id, "score": score})
    db.session.commit()
    return entry


def _offers(lot_id: int) -> list[scoring.Offer]:
    # Naming the lot's framework lets PostgreSQL read its bids by index: at 50,000 bids, 1 ms against a 35 ms scan.
    framework_id = db.select(Lot.framework_id).where(Lot.id == lot_id).scalar_subquery()
    rows = db.session.execute(
        db.select(Bid.id, Bid.supplier_id, BidLot.price, Bid.submitted_at).join(BidLot, BidLot.bid_id == Bid.id)
        .where(BidLot.lot_id == lot_id, Bid.framework_id == framework_id, Bid.status == BidStatus.SUBMITTED)
        .order_by(Bid.id))
    return [scoring.Offer(*row) for row in rows]


def _latest_score_values(lot_id: int) -> dict[tuple[int, int, int], Decimal]:
    """(bid id, criterion id, evaluator id) → the latest score: the values alone, for the ranking, which needs
    neither the rationales nor the records. The lot's scores are read in the order they were given and a later
    one replaces an earlier, which is cheaper for the database than finding each answer's latest id (a grouped
    subquery, then one index lookup per score: 0.2 s at 5,000 bids on PostgreSQL)."""
    latest = {}
    for bid_id, criterion_id, evaluator_id, score in db.session.execute(
            db.select(Score.bid_id, Score.criterion_id, Score.evaluator_id, Score.score)
            .where(Score.lot_id == lot_id).order_by(Score.id)):
        latest[(bid_id, criterion_id, evaluator_id)] = score
    return latest


def _latest_moderated_values(lot_id: int) -> dict[tuple[int, int], Decimal]:
    """(bid id, criterion id) → the latest moderated score of the answer, read as `_latest_score_values` reads."""
    latest = {}
    for bid_id, criterion_id, score in db.session.execute(
            db.select(ModeratedScore.bid_id, ModeratedScore.criterion_id, ModeratedScore.score)
            .where(ModeratedScore.lot_id == lot_id).order_by(ModeratedScore.id)):
        latest[(bid_id, criterion_id)] = score
    return latest


def has_scored_everything(actor: User, lot: Lot, offers: list[scoring.Offer]) -> bool:
    mine = {(bid_id, criterion_id) for bid_id, criterion_id in db.session.execute(
        db.select(Score.bid_id, Score.criterion_id).where(Score.lot_id == lot.id, Score.evaluator_id == actor.id)
        .distinct())}
    return all((o.bid_id, c.id) in mine for o in offers for c in lot.criteria)


@dataclass(frozen=True)
class Ranking:
    lot: Lot
    rows: list[scoring.Scored]
    sees_prices: bool
    reversals: list[int]  # bids whose removal would reorder the others (relative formula only)
    key: tuple | None = None  # what it was kept under (app/memo.py), once the lot's bids are settled


def ranking(actor: User, lot_id: int, now: datetime | None = None) -> Ranking:
    """The lot's ranked bids, in a fixed number of queries however many bids there are; once its bids are settled,
    from app/memo.py while no score is added (a 530-bid lot's ranking and rank-reversal check take tens of ms)."""
    now = now or utcnow()
    access = evaluator_access(actor, lot_id, now)
    lot = access.lot
    if actor.role == Role.EVALUATOR and not has_scored_everything(actor, lot, _offers(lot.id)):
        raise Forbidden("Score every answer of this lot first: the ranking shows the other evaluators' scores.")
    if not bids.settled(lot.framework, now):
        rows, reversals = _ranked(lot)
        return Ranking(lot, rows, access.sees_prices, reversals)
    key = ranking_key.of(lot)
    rows, reversals = memo.remembered(ranking_key.KIND, key, lambda: _ranked(lot))
    return Ranking(lot, rows, access.sees_prices, reversals, key)


def _ranked(lot: Lot) -> tuple[list[scoring.Scored], list[int]]:
    offers = _offers(lot.id)
    criteria = [scoring.Criterion(c.id, Decimal(c.weight), Decimal(c.max_score)) for c in lot.criteria]
    by_answer: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    for (bid_id, criterion_id, _), score in _latest_score_values(lot.id).items():
        by_answer[(bid_id, criterion_id)].append(score)
    moderated = _latest_moderated_values(lot.id)
    agreed = {(o.bid_id, c.id): scoring.agreed_score(by_answer.get((o.bid_id, c.id), []),
                                                     moderated.get((o.bid_id, c.id)))
              for o in offers for c in criteria}
    args = (offers, criteria, agreed, lot.price_formula, lot.budget, Decimal(lot.price_weight))
    rows = scoring.rank(*args)
    reversals = scoring.rank_reversals(*args, ranked=rows) if lot.price_formula == "relative" else []
    return rows, reversals


def original_scores(entry: ModeratedScore) -> list[Score]:
    """The evaluators' latest scores of the answer a moderated score settles, in evaluator order."""
    return [s for (b, c, _), s in sorted(score_records.latest_scores(entry.lot_id).items())
            if (b, c) == (entry.bid_id, entry.criterion_id)]


def my_scores(actor: User, lot_id: int) -> dict[tuple[int, int], Score]:
    return score_records.latest_scores(lot_id, evaluator_id=actor.id)


def others_scores(actor: User, lot: Lot) -> dict[tuple[int, int], list[tuple[str, Score]]]:
    """The other evaluators' scores of each answer, for an evaluator who has scored every answer; else nothing."""
    if not has_scored_everything(actor, lot, _offers(lot.id)):
        return {}
    emails = score_records.evaluator_emails(lot.id)
    others: dict[tuple[int, int], list[tuple[str, Score]]] = defaultdict(list)
    for (bid_id, criterion_id, evaluator_id), entry in sorted(score_records.latest_scores(lot.id).items()):
        if evaluator_id != actor.id:
            others[(bid_id, criterion_id)].append((emails[evaluator_id], entry))
    return dict(others)


def supplier_names(supplier_ids: set[int]) -> dict[int, str]:
    if not supplier_ids:
        return {}
    return dict(db.session.execute(db.select(Organisation.id, Organisation.name)
                                   .where(Organisation.id.in_(supplier_ids))).all())


def evaluators() -> list[User]:
    query = db.select(User).where(User.role == Role.EVALUATOR, User.active.is_(True)).order_by(User.email)
    return list(db.session.scalars(query))
