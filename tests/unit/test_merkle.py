"""The audit log's Merkle tree against RFC 9162 section 2.1, checked by a brute-force tree and a verifier of its own.

The oracle here is written from the RFC's recursive definitions, independently of the iterative algorithms in
`app.domain.merkle`: MTH, PATH and PROOF over a plain list of leaves, and a verifier that rebuilds both roots by
walking the proof along the same recursion.
"""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain import merkle
from tests.merkle_oracle import H, mth, oracle_consistent, oracle_includes, path, subproof


def stored_nodes(leaves: list[bytes]) -> dict:
    nodes: dict = {}
    for position, leaf in enumerate(leaves):
        siblings = {key: nodes[key] for key in merkle.left_siblings(position)}
        nodes.update(merkle.append(position, leaf, siblings))
    return nodes


leaf_lists = st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=70)


@given(leaf_lists)
def test_every_prefix_root_is_the_rfcs(leaves):
    nodes = stored_nodes(leaves)
    builder = merkle.TreeBuilder()
    for n in range(1, len(leaves) + 1):
        builder.add(leaves[n - 1])
        assert merkle.range_hash(0, n, nodes) == mth(leaves[:n]) == builder.root()


@given(leaf_lists, st.data())
def test_inclusion_proofs_are_the_rfcs_and_verify(leaves, data):
    nodes = stored_nodes(leaves)
    n = data.draw(st.integers(1, len(leaves)))
    index = data.draw(st.integers(0, n - 1))
    proof = merkle.hashes_of(merkle.inclusion_ranges(index, n), nodes)
    assert proof == path(index, leaves[:n])
    root = mth(leaves[:n])
    assert merkle.verify_inclusion(index, n, H(b"\x00" + leaves[index]), proof, root)
    assert oracle_includes(index, n, H(b"\x00" + leaves[index]), proof, root)
    other = H(b"\x00" + H(leaves[index]))
    assert not merkle.verify_inclusion(index, n, other, proof, root)
    if proof:
        bent = list(proof)
        bent[0] = H(bent[0])
        assert not merkle.verify_inclusion(index, n, H(b"\x00" + leaves[index]), bent, root)


@given(leaf_lists, st.data())
def test_consistency_proofs_are_the_rfcs_and_verify_for_every_pair(leaves, data):
    nodes = stored_nodes(leaves)
    n = data.draw(st.integers(1, len(leaves)))
    m = data.draw(st.integers(1, n))
    proof = merkle.hashes_of(merkle.consistency_ranges(m, n), nodes)
    assert proof == ([] if m == n else subproof(m, leaves[:n], True))
    old_root, new_root = mth(leaves[:m]), mth(leaves[:n])
    assert merkle.verify_consistency(m, n, proof, old_root, new_root)
    if m < n:
        assert oracle_consistent(m, n, proof, old_root, new_root)


@given(leaf_lists, st.data())
def test_a_consistency_proof_fails_for_a_rewritten_log(leaves, data):
    leaves = leaves if len(leaves) > 1 else [*leaves, H(b"another")]
    n = len(leaves)
    m = data.draw(st.integers(1, n - 1))
    changed = data.draw(st.integers(0, m - 1))
    tampered = list(leaves)
    tampered[changed] = H(tampered[changed])
    proof = merkle.hashes_of(merkle.consistency_ranges(m, n), stored_nodes(tampered))
    old_root = mth(leaves[:m])
    assert not merkle.verify_consistency(m, n, proof, old_root, mth(tampered))
    assert not oracle_consistent(m, n, proof, old_root, mth(tampered))


def test_the_rfcs_shapes_on_seven_leaves():
    """The tree of RFC 9162's figure (7 leaves): the proofs it gives as examples, as ranges."""
    assert merkle.inclusion_ranges(0, 7) == [(1, 2), (2, 4), (4, 7)]  # b, h, l
    assert merkle.inclusion_ranges(3, 7) == [(2, 3), (0, 2), (4, 7)]  # c, g, l
    assert merkle.inclusion_ranges(4, 7) == [(5, 6), (6, 7), (0, 4)]  # f, j, k
    assert merkle.inclusion_ranges(6, 7) == [(4, 6), (0, 4)]  # i, k
    assert merkle.consistency_ranges(3, 7) == [(2, 3), (3, 4), (0, 2), (4, 7)]  # c, d, g, l
    assert merkle.consistency_ranges(4, 7) == [(4, 7)]  # l
    assert merkle.consistency_ranges(6, 7) == [(4, 6), (6, 7), (0, 4)]  # i, j, k


@pytest.mark.parametrize("index, size", [(-1, 3), (3, 3), (0, 0)])
def test_an_impossible_inclusion_request_is_refused(index, size):
    with pytest.raises(merkle.InvalidProofRequest):
        merkle.inclusion_ranges(index, size)


def test_an_impossible_consistency_request_is_refused():
    with pytest.raises(merkle.InvalidProofRequest):
        merkle.consistency_ranges(5, 4)
    assert merkle.consistency_ranges(0, 4) == [] and merkle.consistency_ranges(4, 4) == []


def test_a_proof_reads_logarithmically_many_nodes():
    for n in (1000, 65_537, 1_000_003):
        for index in (0, n // 3, n - 1):
            assert len(merkle.nodes_for(merkle.inclusion_ranges(index, n))) <= 2 * n.bit_length()
        for m in (1, n // 2, n - 1):
            assert len(merkle.nodes_for(merkle.consistency_ranges(m, n))) <= 2 * n.bit_length()
