"""API: the audit log, for admins."""
from typing import Any

from flask import request
from pydantic import BaseModel

from app.api import api_blueprint
from app.api.auth import token_required
from app.api.openapi import operation
from app.api.pagination import paginate
from app.api.schemas import Time
from app.audit import services as audit
from app.domain.roles import Role

bp = api_blueprint("audit_api", __name__)


class Actor(BaseModel):
    id: int
    email: str


class AuditEventOut(BaseModel):
    id: int
    actor: Actor | None
    action: str
    object_type: str
    object_id: str | None
    at: Time
    before: Any
    after: Any
    hash: str
    prev_hash: str


@bp.get("/audit")
@token_required(Role.ADMIN)
@operation("Audit events, newest first", responses={200: AuditEventOut}, paginated=True,
           query={"object_type": "string", "object_id": "string", "action": "string"}, errors=(403,))
def list_events():
    """The audit log, filtered by object or action."""
    query = audit.events_query(request.args.get("object_type"), request.args.get("object_id"),
                               request.args.get("action"))
    return paginate(query)
