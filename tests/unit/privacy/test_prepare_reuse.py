# SPDX-License-Identifier: Apache-2.0
"""`FieldCipher.prepare` after decryption: a key set the cipher read to decrypt is not read again
to encrypt; one reservation on its newest version, granted only while it is still the newest,
is all the store sees. A key rotated, retired or shredded since is read anew, and nothing lives
longer in the cache than the entry it came from."""

import pytest

from rightparty.privacy.ciphertext import key_version
from rightparty.privacy.envelope import FieldCipher
from rightparty.privacy.errors import KeyShredded
from rightparty.privacy.keys import InMemoryKeyProvider
from tests.unit.privacy.test_prepare import CountingStore

pytestmark = pytest.mark.unit

PHONE = ("contact_points", "address")


class CountingKeys(InMemoryKeyProvider):
    """Counts how many data keys were unwrapped through the provider."""

    unwrapped = 0

    def unwrap(self, wrapped, *, context):
        type(self).unwrapped += 1
        return super().unwrap(wrapped, context=context)


@pytest.fixture
def keys():
    CountingKeys.unwrapped = 0
    return CountingKeys.generate()


def _decrypting_reader(keys, store, ticks, customer_id):
    ciphertext = FieldCipher(keys, store).encrypt(customer_id, *PHONE, "secret")
    reader = FieldCipher(keys, store, monotonic=ticks)
    assert reader.decrypt(customer_id, *PHONE, ciphertext) == "secret"
    return reader, ciphertext


def test_a_key_unwrapped_to_decrypt_is_used_to_encrypt_without_unwrapping_it_again(
    keys, store, ticks
):
    reader, ciphertext = _decrypting_reader(keys, store, ticks, "c1")
    before = CountingKeys.unwrapped
    ticks.advance(10)
    reader.prepare(["c1"], for_encryption=True)
    assert CountingKeys.unwrapped == before
    written = reader.encrypt("c1", *PHONE, "new")
    assert FieldCipher(keys, store).decrypt("c1", *PHONE, written) == "new"
    assert reader.decrypt("c1", *PHONE, ciphertext) == "secret"
    assert store.get("c1").keys[0].encryptions == 2 * 256


def test_the_reused_key_expires_when_the_entry_it_came_from_would_have(keys, store, ticks):
    reader, _ = _decrypting_reader(keys, store, ticks, "c1")
    ticks.advance(50)
    reader.prepare(["c1"], for_encryption=True)
    ticks.advance(11)  # 61 s after the decryption: the reused key is not kept any longer
    before = CountingKeys.unwrapped
    reader.encrypt("c1", *PHONE, "later")
    assert CountingKeys.unwrapped == before + 1


def test_a_key_rotated_since_is_read_and_its_new_version_unwrapped(keys, store, ticks):
    reader, ciphertext = _decrypting_reader(keys, store, ticks, "c1")
    FieldCipher(keys, store).rotate_data_key("c1")
    before = CountingKeys.unwrapped
    reader.prepare(["c1"], for_encryption=True)
    assert CountingKeys.unwrapped == before + 1  # version 2; version 1 is kept as it was
    written = reader.encrypt("c1", *PHONE, "x")
    assert key_version(written) == 2
    assert FieldCipher(keys, store).decrypt("c1", *PHONE, written) == "x"
    assert reader.decrypt("c1", *PHONE, ciphertext) == "secret"
    assert [key.encryptions for key in store.get("c1").keys] == [256, 2 * 256]  # writer, reader


def test_a_key_rewrapped_since_under_a_new_kek_is_the_same_key_and_is_not_unwrapped_again(
    keys, store, ticks
):
    reader, _ = _decrypting_reader(keys, store, ticks, "c1")
    writer = FieldCipher(keys, store)
    keys.rotate_kek()
    writer.rewrap_all()
    before = CountingKeys.unwrapped
    reader.prepare(["c1"], for_encryption=True)
    assert CountingKeys.unwrapped == before
    written = reader.encrypt("c1", *PHONE, "x")
    assert FieldCipher(keys, store).decrypt("c1", *PHONE, written) == "x"


def test_a_key_read_to_decrypt_needs_one_store_call_to_encrypt(keys, ticks):
    store = CountingStore()
    reader, _ = _decrypting_reader(keys, store, ticks, "c1")
    store.calls.clear()
    reader.prepare(["c1"], for_encryption=True)
    assert store.calls == ["reserve_many"]
    reader.encrypt("c1", *PHONE, "x")
    assert store.calls == ["reserve_many"]
    assert store.get("c1").keys[0].encryptions == 2 * 256


def test_a_budget_reserved_on_a_key_read_to_decrypt_respects_the_encryption_limit(keys, ticks):
    store = CountingStore()
    writer = FieldCipher(keys, store, reservation_block=4, max_encryptions_per_key=8)
    for _ in range(8):
        ciphertext = writer.encrypt("c1", *PHONE, "x")
    reader = FieldCipher(
        keys, store, monotonic=ticks, reservation_block=4, max_encryptions_per_key=8
    )
    assert reader.decrypt("c1", *PHONE, ciphertext) == "x"
    reader.prepare(["c1"], for_encryption=True)  # the block found the limit: version 2 made
    assert key_version(reader.encrypt("c1", *PHONE, "y")) == 2
    assert [(key.version, key.encryptions) for key in store.get("c1").keys] == [(1, 12), (2, 4)]


def test_a_customer_shredded_since_decryption_is_forgotten(keys, store, ticks):
    reader, ciphertext = _decrypting_reader(keys, store, ticks, "c1")
    FieldCipher(keys, store).shred("c1", retention_hold=False)
    reader.prepare(["c1"], for_encryption=True)
    with pytest.raises(KeyShredded):
        reader.decrypt("c1", *PHONE, ciphertext)
