"""API: recommending an award run to the board, the board's votes, the contracts and their signatures."""
from datetime import datetime
from typing import Annotated, Literal

from flask import request
from pydantic import BaseModel, StringConstraints

from app.api import api_blueprint
from app.api.auth import api_user, token_required
from app.api.openapi import operation
from app.api.validation import json_body
from app.domain.roles import Role
from frameworks import services as frameworks
from frameworks.presenters import framework_json
from frameworks.schemas import FrameworkOut
from procurement import board, contracts, pdf

bp = api_blueprint("board_api", __name__)
Comment = Annotated[str, StringConstraints(max_length=5_000)]
Line = Annotated[str, StringConstraints(max_length=200)]


class RecommendationOut(FrameworkOut):
    recommendation: dict


class VoteIn(BaseModel):
    decision: Literal["approve", "reject", "abstain"]
    comment: Comment = ""


class TallyOut(BaseModel):
    approve: int
    reject: int
    abstain: int
    quorum: int
    outcome: Literal["pending", "approved", "rejected"]


class VoteOut(BaseModel):
    id: int
    award_run_id: int
    user_id: int
    decision: str
    comment: str
    voted_at: datetime
    tally: TallyOut
    framework_status: str
    standstill_ends: datetime | None


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


@bp.post("/award-runs/<int:run_id>/recommend")
@operation("Recommend an award run to the board", responses={200: RecommendationOut}, errors=(403, 404, 409),
           description="The framework (in evaluation) becomes `recommended`; the board members are told by e-mail. "
                       "The answer is the framework, with the recommendation's board size and quorum.")
@token_required(Role.ADMIN)
def recommend(run_id: int):
    """An admin recommends an award run."""
    recommendation = board.recommend(api_user(), run_id)
    framework = frameworks.get(recommendation.framework_id)
    return framework_json(framework) | {"recommendation": board.recommendation_json(recommendation)}


@bp.post("/award-runs/<int:run_id>/votes")
@operation("A board member's vote on a recommended award run", body=VoteIn, responses={201: VoteOut},
           errors=(400, 403, 404, 409, 422),
           description="Declare any conflict of interest first (POST /lots/{id}/conflict-declaration on the "
                       "framework's lots); a member with a declared conflict cannot vote (403). A vote is final. "
                       "The quorum of approvals moves the framework to `standstill` with `standstill_ends`; a majority "
                       "of rejections (a reject needs a comment) sends it back to `evaluation`.")
@token_required(Role.BOARD)
def vote(run_id: int):
    """A board member votes."""
    body = json_body(VoteIn)
    result = board.vote(api_user(), run_id, body.decision, body.comment)
    return board.vote_json(result), 201


@bp.get("/frameworks/<int:framework_id>/contracts")
@operation("The contracts of an awarded framework", responses={200: ContractListOut}, errors=(403, 404, 409),
           description="An admin sees all; a supplier the contracts it is party to; an officer its authority's "
                       "call-offs. `sha256` is that of the current version's PDF (null while it is being rendered; "
                       "`rendered` counts those ready).")
@token_required(Role.ADMIN, Role.SUPPLIER, Role.OFFICER)
def list_contracts(framework_id: int):
    """The contracts one may see."""
    items = contracts.list_for(api_user(), framework_id)
    return {"items": [contracts.as_json(c) for c in items], "total": len(items),
            "rendered": sum(1 for c in items if c.versions)}


@bp.get("/contracts/<int:contract_id>")
@operation("A contract", responses={200: ContractOut}, errors=(403, 404))
@token_required(Role.ADMIN, Role.SUPPLIER, Role.OFFICER)
def get_contract(contract_id: int):
    """One contract, for its parties and admins."""
    return contracts.as_json(contracts.get_for(api_user(), contract_id))


@bp.get("/contracts/<int:contract_id>/pdf")
@operation("A contract's PDF (the current version, or ?version=N)", responses={200: None}, errors=(403, 404, 409),
           download=True, query={"version": "integer"})
@token_required(Role.ADMIN, Role.SUPPLIER, Role.OFFICER)
def contract_pdf(contract_id: int):
    """The bytes of a contract's PDF, whose SHA-256 is the contract's `sha256`."""
    version = request.args.get("version", type=int)
    found = contracts.pdf_of(api_user(), contract_id, version)
    return pdf.response(found.pdf, f"{found.contract.reference.replace('/', '-')}-v{found.number}.pdf",
                        found.sha256)



@bp.post("/contracts/<int:contract_id>/sign")
@operation("The supplier signs a contract", body=SignIn, responses={200: ContractOut},
           errors=(400, 403, 404, 409, 422),
           description="Records the name, position, time and IP address, and makes a new version of the PDF with "
                       "the signature on its signature page.")
@token_required(Role.SUPPLIER)
def sign(contract_id: int):
    """A supplier signs."""
    body = json_body(SignIn)
    contract = contracts.sign(api_user(), contract_id, body.name, body.position, request.remote_addr)
    return contracts.as_json(contract)


@bp.post("/contracts/<int:contract_id>/countersign")
@operation("The consortium countersigns a signed contract", responses={200: ContractOut}, errors=(403, 404, 409))
@token_required(Role.ADMIN)
def countersign(contract_id: int):
    """An admin countersigns."""
    contract = contracts.countersign(api_user(), contract_id, request.remote_addr)
    return contracts.as_json(contract)
