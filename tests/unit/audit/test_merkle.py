# SPDX-License-Identifier: Apache-2.0
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rightparty.audit import merkle
from rightparty.audit.errors import InvalidEncoding, InvalidProof
from rightparty.audit.subtree import verify_subtree_consistency
from tests.unit.audit.builders import (
    leaves,
    oracle_path,
    oracle_proof,
    oracle_root,
)
from tests.unit.audit.strategies import tree_sizes

pytestmark = pytest.mark.unit

# The eight leaves of the RFC 6962 reference tests and the published roots at sizes 1-8 (the same
# roots appear, base64-encoded, in the transparency-dev vectors).
REFERENCE_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    bytes(range(0x60, 0x70)),
]
REFERENCE_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def test_leaf_and_node_hashes_are_domain_separated():
    assert merkle.leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    left, right = b"L" * 32, b"R" * 32
    assert merkle.node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()
    assert merkle.leaf_hash(left + right) != merkle.node_hash(left, right)


def test_empty_tree_head_is_sha256_of_nothing():
    assert merkle.root([]) == hashlib.sha256(b"").digest() == merkle.EMPTY_ROOT
    assert merkle.MerkleFrontier().root() == merkle.EMPTY_ROOT


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_the_rfc_6962_reference_tree(size):
    hashes = [merkle.leaf_hash(data) for data in REFERENCE_LEAVES[:size]]
    assert merkle.root(hashes).hex() == REFERENCE_ROOTS[size - 1]


@given(st.integers(min_value=0, max_value=130))
def test_root_matches_the_recursive_definition(size):
    hashes = leaves(size)
    assert merkle.root(hashes) == oracle_root(hashes)


def test_frontier_yields_the_root_at_every_size():
    hashes = leaves(140)
    frontier = merkle.MerkleFrontier()
    for size, leaf in enumerate(hashes, start=1):
        frontier.append(leaf)
        assert frontier.size == size
        assert len(frontier.nodes) == size.bit_count()
        assert frontier.root() == oracle_root(hashes[:size])


@given(tree_sizes)
def test_frontier_survives_a_round_trip_through_bytes(size):
    frontier = merkle.MerkleFrontier()
    frontier.extend(leaves(size))
    restored = merkle.MerkleFrontier.from_bytes(frontier.to_bytes())
    assert restored.size == size
    assert restored.root() == frontier.root()
    restored.append(leaves(1, salt=b"next")[0])
    frontier.append(leaves(1, salt=b"next")[0])
    assert restored.root() == frontier.root()


def test_frontier_copy_is_independent():
    frontier = merkle.MerkleFrontier()
    frontier.extend(leaves(5))
    copy = frontier.copy()
    copy.append(leaves(1, salt=b"x")[0])
    assert (frontier.size, copy.size) == (5, 6)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        (3).to_bytes(8, "big") + b"\x00" * 32,
        (3).to_bytes(8, "big") + b"\x00" * 65,
        (2**64 - 1).to_bytes(8, "big"),
    ],
    ids=["empty", "too-few-nodes", "ragged", "too-few-for-max-size"],
)
def test_frontier_refuses_malformed_state(data):
    with pytest.raises(InvalidEncoding):
        merkle.MerkleFrontier.from_bytes(data)


@pytest.mark.parametrize(
    ("size", "nodes"),
    [(-1, []), (2**64, [b"\x00" * 32]), (1, [b"short"])],
    ids=["negative", "too-large", "short-node"],
)
def test_frontier_refuses_impossible_nodes(size, nodes):
    with pytest.raises(InvalidEncoding):
        merkle.MerkleFrontier.from_nodes(size, nodes)


def test_frontier_refuses_a_leaf_hash_of_the_wrong_length():
    with pytest.raises(ValueError, match="32 bytes"):
        merkle.MerkleFrontier().append(b"short")


def test_inclusion_proofs_are_rfc_paths_and_verify_for_every_leaf():
    for size in range(1, 41):
        hashes = leaves(size)
        head = merkle.root(hashes)
        for index in range(size):
            proof = merkle.inclusion_proof(hashes, index)
            assert proof == oracle_path(index, hashes)
            merkle.verify_inclusion(
                leaf_hash=hashes[index], index=index, size=size, proof=proof, root=head
            )


def test_consistency_proofs_are_rfc_proofs_and_verify_for_every_pair_of_sizes():
    hashes = leaves(40)
    for new_size in range(1, 41):
        new_root = merkle.root(hashes[:new_size])
        for old_size in range(1, new_size + 1):
            proof = merkle.consistency_proof(hashes[:new_size], old_size)
            assert proof == oracle_proof(old_size, hashes[:new_size])
            merkle.verify_consistency(
                old_size=old_size,
                new_size=new_size,
                old_root=merkle.root(hashes[:old_size]),
                new_root=new_root,
                proof=proof,
            )


def test_subtree_proofs_verify_for_every_subtree_of_every_tree():
    hashes = leaves(33)
    for size in range(1, 34):
        head = merkle.root(hashes[:size])
        for start in range(size):
            for end in range(start + 1, size + 1):
                width = end - start
                if start % (1 << (width - 1).bit_length()):
                    continue
                proof = merkle.subtree_proof(hashes[:size], start, end)
                verify_subtree_consistency(
                    start=start,
                    end=end,
                    size=size,
                    proof=proof,
                    subtree_root=merkle.root(hashes[start:end]),
                    root=head,
                )


def test_equal_sizes_need_an_empty_proof_and_equal_roots():
    head = merkle.root(leaves(6))
    merkle.verify_consistency(old_size=6, new_size=6, old_root=head, new_root=head, proof=[])
    with pytest.raises(InvalidProof):
        merkle.verify_consistency(
            old_size=6, new_size=6, old_root=head, new_root=head, proof=[head]
        )
    with pytest.raises(InvalidProof):
        merkle.verify_consistency(
            old_size=6, new_size=6, old_root=head, new_root=merkle.EMPTY_ROOT, proof=[]
        )


def test_a_consistency_proof_from_the_empty_tree_is_refused():
    with pytest.raises(InvalidProof, match="empty tree"):
        merkle.verify_consistency(
            old_size=0,
            new_size=3,
            old_root=merkle.EMPTY_ROOT,
            new_root=merkle.root(leaves(3)),
            proof=[],
        )


@pytest.mark.parametrize(("index", "size"), [(3, 3), (-1, 3), (0, 0), (0, 2**64)])
def test_verify_inclusion_refuses_an_index_outside_the_tree(index, size):
    with pytest.raises(InvalidProof, match="outside"):
        merkle.verify_inclusion(
            leaf_hash=b"\x00" * 32, index=index, size=size, proof=[], root=b"\x00" * 32
        )


def test_proof_generation_refuses_impossible_requests():
    hashes = leaves(4)
    with pytest.raises(IndexError):
        merkle.inclusion_proof(hashes, 4)
    with pytest.raises(ValueError, match="no consistency proof"):
        merkle.consistency_proof(hashes, 0)
    with pytest.raises(ValueError, match="not a subtree"):
        merkle.subtree_proof(hashes, 1, 4)
    with pytest.raises(ValueError, match="does not fit"):
        merkle.subtree_proof(hashes, 4, 8)
