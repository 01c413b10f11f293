"""API: a person's own data (subject access) and their request for erasure."""
from typing import Any

from flask import jsonify
from pydantic import BaseModel

from app.api import api_blueprint
from app.api.auth import api_user, token_required
from app.api.openapi import operation
from consort.privacy import erasure, subject_access

bp = api_blueprint("privacy_api", __name__)


class DataExportOut(BaseModel):
    exported_at: str
    account: dict[str, Any]
    sessions: list[dict[str, Any]]
    api_tokens: list[dict[str, Any]]
    requirements: list[dict[str, Any]]
    data_sharing_acceptances: list[dict[str, Any]]
    conflict_declarations: list[dict[str, Any]]
    exclusion_declarations: list[dict[str, Any]]
    supplier_contact: list[dict[str, Any]]
    scores: list[dict[str, Any]]
    moderated_scores: list[dict[str, Any]]
    votes: list[dict[str, Any]]
    signatures: list[dict[str, Any]]
    audit_events: list[dict[str, Any]]


def download(data: dict, filename: str):
    """JSON, as an attachment the browser saves, never kept by a shared cache."""
    answer = jsonify(DataExportOut.model_validate(data).model_dump(mode="json"))
    answer.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    answer.headers["Cache-Control"] = "private, no-store"
    return answer


@bp.get("/me/data-export")
@token_required()
@operation("Everything held about you (subject access), as a JSON download", responses={200: DataExportOut},
           description="Your account, sessions and API tokens (never their secrets or hashes), requirements, "
                       "acceptances, declarations, scores and rationales you wrote, votes, signatures, and the audit "
                       "events you are the actor of (what, to what, when). Nobody else's data; nothing sealed.")
def data_export():
    """The caller's own personal data."""
    user = api_user()
    return download(subject_access.export(user), f"consort-data-{user.id}.json")


class KeptOut(BaseModel):
    what: str
    why: str
    until: str


class ErasureOut(BaseModel):
    erased: list[str]
    kept: list[KeptOut]


@bp.post("/me/erasure-request")
@token_required()
@operation("Ask for your personal data to be erased", responses={202: ErasureOut}, errors=(409,),
           description="What no rule keeps is erased at once (contact details, sessions, tokens, an unused "
                       "account) and the account is closed; what a retention rule keeps is listed with why and "
                       "until when (ISO dates), and is anonymised in place when the period ends. 409 if asked "
                       "before. The token used stops working.")
def erasure_request():
    """The caller asks to be erased; 202, as part of the work waits for the retention periods to end."""
    done = erasure.request(api_user())
    return {"erased": done.erased, "kept": done.kept}, 202
