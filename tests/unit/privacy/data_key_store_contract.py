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

    def test_get_many_answers_for_every_customer_as_get_does(self, data_key_store):
        for version in (2, 1):
            data_key_store.insert(wrapped_key("c1", version))
        data_key_store.insert(wrapped_key("gone", 1))
        data_key_store.shred("gone")
        key_sets = data_key_store.get_many(["c1", "nobody", "gone", "c1"])
        assert set(key_sets) == {"c1", "nobody", "gone"}
        for customer_id, key_set in key_sets.items():
            assert key_set == data_key_store.get(customer_id)
        assert [key.version for key in key_sets["c1"].keys] == [1, 2]
        assert key_sets["gone"].shredded
        assert key_sets["nobody"].keys == ()
        assert not key_sets["nobody"].shredded
        assert data_key_store.get_many([]) == {}

    def test_insert_many_stores_new_keys_and_returns_what_is_stored(self, data_key_store):
        existing = wrapped_key("c1", 1, blob=b"1")
        data_key_store.insert(existing)
        batch = [wrapped_key("c1", 1, blob=b"2"), wrapped_key("c2", 1), wrapped_key("c2", 2)]
        stored = data_key_store.insert_many(batch)
        assert [key.wrapped for key in stored] == [
            existing.wrapped,
            batch[1].wrapped,
            batch[2].wrapped,
        ]
        assert data_key_store.get("c1").keys == (existing,)
        assert [key.version for key in data_key_store.get("c2").keys] == [1, 2]
        assert data_key_store.insert_many([]) == []

    def test_insert_many_keeps_the_encryption_count_it_is_given(self, data_key_store):
        key = WrappedDataKey("c1", 1, wrapped_key("c1", 1).wrapped, encryptions=256)
        data_key_store.insert_many([key])
        assert data_key_store.get("c1").keys[0].encryptions == 256
        assert data_key_store.reserve_encryptions("c1", 1, 256) == 512

    def test_insert_many_refuses_a_shredded_customer_and_stores_nothing(self, data_key_store):
        data_key_store.shred("gone")
        with pytest.raises(KeyShredded) as raised:
            data_key_store.insert_many([wrapped_key("c1", 1), wrapped_key("gone", 1)])
        assert raised.value.customer_id == "gone"
        assert data_key_store.get("c1").keys == ()
        assert data_key_store.get("gone").shredded

    def test_reserve_many_adds_to_each_version_and_returns_the_totals(self, data_key_store):
        data_key_store.insert(wrapped_key("c1", 1))
        data_key_store.insert(wrapped_key("c1", 2))
        data_key_store.insert(wrapped_key("c2", 1))
        data_key_store.reserve_encryptions("c2", 1, 10)
        totals = data_key_store.reserve_many([("c1", 2), ("c2", 1)], 256)
        assert totals == {("c1", 2): 256, ("c2", 1): 266}
        assert data_key_store.reserve_many([("c1", 2)], 256) == {("c1", 2): 512}
        assert [key.encryptions for key in data_key_store.get("c1").keys] == [0, 512]
        assert data_key_store.reserve_many([], 256) == {}

    def test_reserve_many_newest_only_leaves_out_versions_rotated_since(self, data_key_store):
        data_key_store.insert(wrapped_key("rotated", 1))
        data_key_store.insert(wrapped_key("rotated", 2))
        data_key_store.insert(wrapped_key("kept", 1))
        data_key_store.insert(wrapped_key("gone", 1))
        data_key_store.shred("gone")
        versions = [("rotated", 1), ("rotated", 2), ("kept", 1), ("gone", 1), ("nobody", 1)]
        totals = data_key_store.reserve_many(versions, 7, newest_only=True)
        assert totals == {("rotated", 2): 7, ("kept", 1): 7}
        assert [key.encryptions for key in data_key_store.get("rotated").keys] == [0, 7]
        assert data_key_store.reserve_many([("rotated", 1)], 7) == {("rotated", 1): 7}

    def test_reserve_many_leaves_out_versions_that_are_gone(self, data_key_store):
        data_key_store.insert(wrapped_key("c1", 1))
        data_key_store.insert(wrapped_key("gone", 1))
        data_key_store.shred("gone")
        totals = data_key_store.reserve_many([("c1", 1), ("c1", 2), ("gone", 1), ("nobody", 1)], 5)
        assert totals == {("c1", 1): 5}
        assert data_key_store.get("c1").keys[0].encryptions == 5
        assert data_key_store.get("gone").shredded
        assert data_key_store.get("nobody").keys == ()

    def test_batch_methods_handle_more_customers_than_one_statement_takes(self, data_key_store):
        customer_ids = [f"c{number:04d}" for number in range(1203)]
        stored = data_key_store.insert_many([wrapped_key(c, 1) for c in customer_ids])
        assert len(stored) == len(customer_ids)
        key_sets = data_key_store.get_many(customer_ids)
        assert all(len(key_sets[c].keys) == 1 for c in customer_ids)
        totals = data_key_store.reserve_many([(c, 1) for c in customer_ids], 7)
        assert totals == {(c, 1): 7 for c in customer_ids}
