# SPDX-License-Identifier: Apache-2.0
"""`FieldCipher.prepare`: a chunk's keys with three store calls, then no store work per field;
shredding, nonce budgets and the per-key encryption limit behave as on the one-by-one path."""

import pytest

from rightparty.privacy.ciphertext import key_version
from rightparty.privacy.data_keys import InMemoryDataKeyStore
from rightparty.privacy.envelope import FieldCipher
from rightparty.privacy.errors import KeyShredded

pytestmark = pytest.mark.unit

PHONE = ("contact_points", "address")


class CountingStore(InMemoryDataKeyStore):
    """An in-memory store that logs the name of every method called on it."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def __getattribute__(self, name):
        attribute = super().__getattribute__(name)
        if not name.startswith("_") and callable(attribute) and name != "calls":
            super().__getattribute__("calls").append(name)
        return attribute


@pytest.fixture
def counting():
    return CountingStore()


@pytest.fixture
def bulk(keys, counting, ticks):
    return FieldCipher(keys, counting, monotonic=ticks, reservation_block=4)


def test_new_customers_get_keys_in_three_calls_and_encrypt_without_the_store(bulk, counting, keys):
    customers = [f"c{number}" for number in range(20)]
    bulk.prepare(customers, for_encryption=True)
    assert counting.calls == ["get_many", "insert_many"]
    counting.calls.clear()
    ciphertexts = {c: [bulk.encrypt(c, *PHONE, c) for _ in range(4)] for c in customers}
    assert counting.calls == []
    reader = FieldCipher(keys, counting)
    for customer_id, values in ciphertexts.items():
        assert {reader.decrypt(customer_id, *PHONE, value) for value in values} == {customer_id}
        stored = counting.get(customer_id).keys
        assert [(key.version, key.encryptions) for key in stored] == [(1, 4)]


def test_existing_customers_have_a_block_reserved_in_one_call(bulk, counting, keys):
    writer = FieldCipher(keys, counting, reservation_block=4)
    for customer_id in ("a", "b"):
        writer.encrypt(customer_id, *PHONE, "first")
    counting.calls.clear()
    bulk.prepare(["a", "b", "a"], for_encryption=True)
    assert counting.calls == ["get_many", "reserve_many"]
    counting.calls.clear()
    for _ in range(4):
        bulk.encrypt("a", *PHONE, "x")
        bulk.encrypt("b", *PHONE, "x")
    assert counting.calls == []
    assert counting.get("a").keys[0].encryptions == 8
    counting.calls.clear()
    bulk.encrypt("a", *PHONE, "x")  # the block is used up: the next one is reserved as before
    assert counting.calls == ["reserve_encryptions"]
    assert counting.get("a").keys[0].encryptions == 12


def test_mixed_chunks_use_one_call_of_each_kind(bulk, counting, keys):
    FieldCipher(keys, counting).encrypt("old", *PHONE, "x")
    counting.calls.clear()
    bulk.prepare(["old", "new"], for_encryption=True)
    assert counting.calls == ["get_many", "insert_many", "reserve_many"]


def test_ready_customers_are_skipped_until_their_cache_entry_expires(bulk, counting, ticks):
    bulk.prepare(["a"], for_encryption=True)
    counting.calls.clear()
    bulk.prepare(["a"], for_encryption=True)
    bulk.prepare(["a"], for_encryption=False)
    assert counting.calls == []
    ticks.advance(61)
    bulk.prepare(["a"], for_encryption=True)
    assert counting.calls == ["get_many", "reserve_many"]


def test_preparing_for_decryption_reads_only(bulk, counting, keys):
    ciphertext = FieldCipher(keys, counting).encrypt("a", *PHONE, "secret")
    counting.calls.clear()
    bulk.prepare(["a", "nobody"], for_encryption=False)
    assert counting.calls == ["get_many"]
    counting.calls.clear()
    assert bulk.decrypt("a", *PHONE, ciphertext) == "secret"
    assert counting.calls == []
    assert counting.get("nobody").keys == ()
    assert counting.get("a").keys[0].encryptions == 256


def test_a_shredded_customer_still_raises_on_use(bulk, counting, keys):
    writer = FieldCipher(keys, counting)
    ciphertext = writer.encrypt("gone", *PHONE, "secret")
    bulk.prepare(["gone"], for_encryption=False)
    writer.shred("gone", retention_hold=False)
    bulk.prepare(["gone", "alive"], for_encryption=True)  # forgets the cached key, raises nothing
    with pytest.raises(KeyShredded):
        bulk.decrypt("gone", *PHONE, ciphertext)
    with pytest.raises(KeyShredded):
        bulk.encrypt("gone", *PHONE, "again")
    assert counting.get("gone").shredded
    assert counting.get("gone").keys == ()
    bulk.encrypt("alive", *PHONE, "fine")


def test_a_shred_between_read_and_insert_creates_no_key(bulk, counting):
    shred_before_insert = counting.insert_many

    def racing_insert(batch):
        counting.shred("late")
        return shred_before_insert(batch)

    counting.insert_many = racing_insert
    bulk.prepare(["late", "other"], for_encryption=True)
    assert counting.get("other").keys == ()
    with pytest.raises(KeyShredded):
        bulk.encrypt("late", *PHONE, "x")
    assert key_version(bulk.encrypt("other", *PHONE, "x")) == 1


def test_a_key_another_process_created_first_is_used_after_a_reservation(bulk, counting, keys):
    rival = FieldCipher(keys, counting, reservation_block=4)
    real_get_many = counting.get_many

    def stale_get_many(customer_ids):
        key_sets = real_get_many(customer_ids)
        rival.encrypt("c1", *PHONE, "theirs")  # commits its key after our read
        return key_sets

    counting.get_many = stale_get_many
    bulk.prepare(["c1"], for_encryption=True)
    counting.calls.clear()
    ciphertext = bulk.encrypt("c1", *PHONE, "ours")
    assert counting.calls == ["reserve_encryptions"]  # their key, and a block of our own
    assert counting.get("c1").keys[0].encryptions == 8
    assert rival.decrypt("c1", *PHONE, ciphertext) == "ours"


def _counts(store, customer_id):
    return [(key.version, key.encryptions) for key in store.get(customer_id).keys]


@pytest.mark.parametrize("prepared", [False, True])
def test_the_encryption_limit_rotates_keys_as_on_the_one_by_one_path(keys, prepared):
    store = InMemoryDataKeyStore()
    cipher = FieldCipher(keys, store, reservation_block=4, max_encryptions_per_key=8)
    if prepared:
        cipher.prepare(["c1"], for_encryption=True)
    versions = [key_version(cipher.encrypt("c1", *PHONE, "x")) for _ in range(9)]
    assert versions == [1] * 8 + [2]
    # the block that found the limit still counts: counts only ever overcount
    assert _counts(store, "c1") == [(1, 12), (2, 4)]


@pytest.mark.parametrize("prepared", [False, True])
def test_a_key_at_its_limit_is_rotated_before_its_next_use(keys, prepared):
    store = InMemoryDataKeyStore()
    writer = FieldCipher(keys, store, reservation_block=4, max_encryptions_per_key=8)
    for _ in range(8):
        writer.encrypt("c1", *PHONE, "x")
    assert _counts(store, "c1") == [(1, 8)]
    cipher = FieldCipher(keys, store, reservation_block=4, max_encryptions_per_key=8)
    if prepared:
        cipher.prepare(["c1"], for_encryption=True)
        assert _counts(store, "c1") == [(1, 12), (2, 4)]
    ciphertext = cipher.encrypt("c1", *PHONE, "y")
    assert key_version(ciphertext) == 2
    assert _counts(store, "c1") == [(1, 12), (2, 4)]
    assert writer.decrypt("c1", *PHONE, ciphertext) == "y"


def test_a_version_retired_between_read_and_reservation_is_not_used(keys, counting):
    writer = FieldCipher(keys, counting)
    old = writer.encrypt("c1", *PHONE, "x")
    writer.rotate_data_key("c1")
    real_reserve_many = counting.reserve_many

    def retiring_reserve_many(versions, count):
        writer.rotate_data_key("c1")  # version 3 ...
        counting.delete("c1", 2)  # ... and version 2 retired by another process meanwhile
        return real_reserve_many(versions, count)

    counting.reserve_many = retiring_reserve_many
    cipher = FieldCipher(keys, counting)
    cipher.prepare(["c1"], for_encryption=True)
    counting.reserve_many = real_reserve_many
    ciphertext = cipher.encrypt("c1", *PHONE, "y")  # reserving on version 2 fails: newest taken
    assert key_version(ciphertext) == 3
    assert writer.decrypt("c1", *PHONE, ciphertext) == "y"
    assert cipher.decrypt("c1", *PHONE, old) == "x"


def test_preparing_needs_customer_ids(bulk):
    with pytest.raises(ValueError, match="customer id"):
        bulk.prepare(["a", ""], for_encryption=True)
    bulk.prepare([], for_encryption=True)
