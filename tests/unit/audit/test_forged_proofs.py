# SPDX-License-Identifier: Apache-2.0
"""Adversarial proofs: a verifier tested only with honest servers is how CVE-2022-36111 happened."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from rightparty.audit import merkle
from rightparty.audit.errors import InvalidProof
from tests.unit.audit.builders import flip_bit, leaves
from tests.unit.audit.strategies import old_and_new_sizes, tree_and_index

pytestmark = pytest.mark.unit


def _inclusion_rejected(*, leaf_hash, index, size, proof, root):
    with pytest.raises(InvalidProof):
        merkle.verify_inclusion(leaf_hash=leaf_hash, index=index, size=size, proof=proof, root=root)


def _consistency_rejected(*, old_size, new_size, old_root, new_root, proof):
    with pytest.raises(InvalidProof):
        merkle.verify_consistency(
            old_size=old_size, new_size=new_size, old_root=old_root, new_root=new_root, proof=proof
        )


@given(tree_and_index(), st.data())
def test_any_single_bit_flip_in_an_inclusion_proof_is_rejected(case, data):
    size, index = case
    hashes = leaves(size)
    proof = merkle.inclusion_proof(hashes, index)
    head = merkle.root(hashes)
    target = data.draw(st.sampled_from(["leaf", "root", *range(len(proof))]))
    if target == "leaf":
        leaf = flip_bit(hashes[index], data.draw(st.integers(0, 255)))
        _inclusion_rejected(leaf_hash=leaf, index=index, size=size, proof=proof, root=head)
    elif target == "root":
        forged_root = flip_bit(head, data.draw(st.integers(0, 255)))
        _inclusion_rejected(
            leaf_hash=hashes[index], index=index, size=size, proof=proof, root=forged_root
        )
    else:
        forged = list(proof)
        forged[target] = flip_bit(forged[target], data.draw(st.integers(0, 255)))
        _inclusion_rejected(
            leaf_hash=hashes[index], index=index, size=size, proof=forged, root=head
        )


@given(tree_and_index(), st.data())
def test_reshaped_inclusion_proofs_are_rejected(case, data):
    size, index = case
    hashes = leaves(size)
    proof = merkle.inclusion_proof(hashes, index)
    head = merkle.root(hashes)
    extra = data.draw(st.sampled_from([head, hashes[index], b"\x00" * 32, *proof]))
    shapes = [[*proof, extra], [extra, *proof], [*proof, extra[:31]]]
    if proof:
        shapes += [proof[:-1], proof[1:], [*proof[:-1], proof[-1] + b"\x00"]]
    if len(set(proof)) > 1:
        shapes.append(list(reversed(proof)))
    for shape in shapes:
        _inclusion_rejected(leaf_hash=hashes[index], index=index, size=size, proof=shape, root=head)


@given(tree_and_index(), st.data())
def test_an_inclusion_proof_does_not_verify_for_another_index_or_size(case, data):
    size, index = case
    hashes = leaves(size + 70)
    proof = merkle.inclusion_proof(hashes[:size], index)
    assume(size > 1)
    other_index = (index + data.draw(st.integers(1, size - 1))) % size
    _inclusion_rejected(
        leaf_hash=hashes[index],
        index=other_index,
        size=size,
        proof=proof,
        root=merkle.root(hashes[:size]),
    )
    other_size = data.draw(st.integers(index + 1, size + 70).filter(lambda value: value != size))
    _inclusion_rejected(
        leaf_hash=hashes[index],
        index=index,
        size=other_size,
        proof=proof,
        root=merkle.root(hashes[:other_size]),
    )


@given(tree_and_index(), st.lists(st.binary(min_size=32, max_size=32), max_size=8))
def test_random_proof_elements_never_prove_a_leaf_that_is_not_there(case, forged):
    size, index = case
    hashes = leaves(size)
    stranger = leaves(1, salt=b"stranger")[0]
    _inclusion_rejected(
        leaf_hash=stranger, index=index, size=size, proof=forged, root=merkle.root(hashes)
    )


@given(old_and_new_sizes(), st.data())
def test_any_single_bit_flip_in_a_consistency_proof_is_rejected(sizes, data):
    old_size, new_size = sizes
    assume(old_size < new_size)
    hashes = leaves(new_size)
    proof = merkle.consistency_proof(hashes, old_size)
    old_root, new_root = merkle.root(hashes[:old_size]), merkle.root(hashes)
    target = data.draw(st.sampled_from(["old", "new", *range(len(proof))]))
    bit = data.draw(st.integers(0, 255))
    if target == "old":
        old_root = flip_bit(old_root, bit)
    elif target == "new":
        new_root = flip_bit(new_root, bit)
    else:
        proof[target] = flip_bit(proof[target], bit)
    _consistency_rejected(
        old_size=old_size, new_size=new_size, old_root=old_root, new_root=new_root, proof=proof
    )


@given(old_and_new_sizes(), st.data())
def test_reshaped_consistency_proofs_are_rejected(sizes, data):
    old_size, new_size = sizes
    hashes = leaves(new_size)
    proof = merkle.consistency_proof(hashes, old_size)
    old_root, new_root = merkle.root(hashes[:old_size]), merkle.root(hashes)
    extra = data.draw(st.sampled_from([old_root, new_root, b"\x00" * 32, *proof]))
    shapes = [[*proof, extra], [extra, *proof]]
    if proof:
        shapes += [proof[:-1], proof[1:], [*proof[:-1], proof[-1][:31]]]
    if len(set(proof)) > 1:
        shapes.append(list(reversed(proof)))
    for shape in shapes:
        _consistency_rejected(
            old_size=old_size, new_size=new_size, old_root=old_root, new_root=new_root, proof=shape
        )


@given(old_and_new_sizes(), st.data())
def test_a_forked_history_cannot_be_proven_consistent(sizes, data):
    """The log shows an auditor tree A at old_size, then grows a tree B that rewrote A's past."""
    old_size, new_size = sizes
    honest = leaves(new_size)
    changed = data.draw(st.integers(0, old_size - 1))
    fork = list(honest)
    fork[changed] = leaves(1, salt=b"forged")[0]
    old_root = merkle.root(honest[:old_size])
    fork_root = merkle.root(fork)
    _consistency_rejected(
        old_size=old_size,
        new_size=new_size,
        old_root=old_root,
        new_root=fork_root,
        proof=merkle.consistency_proof(fork, old_size) if old_size < new_size else [],
    )
    _consistency_rejected(
        old_size=old_size,
        new_size=new_size,
        old_root=old_root,
        new_root=fork_root,
        proof=merkle.consistency_proof(honest, old_size) if old_size < new_size else [],
    )


@given(old_and_new_sizes(), st.data())
def test_a_consistency_proof_does_not_verify_for_other_sizes(sizes, data):
    old_size, new_size = sizes
    assume(old_size < new_size)
    hashes = leaves(new_size + 10)
    proof = merkle.consistency_proof(hashes[:new_size], old_size)
    other_old = data.draw(st.integers(1, new_size).filter(lambda value: value != old_size))
    _consistency_rejected(
        old_size=other_old,
        new_size=new_size,
        old_root=merkle.root(hashes[:other_old]),
        new_root=merkle.root(hashes[:new_size]),
        proof=proof,
    )
    other_new = data.draw(
        st.integers(old_size + 1, new_size + 10).filter(lambda value: value != new_size)
    )
    _consistency_rejected(
        old_size=old_size,
        new_size=other_new,
        old_root=merkle.root(hashes[:old_size]),
        new_root=merkle.root(hashes[:other_new]),
        proof=proof,
    )


@given(old_and_new_sizes(), st.lists(st.binary(min_size=32, max_size=32), max_size=8))
def test_random_consistency_proofs_never_link_unrelated_trees(sizes, forged):
    old_size, new_size = sizes
    _consistency_rejected(
        old_size=old_size,
        new_size=new_size,
        old_root=merkle.root(leaves(old_size, salt=b"a")),
        new_root=merkle.root(leaves(new_size, salt=b"b")),
        proof=forged,
    )
