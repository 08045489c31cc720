# SPDX-License-Identifier: Apache-2.0
"""Moved, truncated, altered or mis-versioned ciphertexts fail loudly, with typed errors."""

import pytest

from rightparty.privacy.ciphertext import HEADER_BYTES, OVERHEAD_BYTES, key_version
from rightparty.privacy.data_keys import InMemoryDataKeyStore, WrappedDataKey
from rightparty.privacy.envelope import FieldCipher
from rightparty.privacy.errors import (
    DecryptionFailed,
    KeyUnwrapFailed,
    MalformedCiphertext,
    UnknownKeyVersion,
)
from rightparty.privacy.keys import InMemoryKeyProvider, WrappedKey

pytestmark = pytest.mark.unit

PLACE = ("contact_points", "address")
VALUE = "+8613812345678"


@pytest.fixture
def ciphertext(cipher):
    cipher.encrypt("c2", *PLACE, "another customer's key exists")
    return cipher.encrypt("c1", *PLACE, VALUE)


@pytest.mark.parametrize(
    "place",
    [
        ("c2", *PLACE, 1),
        ("c1", "customers", "address", 1),
        ("c1", "contact_points", "name", 1),
        ("c1", *PLACE, 2),
    ],
)
def test_a_value_moved_to_another_place_does_not_decrypt(cipher, ciphertext, place):
    customer_id, table, field, schema_version = place
    with pytest.raises(DecryptionFailed) as caught:
        cipher.decrypt(customer_id, table, field, ciphertext, schema_version=schema_version)
    assert (caught.value.customer_id, caught.value.table, caught.value.field) == place[:3]


def test_every_truncation_fails_with_a_typed_error(cipher, ciphertext):
    for length in range(len(ciphertext)):
        expected = MalformedCiphertext if length < OVERHEAD_BYTES else DecryptionFailed
        with pytest.raises(expected):
            cipher.decrypt("c1", *PLACE, ciphertext[:length])


def test_appended_bytes_fail(cipher, ciphertext):
    with pytest.raises(DecryptionFailed):
        cipher.decrypt("c1", *PLACE, ciphertext + b"\x00")


def test_every_single_bit_flip_fails_with_a_typed_error(cipher, ciphertext):
    for position in range(len(ciphertext) * 8):
        altered = bytearray(ciphertext)
        altered[position // 8] ^= 1 << (position % 8)
        byte = position // 8
        if byte < 2:
            expected: type[Exception] = MalformedCiphertext
        elif 6 <= byte < HEADER_BYTES:
            expected = UnknownKeyVersion
        else:
            expected = DecryptionFailed
        with pytest.raises(expected):
            cipher.decrypt("c1", *PLACE, bytes(altered))


def test_a_version_the_customer_never_had_is_an_unknown_key_version(cipher, ciphertext):
    altered = ciphertext[:6] + (7).to_bytes(4, "big") + ciphertext[HEADER_BYTES:]
    with pytest.raises(UnknownKeyVersion) as caught:
        cipher.decrypt("c1", *PLACE, altered)
    assert (caught.value.kind, caught.value.key_id, caught.value.version) == ("data key", "c1", 7)


def test_a_value_under_a_retired_data_key_version_fails(cipher, ciphertext):
    cipher.rotate_data_key("c1")
    cipher.retire_data_key("c1", 1)
    assert key_version(ciphertext) == 1
    with pytest.raises(UnknownKeyVersion):
        cipher.decrypt("c1", *PLACE, ciphertext)


def test_a_header_pointing_at_another_version_of_the_same_customer_fails(cipher, ciphertext):
    cipher.rotate_data_key("c1")
    altered = ciphertext[:6] + (2).to_bytes(4, "big") + ciphertext[HEADER_BYTES:]
    with pytest.raises(DecryptionFailed, match="key id"):
        cipher.decrypt("c1", *PLACE, altered)


def test_a_value_from_another_installation_fails(cipher, ciphertext):
    foreign = FieldCipher(InMemoryKeyProvider.generate(), InMemoryDataKeyStore())
    foreign.encrypt("c1", *PLACE, "x")
    with pytest.raises(DecryptionFailed):
        foreign.decrypt("c1", *PLACE, ciphertext)


@pytest.mark.parametrize(
    "garbage", [b"", b"\x01", b"\x02\x01" + b"\x00" * 40, b"\x01\x09" + b"\x00" * 40]
)
def test_bytes_that_are_not_a_field_ciphertext_are_malformed(cipher, garbage):
    with pytest.raises(MalformedCiphertext):
        cipher.decrypt("c1", *PLACE, garbage)


def test_a_wrapped_key_copied_into_another_customers_row_does_not_unwrap(keys, store, cipher):
    cipher.encrypt("c1", *PLACE, VALUE)
    stolen = store.get("c1").keys[0].wrapped
    victim = InMemoryDataKeyStore()
    victim.insert(WrappedDataKey("c9", 1, stolen))
    with pytest.raises(KeyUnwrapFailed):
        FieldCipher(keys, victim).encrypt("c9", *PLACE, "x")


def test_a_wrapped_key_altered_in_the_store_does_not_unwrap(keys, store, cipher, ciphertext):
    stored = store.get("c1").keys[0]
    blob = bytearray(stored.wrapped.blob)
    blob[-1] ^= 1
    store.update_wrapping("c1", 1, WrappedKey(stored.wrapped.kek_id, 1, bytes(blob)))
    with pytest.raises(KeyUnwrapFailed):
        FieldCipher(keys, store).decrypt("c1", *PLACE, ciphertext)
