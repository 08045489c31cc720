# SPDX-License-Identifier: Apache-2.0
"""An application wired to the `storage` backend, its schema migrated inside the test."""

from __future__ import annotations

import pytest

from rightparty.bootstrap import Application, assemble
from rightparty.config import Settings
from rightparty.db import migrate
from rightparty.privacy.keys import InMemoryKeyProvider


@pytest.fixture
def app(storage, clock) -> Application:
    migrate.upgrade(storage.connection)
    if storage.backend == "sqlite":
        storage.connection.commit()
    keys = InMemoryKeyProvider.generate()
    return assemble(Settings(), storage.engine, keys, clock, bind=storage.connection)
