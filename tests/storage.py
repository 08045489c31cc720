# SPDX-License-Identifier: Apache-2.0
"""The backend handle that the `storage` fixture gives each storage test."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker


@dataclass
class Storage:
    """One backend under test: its engine and the connection a test's work runs on.

    On PostgreSQL the connection holds an outer transaction that is rolled back after the test, and
    sessions join it through SAVEPOINTs, so a test's commits never leak into the next test.
    """

    backend: str
    engine: Engine
    connection: Connection

    def session(self) -> Session:
        factory = sessionmaker(
            bind=self.connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        return factory()
