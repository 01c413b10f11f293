"""API: the contracts of an awarded framework and their signatures."""

from flask import request

from app import pdf
from app.api import api_blueprint
from app.api.auth import api_user, token_required
from app.api.openapi import operation
from app.domain.roles import Role
from procurement.contracts import services as contracts
from procurement.contracts.schemas import ContractListOut, ContractOut, SignIn

bp = api_blueprint("contracts_api", __name__)

@bp.get("/frameworks/<int:framework_id>/contracts")
@token_required(Role.ADMIN, Role.SUPPLIER, Role.OFFICER)
@operation("The contracts of an awarded framework", responses={200: ContractListOut}, errors=(403, 404, 409),
           description="An admin sees all; a supplier the contracts it is party to; an officer its authority's "
                       "call-offs. `sha256` is that of the current version's PDF (null while it is being rendered; "
                       "`rendered` counts those ready).")
def list_contracts(framework_id: int):
    """The contracts one may see."""
    items = contracts.list_for(api_user(), framework_id)
    return {"items": items, "total": len(items), "rendered": sum(1 for c in items if c.versions)}


@bp.get("/contracts/<int:contract_id>")
@token_required(Role.ADMIN, Role.SUPPLIER, Role.OFFICER)
@operation("A contract", responses={200: ContractOut}, errors=(403, 404))
def get_contract(contract_id: int):
    """One contract, for its parties and admins."""
    return contracts.get_for(api_user(), contract_id)


@bp.get("/contracts/<int:contract_id>/pdf")
@token_required(Role.ADMIN, Role.SUPPLIER, Role.OFFICER)
@operation("A contract's PDF (the current version, or ?version=N)", errors=(403, 404, 409),
           download=("application/pdf",), query={"version": "integer"})
def contract_pdf(contract_id: int):
    """The bytes of a contract's PDF, whose SHA-256 is the contract's `sha256`."""
    version = request.args.get("version", type=int)
    found = contracts.pdf_of(api_user(), contract_id, version)
    return pdf.response(found.pdf, f"{found.contract.reference.replace('/', '-')}-v{found.number}.pdf",
                        found.sha256)


@bp.post("/contracts/<int:contract_id>/sign")
@token_required(Role.SUPPLIER)
@operation("The supplier signs a contract", body=SignIn, responses={200: ContractOut},
           errors=(400, 403, 404, 409, 422),
           description="Records the name, position, time and IP address, and makes a new version of the PDF with "
                       "the signature on its signature page.")
def sign(contract_id: int, body: SignIn):
    """A supplier signs."""
    return contracts.sign(api_user(), contract_id, body.name, body.position, request.remote_addr)


@bp.post("/contracts/<int:contract_id>/countersign")
@token_required(Role.ADMIN)
@operation("The consortium countersigns a signed contract", responses={200: ContractOut}, errors=(403, 404, 409))
def countersign(contract_id: int):
    """An admin countersigns."""
    return contracts.countersign(api_user(), contract_id, request.remote_addr)
