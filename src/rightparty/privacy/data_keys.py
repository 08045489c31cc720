# SPDX-License-Identifier: Apache-2.0
"""Where wrapped per-customer data keys persist: the `DataKeyStore` port and an in-memory store.

The storage layer implements the port over SQL, one row per (customer_id, version) plus a tombstone
per shredded customer. Only wrapped keys cross this port; a store never sees a usable key.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from rightparty.privacy.errors import KeyShredded, UnknownKeyVersion
from rightparty.privacy.keys import WrappedKey

DATA_KEY_KIND = "data key"

DataKeyCursor = tuple[str, int]
"""A position in `DataKeyStore.page`: the (customer_id, version) of the last key seen."""

KeyVersion = tuple[str, int]
"""One version of one customer's data key: (customer_id, version)."""


@dataclass(frozen=True, slots=True)
class WrappedDataKey:
    """One version of one customer's data key, wrapped by a KEK.

    `encryptions` counts encryptions *reserved* under this version so far (see `FieldCipher`):
    an upper bound of those performed, kept below the NIST SP 800-38D limit.
    """

    customer_id: str
    version: int
    wrapped: WrappedKey
    encryptions: int = 0


@dataclass(frozen=True, slots=True)
class DataKeySet:
    """Every live version of a customer's data key, ascending; `shredded` when they were erased."""

    customer_id: str
    keys: tuple[WrappedDataKey, ...] = ()
    shredded: bool = False

    @property
    def current(self) -> WrappedDataKey | None:
        return self.keys[-1] if self.keys else None

    def version(self, version: int) -> WrappedDataKey | None:
        return next((key for key in self.keys if key.version == version), None)


class DataKeyStore(Protocol):
    """Persistence of wrapped data keys. Every method is atomic on its own.

    A shredded customer keeps a tombstone forever, so no key is ever created for them again and
    reads can tell "erased" (`KeyShredded`) from "never had a key".
    """

    def get(self, customer_id: str) -> DataKeySet:
        """All live versions of the customer's key (none for an unknown customer)."""
        ...

    def insert(self, key: WrappedDataKey) -> WrappedDataKey:
        """Store `key` unless (customer_id, version) exists, and return what is stored then: when
        two processes race to create the same version, both get the first one's key.
        Raises `KeyShredded` when the customer has a tombstone."""
        ...

    def get_many(self, customer_ids: Iterable[str]) -> dict[str, DataKeySet]:
        """`get` for many customers at once (one or two queries): a `DataKeySet` for every id."""
        ...

    def insert_many(self, keys: Sequence[WrappedDataKey]) -> list[WrappedDataKey]:
        """`insert` for many keys at once, in order: each is stored unless its (customer_id,
        version) exists, and what is stored then comes back. Raises `KeyShredded` (and stores
        nothing) when any of the customers has a tombstone."""
        ...

    def reserve_many(
        self, versions: Iterable[KeyVersion], count: int, *, newest_only: bool = False
    ) -> dict[KeyVersion, int]:
        """`reserve_encryptions` of `count` for many versions at once (one `UPDATE … RETURNING`):
        the new total of every version that exists. A version that is gone (retired, shredded) is
        left out rather than raising; `reserve_encryptions` on it says which error applies.
        With `newest_only`, so is a version the customer has a newer one than (rotated since)."""
        ...

    def update_wrapping(self, customer_id: str, version: int, wrapped: WrappedKey) -> bool:
        """Replace one version's wrapping (after a KEK rewrap), leaving `encryptions` alone; False
        when the version is gone (retired or shredded meanwhile), which is not an error."""
        ...

    def reserve_encryptions(self, customer_id: str, version: int, count: int) -> int:
        """Atomically add `count` to the version's `encryptions` and return the new total
        (`UPDATE … SET encryptions = encryptions + :count … RETURNING encryptions`).
        Raises `KeyShredded` or `UnknownKeyVersion` when the version is gone."""
        ...

    def delete(self, customer_id: str, version: int) -> bool:
        """Remove one retired version; False when it was not there."""
        ...

    def shred(self, customer_id: str) -> tuple[WrappedDataKey, ...]:
        """Delete every version of the customer's key and leave a tombstone, in one transaction;
        return the keys deleted (empty when already shredded or never created)."""
        ...

    def page(self, *, after: DataKeyCursor | None, limit: int) -> Sequence[WrappedDataKey]:
        """Up to `limit` live keys ordered by (customer_id, version), strictly after `after`
        (`WHERE (customer_id, version) > (:c, :v) ORDER BY customer_id, version LIMIT :n`; the
        comparison and the ORDER BY must use one collation, e.g. PostgreSQL's `COLLATE "C"`)."""
        ...


class InMemoryDataKeyStore:
    """A `DataKeyStore` in a dict, for tests, benchmarks and the simulated demo."""

    def __init__(self) -> None:
        self._keys: dict[str, dict[int, WrappedDataKey]] = {}
        self._tombstones: set[str] = set()
        self._lock = threading.Lock()

    def get(self, customer_id: str) -> DataKeySet:
        with self._lock:
            if customer_id in self._tombstones:
                return DataKeySet(customer_id, shredded=True)
            versions = self._keys.get(customer_id, {})
            return DataKeySet(customer_id, tuple(versions[v] for v in sorted(versions)))

    def insert(self, key: WrappedDataKey) -> WrappedDataKey:
        with self._lock:
            if key.customer_id in self._tombstones:
                raise KeyShredded(customer_id=key.customer_id)
            versions = self._keys.setdefault(key.customer_id, {})
            return versions.setdefault(key.version, key)

    def get_many(self, customer_ids: Iterable[str]) -> dict[str, DataKeySet]:
        result: dict[str, DataKeySet] = {}
        with self._lock:
            for customer_id in customer_ids:
                versions = self._keys.get(customer_id, {})
                result[customer_id] = DataKeySet(
                    customer_id,
                    tuple(versions[v] for v in sorted(versions)),
                    shredded=customer_id in self._tombstones,
                )
        return result

    def insert_many(self, keys: Sequence[WrappedDataKey]) -> list[WrappedDataKey]:
        with self._lock:
            for key in keys:
                if key.customer_id in self._tombstones:
                    raise KeyShredded(customer_id=key.customer_id)
            return [
                self._keys.setdefault(key.customer_id, {}).setdefault(key.version, key)
                for key in keys
            ]

    def reserve_many(
        self, versions: Iterable[KeyVersion], count: int, *, newest_only: bool = False
    ) -> dict[KeyVersion, int]:
        totals: dict[KeyVersion, int] = {}
        with self._lock:
            for customer_id, version in dict.fromkeys(versions):
                stored = self._keys.get(customer_id, {})
                if customer_id in self._tombstones or version not in stored:
                    continue
                if newest_only and max(stored) > version:
                    continue
                key = replace(stored[version], encryptions=stored[version].encryptions + count)
                stored[version] = key
                totals[customer_id, version] = key.encryptions
        return totals

    def update_wrapping(self, customer_id: str, version: int, wrapped: WrappedKey) -> bool:
        with self._lock:
            versions = self._keys.get(customer_id, {})
            if version not in versions:
                return False
            versions[version] = replace(versions[version], wrapped=wrapped)
            return True

    def reserve_encryptions(self, customer_id: str, version: int, count: int) -> int:
        with self._lock:
            if customer_id in self._tombstones:
                raise KeyShredded(customer_id=customer_id)
            versions = self._keys.get(customer_id, {})
            if version not in versions:
                raise UnknownKeyVersion(kind=DATA_KEY_KIND, key_id=customer_id, version=version)
            key = versions[version]
            versions[version] = replace(key, encryptions=key.encryptions + count)
            return versions[version].encryptions

    def delete(self, customer_id: str, version: int) -> bool:
        with self._lock:
            return self._keys.get(customer_id, {}).pop(version, None) is not None

    def shred(self, customer_id: str) -> tuple[WrappedDataKey, ...]:
        with self._lock:
            self._tombstones.add(customer_id)
            versions = self._keys.pop(customer_id, {})
            return tuple(versions[v] for v in sorted(versions))

    def page(self, *, after: DataKeyCursor | None, limit: int) -> Sequence[WrappedDataKey]:
        with self._lock:
            ordered = sorted(
                (key for versions in self._keys.values() for key in versions.values()),
                key=lambda key: (key.customer_id, key.version),
            )
        if after is not None:
            ordered = [key for key in ordered if (key.customer_id, key.version) > after]
        return ordered[:limit]
