# SPDX-License-Identifier: Apache-2.0
"""Wrapped data keys over SQL, written in the session of the unit of work that needs them.

Keys are created in the same transaction as the ciphertext they protect: a rolled-back change
leaves neither, and SQLite (one writer) never waits on itself. The unit of work tells the
cipher to forget cached keys when it rolls back, so no key that was never committed is reused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.orm import Session

from rightparty.db.tables import DataKeyRow, DataKeyTombstoneRow
from rightparty.privacy.data_keys import (
    DATA_KEY_KIND,
    DataKeyCursor,
    DataKeySet,
    WrappedDataKey,
)
from rightparty.privacy.errors import KeyShredded, UnknownKeyVersion
from rightparty.privacy.keys import WrappedKey

SessionProvider = Callable[[], Session]
WRITTEN_KEYS = "rightparty.data_keys_written"
"""`session.info` key: customers whose data keys this transaction created or changed."""


def keys_written(session: Session) -> set[str]:
    written: set[str] = session.info.setdefault(WRITTEN_KEYS, set())
    return written


class SqlDataKeyStore:
    def __init__(self, session: SessionProvider) -> None:
        self._session = session

    def get(self, customer_id: str) -> DataKeySet:
        session = self._session()
        if session.get(DataKeyTombstoneRow, customer_id) is not None:
            return DataKeySet(customer_id, shredded=True)
        rows = session.scalars(
            select(DataKeyRow)
            .where(DataKeyRow.customer_id == customer_id)
            .order_by(DataKeyRow.version)
        )
        return DataKeySet(customer_id, tuple(_key(row) for row in rows))

    def insert(self, key: WrappedDataKey) -> WrappedDataKey:
        session = self._session()
        if session.get(DataKeyTombstoneRow, key.customer_id) is not None:
            raise KeyShredded(customer_id=key.customer_id)
        existing = session.get(DataKeyRow, (key.customer_id, key.version))
        if existing is not None:
            return _key(existing)
        keys_written(session).add(key.customer_id)
        session.add(
            DataKeyRow(
                customer_id=key.customer_id,
                version=key.version,
                kek_id=key.wrapped.kek_id,
                kek_version=key.wrapped.kek_version,
                wrapped_key=key.wrapped.blob,
                encryptions=key.encryptions,
            )
        )
        session.flush()
        return key

    def update_wrapping(self, customer_id: str, version: int, wrapped: WrappedKey) -> bool:
        keys_written(self._session()).add(customer_id)
        result = self._session().execute(
            update(DataKeyRow)
            .where(DataKeyRow.customer_id == customer_id, DataKeyRow.version == version)
            .values(
                kek_id=wrapped.kek_id, kek_version=wrapped.kek_version, wrapped_key=wrapped.blob
            )
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def reserve_encryptions(self, customer_id: str, version: int, count: int) -> int:
        session = self._session()
        keys_written(session).add(customer_id)
        total = session.scalar(
            update(DataKeyRow)
            .where(DataKeyRow.customer_id == customer_id, DataKeyRow.version == version)
            .values(encryptions=DataKeyRow.encryptions + count)
            .returning(DataKeyRow.encryptions)
            .execution_options(synchronize_session=False)
        )
        if total is not None:
            return int(total)
        if session.get(DataKeyTombstoneRow, customer_id) is not None:
            raise KeyShredded(customer_id=customer_id)
        raise UnknownKeyVersion(kind=DATA_KEY_KIND, key_id=customer_id, version=version)

    def delete(self, customer_id: str, version: int) -> bool:
        keys_written(self._session()).add(customer_id)
        result = self._session().execute(
            delete(DataKeyRow).where(
                DataKeyRow.customer_id == customer_id, DataKeyRow.version == version
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def shred(self, customer_id: str) -> tuple[WrappedDataKey, ...]:
        session = self._session()
        keys_written(session).add(customer_id)
        removed = self.get(customer_id).keys
        session.execute(delete(DataKeyRow).where(DataKeyRow.customer_id == customer_id))
        if session.get(DataKeyTombstoneRow, customer_id) is None:
            session.add(DataKeyTombstoneRow(customer_id=customer_id))
        session.flush()
        return removed

    def page(self, *, after: DataKeyCursor | None, limit: int) -> Sequence[WrappedDataKey]:
        query = select(DataKeyRow).order_by(DataKeyRow.customer_id, DataKeyRow.version).limit(limit)
        if after is not None:
            query = query.where(tuple_(DataKeyRow.customer_id, DataKeyRow.version) > after)
        return [_key(row) for row in self._session().scalars(query)]


def _key(row: DataKeyRow) -> WrappedDataKey:
    return WrappedDataKey(
        customer_id=row.customer_id,
        version=row.version,
        wrapped=WrappedKey(row.kek_id, row.kek_version, bytes(row.wrapped_key)),
        encryptions=row.encryptions,
    )
