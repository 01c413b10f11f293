"""The API's bodies and answers for contracts."""
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, StringConstraints

Line = Annotated[str, StringConstraints(max_length=200)]


class ContractOut(BaseModel):
    id: int
    reference: str
    framework_id: int
    kind: Literal["framework_agreement", "call_off"]
    supplier_id: int | None
    supplier_ids: list[int]
    organisation_id: int
    lot_ids: list[int]
    value: str
    status: Literal["rendering", "issued", "signed", "countersigned"]
    sha256: str | None
    version: int
    signed_at: datetime | None
    countersigned_at: datetime | None


class ContractListOut(BaseModel):
    items: list[ContractOut]
    total: int
    rendered: int


class SignIn(BaseModel):
    name: Line
    position: Line
