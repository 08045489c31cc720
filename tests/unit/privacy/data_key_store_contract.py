# SPDX-License-Identifier: Apache-2.0
"""What every `DataKeyStore` must do. Subclass `DataKeyStoreContract` and provide a `data_key_store`
fixture returning an empty store; the SQL store's tests can import this class as it is."""

import pytest

from rightparty.privacy.data_keys import WrappedDataKey
from rightparty.privacy.errors import KeyShredded, UnknownKeyVersion
from rightparty.privacy.keys import WrappedKey


def wrapped_key(customer_id: str, version: int, *, kek_version: int = 1, blob: bytes = b"b"):
    wrapping = WrappedKey(kek_id="test", kek_version=kek_version, blob=blob * 60)
    return WrappedDataKey(customer_id, version, wrapping, encryptions=0)


class DataKeyStoreContract:
    @pytest.fixture
    def data_key_store(self):
        raise NotImplementedError

    def test_an_unknown_customer_has_no_keys_and_is_not_shredded(self, data_key_store):
        key_set = data_key_store.get("nobody")
        assert key_set.keys == ()
        assert not key_set.shredded
        assert key_set.current is None

    def test_keys_come_back_in_version_order(self, data_key_store):
        for version in (2, 1, 3):
            data_key_store.insert(wrapped_key("c1", version))
        key_set = data_key_store.get("c1")
        assert [key.version for key in key_set.keys] == [1, 2, 3]
        assert key_set.current.version == 3
        assert key_set.version(2).version == 2
        assert key_set.version(9) is None

    def test_the_first_insert_of_a_version_wins_a_race(self, data_key_store):
        first = wrapped_key("c1", 1, blob=b"1")
        second = wrapped_key("c1", 1, blob=b"2")
        assert data_key_store.insert(first).wrapped == first.wrapped
        assert data_key_store.insert(second).wrapped == first.wrapped
        assert data_key_store.get("c1").keys[0].wrapped == first.wrapped

    def test_update_wrapping_replaces_only_the_wrapping(self, data_key_store):
        data_key_store.insert(wrapped_key("c1", 1))
        data_key_store.reserve_encryptions("c1", 1, 5)
        rewrapped = WrappedKey(kek_id="test", kek_version=2, blob=b"n" * 60)
        assert data_key_store.update_wrapping("c1", 1, rewrapped)
        stored = data_key_store.get("c1").keys[0]
        assert stored.wrapped == rewrapped
        assert stored.encryptions == 5

    def test_update_wrapping_of_a_missing_version_is_false_and_creates_nothing(
        self, data_key_store
    ):
        rewrapped = WrappedKey(kek_id="test", kek_version=2, blob=b"n" * 60)
        assert not data_key_store.update_wrapping("c1", 1, rewrapped)
        assert data_key_store.get("c1").keys == ()

    def test_reservations_add_up_and_return_the_total(self, data_key_store):
        data_key_store.insert(wrapped_key("c1", 1))
        assert data_key_store.reserve_encryptions("c1", 1, 256) == 256
        assert data_key_store.reserve_encryptions("c1", 1, 256) == 512
        assert data_key_store.get("c1").keys[0].encryptions == 512

    def test_reserving_on_a_missing_version_fails(self, data_key_store):
        with pytest.raises(UnknownKeyVersion):
            data_key_store.reserve_encryptions("c1", 1, 1)

    def test_delete_removes_one_version(self, data_key_store):
        data_key_store.insert(wrapped_key("c1", 1))
        data_key_store.insert(wrapped_key("c1", 2))
        assert data_key_store.delete("c1", 1)
        assert not data_key_store.delete("c1", 1)
        assert [key.version for key in data_key_store.get("c1").keys] == [2]

    def test_shred_deletes_every_version_and_leaves_a_tombstone(self, data_key_store):
        data_key_store.insert(wrapped_key("c1", 1))
        data_key_store.insert(wrapped_key("c1", 2))
        destroyed = data_key_store.shred("c1")
        assert [key.version for key in destroyed] == [1, 2]
        key_set = data_key_store.get("c1")
        assert key_set.shredded
        assert key_set.keys == ()
        assert data_key_store.shred("c1") == ()

    def test_a_shredded_customer_never_gets_a_key_again(self, data_key_store):
        data_key_store.shred("c1")
        with pytest.raises(KeyShredded):
            data_key_store.insert(wrapped_key("c1", 1))
        with pytest.raises(KeyShredded):
            data_key_store.reserve_encryptions("c1", 1, 1)
        rewrapped = WrappedKey(kek_id="test", kek_version=2, blob=b"n" * 60)
        assert not data_key_store.update_wrapping("c1", 1, rewrapped)

    def test_pages_walk_every_live_key_once_in_order(self, data_key_store):
        expected = [(f"c{number:02d}", version) for number in range(7) for version in (1, 2)]
        for customer_id, version in reversed(expected):
            data_key_store.insert(wrapped_key(customer_id, version))
        data_key_store.insert(wrapped_key("gone", 1))
        data_key_store.shred("gone")
        seen, cursor = [], None
        while True:
            page = data_key_store.page(after=cursor, limit=3)
            seen += [(key.customer_id, key.version) for key in page]
            if len(page) < 3:
                break
            cursor = (page[-1].customer_id, page[-1].version)
        assert seen == expected
