"""API: the data-sharing agreement, and an authority's acceptance or withdrawal of it."""
from datetime import date

from pydantic import BaseModel

from app.api import api_blueprint
from app.api.auth import api_user, token_required
from app.api.openapi import operation
from app.api.schemas import Time
from app.domain.roles import Role
from frameworks.sharing import services as sharing
from frameworks.sharing.models import DataSharingAgreement

bp = api_blueprint("sharing_api", __name__)


class AcceptanceOut(BaseModel):
    id: int
    agreement_id: int
    version: int
    organisation_id: int
    organisation_name: str
    officer_id: int | None
    officer_name: str
    position: str
    accepted_at: Time
    withdrawn_at: Time | None


class VersionOut(BaseModel):
    id: int
    version: int
    title: str
    review_on: date
    published_at: Time


class AgreementOut(BaseModel):
    """The current version at the top level; `items` lists every version, newest first."""

    id: int
    version: int
    title: str
    text: str
    purpose: str
    data_shared: str
    lawful_basis: str
    recipients: str
    review_on: date
    published_at: Time
    acceptances: list[AcceptanceOut]
    items: list[VersionOut]
    total: int


AGREEMENT_FIELDS = ("id", "version", "title", "text", "purpose", "data_shared", "lawful_basis", "recipients",
                    "review_on", "published_at")


def _described(agreement: DataSharingAgreement) -> dict:
    versions = sharing.versions()
    return {name: getattr(agreement, name) for name in AGREEMENT_FIELDS} | {
        "acceptances": sharing.acceptances(agreement, api_user()), "items": versions, "total": len(versions)}


@bp.get("/data-sharing-agreements")
@token_required(Role.OFFICER, Role.ADMIN)
@operation("The current data-sharing agreement and who has accepted it", responses={200: AgreementOut},
           errors=(403, 404),
           description="Officers see their own authority's acceptance; admins every authority's. An authority "
                       "whose officer has not accepted the current version cannot have requirements pooled (409).")
def current_agreement():
    """The agreement every authority accepts before its requirements are pooled."""
    return _described(sharing.current_or_404())


@bp.post("/data-sharing-agreements/<int:agreement_id>/accept")
@token_required(Role.OFFICER)
@operation("Accept the current data-sharing agreement for your authority", responses={201: AcceptanceOut},
           errors=(403, 404, 409))
def accept_agreement(agreement_id: int):
    """The officer accepts in their own name; 409 if it is not the current version or is already accepted."""
    return sharing.accept(api_user(), agreement_id), 201


@bp.post("/data-sharing-agreements/<int:agreement_id>/withdraw")
@token_required(Role.OFFICER)
@operation("Withdraw your authority's acceptance", responses={200: AcceptanceOut}, errors=(403, 404, 409),
           description="No requirement of the authority is pooled afterwards; frameworks already tendered go on.")
def withdraw_agreement(agreement_id: int):
    """The authority's requirements can no longer be pooled; frameworks already tendered are not affected."""
    return sharing.withdraw(api_user(), agreement_id)
