"""Who may hold which role, in which kind of organisation."""
from enum import StrEnum


class OrganisationKind(StrEnum):
    AUTHORITY = "authority"
    SUPPLIER = "supplier"
    CONSORTIUM = "consortium"


class Role(StrEnum):
    ADMIN = "admin"
    OFFICER = "officer"
    EVALUATOR = "evaluator"
    BOARD = "board"
    SUPPLIER = "supplier"


ROLE_ORGANISATION_KINDS: dict[Role, frozenset[OrganisationKind]] = {
    Role.ADMIN: frozenset({OrganisationKind.CONSORTIUM}),
    Role.OFFICER: frozenset({OrganisationKind.AUTHORITY}),
    Role.EVALUATOR: frozenset({OrganisationKind.AUTHORITY, OrganisationKind.CONSORTIUM}),
    Role.BOARD: frozenset({OrganisationKind.CONSORTIUM}),
    Role.SUPPLIER: frozenset({OrganisationKind.SUPPLIER}),
}


def role_fits_organisation(role: Role, kind: OrganisationKind) -> bool:
    return kind in ROLE_ORGANISATION_KINDS[role]


def role_mismatch_message(role: Role, kind: OrganisationKind) -> str | None:
    """Why a role cannot be held in an organisation of this kind, or None if it can."""
    if role_fits_organisation(role, kind):
        return None
    allowed = " or ".join(sorted(k.value for k in ROLE_ORGANISATION_KINDS[role]))
    return f"A user with the role '{role.value}' must belong to {_a(allowed)} organisation, not {_a(kind.value)}."


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun
