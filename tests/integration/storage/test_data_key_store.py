# SPDX-License-Identifier: Apache-2.0
"""`SqlDataKeyStore` passes the store contract on both backends, writing in the unit of work's
session; the batch methods record every customer they write for the rollback to forget."""

import pytest

from rightparty.db.data_key_store import SqlDataKeyStore, keys_written
from rightparty.db.unit_of_work import active_session
from tests.unit.privacy.data_key_store_contract import DataKeyStoreContract, wrapped_key

pytestmark = pytest.mark.integration


class TestSqlDataKeyStore(DataKeyStoreContract):
    @pytest.fixture
    def data_key_store(self, app):
        with app.unit_of_work():
            yield SqlDataKeyStore(active_session)


def test_batch_writes_are_listed_for_the_rollback_and_vanish_with_it(app):
    store = SqlDataKeyStore(active_session)
    with app.unit_of_work() as uow:
        store.insert(wrapped_key("old", 1))
        uow.commit()
    with app.unit_of_work() as uow:
        store.insert_many([wrapped_key("new", 1)])
        store.reserve_many([("old", 1)], 256)
        assert keys_written(uow.session) == {"new", "old"}
        uow.rollback()
        assert keys_written(uow.session) == set()
        key_sets = store.get_many(["new", "old"])
        assert key_sets["new"].keys == ()
        assert key_sets["old"].keys[0].encryptions == 0


def test_batch_reads_write_nothing(app):
    store = SqlDataKeyStore(active_session)
    with app.unit_of_work() as uow:
        store.get_many(["c1", "c2"])
        assert keys_written(uow.session) == set()
