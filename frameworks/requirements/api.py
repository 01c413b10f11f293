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
from app.api.validation import json_body
from app.domain.errors import ConsortError
from app.domain.roles import Role
from app.types import london_today
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
    quantity: str
    unit: str
    estimated_unit_price: str
    estimated_value: str
    needed_by: date
    status: str


@bp.post("/requirements")
@operation("State a requirement for your authority", body=RequirementIn, responses={201: RequirementOut},
           errors=(403,))
@token_required(Role.OFFICER)
def create_requirement():
    """An officer states what their authority needs."""
    requirement = requirements.create(api_user(), json_body(RequirementIn).model_dump(), london_today())
    return requirements.as_json(requirement), 201


@bp.get("/requirements")
@operation("Requirements: your authority's (officers) or all (admins)", responses={200: RequirementOut},
           paginated=True, query={"status": "string", "category": "string"}, errors=(403,))
@token_required(Role.OFFICER, Role.ADMIN)
def list_requirements():
    """Requirements, filterable by status and category."""
    status = request.args.get("status") or None
    if status is not None and status not in {s.value for s in RequirementStatus}:
        raise ConsortError(f"There is no requirement status '{status}'; filter by open, pooled or withdrawn.",
                           {"status": "Use open, pooled or withdrawn."})
    query = requirements.visible_query(api_user(), status=RequirementStatus(status) if status else None,
                                       category=request.args.get("category") or None)
    return paginate(query, requirements.as_json)


@bp.get("/requirements/<int:requirement_id>")
@operation("One requirement", responses={200: RequirementOut}, errors=(403, 404))
@token_required(Role.OFFICER, Role.ADMIN)
def get_requirement(requirement_id: int):
    """A requirement of the caller's authority, or any for an admin."""
    return requirements.as_json(requirements.get_visible(api_user(), requirement_id))


@bp.put("/requirements/<int:requirement_id>")
@operation("Change an open requirement", body=RequirementIn, responses={200: RequirementOut},
           errors=(403, 404, 409))
@token_required(Role.OFFICER)
def update_requirement(requirement_id: int):
    """An officer changes one of their authority's open requirements."""
    requirement = requirements.update(api_user(), requirement_id, json_body(RequirementIn).model_dump(),
                                      london_today())
    return requirements.as_json(requirement)
