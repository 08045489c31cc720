# SPDX-License-Identifier: Apache-2.0
"""No plaintext or key material in ciphertexts, log lines, exception messages or reprs."""

import base64
import logging
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rightparty.privacy.blind_index import BlindIndex
from rightparty.privacy.data_keys import InMemoryDataKeyStore
from rightparty.privacy.envelope import EncryptedField, FieldCipher
from rightparty.privacy.errors import PrivacyError
from rightparty.privacy.keys import EnvironmentKeyProvider, InMemoryKeyProvider, KeySet

pytestmark = pytest.mark.unit

PLAINTEXTS = ["+8613812345678", "wang.xiaoming@example.com", "王小明", "221B Baker Street"]
PLACE = ("contact_points", "address")


def _secrets_of(keys):
    keyset = keys._current()  # the material itself, to search for it
    material = [*keyset.versions.values(), keyset.blind_index_root]
    return [text for key in material for text in (key.hex(), base64.b64encode(key).decode())]


@given(plaintext=st.text(min_size=8))
def test_no_ciphertext_contains_its_plaintext(plaintext):
    cipher = FieldCipher(InMemoryKeyProvider.generate(), InMemoryDataKeyStore())
    ciphertext = cipher.encrypt("c1", *PLACE, plaintext)
    assert plaintext.encode() not in ciphertext


def _exercise_everything(keys, cipher):
    """Every operation, failing ones included; returns the errors raised."""
    errors: list[PrivacyError] = []
    stored = [cipher.encrypt(f"c{n}", *PLACE, text) for n, text in enumerate(PLAINTEXTS)]
    keys.rotate_kek()
    cipher.rewrap_all(batch_size=2)
    cipher.rotate_data_key("c0")
    cipher.reencrypt("c0", [EncryptedField(*PLACE, stored[0])])
    cipher.retire_data_key("c0", 1)
    attempts = [
        lambda: cipher.decrypt("c0", *PLACE, stored[0]),
        lambda: cipher.decrypt("c1", "customers", "name", stored[1]),
        lambda: cipher.decrypt("c2", *PLACE, stored[2][:-3]),
        lambda: cipher.decrypt("c2", *PLACE, stored[2][:20]),
        lambda: cipher.decrypt("c3", *PLACE, stored[1]),
        lambda: cipher.shred("c2", retention_hold=True),
        lambda: keys.retire_kek_version(2),
    ]
    cipher.shred("c3", retention_hold=False)
    attempts.append(lambda: cipher.decrypt("c3", *PLACE, stored[3]))
    attempts.append(lambda: cipher.encrypt("c3", *PLACE, PLAINTEXTS[3]))
    for attempt in attempts:
        try:
            attempt()
        except PrivacyError as error:
            errors.append(error)
    return errors


def test_no_log_line_carries_plaintext_or_key_material(keys, cipher, caplog):
    caplog.set_level(logging.DEBUG, logger="rightparty")
    _exercise_everything(keys, cipher)
    assert caplog.records, "the privacy core logs what it does"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in [*PLAINTEXTS, *_secrets_of(keys)]:
        assert secret not in logged


def test_no_error_message_or_repr_carries_plaintext_or_key_material(keys, cipher):
    errors = _exercise_everything(keys, cipher)
    assert len(errors) == 9
    for error in errors:
        for text in (str(error), repr(error), repr(error.__dict__)):
            for secret in [*PLAINTEXTS, *_secrets_of(keys)]:
                assert secret not in text
        assert error.__cause__ is None


def test_errors_survive_pickling_between_processes_with_their_fields(keys, cipher):
    for error in _exercise_everything(keys, cipher):
        copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes, in memory
        assert type(copy) is type(error)
        assert str(copy) == str(error)
        assert copy.__dict__ == error.__dict__


def test_reprs_of_key_holders_show_names_and_versions_only(keys, cipher):
    environ = EnvironmentKeyProvider.generate_variables()
    environment = EnvironmentKeyProvider(environ)
    holders = [
        keys,
        keys._current(),
        environment,
        cipher,
        BlindIndex(keys.blind_index_key("phone")),
    ]
    cipher.encrypt("c1", *PLACE, PLAINTEXTS[0])
    secrets = [*_secrets_of(keys), *_secrets_of(environment), *environ.values()]
    secrets.remove("env")
    secrets += [keys.blind_index_key("phone").hex(), repr(keys.blind_index_key("phone"))]
    for holder in holders:
        text = repr(holder)
        for secret in secrets:
            assert secret not in text
    assert isinstance(keys._current(), KeySet)
