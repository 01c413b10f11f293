"""The API's bodies and answers for contracts."""
from typing import Annotated, Literal

from pydantic import BaseModel, StringConstraints, model_validator

from app.api.schemas import Money, Overlay, Time
from procurement.contracts import services as contracts
from procurement.contracts.models import Contract

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
    value: Money
    status: Literal["rendering", "issued", "signed", "countersigned"]
    sha256: str | None
    version: int
    signed_at: Time | None
    countersigned_at: Time | None

    @model_validator(mode="before")
    @classmethod
    def _current_version(cls, contract):
        """`sha256` and `version` are the current version's (none while the first is being rendered)."""
        if not isinstance(contract, Contract):
            return contract
        version = contracts.current(contract)
        return Overlay(contract, sha256=version.sha256 if version else None,
                       version=version.number if version else 0)


class ContractListOut(BaseModel):
    items: list[ContractOut]
    total: int
    rendered: int


class SignIn(BaseModel):
    name: Line
    position: Line
