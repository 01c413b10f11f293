"""API: organisations. Admins see all; everyone else sees only their own."""
from flask import request
from pydantic import field_validator

from app.accounts import services as accounts
from app.api import api_blueprint
from app.api.auth import api_user, token_required
from app.api.openapi import operation
from app.api.pagination import paginate
from app.api.schemas import OrganisationOut, UserOut
from app.domain.errors import ConsortError, Forbidden
from app.domain.roles import OrganisationKind, Role
from app.organisations import services as organisations

bp = api_blueprint("organisations_api", __name__)


class OrganisationDetail(OrganisationOut):
    companies_house_number: str | None
    gss_code: str | None
    ppon: str | None
    domains: list[str]

    @field_validator("domains", mode="before")
    @classmethod
    def _names(cls, domains) -> list:
        return [getattr(domain, "domain", domain) for domain in domains]


def _visible(organisation_id: int):
    organisation = organisations.get(organisation_id)
    user = api_user()
    if user.role != Role.ADMIN and user.organisation_id != organisation.id:
        raise Forbidden("You can only see your own organisation.")
    return organisation


@bp.get("/organisations")
@token_required()
@operation("Organisations: all for admins, your own for everyone else", responses={200: OrganisationDetail},
           paginated=True, query={"kind": "string"})
def list_organisations():
    """List organisations the caller may see."""
    kind = request.args.get("kind") or None
    if kind is not None and kind not in {k.value for k in OrganisationKind}:
        raise ConsortError("kind must be authority, supplier or consortium.", {"kind": "Unknown kind."})
    query = organisations.list_query(OrganisationKind(kind) if kind else None)
    if api_user().role != Role.ADMIN:
        query = query.where(organisations.Organisation.id == api_user().organisation_id)
    return paginate(query)


@bp.get("/organisations/<int:organisation_id>")
@token_required()
@operation("One organisation", responses={200: OrganisationDetail}, errors=(403, 404))
def get_organisation(organisation_id: int):
    """One organisation, if it is the caller's own or the caller is an admin."""
    return _visible(organisation_id)


@bp.get("/organisations/<int:organisation_id>/users")
@token_required()
@operation("The users of an organisation", responses={200: UserOut}, paginated=True, errors=(403, 404))
def list_organisation_users(organisation_id: int):
    """The users of the caller's own organisation, or of any for an admin."""
    organisation = _visible(organisation_id)
    return paginate(accounts.users_query(organisation.id))
