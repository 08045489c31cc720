# SPDX-License-Identifier: Apache-2.0
import pytest

from rightparty.privacy.data_keys import InMemoryDataKeyStore
from tests.unit.privacy.data_key_store_contract import DataKeyStoreContract

pytestmark = pytest.mark.unit


class TestInMemoryDataKeyStore(DataKeyStoreContract):
    @pytest.fixture
    def data_key_store(self):
        return InMemoryDataKeyStore()
