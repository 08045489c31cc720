# SPDX-License-Identifier: Apache-2.0
"""A model of what must decrypt and what must fail, checked against FieldCipher in random order.

Operations: encrypt, rotate the KEK, rewrap one batch from a persistent cursor, retire a KEK version
(also prematurely), rotate a customer's data key, re-encrypt, retire a data-key version, shred
(with and without a retention hold), and decrypt through a cold and a warm cache. After every step,
every value ever stored decrypts exactly when the model says it should, and otherwise fails with
the error the model names.
"""

import itertools
from collections import Counter
from dataclasses import dataclass

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from rightparty.privacy.ciphertext import key_version
from rightparty.privacy.data_keys import InMemoryDataKeyStore
from rightparty.privacy.envelope import EncryptedField, FieldCipher
from rightparty.privacy.errors import (
    KeyShredded,
    KeyVersionInUse,
    KeyVersionRetired,
    PrivacyError,
    RetentionHoldActive,
    UnknownKeyVersion,
)
from rightparty.privacy.keys import InMemoryKeyProvider

pytestmark = pytest.mark.unit

MAX_ENCRYPTIONS = 6
BLOCK = 2
customers = st.sampled_from(["c1", "c2", "c3"])
places = st.sampled_from([("contact_points", "address"), ("customers", "name")])


@dataclass
class Record:
    customer: str
    table: str
    field: str
    plaintext: str
    ciphertext: bytes


class EnvelopeModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.keys = InMemoryKeyProvider.generate()
        self.store = InMemoryDataKeyStore()
        ticks = itertools.count()
        # Every call sees a clock past the TTL: this cipher always reads the store's truth.
        self.cipher = FieldCipher(
            self.keys,
            self.store,
            cache_ttl_seconds=0.5,
            monotonic=lambda: float(next(ticks)),
            max_encryptions_per_key=MAX_ENCRYPTIONS,
            reservation_block=BLOCK,
        )
        self.warm = FieldCipher(self.keys, self.store, monotonic=lambda: 0.0)
        self.records: list[Record] = []
        self.kek = 1
        self.retired_keks: set[int] = set()
        self.shredded: set[str] = set()
        self.current: dict[str, int] = {}
        self.wrapping: dict[tuple[str, int], int] = {}  # live data key -> KEK version wrapping it
        self.encryptions: Counter[tuple[str, int]] = Counter()
        self.cursor: tuple[str, int] | None = None

    def _unusable_current_key(self, customer: str) -> type[PrivacyError] | None:
        if customer in self.shredded:
            return KeyShredded
        version = self.current.get(customer)
        if version is not None and self.wrapping[customer, version] in self.retired_keks:
            return KeyVersionRetired
        return None

    def _unreadable(self, record: Record) -> type[PrivacyError] | None:
        if record.customer in self.shredded:
            return KeyShredded
        live = (record.customer, key_version(record.ciphertext))
        if live not in self.wrapping:
            return UnknownKeyVersion
        if self.wrapping[live] in self.retired_keks:
            return KeyVersionRetired
        return None

    def _learn(self, customer: str, ciphertext: bytes) -> None:
        version = key_version(ciphertext)
        previous = self.current.get(customer)
        if previous is None:
            assert version == 1
        else:
            assert version in {previous, previous + 1}, "only a budget rotation may move it"
        if (customer, version) not in self.wrapping:
            self.wrapping[customer, version] = self.kek
        self.current[customer] = version
        self.encryptions[customer, version] += 1

    @rule(customer=customers, place=places, plaintext=st.text(max_size=20))
    def encrypt(self, customer, place, plaintext):
        expected = self._unusable_current_key(customer)
        if expected is not None:
            with pytest.raises(expected):
                self.cipher.encrypt(customer, *place, plaintext)
            return
        ciphertext = self.cipher.encrypt(customer, *place, plaintext)
        self._learn(customer, ciphertext)
        self.records.append(Record(customer, *place, plaintext, ciphertext))

    @rule()
    def rotate_kek(self):
        self.kek = self.keys.rotate_kek()

    @rule(batch_size=st.integers(min_value=1, max_value=3))
    def rewrap_one_batch(self, batch_size):
        live = sorted(key for key in self.wrapping if self.cursor is None or key > self.cursor)
        page = live[:batch_size]
        for position, key in enumerate(page):
            if self.wrapping[key] in self.retired_keks:
                with pytest.raises(KeyVersionRetired):
                    self.cipher.rewrap_all(batch_size=batch_size, cursor=self.cursor, max_batches=1)
                for earlier in page[:position]:
                    self.wrapping[earlier] = self.kek
                return
        progress = self.cipher.rewrap_all(batch_size=batch_size, cursor=self.cursor, max_batches=1)
        for key in page:
            self.wrapping[key] = self.kek
        assert progress.cursor == (page[-1] if len(page) == batch_size else None)
        self.cursor = progress.cursor

    @rule(data=st.data())
    def retire_kek(self, data):
        active = [version for version in range(1, self.kek) if version not in self.retired_keks]
        if not active:
            with pytest.raises(KeyVersionInUse):
                self.keys.retire_kek_version(self.kek)
            return
        version = data.draw(st.sampled_from(active))
        in_use = {(self.keys.kek_id, kek) for kek in self.wrapping.values()}
        assert ((self.keys.kek_id, version) in in_use) == (
            (self.keys.kek_id, version) in self.cipher.kek_usage()
        )
        self.keys.retire_kek_version(version)
        self.retired_keks.add(version)

    @rule(customer=customers)
    def rotate_data_key(self, customer):
        if customer in self.shredded:
            with pytest.raises(KeyShredded):
                self.cipher.rotate_data_key(customer)
            return
        version = self.cipher.rotate_data_key(customer)
        assert version == self.current.get(customer, 0) + 1
        self.current[customer] = version
        self.wrapping[customer, version] = self.kek

    @rule(customer=customers)
    def reencrypt(self, customer):
        mine = [record for record in self.records if record.customer == customer]
        if not mine or self._unusable_current_key(customer) or any(map(self._unreadable, mine)):
            return
        fields = [EncryptedField(r.table, r.field, r.ciphertext) for r in mine]
        for record, ciphertext in zip(mine, self.cipher.reencrypt(customer, fields), strict=True):
            if ciphertext == record.ciphertext:  # already under the key current at its turn
                assert key_version(ciphertext) == self.current[customer]
                continue
            self._learn(customer, ciphertext)
            record.ciphertext = ciphertext

    @rule(customer=customers, data=st.data())
    def retire_data_key(self, customer, data):
        if customer in self.shredded or customer not in self.current:
            return
        old = [v for (c, v) in self.wrapping if c == customer and v != self.current[customer]]
        if not old:
            with pytest.raises(KeyVersionInUse):
                self.cipher.retire_data_key(customer, self.current[customer])
            return
        version = data.draw(st.sampled_from(sorted(old)))
        assert self.cipher.retire_data_key(customer, version)
        del self.wrapping[customer, version]

    @rule(customer=customers, hold=st.booleans(), as_callable=st.booleans())
    def shred(self, customer, hold, as_callable):
        retention_hold = (lambda _: hold) if as_callable else hold
        if hold:
            with pytest.raises(RetentionHoldActive):
                self.cipher.shred(customer, retention_hold=retention_hold)
            return
        live = tuple(sorted(v for (c, v) in self.wrapping if c == customer))
        receipt = self.cipher.shred(customer, retention_hold=retention_hold)
        assert receipt.data_key_versions == live
        assert receipt.kek_version_at_shred == self.kek
        for version in live:
            del self.wrapping[customer, version]
        self.current.pop(customer, None)
        self.shredded.add(customer)

    @precondition(lambda self: self.records)
    @rule(data=st.data())
    def a_warm_cache_never_returns_a_wrong_value(self, data):
        record = data.draw(st.sampled_from(self.records))
        try:
            plaintext = self.warm.decrypt(
                record.customer, record.table, record.field, record.ciphertext
            )
        except PrivacyError:
            assert self._unreadable(record) is not None
        else:
            assert plaintext == record.plaintext

    @precondition(lambda self: self.records)
    @rule(data=st.data(), customer=customers, place=places)
    def a_value_read_in_another_place_fails(self, data, customer, place):
        record = data.draw(st.sampled_from(self.records))
        if (customer, *place) == (record.customer, record.table, record.field):
            return
        with pytest.raises(PrivacyError):
            self.cipher.decrypt(customer, *place, record.ciphertext)

    @invariant()
    def every_stored_value_decrypts_exactly_when_the_model_says(self):
        cold = FieldCipher(self.keys, self.store)
        for record in self.records:
            expected = self._unreadable(record)
            if expected is None:
                assert cold.decrypt(
                    record.customer, record.table, record.field, record.ciphertext
                ) == (record.plaintext)
            else:
                with pytest.raises(expected):
                    cold.decrypt(record.customer, record.table, record.field, record.ciphertext)

    @invariant()
    def no_data_key_encrypts_more_than_its_limit(self):
        assert all(count <= MAX_ENCRYPTIONS for count in self.encryptions.values())


EnvelopeModel.TestCase.settings = settings(EnvelopeModel.TestCase.settings, stateful_step_count=30)
TestEnvelopeModel = EnvelopeModel.TestCase
