# SPDX-License-Identifier: Apache-2.0
"""Row updates a unit of work holds back and sends together, one executemany per statement.

A step saves its case, an outcome saves its contact point: one UPDATE each, dozens per round,
where one executemany per table would do. Repositories hold each row's latest update here; the
unit of work sends them all before any query that could read those rows and before it commits
(`SqlUnitOfWork.flush_held`), as the ORM's unit of work did with its pending changes.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from rightparty.db.bulk_insert import BulkUpdate

FlushHeld = Callable[[], None]
"""Sends every held write of the unit of work; repositories call it before a query that could
read held rows and before an insert that could refer to them (on their own, without a unit of
work, they send their own)."""


class HeldUpdates:
    """The latest update of each row, by key. A later update of a row merges into the held one;
    when its columns are a subset of the held statement's, that (wider) statement stays, so a
    narrow update never drops a column a wider one was about to write."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._held: dict[str, tuple[BulkUpdate, dict[str, Any]]] = {}

    def hold(self, key: str, statement: BulkUpdate, values: dict[str, Any]) -> None:
        """Hold `values` (the statement's columns and its key) for the row `key`."""
        held = self._held.get(key)
        if held is not None:
            held_statement, held_values = held
            if statement.columns <= held_statement.columns:
                statement = held_statement
            values = {**held_values, **values}
        self._held[key] = (statement, values)

    def drop(self, keys: Iterable[str]) -> None:
        """Forget the held updates of rows about to be deleted."""
        for key in keys:
            self._held.pop(key, None)

    def flush(self) -> None:
        if not self._held:
            return
        groups: dict[int, tuple[BulkUpdate, list[dict[str, Any]]]] = {}
        for statement, values in self._held.values():
            groups.setdefault(id(statement), (statement, []))[1].append(values)
        self._held.clear()
        connection = self._session.connection()
        for statement, rows in groups.values():
            statement.execute(connection, rows)


class FixedColumnChanged(ValueError):
    """A save would change what a stored row fixed when it was written (a case's customer, an
    attempt's contact point): the update writes only what may change, so this is refused rather
    than dropped. The message names the column, never its value."""


def refuse_fixed_changes(
    kind: str, stored: Mapping[str, Any], values: Mapping[str, Any], fixed: Collection[str]
) -> None:
    for name in fixed:
        if stored[name] != values[name]:
            message = f"a stored {kind}'s {name} cannot change"
            raise FixedColumnChanged(message)
