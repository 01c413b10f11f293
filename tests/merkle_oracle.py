"""An oracle for the audit log's Merkle tree, written from RFC 9162 section 2.1's recursive definitions over a plain
list of leaves, independently of the iterative algorithms in `app.domain.merkle`: MTH, PATH and PROOF, and a
consistency verifier that rebuilds both roots by walking the proof along PROOF's own recursion."""
import hashlib


def H(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def k_of(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves: list[bytes]) -> bytes:
    if not leaves:
        return H(b"")
    if len(leaves) == 1:
        return H(b"\x00" + leaves[0])
    k = k_of(len(leaves))
    return H(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = k_of(len(leaves))
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [mth(leaves)]
    k = k_of(n)
    if m <= k:
        return [*subproof(m, leaves[:k], complete), mth(leaves[k:])]
    return [*subproof(m - k, leaves[k:], False), mth(leaves[:k])]


def oracle_consistent(m: int, n: int, proof: list[bytes], old_root: bytes, new_root: bytes) -> bool:
    """Walk SUBPROOF's recursion from the outside in, taking the proof from its end, rebuilding both roots."""
    items = list(proof)

    def walk(m: int, n: int, complete: bool) -> tuple[bytes, bytes]:
        """The hashes of this subtree's part of the old tree and of the new tree."""
        if m == n:
            if complete:  # this subtree is the old tree itself, whose hash the proof leaves out
                return old_root, old_root
            node = items.pop()
            return node, node
        k = k_of(n)
        outer = items.pop()
        if m <= k:
            old, new = walk(m, k, complete)
            return old, H(b"\x01" + new + outer)
        old, new = walk(m - k, n - k, False)
        return H(b"\x01" + outer + old), H(b"\x01" + outer + new)

    try:
        old, new = walk(m, n, True)
    except IndexError:
        return False
    return not items and old == old_root and new == new_root


def oracle_includes(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> bool:
    """Rebuild the root from the leaf's hash along PATH's recursion, taking the proof from its end."""
    items = list(proof)

    def walk(index: int, size: int) -> bytes:
        if size == 1:
            return leaf
        k = k_of(size)
        outer = items.pop()
        if index < k:
            return H(b"\x01" + walk(index, k) + outer)
        return H(b"\x01" + outer + walk(index - k, size - k))

    try:
        rebuilt = walk(index, size)
    except IndexError:
        return False
    return not items and rebuilt == root
