# SPDX-License-Identifier: Apache-2.0
"""`verify_log` against an attacker who can edit the entry, state and checkpoint tables."""

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rightparty.audit import merkle
from rightparty.audit.checkpoint import Checkpoint, sign
from rightparty.audit.errors import InvalidEncoding, TamperDetected
from rightparty.audit.log import AuditLog, verify_log
from rightparty.audit.memory import InMemoryAuditStore
from rightparty.audit.store import AuditEntry, LogState, chain_hash
from rightparty.audit.verification import Finding, VerificationReport
from tests.unit.audit.builders import ORIGIN, START, build_log, event, signing_key

pytestmark = pytest.mark.unit

PUBLIC = signing_key().public_key()


def _verify(store, **options):
    return verify_log(store, PUBLIC, origin=ORIGIN, **options)


def _forged_entry(index: int, previous_chain: bytes | None = None) -> AuditEntry:
    data = event(1000 + index, subject="customer:c-9999").encode()
    leaf = merkle.leaf_hash(data)
    chain = chain_hash(previous_chain, leaf) if previous_chain else b"\x07" * 32
    return AuditEntry(index, data, leaf, chain)


def _renumber(entries: list[AuditEntry]) -> list[AuditEntry]:
    return [replace(entry, index=position) for position, entry in enumerate(entries)]


def modify_event_bytes(store, k):
    store.entries[k] = replace(store.entries[k], event_bytes=_forged_entry(k).event_bytes)


def modify_event_and_leaf_hash(store, k):
    forged = _forged_entry(k)
    store.entries[k] = replace(
        store.entries[k], event_bytes=forged.event_bytes, leaf_hash=forged.leaf_hash
    )


def delete_and_renumber(store, k):
    del store.entries[k]
    store.entries[:] = _renumber(store.entries)


def delete_leaving_a_gap(store, k):
    del store.entries[k]


def insert_a_copied_row(store, k):
    store.entries.insert(k, replace(_forged_entry(k), chain_hash=store.entries[k].chain_hash))
    store.entries[:] = _renumber(store.entries)


def move_a_row(store, k):
    moved = store.entries.pop(k + 2)
    store.entries.insert(k, moved)
    store.entries[:] = _renumber(store.entries)


def swap_two_rows(store, k):
    entries = store.entries
    entries[k], entries[k + 1] = (
        replace(entries[k + 1], index=k),
        replace(entries[k], index=k + 1),
    )


def swap_two_events(store, k):
    entries = store.entries
    first, second = entries[k].event_bytes, entries[k + 1].event_bytes
    entries[k] = replace(entries[k], event_bytes=second)
    entries[k + 1] = replace(entries[k + 1], event_bytes=first)


NAIVE_TAMPERING = {
    modify_event_bytes: Finding.EVENT_MODIFIED,
    modify_event_and_leaf_hash: Finding.CHAIN_BROKEN,
    delete_and_renumber: Finding.CHAIN_BROKEN,
    delete_leaving_a_gap: Finding.ENTRY_MISSING,
    insert_a_copied_row: Finding.CHAIN_BROKEN,
    move_a_row: Finding.CHAIN_BROKEN,
    swap_two_rows: Finding.CHAIN_BROKEN,
    swap_two_events: Finding.EVENT_MODIFIED,
}


def test_an_untouched_log_verifies():
    _, store = build_log(30, checkpoint_every=10)
    report = _verify(store)
    assert report.ok
    assert (report.size, report.anchored_size, report.checkpoints_verified) == (30, 30, 3)
    assert report.first_bad_index is None
    report.raise_for_tampering()


def test_an_empty_log_verifies():
    assert _verify(InMemoryAuditStore()).ok


@pytest.mark.parametrize(
    ("tamper", "finding"), NAIVE_TAMPERING.items(), ids=lambda x: getattr(x, "__name__", "")
)
def test_tampering_with_a_row_names_that_row(tamper, finding):
    _, store = build_log(30, checkpoint_every=10)
    tamper(store, 14)
    report = _verify(store)
    assert (report.finding, report.first_bad_index) == (finding, 14)
    assert report.anchored_size == 10


@given(
    st.sampled_from(list(NAIVE_TAMPERING)),
    st.integers(min_value=4, max_value=40),
    st.integers(min_value=0, max_value=7),
    st.integers(min_value=1, max_value=7),
    st.data(),
)
def test_the_first_tampered_row_is_named_wherever_it_is(tamper, size, every, chunk, data):
    _, store = build_log(size, checkpoint_every=every)
    k = data.draw(st.integers(min_value=0, max_value=size - 3))
    tamper(store, k)
    report = _verify(store, chunk_size=chunk)
    assert (report.finding, report.first_bad_index) == (NAIVE_TAMPERING[tamper], k)
    assert report.anchored_size <= k


def test_an_inserted_row_with_a_recomputed_chain_value_is_named_by_the_row_after_it():
    _, store = build_log(30, checkpoint_every=10)
    store.entries.insert(14, _forged_entry(14, previous_chain=store.entries[13].chain_hash))
    store.entries[:] = _renumber(store.entries)
    report = _verify(store)
    assert (report.finding, report.first_bad_index, report.anchored_size) == (
        Finding.CHAIN_BROKEN,
        15,
        10,
    )


def _rewrite_from(store: InMemoryAuditStore, k: int) -> None:
    """An attacker without the key rewrites entry k and recomputes every hash, chain and state."""
    events = [entry.event() for entry in store.entries]
    events[k] = event(5000, subject="customer:c-forged")
    forged_store = InMemoryAuditStore()
    AuditLog(forged_store, origin=ORIGIN).append_batch(events)
    store.entries[:] = forged_store.entries
    store.state = forged_store.state


def test_a_full_rewrite_is_caught_by_the_next_signed_checkpoint():
    _, store = build_log(30, checkpoint_every=10)
    _rewrite_from(store, 14)
    report = _verify(store)
    assert (report.finding, report.first_bad_index, report.anchored_size) == (
        Finding.HISTORY_REWRITTEN,
        10,
        10,
    )
    assert "size 20" in report.detail


def test_a_full_rewrite_after_the_last_checkpoint_goes_unseen():
    """The documented residual risk: unsigned entries are only as safe as the database."""
    _, store = build_log(35, checkpoint_every=10)
    _rewrite_from(store, 32)
    report = _verify(store)
    assert report.ok
    assert (report.size, report.anchored_size) == (35, 30)


def test_deleting_the_newest_rows_is_caught_by_their_checkpoint():
    _, store = build_log(30, checkpoint_every=10)
    del store.entries[25:]
    report = _verify(store)
    assert (report.finding, report.first_bad_index) == (Finding.TRUNCATED, 25)


def test_a_rollback_of_rows_state_and_checkpoints_needs_an_outside_anchor():
    log, store = build_log(30, checkpoint_every=10)
    anchor = log.latest_checkpoint()
    del store.entries[25:]
    del store.signed_checkpoints[-1]
    rebuilt = InMemoryAuditStore()
    AuditLog(rebuilt, origin=ORIGIN).append_batch([entry.event() for entry in store.entries])
    store.state = rebuilt.state
    assert _verify(store).ok
    report = _verify(store, anchor=anchor)
    assert (report.finding, report.first_bad_index) == (Finding.TRUNCATED, 25)


def test_a_checkpoint_signed_by_another_key_is_refused():
    log, store = build_log(10)
    head = log.tree_head()
    checkpoint = Checkpoint(origin=ORIGIN, size=head.size, root=head.root, issued_at=START)
    store.add_checkpoint(sign(checkpoint, signing_key(9)))
    report = _verify(store)
    assert (report.finding, report.first_bad_index) == (Finding.CHECKPOINT_INVALID, None)


def test_a_checkpoint_of_another_log_is_refused():
    log, store = build_log(10)
    head = log.tree_head()
    other = Checkpoint(origin="other.example/audit", size=10, root=head.root, issued_at=START)
    store.add_checkpoint(sign(other, signing_key()))
    assert _verify(store).finding is Finding.CHECKPOINT_INVALID


def test_an_empty_checkpoint_must_carry_the_empty_root():
    _, store = build_log(3)
    forged = Checkpoint(origin=ORIGIN, size=0, root=b"\x01" * 32, issued_at=START)
    store.add_checkpoint(sign(forged, signing_key()))
    report = _verify(store)
    assert (report.finding, report.first_bad_index) == (Finding.HISTORY_REWRITTEN, 0)


def test_a_tampered_state_is_reported():
    _, store = build_log(12, checkpoint_every=5)
    assert store.state is not None
    store.state = replace(store.state, chain_head=b"\x00" * 32)
    report = _verify(store)
    assert (report.finding, report.first_bad_index) == (Finding.STATE_MISMATCH, 10)


def test_rows_written_around_the_log_are_reported():
    _, store = build_log(12)
    store.entries.append(_forged_entry(12, previous_chain=store.entries[11].chain_hash))
    report = _verify(store)
    assert (report.finding, report.first_bad_index) == (Finding.STATE_MISMATCH, 12)


def test_a_row_stored_twice_is_reported():
    _, store = build_log(12)
    store.entries.insert(6, store.entries[5])
    report = _verify(store)
    assert (report.finding, report.first_bad_index) == (Finding.ENTRY_MISPLACED, 6)


def test_an_unreadable_state_is_reported():
    class BrokenStateStore(InMemoryAuditStore):
        def load_state(self) -> LogState | None:
            message = "garbled"
            raise InvalidEncoding(message)

    assert _verify(BrokenStateStore()).finding is Finding.STATE_MISMATCH


def test_tampering_raises_a_typed_error_that_carries_no_event_content():
    log, store = build_log(30, checkpoint_every=10)
    modify_event_and_leaf_hash(store, 14)
    with pytest.raises(TamperDetected) as caught:
        log.verify(PUBLIC).raise_for_tampering()
    assert caught.value.index == 14
    assert caught.value.finding == "chain_broken"
    for secret in ("customer:c-", "system:dispatcher", "attempt.recorded"):
        assert secret not in str(caught.value)


def test_later_checkpoints_extend_the_anchored_prefix():
    log, store = build_log(10, checkpoint_every=10)
    for number in range(10, 16):
        log.append(event(number))
    log.checkpoint(signing_key(), issued_at=START + timedelta(hours=1))
    report = _verify(store)
    assert report.ok
    assert (report.anchored_size, report.checkpoints_verified) == (16, 2)


def test_the_tampered_line_names_the_entry_when_there_is_one():
    at_entry = VerificationReport(
        size=3,
        anchored_size=0,
        checkpoints_verified=0,
        finding=Finding.ENTRY_MISSING,
        first_bad_index=2,
        detail="entry 2 is gone",
    )
    checkpoint_only = replace(at_entry, finding=Finding.CHECKPOINT_INVALID, first_bad_index=None)
    assert at_entry.tampered_line == "audit log TAMPERED at entry 2: entry_missing: entry 2 is gone"
    expected = "audit log TAMPERED: checkpoint_invalid: entry 2 is gone"
    assert checkpoint_only.tampered_line == expected
