"""The Merkle tree of the audit log, as RFC 9162 (Certificate Transparency 2.0) section 2.1 defines it.

The tree of the first n leaves, MTH(D[n]), is SHA-256 of nothing for n = 0, H(0x00 || d) for one leaf, and
H(0x01 || MTH(D[0:k]) || MTH(D[k:n])) above, k being the largest power of two below n. The log stores the hash of
every *perfect* subtree it has completed: node (level, position) covers the leaves
[position * 2**level, (position + 1) * 2**level). Any subtree a proof needs is either one of those or a suffix
[start, n) of the tree, whose hash folds a few of them; so a proof is computed from O(log n) stored nodes, read at
once: `*_ranges` says which subtrees a proof is made of, `pieces` which stored nodes those need.
"""
import hashlib
from collections.abc import Iterable, Mapping, Sequence

Node = tuple[int, int]  # (level, position)
Range = tuple[int, int]  # [start, end) of leaves


class InvalidProofRequest(ValueError):
    pass


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


EMPTY_ROOT = hashlib.sha256(b"").digest()


def _split(size: int) -> int:
    """The largest power of two strictly below `size` (size > 1)."""
    return 1 << ((size - 1).bit_length() - 1)


def new_nodes(position: int) -> list[Node]:
    """The nodes completed by appending leaf `position`: the leaf itself, then each parent it closes."""
    nodes = [(0, position)]
    level = 0
    while (position >> level) & 1:
        level += 1
        nodes.append((level, position >> level))
    return nodes


def left_siblings(position: int) -> list[Node]:
    """The stored nodes whose hashes the parents in `new_nodes(position)` combine with, bottom up."""
    return [(level, (position >> level) - 1) for level, _ in new_nodes(position)[:-1]]


def append(position: int, leaf: bytes, siblings: Mapping[Node, bytes]) -> dict[Node, bytes]:
    """The hashes of `new_nodes(position)` for a new leaf, given its `left_siblings`."""
    hashes = {(0, position): leaf_hash(leaf)}
    current = hashes[(0, position)]
    for level, sibling in enumerate(left_siblings(position), start=1):
        current = node_hash(siblings[sibling], current)
        hashes[(level, position >> level)] = current
    return hashes


def pieces(start: int, end: int) -> list[Node]:
    """The perfect stored subtrees that make up [start, end), largest (leftmost) first."""
    result = []
    while start < end:
        size = end - start
        level = size.bit_length() - 1
        while start % (1 << level):  # every range a proof asks for is aligned; this keeps any range correct
            level -= 1
        result.append((level, start >> level))
        start += 1 << level
    return result


def range_hash(start: int, end: int, nodes: Mapping[Node, bytes]) -> bytes:
    """MTH(D[start:end]) for a range that starts on a power-of-two boundary at least its size (as all in proofs do)."""
    if start == end:
        return EMPTY_ROOT
    parts = [nodes[piece] for piece in pieces(start, end)]
    current = parts[-1]
    for part in reversed(parts[:-1]):
        current = node_hash(part, current)
    return current


def root_ranges(size: int) -> list[Range]:
    return [(0, size)]


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The subtrees of PATH(index, D[size]) (RFC 9162 2.1.3.1), from the leaf upwards."""
    if not 0 <= index < size:
        raise InvalidProofRequest("the index must be below the tree size")
    path: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            start += k
    return list(reversed(path))


def consistency_ranges(old: int, new: int) -> list[Range]:
    """The subtrees of PROOF(old, D[new]) (RFC 9162 2.1.4.1), in the order the proof lists them."""
    if not 0 <= old <= new:
        raise InvalidProofRequest("the first size must be at most the second")
    if old in (0, new):
        return []
    proof: list[Range] = []
    start, end, complete = 0, new, True
    m = old
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            proof.append((start + k, end))
            end = start + k
        else:
            proof.append((start, start + k))
            start, m, complete = start + k, m - k, False
    if not complete:
        proof.append((start, end))
    return list(reversed(proof))


def nodes_for(ranges: Iterable[Range]) -> set[Node]:
    return {piece for start, end in ranges for piece in pieces(start, end)}


def hashes_of(ranges: Sequence[Range], nodes: Mapping[Node, bytes]) -> list[bytes]:
    return [range_hash(start, end, nodes) for start, end in ranges]


class TreeBuilder:
    """The root of every prefix of a stream of leaves, in O(log n) memory: for checking a log from its events."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []  # perfect subtrees (level, hash), largest first

    def add(self, leaf: bytes) -> None:
        level, current = 0, leaf_hash(leaf)
        while self._stack and self._stack[-1][0] == level:
            current = node_hash(self._stack.pop()[1], current)
            level += 1
        self._stack.append((level, current))
        self.size += 1

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        current = self._stack[-1][1]
        for _, part in reversed(self._stack[:-1]):
            current = node_hash(part, current)
        return current


def verify_inclusion(index: int, size: int, leaf_digest: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 2.1.3.2: whether `proof` shows the leaf with hash `leaf_digest` at `index` in the tree `root`."""
    if not 0 <= index < size:
        return False
    fn, sn, result = index, size - 1, leaf_digest
    for part in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            result = node_hash(part, result)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            result = node_hash(result, part)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and result == root


def verify_consistency(old: int, new: int, proof: Sequence[bytes], old_root: bytes, new_root: bytes) -> bool:
    """RFC 9162 2.1.4.2: whether `proof` shows the tree `new_root` of `new` leaves extends `old_root` of `old`."""
    if not 0 <= old <= new:
        return False
    if old == new:
        return not proof and old_root == new_root
    if old == 0:
        return not proof
    path = list(proof)
    if not path:
        return False
    if old & (old - 1) == 0:  # an exact power of two: the old tree is itself a node of the new one
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    first = second = path[0]
    for part in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            first, second = node_hash(part, first), node_hash(part, second)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            second = node_hash(second, part)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and first == old_root and second == new_root
