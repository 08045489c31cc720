# SPDX-License-Identifier: Apache-2.0
"""Privacy test fixtures: in-memory keys and store, ciphers, a hand-driven monotonic clock."""

import pytest

from rightparty.privacy.data_keys import InMemoryDataKeyStore
from rightparty.privacy.envelope import FieldCipher
from rightparty.privacy.keys import InMemoryKeyProvider


class Ticks:
    """A monotonic clock that moves only when a test says so (seconds, as `time.monotonic`)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def keys():
    return InMemoryKeyProvider.generate()


@pytest.fixture
def store():
    return InMemoryDataKeyStore()


@pytest.fixture
def ticks():
    return Ticks()


@pytest.fixture
def cipher(keys, store, ticks):
    return FieldCipher(keys, store, monotonic=ticks)


@pytest.fixture
def another_process(keys, store, ticks):
    """A second cipher on the same keys and store, as another worker process would hold."""
    return FieldCipher(keys, store, monotonic=ticks)
