# SPDX-License-Identifier: Apache-2.0
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rightparty.audit import merkle
from rightparty.audit.checkpoint import verify
from rightparty.audit.errors import AppendConflict, InvalidEncoding, InvalidProof, TamperDetected
from rightparty.audit.log import AuditLog
from rightparty.audit.memory import InMemoryAuditStore
from rightparty.audit.store import GENESIS_CHAIN_HASH, AuditEntry, LogState, chain_hash
from tests.unit.audit.builders import ORIGIN, START, build_log, event, signing_key

pytestmark = pytest.mark.unit


def test_an_empty_log_has_the_empty_tree_head():
    log = AuditLog(InMemoryAuditStore(), origin=ORIGIN)
    head = log.tree_head()
    assert (head.size, head.root) == (0, merkle.EMPTY_ROOT)
    assert log.append_batch([]) == []
    assert log.latest_checkpoint() is None


def test_append_numbers_entries_and_hashes_their_canonical_encoding():
    log = AuditLog(InMemoryAuditStore(), origin=ORIGIN)
    first, second = log.append(event(0)), log.append(event(1))
    assert (first.index, second.index) == (0, 1)
    assert first.event_bytes == event(0).encode()
    assert first.leaf_hash == merkle.leaf_hash(event(0).encode())
    assert first.chain_hash == chain_hash(GENESIS_CHAIN_HASH, first.leaf_hash)
    assert second.chain_hash == chain_hash(first.chain_hash, second.leaf_hash)
    assert second.event() == event(1)


def test_tree_head_is_the_merkle_root_of_every_leaf():
    log, store = build_log(37)
    head = log.tree_head()
    assert head.size == 37
    assert head.root == merkle.root([entry.leaf_hash for entry in store.entries])


@given(st.lists(st.integers(min_value=0, max_value=9), max_size=8))
def test_batches_and_single_appends_build_the_same_log(batch_sizes):
    events = [event(number) for number in range(sum(batch_sizes))]
    batched = AuditLog(InMemoryAuditStore(), origin=ORIGIN)
    position = 0
    for size in batch_sizes:
        entries = batched.append_batch(events[position : position + size])
        assert [entry.index for entry in entries] == list(range(position, position + size))
        position += size
    single, _ = build_log(len(events))
    assert batched.tree_head() == single.tree_head()


def test_a_new_log_over_the_same_store_continues_from_the_saved_state():
    _, store = build_log(10)
    reopened = AuditLog(store, origin=ORIGIN)
    assert reopened.append(event(10)).index == 10
    assert reopened.tree_head() == build_log(11)[0].tree_head()


def test_log_state_survives_a_round_trip_through_bytes():
    _, store = build_log(13)
    assert store.state is not None
    assert LogState.decode(store.state.encode()) == store.state
    assert LogState.decode(LogState.empty().encode()) == LogState.empty()


@pytest.mark.parametrize(
    "data",
    [b"", b"\x02" + bytes(40), b"\x01" + bytes(32) + (1).to_bytes(8, "big")],
    ids=["empty", "unknown-version", "missing-frontier-node"],
)
def test_malformed_log_state_is_refused(data):
    with pytest.raises(InvalidEncoding):
        LogState.decode(data)


def test_the_store_refuses_entries_that_do_not_start_at_its_end():
    _, store = build_log(3)
    stale = AuditEntry(2, b"x", b"\x00" * 32, b"\x00" * 32)
    with pytest.raises(AppendConflict) as caught:
        store.append([stale], LogState.empty())
    assert (caught.value.expected_index, caught.value.offered_index) == (3, 2)


def test_every_entry_has_an_inclusion_proof_to_the_current_head():
    log, _ = build_log(21)
    head = log.tree_head()
    for index in range(21):
        proof = log.prove_inclusion(index)
        assert proof.tree_size == 21
        proof.verify(head.root)


def test_inclusion_proofs_to_an_older_checkpoint_verify_against_its_signed_root():
    key = signing_key()
    log, _ = build_log(8)
    signed = log.checkpoint(key, issued_at=START + timedelta(minutes=1))
    for number in range(8, 20):
        log.append(event(number))
    checkpoint = verify(signed, key.public_key())
    proof = log.prove_inclusion(5, tree_size=checkpoint.size)
    proof.verify(checkpoint.root)
    with pytest.raises(InvalidProof):
        proof.verify(log.tree_head().root)


def test_consistency_between_two_checkpoints_is_provable():
    key = signing_key()
    log, _ = build_log(5)
    old = log.checkpoint(key, issued_at=START + timedelta(minutes=1)).checkpoint
    for number in range(5, 12):
        log.append(event(number))
    new = log.checkpoint(key, issued_at=START + timedelta(minutes=2)).checkpoint
    proof = log.prove_consistency(old.size)
    assert (proof.old_size, proof.new_size) == (5, 12)
    proof.verify(old.root, new.root)
    with pytest.raises(InvalidProof):
        proof.verify(new.root, old.root)


def test_checkpoints_sign_the_current_head_and_are_kept():
    key = signing_key()
    log, store = build_log(4)
    signed = log.checkpoint(key, issued_at=START + timedelta(minutes=1))
    checkpoint = verify(signed, key.public_key())
    assert (checkpoint.origin, checkpoint.size) == (ORIGIN, 4)
    assert checkpoint.root == log.tree_head().root
    assert store.checkpoints() == [signed]
    assert log.latest_checkpoint() == signed


def test_impossible_proof_requests_are_refused():
    log, _ = build_log(4)
    with pytest.raises(IndexError):
        log.prove_inclusion(4)
    with pytest.raises(ValueError, match="not 9"):
        log.prove_inclusion(0, tree_size=9)
    with pytest.raises(ValueError, match="no consistency proof"):
        log.prove_consistency(0)
    with pytest.raises(ValueError, match="no consistency proof"):
        log.prove_consistency(3, new_size=2)


def test_a_proof_over_a_store_with_missing_rows_reports_tampering():
    log, store = build_log(6)
    del store.entries[2]
    with pytest.raises(TamperDetected) as caught:
        log.prove_inclusion(1)
    assert caught.value.index == 5


def test_a_log_needs_a_name_that_can_sign_checkpoints():
    assert AuditLog(InMemoryAuditStore(), origin=ORIGIN).origin == ORIGIN
    with pytest.raises(ValueError, match="origin"):
        AuditLog(InMemoryAuditStore(), origin="bank audit")


def test_a_log_state_must_hold_one_node_per_set_bit_of_its_size():
    with pytest.raises(InvalidEncoding):
        LogState(frontier=(), size=1, chain_head=GENESIS_CHAIN_HASH)
