# SPDX-License-Identifier: Apache-2.0
"""`FieldCipher.prepare` after decryption: a key the cipher unwrapped to decrypt is not unwrapped
again to encrypt while the store still holds it, wrapped, as it was, and it lives no longer
in the cache than the entry it came from."""

import pytest

from rightparty.privacy.envelope import FieldCipher
from rightparty.privacy.errors import KeyShredded
from rightparty.privacy.keys import InMemoryKeyProvider

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


def test_a_key_rewrapped_or_rotated_since_is_read_and_unwrapped_anew(keys, store, ticks):
    reader, _ = _decrypting_reader(keys, store, ticks, "c1")
    other, _ = _decrypting_reader(keys, store, ticks, "c2")
    writer = FieldCipher(keys, store)
    writer.rotate_data_key("c1")
    keys.rotate_kek()
    writer.rewrap_all()
    before = CountingKeys.unwrapped
    reader.prepare(["c1"], for_encryption=True)  # a new version
    assert CountingKeys.unwrapped == before + 1
    other.prepare(["c2"], for_encryption=True)  # the same version, rewrapped under a new KEK
    assert CountingKeys.unwrapped == before + 2
    written = reader.encrypt("c1", *PHONE, "x")
    assert FieldCipher(keys, store).decrypt("c1", *PHONE, written) == "x"


def test_a_customer_shredded_since_decryption_is_forgotten(keys, store, ticks):
    reader, ciphertext = _decrypting_reader(keys, store, ticks, "c1")
    FieldCipher(keys, store).shred("c1", retention_hold=False)
    reader.prepare(["c1"], for_encryption=True)
    with pytest.raises(KeyShredded):
        reader.decrypt("c1", *PHONE, ciphertext)
