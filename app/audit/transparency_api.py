"""API: the audit log's transparency endpoints. Public (no sign-in) but for an admin's checkpoint on demand."""
from flask import request
from pydantic import BaseModel, ConfigDict, Field

from app.api import api_blueprint
from app.api.auth import token_required
from app.api.openapi import operation
from app.api.pagination import paginate
from app.audit import transparency
from app.domain import merkle
from app.domain.errors import NotFound, ValidationFailed
from app.domain.roles import Role

bp = api_blueprint("transparency_api", __name__)

# Far past any real log, and inside the databases' 64-bit integers.
LARGEST_SIZE = 2**62


class SigningKey(BaseModel):
    key_id: str
    algorithm: str
    public_key: str


class CheckpointOut(BaseModel):
    tree_size: int
    root_hash: str
    timestamp: str
    key_id: str
    signature: str


class NewCheckpoint(BaseModel):
    pass


class InclusionProofOut(BaseModel):
    index: int
    tree_size: int
    leaf_hash: str | None
    proof: list[str]


class ConsistencyProofOut(BaseModel):
    model_config = ConfigDict(validate_by_name=True, serialize_by_alias=True)

    from_: int = Field(alias="from")
    to: int
    proof: list[str]


def _size_arg(name: str) -> int:
    raw = request.args.get(name, "")
    if not (raw.isascii() and raw.isdigit()) or int(raw) > LARGEST_SIZE:
        message = f"The query parameter {name} must be a whole number from 0."
        raise ValidationFailed(message, {name: "Must be a whole number from 0."})
    return int(raw)


def _proof_problem(error: Exception, name: str) -> ValidationFailed:
    return ValidationFailed(str(error).capitalize() + ".", {name: str(error).capitalize() + "."})


@bp.get("/transparency/key")
@operation("The key that signs the audit log's checkpoints", responses={200: SigningKey}, auth=False)
def signing_key():
    """Ed25519; `public_key` is base64 of its 32 raw bytes, `key_id` the start of their SHA-256."""
    return transparency.public_key()


@bp.get("/transparency/checkpoint")
@operation("The latest signed checkpoint of the audit log", responses={200: CheckpointOut}, auth=False,
           errors=(404,))
def latest_checkpoint():
    """`signature` is base64 Ed25519 over `consort-audit-checkpoint\\n{tree_size}\\n{root_hash}\\n{timestamp}\\n`."""
    checkpoint = transparency.latest_checkpoint()
    if checkpoint is None:
        raise NotFound("No checkpoint has been made yet.")
    return checkpoint


@bp.get("/transparency/checkpoints")
@operation("Every checkpoint, newest first", responses={200: CheckpointOut}, paginated=True, auth=False)
def list_checkpoints():
    return paginate(transparency.checkpoints_query())


@bp.post("/transparency/checkpoints")
@token_required(Role.ADMIN)
@operation("Sign a checkpoint of the log as it is now", body=NewCheckpoint, responses={201: CheckpointOut},
           errors=(403, 409))
def create_checkpoint(body: NewCheckpoint):
    """409 if the stored log no longer extends the last checkpoint (then nothing is signed)."""
    return transparency.make_checkpoint(), 201


@bp.get("/transparency/proof/inclusion")
@operation("The inclusion proof of an audit event's leaf in a checkpoint's tree (RFC 9162 2.1.3)",
           responses={200: InclusionProofOut}, auth=False, errors=(409, 422),
           query={"index": "integer", "tree_size": "integer"})
def inclusion_proof():
    """The leaf of an event is H(0x00 || the 32 bytes of its `hash`); `leaf_hash` is null if no event holds it."""
    index, size = _size_arg("index"), _size_arg("tree_size")
    try:
        return transparency.inclusion_proof(index, size)
    except transparency.NotACheckpoint as error:
        raise _proof_problem(error, "tree_size") from None
    except merkle.InvalidProofRequest as error:
        raise _proof_problem(error, "index") from None


@bp.get("/transparency/proof/consistency")
@operation("The consistency proof between two checkpoints' trees (RFC 9162 2.1.4)",
           responses={200: ConsistencyProofOut}, auth=False, errors=(409, 422),
           query={"from": "integer", "to": "integer"})
def consistency_proof():
    old, new = _size_arg("from"), _size_arg("to")
    try:
        proof = transparency.consistency_proof(old, new)
    except transparency.NotACheckpoint as error:
        raise _proof_problem(error, "to") from None
    except merkle.InvalidProofRequest as error:
        raise _proof_problem(error, "from") from None
    return {"from_": old, "to": new, "proof": proof}
