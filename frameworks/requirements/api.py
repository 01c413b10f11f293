"""API: requirements."""
from datetime import date
from decimal import Decimal
from typing import Annotated

from flask import request
from pydantic import BaseModel, Field, StringConstraints

from app.api import api_blueprint
from app.api.auth import api_user, token_required
from app.api.openapi import operation
from app.api.pagination import paginate
from app.api.schemas import DecimalText, Money
from app.domain.errors import ConsortError
from app.domain.roles import Role
from app.types import london_today
from frameworks.domain.taxonomy import CATEGORIES
from frameworks.requirements import services as requirements
from frameworks.requirements.models import RequirementStatus

bp = api_blueprint("requirements_api", __name__)


class RequirementIn(BaseModel):
    title: Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
    description: Annotated[str, StringConstraints(max_length=10_000)] = ""
    category: str
    quantity: Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
    unit: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    estimated_unit_price: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
    needed_by: date


class RequirementOut(BaseModel):
    id: int
    organisation_id: int
    title: str
    description: str
    category: str
    quantity: DecimalText
    unit: str
    estimated_unit_price: Money
    estimated_value: Money
    needed_by: date
    status: str


class CategoryOut(BaseModel):
    key: str
    name: str
    cpv: str
    units: list[str]


class CategoriesOut(BaseModel):
    items: list[CategoryOut]


@bp.get("/categories")
@token_required()
@operation("The categories a requirement is stated in, with their CPV codes and the units each is counted in",
           responses={200: CategoriesOut})
def list_categories():
    """The taxonomy that a requirement's category and unit must come from."""
    return {"items": [{"key": c.key, "name": c.name, "cpv": c.cpv, "units": list(c.units)}
                      for c in CATEGORIES.values()]}


@bp.post("/requirements")
@token_required(Role.OFFICER)
@operation("State a requirement for your authority", body=RequirementIn, responses={201: RequirementOut},
           errors=(403,))
def create_requirement(body: RequirementIn):
    """An officer states what their authority needs."""
    return requirements.create(api_user(), body.model_dump(), london_today()), 201


@bp.get("/requirements")
@token_required(Role.OFFICER, Role.ADMIN)
@operation("Requirements: your authority's (officers) or all (admins)", responses={200: RequirementOut},
           paginated=True, query={"status": "string", "category": "string"}, errors=(403,))
def list_requirements():
    """Requirements, filterable by status and category."""
    status = request.args.get("status") or None
    if status is not None and status not in {s.value for s in RequirementStatus}:
        raise ConsortError(f"There is no requirement status '{status}'; filter by open, pooled or withdrawn.",
                           {"status": "Use open, pooled or withdrawn."})
    query = requirements.visible_query(api_user(), status=RequirementStatus(status) if status else None,
                                       category=request.args.get("category") or None)
    return paginate(query)


@bp.get("/requirements/<int:requirement_id>")
@token_required(Role.OFFICER, Role.ADMIN)
@operation("One requirement", responses={200: RequirementOut}, errors=(403, 404))
def get_requirement(requirement_id: int):
    """A requirement of the caller's authority, or any for an admin."""
    return requirements.get_visible(api_user(), requirement_id)


@bp.put("/requirements/<int:requirement_id>")
@token_required(Role.OFFICER)
@operation("Change an open requirement", body=RequirementIn, responses={200: RequirementOut},
           errors=(403, 404, 409))
def update_requirement(requirement_id: int, body: RequirementIn):
    """An officer changes one of their authority's open requirements."""
    return requirements.update(api_user(), requirement_id, body.model_dump(), london_today())
