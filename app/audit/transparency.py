"""The audit log as a transparency log: its Merkle tree's roots and proofs, signed checkpoints, and the check that
the stored log still extends a checkpoint held elsewhere.

A checkpoint is `consort-audit-checkpoint\\n{tree_size}\\n{root_hash}\\n{timestamp}\\n`, signed with Ed25519. Whoever
keeps one can later ask for a consistency proof and check that the log has only grown since; whoever holds a
receipt can ask for an inclusion proof of its event's leaf.
"""
import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from flask import current_app

from app.audit.models import AuditCheckpoint, AuditEvent, AuditTreeNode
from app.audit.services import events_in_order, lock_log, read_leaves, read_nodes
from app.domain import merkle
from app.domain.audit_chain import GENESIS_HASH, event_hash
from app.domain.errors import Conflict
from app.extensions import db
from app.types import utcnow

ALGORITHM = "ed25519"


class NotACheckpoint(ValueError):
    """A proof was asked for a tree size no checkpoint was made at."""


class LogDoesNotExtendCheckpoint(Conflict):
    """The stored log is not the one the last checkpoint signed: it was rewritten. No new checkpoint is signed."""

    def __init__(self, detail: str):
        super().__init__(f"The audit log no longer extends its last checkpoint, so nothing was signed: {detail}.")


class TreeIncomplete(Conflict):
    """A node the tree must hold is missing: the log was tampered with below the application."""

    def __init__(self, node: merkle.Node):
        super().__init__(f"The audit log's tree has lost its node {node}: it was tampered with; "
                         "run `flask audit verify` with a checkpoint kept outside.")


def _hashes(ranges: list[merkle.Range]) -> list[bytes]:
    nodes = read_nodes(merkle.nodes_for(ranges))
    try:
        return merkle.hashes_of(ranges, nodes)
    except KeyError as missing:
        raise TreeIncomplete(missing.args[0]) from None


def checkpoint_text(tree_size: int, root_hash: str, timestamp: str) -> bytes:
    return f"consort-audit-checkpoint\n{tree_size}\n{root_hash}\n{timestamp}\n".encode()


def key_id_of(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key_from(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text))


def signature_holds(public: Ed25519PublicKey, tree_size: int, root_hash: str, timestamp: str, signature: str) -> bool:
    try:
        public.verify(base64.b64decode(signature), checkpoint_text(tree_size, root_hash, timestamp))
    except (InvalidSignature, ValueError):
        return False
    return True


def _private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(current_app.config["AUDIT_SIGNING_KEY"]))


def _verifying_keys() -> dict[str, Ed25519PublicKey]:
    """The current key and those that signed before a rotation, by key id."""
    keys = [_private_key().public_key()]
    keys += [public_key_from(text) for text in current_app.config.get("AUDIT_PREVIOUS_PUBLIC_KEYS", [])]
    return {key_id_of(key): key for key in keys}


def public_key() -> dict:
    public = _private_key().public_key()
    return {"key_id": key_id_of(public), "algorithm": ALGORITHM,
            "public_key": base64.b64encode(public.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()}


def tree_size() -> int:
    last = db.session.scalar(db.select(db.func.max(AuditTreeNode.position)).where(AuditTreeNode.level == 0))
    return 0 if last is None else last + 1


def root(size: int) -> bytes:
    return _hashes(merkle.root_ranges(size))[0]


def latest_checkpoint() -> AuditCheckpoint | None:
    return db.session.scalar(db.select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))


def checkpoints_query():
    return db.select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc())


def _timestamp(now: datetime) -> str:
    return now.strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_extends(previous: AuditCheckpoint, size: int) -> None:
    """Before signing: the tree still has the previous checkpoint's root, and every leaf added since is its event."""
    try:
        same_root = size >= previous.tree_size and root(previous.tree_size).hex() == previous.root_hash
    except TreeIncomplete:
        same_root = False
    if not same_root:
        raise LogDoesNotExtendCheckpoint(f"the tree no longer has the root of checkpoint {previous.id}")
    expected = previous.tree_size
    new_leaves = read_leaves(previous.tree_size, size)
    for event in events_in_order(start=previous.tree_size, release=False):
        if event.log_index != expected or new_leaves.get((0, expected)) != merkle.leaf_hash(bytes.fromhex(event.hash)):
            raise LogDoesNotExtendCheckpoint(f"event {event.id} is not the leaf {expected} of the tree")
        if _timestamp(event.at) < previous.timestamp:
            raise LogDoesNotExtendCheckpoint(f"event {event.id} is dated before checkpoint {previous.id}")
        expected += 1
    if expected != size:
        raise LogDoesNotExtendCheckpoint(f"the tree has {size} leaves but the log {expected} events")


# A quiet log is signed again this often, so that a witness can tell a quiet log from one that stopped signing.
HEARTBEAT = timedelta(hours=1)


def make_checkpoint(*, only_if_grown: bool = False, now: datetime | None = None) -> AuditCheckpoint | None:
    """Sign the log as it is now (under the append lock, so size and root agree). Commits.

    With `only_if_grown` (the consumer's minute), nothing is signed when no event was added since the last one,
    unless that was a HEARTBEAT ago.
    """
    now = now or utcnow()
    lock_log()
    size, previous = tree_size(), latest_checkpoint()
    if only_if_grown and previous is not None and previous.tree_size == size \
            and previous.timestamp > _timestamp(now - HEARTBEAT):
        db.session.rollback()
        return None
    if previous is not None:
        _check_extends(previous, size)
    root_hash, timestamp = root(size).hex(), _timestamp(now)
    key = _private_key()
    signature = base64.b64encode(key.sign(checkpoint_text(size, root_hash, timestamp))).decode()
    checkpoint = AuditCheckpoint(tree_size=size, root_hash=root_hash, timestamp=timestamp,
                                 key_id=key_id_of(key.public_key()), signature=signature)
    db.session.add(checkpoint)
    db.session.commit()
    return checkpoint


def _require_checkpoint_size(size: int) -> None:
    if db.session.scalar(db.select(AuditCheckpoint.id).where(AuditCheckpoint.tree_size == size).limit(1)) is None:
        raise NotACheckpoint(f"no checkpoint has the tree size {size}")


@dataclass(frozen=True)
class InclusionProof:
    index: int
    tree_size: int
    leaf_hash: str | None  # None when the log holds no event at that leaf: it was removed
    proof: list[str]


def inclusion_proof(index: int, size: int) -> InclusionProof:
    """The audit path of leaf `index` in the tree of a checkpoint. The leaf is hashed from the stored event itself,
    so an event changed or removed since gives a proof that does not verify."""
    _require_checkpoint_size(size)
    path = _hashes(merkle.inclusion_ranges(index, size))
    digest = db.session.scalar(db.select(AuditEvent.hash).where(AuditEvent.log_index == index))
    leaf = None if digest is None else merkle.leaf_hash(bytes.fromhex(digest)).hex()
    return InclusionProof(index, size, leaf, [node.hex() for node in path])


def consistency_proof(old: int, new: int) -> list[str]:
    _require_checkpoint_size(old)
    _require_checkpoint_size(new)
    return [node.hex() for node in _hashes(merkle.consistency_ranges(old, new))]


@dataclass(frozen=True)
class Finding:
    checked: int
    problem: str | None = None
    event_id: int | None = None
    log_index: int | None = None


@dataclass(frozen=True)
class Claim:
    """A checkpoint as someone holds it, outside the database."""
    tree_size: int
    root_hash: str
    timestamp: str
    key_id: str
    signature: str

    @classmethod
    def of(cls, checkpoint: AuditCheckpoint) -> "Claim":
        return cls(checkpoint.tree_size, checkpoint.root_hash, checkpoint.timestamp, checkpoint.key_id,
                   checkpoint.signature)

    @classmethod
    def from_json(cls, text: str) -> "Claim":
        try:
            data = json.loads(text)
            claim = cls(int(data["tree_size"]), str(data["root_hash"]), str(data["timestamp"]),
                        str(data["key_id"]), str(data["signature"]))
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise ValueError(f"it needs tree_size, root_hash, timestamp, key_id and signature ({error})") from None
        if claim.tree_size < 0:
            raise ValueError("its tree_size is negative")
        return claim


def verify_against(claim: Claim) -> Finding:
    """Whether the stored log extends the checkpoint given (best held outside the database): its signature, every
    event recomputed from its content and in its place, the root of the first `tree_size` leaves, and no later
    event dated before it."""
    key = _verifying_keys().get(claim.key_id)
    tree_size, root_hash, timestamp = claim.tree_size, claim.root_hash, claim.timestamp
    if key is None or not signature_holds(key, tree_size, root_hash, timestamp, claim.signature):
        return Finding(0, "the checkpoint's signature does not hold with this log's keys")
    builder, expected_prev, checked = merkle.TreeBuilder(), GENESIS_HASH, 0
    stored_leaves: dict = {}
    for event in events_in_order():
        position = checked
        if event.log_index != position:
            return Finding(checked, f"leaf {position} is missing: the log jumps to leaf {event.log_index}",
                           event.id, event.log_index)
        recomputed = event_hash(event.prev_hash, event.at, event.actor_id, event.action, event.object_type,
                                event.object_id, event.before, event.after)
        if recomputed != event.hash:
            return Finding(checked, "its content does not match its hash (it was changed)", event.id, position)
        if event.prev_hash != expected_prev:
            return Finding(checked, "it does not follow the event before it", event.id, position)
        if position >= tree_size and _timestamp(event.at) < timestamp:
            return Finding(checked, "it is dated before the checkpoint but is not in it (it was added since)",
                           event.id, position)
        if position < tree_size:
            if position % 1000 == 0:
                stored_leaves = read_leaves(position, min(position + 1000, tree_size))
            if stored_leaves.get((0, position)) != merkle.leaf_hash(bytes.fromhex(event.hash)):
                return Finding(checked, "it is not the leaf the tree stored for it (the log was rewritten from here)",
                               event.id, position)
        builder.add(bytes.fromhex(event.hash))
        expected_prev, checked = event.hash, checked + 1
        if builder.size == tree_size and builder.root().hex() != root_hash:
            return Finding(checked, f"the first {tree_size} events do not give the checkpoint's root "
                                    "(the log and its tree were rewritten)")
    if checked < tree_size:
        return Finding(checked, f"the log holds {checked} events, fewer than the checkpoint's {tree_size}")
    if tree_size == 0 and root_hash != merkle.EMPTY_ROOT.hex():
        return Finding(checked, "the checkpoint's root is not that of an empty log")
    return Finding(checked)
