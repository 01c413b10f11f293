"""Mini-competitions: where an awarded lot has several suppliers, an authority asks them all (a short request),
they answer with a price and how they would meet it, the officer scores the answers after the deadline, and the
best-scoring answer is awarded as a call-off (with its levy)."""
from datetime import datetime
from decimal import Decimal

from app import outbox
from app.accounts.models import User
from app.audit import sealed as sealed_log
from app.audit import services as audit
from app.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.domain.roles import Role
from app.extensions import db
from app.links import public_url
from app.types import utcnow
from frameworks import services as frameworks
from procurement.calloffs import services as calloffs
from procurement.calloffs.models import MiniCompetition, MiniCompetitionAnswer

MAX_SCORE = Decimal(100)


def start(actor: User, framework_id: int, lot_id: int, request: str, maximum_value: Decimal, deadline: datetime,
          now: datetime | None = None) -> MiniCompetition:
    """An officer asks a lot's suppliers to compete for an order. Commits, then tells the suppliers."""
    now = now or utcnow()
    framework = frameworks.get(framework_id, for_update=True)
    lot, suppliers = calloffs.participating_lot(actor, framework, lot_id)
    if len(suppliers) < 2:
        raise Conflict("This lot has one supplier: call off from it directly; no mini-competition is needed.")
    request = request.strip()
    problems = {}
    if not request:
        problems["request"] = "Say what you need, so that the suppliers can answer."
    if maximum_value <= 0:
        problems["maximum_value"] = "Enter a value above £0.00."
    if deadline <= now:
        problems["deadline"] = "The deadline for answers must be in the future."
    if problems:
        raise ValidationFailed(next(iter(problems.values())), problems)
    headroom = framework.maximum_value - calloffs.called_off(framework.id)
    if maximum_value > headroom:
        raise Conflict(f"An order of up to £{maximum_value:,.2f} could take the framework past its maximum value: "
                       f"£{max(headroom, Decimal(0)):,.2f} remains.")
    competition = MiniCompetition(framework_id=framework.id, lot_id=lot.id, organisation_id=actor.organisation_id,
                                  created_by_id=actor.id, created_at=now, request=request,
                                  maximum_value=maximum_value.quantize(Decimal("0.01")), deadline=deadline)
    db.session.add(competition)
    audit.record("mini_competition.started", competition, actor=actor,
                 after={"lot_id": lot.id, "suppliers": suppliers, "deadline": deadline})
    _tell_suppliers(competition, suppliers)
    db.session.commit()
    return competition


def _tell_suppliers(competition: MiniCompetition, suppliers: list[int]) -> None:
    link = public_url("calloffs.mini_competition", competition_id=competition.id)
    for user in db.session.scalars(db.select(User).where(User.organisation_id.in_(suppliers),
                                                         User.role == Role.SUPPLIER, User.active.is_(True))):
        outbox.send_later(user.email, "A mini-competition is open to you",
                          f"An authority asks the suppliers of a lot you hold to compete for an order of up to "
                          f"£{competition.maximum_value:,.2f}. Answer by {competition.deadline:%d %B %Y %H:%M} UTC:\n"
                          f"{link}")


def get_for(actor: User, competition_id: int, *, for_update: bool = False) -> MiniCompetition:
    """A competition, for its authority's officers, the lot's suppliers and admins."""
    query = db.select(MiniCompetition).where(MiniCompetition.id == competition_id)
    competition = db.session.scalars(query.with_for_update() if for_update else query).first()
    if competition is None:
        raise NotFound("There is no such mini-competition.")
    allowed = (actor.role == Role.ADMIN
               or (actor.role == Role.OFFICER and actor.organisation_id == competition.organisation_id)
               or (actor.role == Role.SUPPLIER
                   and actor.organisation_id in calloffs.winners(competition.framework_id).get(competition.lot_id, [])))
    if not allowed:
        raise NotFound("There is no such mini-competition.")
    return competition


def answers_visible(actor: User, competition: MiniCompetition, now: datetime | None = None) -> list:
    """Answers are sealed until the deadline: before it a supplier sees only its own, the authority none."""
    now = now or utcnow()
    if actor.role == Role.SUPPLIER:
        return [a for a in competition.answers if a.supplier_id == actor.organisation_id]
    return list(competition.answers) if now >= competition.deadline else []


def answer(actor: User, competition_id: int, price: Decimal, text: str,
           now: datetime | None = None) -> MiniCompetitionAnswer:
    """A lot's supplier answers (or revises its answer) until the deadline. Commits."""
    if actor.role != Role.SUPPLIER:
        raise Forbidden("The lot's suppliers answer a mini-competition.")
    now = now or utcnow()
    competition = get_for(actor, competition_id, for_update=True)
    if competition.status != "open" or now >= competition.deadline:
        raise Conflict("The deadline for answers has passed.")
    text = text.strip()
    if not text:
        raise ValidationFailed("Say how you would meet the request.", {"answer": "Say how you would meet the request."})
    if price <= 0 or price > competition.maximum_value:
        message = f"Enter a price above £0.00 and no more than £{competition.maximum_value:,.2f}."
        raise ValidationFailed(message, {"price": message})
    entry = next((a for a in competition.answers if a.supplier_id == actor.organisation_id), None)
    if entry is None:
        entry = MiniCompetitionAnswer(competition_id=competition.id, supplier_id=actor.organisation_id)
        db.session.add(entry)
    entry.price, entry.answer, entry.submitted_at = price.quantize(Decimal("0.01")), text, now
    audit.record("mini_competition.answered", entry, actor=actor,
                 after={"competition_id": competition.id, "supplier_id": actor.organisation_id})
    db.session.commit()
    return entry


def _own_open_competition(actor: User, competition_id: int, now: datetime) -> MiniCompetition:
    if actor.role != Role.OFFICER:
        raise Forbidden("The authority's officers score and award its mini-competitions.")
    competition = get_for(actor, competition_id, for_update=True)
    if competition.status != "open":
        raise Conflict(f"This mini-competition is {competition.status}.")
    if now < competition.deadline:
        raise Conflict("The answers are sealed until the deadline; score them after it.")
    if competition.answers_opened_at is None:
        audit.open_seal(_seal_name(competition.id), competition)
        competition.answers_opened_at = now
    return competition


def _seal_name(competition_id: int) -> str:
    return f"mini_competition:{competition_id}"


def _answer_seal(entry: MiniCompetitionAnswer) -> str | None:
    """Who answered a mini-competition is sealed like its answers: the events wait in the competition's sealed log
    until the officer's first step after the deadline carries them into the public log (`_own_open_competition`)."""
    competition = db.session.get(MiniCompetition, entry.competition_id)  # loaded, and locked, by the answer
    return _seal_name(competition.id) if competition.answers_opened_at is None else None


sealed_log.seal_events("MiniCompetitionAnswer", _answer_seal)


def score(actor: User, competition_id: int, answer_id: int, value: Decimal, reason: str,
          now: datetime | None = None) -> MiniCompetitionAnswer:
    """The officer scores an answer out of 100 (quality and price together), with the reason. Commits."""
    now = now or utcnow()
    competition = _own_open_competition(actor, competition_id, now)
    entry = next((a for a in competition.answers if a.id == answer_id), None)
    if entry is None:
        raise NotFound("That answer is not part of this mini-competition.")
    if not 0 <= value <= MAX_SCORE:
        raise ValidationFailed("Score out of 100.", {"score": "Enter a score from 0 to 100."})
    if not reason.strip():
        raise ValidationFailed("Give the reason for the score.", {"reason": "Give the reason for the score."})
    before = entry.score
    entry.score, entry.score_reason = value, reason.strip()
    audit.record("mini_competition.scored", competition, actor=actor,
                 before={"score": before}, after={"answer_id": entry.id, "score": value})
    db.session.commit()
    return entry


def award(actor: User, competition_id: int, now: datetime | None = None) -> MiniCompetition:
    """Award the best-scoring answer (ties: the lower price, then the earlier answer) as a call-off. Commits."""
    now = now or utcnow()
    competition = _own_open_competition(actor, competition_id, now)
    framework = frameworks.get(competition.framework_id, for_update=True)
    if not competition.answers:
        raise Conflict("No supplier answered; there is nothing to award. Call off again or ask again later.")
    if any(a.score is None for a in competition.answers):
        raise Conflict("Score every answer before awarding.")
    best = min(competition.answers, key=lambda a: (-a.score, a.price, a.submitted_at, a.id))
    placed = calloffs.place(actor, framework, competition.lot_id, best.supplier_id, best.price,
                            f"Mini-competition {competition.id}: {competition.request}", now)
    competition.status, competition.call_off_id = "awarded", placed.call_off.id
    competition.award_reason = (f"Highest score, {best.score} of 100" +
                                (", at the lower price" if sum(a.score == best.score for a in competition.answers) > 1
                                 else "") + f": {best.score_reason}")
    audit.record("mini_competition.awarded", competition, actor=actor,
                 after={"supplier_id": best.supplier_id, "price": best.price, "call_off_id": placed.call_off.id})
    db.session.commit()
    return competition


def awarded_for(actor: User, competition_id: int) -> tuple[MiniCompetition, calloffs.Placed]:
    """An awarded competition and the call-off it placed, for its authority's officers and admins."""
    competition = get_for(actor, competition_id)
    if competition.call_off_id is None or actor.role == Role.SUPPLIER:
        raise NotFound("This mini-competition has not been awarded.")
    return competition, calloffs.placed_for(actor, competition.call_off_id)


def of_framework(actor: User, framework_id: int) -> list[MiniCompetition]:
    query = db.select(MiniCompetition).where(MiniCompetition.framework_id == framework_id) \
        .order_by(MiniCompetition.id.desc())
    if actor.role == Role.OFFICER:
        query = query.where(MiniCompetition.organisation_id == actor.organisation_id)
    items = list(db.session.scalars(query))
    if actor.role == Role.SUPPLIER:
        held = calloffs.winners(framework_id)
        items = [c for c in items if actor.organisation_id in held.get(c.lot_id, [])]
    return items
