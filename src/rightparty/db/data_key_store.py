# SPDX-License-Identifier: Apache-2.0
"""Wrapped data keys over SQL, written in the session of the unit of work that needs them.

Keys are created in the same transaction as the ciphertext they protect: a rolled-back change
leaves neither, and SQLite (one writer) never waits on itself. The unit of work tells the
cipher to forget cached keys when it rolls back, so no key that was never committed is reused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

from sqlalchemy import bindparam, delete, exists, insert, select, tuple_, update
from sqlalchemy.orm import Session

from rightparty.db.id_lists import in_ids
from rightparty.db.tables import DataKeyRow, DataKeyTombstoneRow
from rightparty.privacy.data_keys import (
    DATA_KEY_KIND,
    DataKeyCursor,
    DataKeySet,
    KeyVersion,
    WrappedDataKey,
)
from rightparty.privacy.errors import KeyShredded, UnknownKeyVersion
from rightparty.privacy.keys import WrappedKey

SessionProvider = Callable[[], Session]
T = TypeVar("T")
WRITTEN_KEYS = "rightparty.data_keys_written"
"""`session.info` key: customers whose data keys this transaction created or changed."""
BATCH = 500
"""Rows per statement of the batch methods: well below SQLite's and PostgreSQL's bind limits."""


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

    def get_many(self, customer_ids: Iterable[str]) -> dict[str, DataKeySet]:
        session = self._session()
        wanted = list(dict.fromkeys(customer_ids))
        shredded: set[str] = set()
        found: dict[str, list[WrappedDataKey]] = {customer_id: [] for customer_id in wanted}
        for part in _parts(wanted):
            shredded.update(session.scalars(_TOMBSTONES_OF, {"ids": part}))
            # Columns, not ORM rows: a chunk reads hundreds of keys, and nothing here is saved.
            for customer_id, version, kek_id, kek_version, blob, encryptions in session.execute(
                _KEYS_OF, {"ids": part}
            ):
                found[customer_id].append(
                    WrappedDataKey(
                        customer_id,
                        version,
                        WrappedKey(kek_id, kek_version, bytes(blob)),
                        encryptions,
                    )
                )
        return {
            customer_id: DataKeySet(customer_id, shredded=True)
            if customer_id in shredded
            else DataKeySet(customer_id, tuple(found[customer_id]))
            for customer_id in wanted
        }

    def insert_many(self, keys: Sequence[WrappedDataKey]) -> list[WrappedDataKey]:
        session = self._session()
        customer_ids = list(dict.fromkeys(key.customer_id for key in keys))
        for part in _parts(customer_ids):
            shredded = session.scalars(
                select(DataKeyTombstoneRow.customer_id)
                .where(DataKeyTombstoneRow.customer_id.in_(part))
                .limit(1)
            ).first()
            if shredded is not None:
                raise KeyShredded(customer_id=shredded)
        stored: dict[KeyVersion, WrappedDataKey] = {}
        for part in _parts(customer_ids):
            rows = session.scalars(select(DataKeyRow).where(DataKeyRow.customer_id.in_(part)))
            stored.update({(row.customer_id, row.version): _key(row) for row in rows})
        new: list[dict[str, object]] = []
        for key in keys:
            if (key.customer_id, key.version) not in stored:
                stored[key.customer_id, key.version] = key
                new.append(_row_values(key))
        keys_written(session).update(customer_ids)
        for rows_part in _parts(new):
            session.execute(insert(DataKeyRow), rows_part)
        return [stored[key.customer_id, key.version] for key in keys]

    def reserve_many(
        self, versions: Iterable[KeyVersion], count: int, *, newest_only: bool = False
    ) -> dict[KeyVersion, int]:
        session = self._session()
        wanted = list(dict.fromkeys(versions))
        keys_written(session).update(customer_id for customer_id, _ in wanted)
        # By version, then a plain IN of customer ids: PostgreSQL runs a list of (id, version)
        # pairs as hundreds of ORed conditions, several times slower than an IN of ids (a
        # chunk's keys are nearly all one version, so this is one statement per 500 of them).
        by_version: dict[int, list[str]] = {}
        for customer_id, version in wanted:
            by_version.setdefault(version, []).append(customer_id)
        totals: dict[KeyVersion, int] = {}
        for version, customer_ids in by_version.items():
            for part in _parts(customer_ids):
                rows = session.execute(
                    _RESERVE_NEWEST if newest_only else _RESERVE,
                    {"key_version": version, "ids": part, "reserved": count},
                )
                totals.update({(customer_id, version): int(total) for customer_id, total in rows})
        return totals

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


_KEY_COLUMNS = (
    DataKeyRow.customer_id,
    DataKeyRow.version,
    DataKeyRow.kek_id,
    DataKeyRow.kek_version,
    DataKeyRow.wrapped_key,
    DataKeyRow.encryptions,
)

# Built once, the ids bound as one list parameter (`in_ids`): a chunk's statements were built
# anew with hundreds of literal ids each, which cost more than running them.
_TOMBSTONES_OF = select(DataKeyTombstoneRow.customer_id).where(
    in_ids(DataKeyTombstoneRow.customer_id)
)
_KEYS_OF = (
    select(*_KEY_COLUMNS)
    .where(in_ids(DataKeyRow.customer_id))
    .order_by(DataKeyRow.customer_id, DataKeyRow.version)
)
_RESERVE = (
    update(DataKeyRow)
    .where(
        DataKeyRow.version == bindparam("key_version"),
        in_ids(DataKeyRow.customer_id),
    )
    .values(encryptions=DataKeyRow.encryptions + bindparam("reserved"))
    .returning(DataKeyRow.customer_id, DataKeyRow.encryptions)
    .execution_options(synchronize_session=False)
)

_NEWER = DataKeyRow.__table__.alias("newer")
_RESERVE_NEWEST = _RESERVE.where(
    ~exists().where(
        _NEWER.c.customer_id == DataKeyRow.customer_id, _NEWER.c.version > DataKeyRow.version
    )
)


def _parts(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def _row_values(key: WrappedDataKey) -> dict[str, object]:
    return {
        "customer_id": key.customer_id,
        "version": key.version,
        "kek_id": key.wrapped.kek_id,
        "kek_version": key.wrapped.kek_version,
        "wrapped_key": key.wrapped.blob,
        "encryptions": key.encryptions,
    }


def _key(row: DataKeyRow) -> WrappedDataKey:
    return WrappedDataKey(
        customer_id=row.customer_id,
        version=row.version,
        wrapped=WrappedKey(row.kek_id, row.kek_version, bytes(row.wrapped_key)),
        encryptions=row.encryptions,
    )
