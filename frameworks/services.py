"""Frameworks and lots: creating, pooling requirements, the lifecycle, and closing at the deadline."""
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app

from app.accounts.models import User
from app.audit import services as audit
from app.domain import calendar as standstill
from app.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.domain.roles import Role
from app.extensions import db
from app.types import utcnow
from frameworks import models, signals
from frameworks.domain import lifecycle
from frameworks.domain.criteria import CriterionSpec, weight_problems
from frameworks.domain.demand import LotDemand, aggregate, fits, pooling_problems
from frameworks.domain.lifecycle import FrameworkStatus, IllegalTransition
from frameworks.models import STATE_TIMESTAMPS, Criterion, Framework, Lot, LotRequirement
from frameworks.presenters import preload
from frameworks.requirements import services as requirement_service
from frameworks.requirements.models import Requirement, RequirementStatus
from frameworks.sharing import services as sharing

FRAMEWORK_FIELDS = ("title", "description", "maximum_value", "bid_deadline", "question_deadline", "duration_months",
                    "max_lots_per_supplier", "min_sme_share", "standstill_working_days", "levy_percent",
                    "price_hidden_from_evaluators")


@dataclass(frozen=True)
class CriterionInput:
    name: str
    weight: int
    max_score: int
    guidance: str = ""
    word_limit: int = 500


@dataclass(frozen=True)
class LotInput:
    title: str
    description: str
    requirement_ids: list[int]
    max_awards: int
    budget: Decimal
    price_weight: int
    price_formula: str
    criteria: list[CriterionInput]


def _deadline_problems(bid_deadline: datetime, question_deadline: datetime, now: datetime) -> dict[str, str]:
    problems = {}
    if bid_deadline <= now:
        problems["bid_deadline"] = "The bid deadline must be in the future."
    if question_deadline <= now:
        problems["question_deadline"] = "The question deadline must be in the future."
    if question_deadline >= bid_deadline:
        problems.setdefault("question_deadline", "The question deadline must come before the bid deadline.")
    return problems


def snapshot(framework: Framework) -> dict:
    return {name: getattr(framework, name) for name in FRAMEWORK_FIELDS} | {"status": framework.status.value}


def create(actor: User, values: dict, now: datetime | None = None) -> Framework:
    """An admin creates a framework in draft. Commits."""
    now = now or utcnow()
    values = {"price_hidden_from_evaluators": True} | values
    if problems := _deadline_problems(values["bid_deadline"], values["question_deadline"], now):
        raise ValidationFailed(next(iter(problems.values())), problems)
    framework = Framework(created_by_id=actor.id, status=FrameworkStatus.DRAFT, created_at=now,
                          reference=f"DRAFT-{now.timestamp()}",
                          **{name: values[name] for name in FRAMEWORK_FIELDS})
    db.session.add(framework)
    db.session.flush()
    framework.reference = f"CNS-{now.year}-{framework.id:04d}"
    audit.record("framework.created", framework, actor=actor, after=snapshot(framework))
    db.session.commit()
    return framework


def get(framework_id: int, *, for_update: bool = False, with_lots: bool = False) -> Framework:
    """The framework; `with_lots`: its lots, criteria and pooled requirements too, in three more queries in all."""
    query = db.select(Framework).where(Framework.id == framework_id)
    if with_lots:
        query = preload(query)
    if for_update:
        query = query.with_for_update()
    framework = db.session.scalar(query)
    if framework is None:
        raise NotFound("There is no framework with that id.")
    return framework


def get_visible(actor: User, framework_id: int, *, with_lots: bool = False) -> Framework:
    """Suppliers see only published frameworks; everyone else signed in sees all."""
    framework = get(framework_id, with_lots=with_lots)
    if actor.role == Role.SUPPLIER and framework.status == FrameworkStatus.DRAFT:
        raise NotFound("There is no framework with that id.")
    return framework


def _shows_status(status: FrameworkStatus, now: datetime):
    """Frameworks whose status, as shown, is `status`: an open one is closed once its bid deadline has passed
    (lifecycle.effective_status), whether or not the closing job has recorded it yet."""
    overdue = db.and_(Framework.status == FrameworkStatus.OPEN, Framework.bid_deadline <= now)
    if status == FrameworkStatus.OPEN:
        return db.and_(Framework.status == status, Framework.bid_deadline > now)
    if status == FrameworkStatus.CLOSED:
        return db.or_(Framework.status == status, overdue)
    return Framework.status == status


def get_published(framework_id: int) -> Framework:
    """A framework anyone may see: any but a draft."""
    framework = get(framework_id)
    if framework.status == FrameworkStatus.DRAFT:
        raise NotFound("There is no published framework with that id.")
    return framework


def visible_query(actor: User | None, *, status: FrameworkStatus | None = None, search: str | None = None,
                  category: str | None = None):
    """Frameworks newest first; the public and suppliers see only published ones."""
    query = db.select(Framework).order_by(Framework.created_at.desc(), Framework.id.desc())
    if category:
        pooled_in_category = (db.select(Lot.framework_id).join(LotRequirement).join(Requirement)
                              .where(Requirement.category == category))
        query = query.where(Framework.id.in_(pooled_in_category))
    if actor is None or actor.role == Role.SUPPLIER:
        query = query.where(Framework.status != FrameworkStatus.DRAFT)
    if status is not None:
        query = query.where(_shows_status(status, utcnow()))
    if search and search.strip():
        query = query.where(_matches(search.strip()))
    return query


def _matches(search: str):
    """Frameworks whose title or description has the words (PostgreSQL's English text search, on its GIN index), or
    whose reference it is (on its unique index). SQLite has no text search: there the title, description or
    reference contains the text."""
    if db.session.get_bind().dialect.name == "postgresql":
        words = db.func.plainto_tsquery(models.SEARCH_CONFIG, search)
        return db.or_(Framework.search_vector().op("@@")(words), Framework.reference == search.upper())
    pattern = f"%{search.lower()}%"
    return db.or_(db.func.lower(Framework.title).like(pattern), db.func.lower(Framework.description).like(pattern),
                  db.func.lower(Framework.reference).like(pattern))


def _require_draft(framework: Framework, doing: str) -> None:
    if framework.status != FrameworkStatus.DRAFT:
        raise Conflict(f"Lots can only be {doing} while the framework is in draft; it is {framework.status.value}.")


def _criteria_problems(data: LotInput) -> dict[str, str]:
    problems = weight_problems(data.price_weight, [CriterionSpec(c.name, c.weight, c.max_score) for c in data.criteria])
    if data.price_formula not in ("relative", "linear", "absolute"):
        problems["price_formula"] = "The price formula is relative, linear or absolute."
    if data.max_awards < 1:
        problems["max_awards"] = "A lot has at least one award."
    if data.budget <= 0:
        problems["budget"] = "The lot's budget must be more than £0."
    if not data.title.strip():
        problems["title"] = "Give the lot a title."
    return problems


def _open_requirements(ids: list[int]) -> list[Requirement]:
    if len(set(ids)) != len(ids):
        raise ValidationFailed("A requirement is listed twice.", {"requirement_ids": "A requirement is listed twice."})
    found = {r.id: r for r in db.session.scalars(db.select(Requirement).where(Requirement.id.in_(ids)))}
    missing = [i for i in ids if i not in found]
    if missing:
        message = f"There is no requirement with the id {missing[0]}."
        raise ValidationFailed(message, {"requirement_ids": message})
    taken = [r for r in found.values() if r.status != RequirementStatus.OPEN]
    if taken:
        message = f"Requirement {taken[0].id} is {taken[0].status.value}; only open requirements can be pooled."
        raise ValidationFailed(message, {"requirement_ids": message})
    return [found[i] for i in ids]


def add_lot(actor: User, framework_id: int, data: LotInput) -> Lot:
    """An admin adds a lot that pools requirements, with its criteria and weights. Commits."""
    framework = get(framework_id, for_update=True)
    _require_draft(framework, "added")
    if problems := _criteria_problems(data):
        raise ValidationFailed(next(iter(problems.values())), problems)
    pooled = _open_requirements(data.requirement_ids)
    sharing.require_accepted(r.organisation_id for r in pooled)
    if problems := pooling_problems([requirement_service.as_line(r) for r in pooled]):
        raise ValidationFailed(problems[0], {"requirement_ids": problems[0]})
    number = 1 + max((lot.number for lot in framework.lots), default=0)
    lot = Lot(framework=framework, number=number, title=data.title.strip(), description=data.description,
              max_awards=data.max_awards, budget=data.budget, price_weight=data.price_weight,
              price_formula=data.price_formula)
    lot.criteria = [Criterion(position=i, name=c.name.strip(), weight=c.weight, max_score=c.max_score,
                              guidance=c.guidance, word_limit=c.word_limit)
                    for i, c in enumerate(data.criteria, start=1)]
    for requirement in pooled:
        _pool(lot, requirement)
    db.session.add(lot)
    audit.record("lot.created", lot, actor=actor, after=lot_snapshot(lot))
    db.session.commit()
    return lot


def _pool(lot: Lot, requirement: Requirement) -> None:
    lot.pooled.append(LotRequirement(requirement=requirement))
    requirement.status = RequirementStatus.POOLED


def lot_snapshot(lot: Lot) -> dict:
    return {
        "framework_id": lot.framework_id, "number": lot.number, "title": lot.title, "budget": lot.budget,
        "max_awards": lot.max_awards, "price_weight": lot.price_weight, "price_formula": lot.price_formula,
        "criteria": [{"name": c.name, "weight": c.weight, "max_score": c.max_score} for c in lot.criteria],
        "requirement_ids": sorted(p.requirement.id for p in lot.pooled),
    }


def get_lot(lot_id: int) -> Lot:
    lot = db.session.get(Lot, lot_id)
    if lot is None:
        raise NotFound("There is no lot with that id.")
    return lot


def demand(lot: Lot) -> LotDemand:
    return aggregate(requirement_service.as_line(p.requirement) for p in lot.pooled)


def join_lot(actor: User, lot_id: int, requirement_id: int) -> Lot:
    """An officer adds one of their authority's open requirements to a draft lot. Commits."""
    lot = get_lot(lot_id)
    _require_draft(lot.framework, "joined")
    requirement = requirement_service.get_visible(actor, requirement_id)
    if requirement.organisation_id != actor.organisation_id:
        raise Forbidden("You can only pool your own authority's requirements.")
    [requirement] = _open_requirements([requirement.id])
    sharing.require_accepted([requirement.organisation_id])
    lines = [requirement_service.as_line(p.requirement) for p in lot.pooled]
    if problems := pooling_problems([*lines, requirement_service.as_line(requirement)]):
        raise ValidationFailed(problems[0], {"requirement_id": problems[0]})
    before = lot_snapshot(lot)
    _pool(lot, requirement)
    audit.record("lot.joined", lot, actor=actor, before=before, after=lot_snapshot(lot))
    db.session.commit()
    return lot


def leave_lot(actor: User, lot_id: int) -> Lot:
    """An officer takes all of their authority's requirements out of a draft lot. Commits."""
    lot = get_lot(lot_id)
    _require_draft(lot.framework, "left")
    before = lot_snapshot(lot)
    leaving = [p for p in lot.pooled if p.requirement.organisation_id == actor.organisation_id]
    if not leaving:
        raise Conflict("Your authority has no requirements in this lot.")
    for link in leaving:
        link.requirement.status = RequirementStatus.OPEN
        lot.pooled.remove(link)
    db.session.flush()
    audit.record("lot.left", lot, actor=actor, before=before, after=lot_snapshot(lot))
    db.session.commit()
    return lot


def suggestions(lot: Lot, limit: int = 20) -> list[Requirement]:
    """Open requirements that would pool well with this lot's: same category and unit, similar dates."""
    lines = [requirement_service.as_line(p.requirement) for p in lot.pooled]
    query = db.select(Requirement).where(Requirement.status == RequirementStatus.OPEN)
    if lines:
        query = query.where(Requirement.category == lines[0].category, Requirement.unit == lines[0].unit)
    candidates = db.session.scalars(query.order_by(Requirement.needed_by).limit(500))
    return [r for r in candidates if fits(requirement_service.as_line(r), lines)][:limit]


def publication_problems(framework: Framework) -> tuple[str, ...]:
    problems = []
    if not framework.lots:
        problems.append("add at least one lot")
    for lot in framework.lots:
        if not lot.pooled:
            problems.append(f"lot {lot.number} pools no requirements")
        specs = [CriterionSpec(c.name, c.weight, c.max_score) for c in lot.criteria]
        if weight_problems(lot.price_weight, specs):
            problems.append(f"lot {lot.number}'s weights do not add up to 100")
    # Publishing tenders the pooled data: an authority that withdrew (or has not accepted a new version) first
    # accepts again, or leaves. Frameworks already tendered are not affected.
    pooling = {p.requirement.organisation_id for lot in framework.lots for p in lot.pooled}
    for organisation in sharing.not_accepted(pooling):
        problems.append(f"{organisation.name} has not accepted the current data-sharing agreement")
    return tuple(problems)


def _facts(framework: Framework, now: datetime) -> lifecycle.Facts:
    board = {"has_recommended_award": False, "board_approved": False, "board_rejected": False}
    board |= signals.gathered(signals.lifecycle_facts, framework)
    return lifecycle.Facts(
        now=now, bid_deadline=framework.bid_deadline, question_deadline=framework.question_deadline,
        publication_problems=publication_problems(framework) if framework.status == FrameworkStatus.DRAFT else (),
        standstill_ends=framework.standstill_ends, **board,
    )


def transition(actor: User | None, framework_id: int, target: FrameworkStatus,
               now: datetime | None = None) -> Framework:
    """Move a framework to another state, if the lifecycle allows it now. Commits."""
    now = now or utcnow()
    framework = get(framework_id, for_update=True)
    if framework.current_status(now) != framework.status:
        # The deadline passed before the closing job ran: record the closing first, whatever is asked next.
        _move(framework, framework.current_status(now), now, None)
        db.session.commit()
        framework = get(framework_id, for_update=True)
        if framework.status == target:
            return framework
    move(actor, framework, target, now)
    db.session.commit()
    signals.committed.send(framework, target=target)
    return framework


def move(actor: User | None, framework: Framework, target: FrameworkStatus, now: datetime) -> None:
    """Check and make a transition of a locked framework within the caller's transaction (rolled back if refused)."""
    try:
        lifecycle.check(framework.status, target, _facts(framework, now))
    except IllegalTransition as error:
        db.session.rollback()
        raise Conflict(error.reason) from None
    _move(framework, target, now, actor)


def _move(framework: Framework, target: FrameworkStatus, now: datetime, actor: User | None) -> None:
    before = framework.status
    framework.status = target
    # A framework closed at its deadline, whenever the job that records it happened to run.
    at = framework.bid_deadline if target == FrameworkStatus.CLOSED else now
    setattr(framework, STATE_TIMESTAMPS[target], at)
    if target == FrameworkStatus.STANDSTILL:
        framework.standstill_ends = standstill.ends(now, framework.standstill_working_days)
    audit.record(f"framework.{target.value}", framework, actor=actor,
                 before={"status": before.value}, after={"status": target.value})
    signals.moved.send(framework, target=target, actor=actor, now=now)


def close_due(now: datetime | None = None) -> list[int]:
    """Close every open framework whose bid deadline has passed by DEADLINE_GRACE_SECONDS (bids received before the
    deadline may still be written until then); one transaction each. Returns their ids."""
    now = now or utcnow()
    passed = now - timedelta(seconds=current_app.config["DEADLINE_GRACE_SECONDS"])
    due = db.session.scalars(db.select(Framework.id).where(
        Framework.status == FrameworkStatus.OPEN, Framework.bid_deadline <= passed)).all()
    closed = []
    for framework_id in due:
        framework = get(framework_id, for_update=True)
        if framework.status == FrameworkStatus.OPEN and framework.bid_deadline <= passed:
            _move(framework, FrameworkStatus.CLOSED, now, None)
            closed.append(framework_id)
        db.session.commit()
    return closed


def counts_by_status() -> dict[str, int]:
    """How many frameworks are in each state, counting open ones past their deadline as closed: counted in the
    database, in one query."""
    now = utcnow()
    overdue = db.and_(Framework.status == FrameworkStatus.OPEN, Framework.bid_deadline <= now)
    rows = db.session.execute(db.select(Framework.status, overdue.label("overdue"), db.func.count())
                              .group_by(Framework.status, overdue)).all()
    counts = {status.value: 0 for status in FrameworkStatus}
    for status, is_overdue, n in rows:
        counts[(FrameworkStatus.CLOSED if is_overdue else status).value] += n
    return counts


def count_joined_by(organisation_id: int) -> int:
    """How many frameworks an authority takes part in through its pooled requirements."""
    return db.session.scalar(
        db.select(db.func.count(db.distinct(Lot.framework_id))).join(LotRequirement).join(Requirement)
        .where(Requirement.organisation_id == organisation_id)) or 0


def references(framework_ids: set[int]) -> dict[int, str]:
    """Framework id → its reference, for the given ids, in one query."""
    if not framework_ids:
        return {}
    return dict(db.session.execute(db.select(Framework.id, Framework.reference)
                                   .where(Framework.id.in_(framework_ids))).all())
