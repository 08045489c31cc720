# SPDX-License-Identifier: Apache-2.0
"""KEK rotation and rewrap, data-key rotation and re-encryption, the per-key encryption budget."""

import pytest

from rightparty.privacy.ciphertext import key_version
from rightparty.privacy.data_keys import InMemoryDataKeyStore
from rightparty.privacy.envelope import EncryptedField, FieldCipher
from rightparty.privacy.errors import KeyVersionInUse, KeyVersionRetired

pytestmark = pytest.mark.unit

PLACE = ("customers", "name")


def _populate(cipher, count):
    return {f"c{n:03d}": cipher.encrypt(f"c{n:03d}", *PLACE, f"name {n}") for n in range(count)}


def test_kek_rotation_rewraps_data_keys_and_leaves_ciphertexts_alone(keys, store, cipher):
    stored = _populate(cipher, 20)
    keys.rotate_kek()
    progress = cipher.rewrap_all(batch_size=6)
    assert (progress.rewrapped, progress.unchanged, progress.done) == (20, 0, True)
    assert cipher.kek_usage() == {(keys.kek_id, 2): 20}
    fresh = FieldCipher(keys, store)
    assert all(
        fresh.decrypt(c, *PLACE, value) == f"name {int(c[1:])}" for c, value in stored.items()
    )


def test_rewrap_resumes_from_its_cursor(keys, cipher):
    _populate(cipher, 23)
    keys.rotate_kek()
    cursor, calls, total = None, 0, 0
    while True:
        progress = cipher.rewrap_all(batch_size=5, cursor=cursor, max_batches=1)
        calls += 1
        total += progress.rewrapped
        if progress.done:
            break
        cursor = progress.cursor
    assert (calls, total) == (5, 23)
    assert cipher.rewrap_all().rewrapped == 0


def test_retiring_the_old_kek_after_rewrap_keeps_every_value_readable(keys, store, cipher):
    stored = _populate(cipher, 5)
    keys.rotate_kek()
    cipher.rewrap_all()
    keys.retire_kek_version(1)
    fresh = FieldCipher(keys, store)
    assert all(fresh.decrypt(c, *PLACE, value) for c, value in stored.items())


def test_retiring_a_kek_before_rewrap_makes_its_keys_fail_by_name(keys, store, cipher):
    stored = _populate(cipher, 1)
    keys.rotate_kek()
    keys.retire_kek_version(1)
    with pytest.raises(KeyVersionRetired):
        FieldCipher(keys, store).decrypt("c000", *PLACE, stored["c000"])
    with pytest.raises(KeyVersionRetired):
        cipher.rewrap_all()


def test_keys_created_after_kek_rotation_need_no_rewrap(keys, cipher):
    keys.rotate_kek()
    _populate(cipher, 3)
    assert cipher.rewrap_all().unchanged == 3
    assert cipher.kek_usage() == {(keys.kek_id, 2): 3}


def test_data_key_rotation_then_reencryption_then_retirement(keys, store, cipher):
    old = [cipher.encrypt("c1", "customers", field, f"value of {field}") for field in "abc"]
    assert cipher.rotate_data_key("c1") == 2
    newer = cipher.encrypt("c1", "customers", "d", "value of d")
    assert key_version(newer) == 2
    fields = [
        EncryptedField("customers", field, value) for field, value in zip("abc", old, strict=True)
    ]
    first_batch = cipher.reencrypt("c1", fields[:2])
    second_batch = cipher.reencrypt("c1", fields[2:])
    assert [key_version(value) for value in first_batch + second_batch] == [2, 2, 2]
    assert cipher.retire_data_key("c1", 1)
    fresh = FieldCipher(keys, store)
    for field, value in zip("abc", first_batch + second_batch, strict=True):
        assert fresh.decrypt("c1", "customers", field, value) == f"value of {field}"


def test_reencryption_is_idempotent_so_a_job_can_restart_anywhere(cipher):
    value = cipher.encrypt("c1", *PLACE, "x")
    cipher.rotate_data_key("c1")
    once = cipher.reencrypt("c1", [EncryptedField(*PLACE, value)])
    twice = cipher.reencrypt("c1", [EncryptedField(*PLACE, once[0])])
    assert once == twice
    assert once[0] != value


def test_the_current_data_key_version_cannot_be_retired(cipher):
    cipher.encrypt("c1", *PLACE, "x")
    with pytest.raises(KeyVersionInUse):
        cipher.retire_data_key("c1", 1)


def test_another_process_picks_up_a_rotated_data_key_when_it_meets_one(cipher, another_process):
    another_process.encrypt("c1", *PLACE, "warm the cache")
    cipher.rotate_data_key("c1")
    value = cipher.encrypt("c1", *PLACE, "new")
    assert key_version(value) == 2
    assert another_process.decrypt("c1", *PLACE, value) == "new"


def test_another_process_encrypts_under_a_rotated_key_once_its_cache_expires(
    cipher, another_process, ticks
):
    another_process.encrypt("c1", *PLACE, "warm the cache")
    cipher.rotate_data_key("c1")
    assert key_version(another_process.encrypt("c1", *PLACE, "x")) == 1
    ticks.advance(61)
    assert key_version(another_process.encrypt("c1", *PLACE, "x")) == 2


def test_a_key_is_rotated_before_it_reaches_its_encryption_limit(keys, store):
    cipher = FieldCipher(keys, store, max_encryptions_per_key=10, reservation_block=4)
    values = [cipher.encrypt("c1", *PLACE, str(n)) for n in range(25)]
    versions = [key_version(value) for value in values]
    assert versions == sorted(versions)
    assert max(versions.count(version) for version in set(versions)) <= 10
    assert set(versions) == {1, 2, 3}
    assert all(cipher.decrypt("c1", *PLACE, v) == str(n) for n, v in enumerate(values))


def test_encryptions_of_several_processes_count_against_one_limit(keys, store):
    first = FieldCipher(keys, store, max_encryptions_per_key=8, reservation_block=4)
    second = FieldCipher(keys, store, max_encryptions_per_key=8, reservation_block=4)
    assert {key_version(first.encrypt("c1", *PLACE, "x")) for _ in range(4)} == {1}
    assert {key_version(second.encrypt("c1", *PLACE, "x")) for _ in range(4)} == {1}
    assert key_version(first.encrypt("c1", *PLACE, "x")) == 2
    # the third block was reserved, found over the limit and abandoned: counts only ever overcount
    assert store.get("c1").version(1).encryptions == 12


class _CountingStore(InMemoryDataKeyStore):
    def __init__(self):
        super().__init__()
        self.reservations = 0

    def reserve_encryptions(self, customer_id, version, count):
        self.reservations += 1
        return super().reserve_encryptions(customer_id, version, count)


def test_counting_costs_one_store_write_per_reservation_block_not_per_encryption(keys):
    store = _CountingStore()
    cipher = FieldCipher(keys, store, reservation_block=256)
    for n in range(1000):
        cipher.encrypt("c1", *PLACE, str(n))
    assert store.reservations == 3  # the first block comes with the new key
    assert store.get("c1").version(1).encryptions == 1024
