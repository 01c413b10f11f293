"""Shapes shared by several packages' APIs."""
from pydantic import BaseModel


class OrganisationOut(BaseModel):
    id: int
    name: str
    kind: str
    sme: bool


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    role: str
    organisation: OrganisationOut
