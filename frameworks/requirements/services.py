"""Requirements: officers state what their authority needs; admins see London's total demand."""
from datetime import date
from decimal import Decimal

from sqlalchemy import func

from app.accounts.models import User
from app.audit import services as audit
from app.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.domain.roles import Role
from app.extensions import db
from frameworks.domain.demand import RequirementLine
from frameworks.domain.taxonomy import CATEGORIES, unit_problem
from frameworks.requirements.models import Requirement, RequirementStatus

EDITABLE_FIELDS = ("title", "description", "category", "quantity", "unit", "estimated_unit_price", "needed_by")
MAX_QUANTITY = Decimal("1000000000")
MAX_UNIT_PRICE = Decimal("100000000")


def _problems(values: dict, today: date) -> dict[str, str]:
    problems = {}
    if not values["title"].strip():
        problems["title"] = "Give the requirement a title."
    if problem := unit_problem(values["category"], values["unit"]):
        problems["category" if values["category"] not in CATEGORIES else "unit"] = problem
    if not Decimal(0) < values["quantity"] <= MAX_QUANTITY:
        problems["quantity"] = f"The quantity must be more than 0 and at most {MAX_QUANTITY:,}."
    if not Decimal(0) <= values["estimated_unit_price"] <= MAX_UNIT_PRICE:
        problems["estimated_unit_price"] = f"The estimated unit price must be between £0 and £{MAX_UNIT_PRICE:,}."
    if values["needed_by"] < today:
        problems["needed_by"] = "The date it is needed by cannot be in the past."
    return problems


def _check(values: dict, today: date) -> None:
    if problems := _problems(values, today):
        raise ValidationFailed(next(iter(problems.values())), problems)


def snapshot(requirement: Requirement) -> dict:
    return {name: getattr(requirement, name) for name in (*EDITABLE_FIELDS, "status")} | {
        "organisation_id": requirement.organisation_id}


def create(actor: User, values: dict, today: date) -> Requirement:
    """An officer states a requirement for their own authority. Commits."""
    _check(values, today)
    requirement = Requirement(organisation_id=actor.organisation_id, created_by_id=actor.id,
                              **{name: values[name] for name in EDITABLE_FIELDS})
    requirement.title = requirement.title.strip()
    db.session.add(requirement)
    audit.record("requirement.created", requirement, actor=actor, after=snapshot(requirement))
    db.session.commit()
    return requirement


def get_visible(actor: User, requirement_id: int) -> Requirement:
    requirement = db.session.get(Requirement, requirement_id)
    if requirement is None:
        raise NotFound("There is no requirement with that id.")
    if actor.role != Role.ADMIN and requirement.organisation_id != actor.organisation_id:
        raise Forbidden("You can only see your own authority's requirements.")
    return requirement


def update(actor: User, requirement_id: int, values: dict, today: date) -> Requirement:
    """An officer changes an open requirement of their authority. Commits."""
    requirement = get_visible(actor, requirement_id)
    if requirement.status != RequirementStatus.OPEN:
        raise Conflict(f"This requirement is {requirement.status.value}; only an open one can be changed.")
    _check(values, today)
    before = snapshot(requirement)
    for name in EDITABLE_FIELDS:
        setattr(requirement, name, values[name])
    audit.record("requirement.updated", requirement, actor=actor, before=before, after=snapshot(requirement))
    db.session.commit()
    return requirement


def visible_query(actor: User, *, status: RequirementStatus | None = None, category: str | None = None,
                  needed_from: date | None = None, needed_to: date | None = None):
    """Officers see their authority's requirements; admins see everyone's."""
    query = db.select(Requirement).order_by(Requirement.needed_by, Requirement.id)
    if actor.role != Role.ADMIN:
        query = query.where(Requirement.organisation_id == actor.organisation_id)
    if status is not None:
        query = query.where(Requirement.status == status)
    if category:
        query = query.where(Requirement.category == category)
    if needed_from:
        query = query.where(Requirement.needed_by >= needed_from)
    if needed_to:
        query = query.where(Requirement.needed_by <= needed_to)
    return query


def demand_by_category() -> list[dict]:
    """London's total open and pooled demand per category, added up in the database."""
    rows = db.session.execute(
        db.select(Requirement.category, func.count(), func.count(func.distinct(Requirement.organisation_id)),
                  func.sum(Requirement.quantity * Requirement.estimated_unit_price))
        .where(Requirement.status != RequirementStatus.WITHDRAWN)
        .group_by(Requirement.category).order_by(Requirement.category)
    ).all()
    return [{"category": CATEGORIES[c].name if c in CATEGORIES else c, "key": c, "requirements": n,
             "authorities": orgs, "estimated_value": value or Decimal(0)} for c, n, orgs, value in rows]


def as_line(requirement: Requirement) -> RequirementLine:
    return RequirementLine(requirement.id, requirement.organisation_id, requirement.category, requirement.unit,
                           requirement.quantity, requirement.estimated_unit_price, requirement.needed_by)


def count_open(organisation_id: int) -> int:
    return db.session.scalar(db.select(func.count()).select_from(Requirement).where(
        Requirement.organisation_id == organisation_id, Requirement.status == RequirementStatus.OPEN)) or 0


def visible(actor: User, **filters) -> list[Requirement]:
    """The requirements `actor` may see, as `visible_query` filters them."""
    return list(db.session.scalars(visible_query(actor, **filters)))
