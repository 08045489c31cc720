# SPDX-License-Identifier: Apache-2.0
"""Many rows into one table with one executemany, without SQLAlchemy's per-row work; and many
rows of one table updated by key the same way (`BulkUpdate`).

`Session.execute(insert(table), rows)` builds each row's parameters through the compiled
statement, which costs more than the database's own work for short rows (half the time of
recording a chunk of attempts on SQLite). `BulkInsert` renders the INSERT once per dialect and
applies the bind processors SQLAlchemy itself would apply (the column types', through
`dialect_impl`), so the stored values are the same, then gives positional tuples to the driver's
executemany through `Connection.exec_driver_sql`, so a failure is still SQLAlchemy's
`IntegrityError` (or other `DBAPIError`). A value repeated from the row before (a chunk's shared
timestamp, `None`) is processed once. On PostgreSQL (psycopg) the rows go in with `COPY`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Dialect, LargeBinary, Table
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    import psycopg

Processor = Callable[[Any], Any]
_MARKERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


Processing = tuple[int, Processor, type | None]
"""A parameter's position, its bind processor, and the type of values the driver takes as given
for it (their processing would not change what is stored)."""
Prepared = tuple[str, list[Processing]]
"""A statement's text for one dialect, and the bind processors of its parameters by position."""


class _RenderedPerDialect:
    """A statement rendered once per dialect it meets (`_render`), then reused."""

    def __init__(self) -> None:
        self._prepared: WeakKeyDictionary[Dialect, Prepared] = WeakKeyDictionary()

    def _for(self, dialect: Dialect) -> Prepared:
        prepared = self._prepared.get(dialect)
        if prepared is None:
            prepared = self._prepared[dialect] = self._render(dialect)
        return prepared

    def _render(self, dialect: Dialect) -> Prepared:
        raise NotImplementedError


class BulkInsert(_RenderedPerDialect):
    """`INSERT INTO table (columns) VALUES (...)` for rows given as tuples in `columns` order.

    Columns named in `final` take their values as given, without the type's processing (a JSON
    document already serialised to the text its type would write). With `skip_existing`, a row
    whose key is already stored is left out (`ON CONFLICT DO NOTHING`, on both backends; such
    rows go in with executemany, never `COPY`, which cannot skip)."""

    def __init__(
        self,
        table: Table,
        columns: Sequence[str],
        *,
        final: Collection[str] = (),
        skip_existing: bool = False,
    ) -> None:
        unknown = [name for name in (*columns, *final) if name not in table.c]
        if unknown or not set(final) <= set(columns):
            message = f"columns not in {table.name}: {unknown or sorted(final)}"
            raise ValueError(message)
        super().__init__()
        self._table = table
        self._columns = tuple(columns)
        self._final = frozenset(final)
        self._skip_existing = skip_existing

    def execute(self, connection: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert every row with one executemany in the connection's transaction."""
        if not rows:
            return
        dialect = connection.dialect
        statement, processors = self._for(dialect)
        if processors:
            rows = _processed(rows, processors)
        if dialect.driver == "psycopg" and not self._skip_existing:
            self._copy(connection, rows)
        else:
            connection.exec_driver_sql(statement, list(rows))

    def _copy(self, connection: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
        """PostgreSQL through psycopg: `COPY ... FROM STDIN`, a few times faster than even a
        pipelined executemany. psycopg adapts each value as it would a parameter; a failure
        becomes the same SQLAlchemy error an INSERT would raise (`IntegrityError` for a
        duplicate key), and the transaction is then aborted, as after a failed INSERT."""
        dialect = connection.dialect
        preparer = dialect.identifier_preparer
        names = ", ".join(preparer.quote(name) for name in self._columns)
        statement = f"COPY {preparer.format_table(self._table)} ({names}) FROM STDIN"
        dbapi_connection = cast("psycopg.Connection[Any]", connection.connection.dbapi_connection)
        try:
            with dbapi_connection.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        except dialect.loaded_dbapi.Error as error:
            raise DBAPIError.instance(statement, None, error, dialect.loaded_dbapi.Error) from error

    def _render(self, dialect: Dialect) -> Prepared:
        marker = _marker(dialect)
        quote = dialect.identifier_preparer.quote
        table = dialect.identifier_preparer.format_table(self._table)
        names = ", ".join(quote(name) for name in self._columns)
        markers = ", ".join([marker] * len(self._columns))
        # Only the table's own identifiers, quoted by the dialect, go into the text.
        statement = f"INSERT INTO {table} ({names}) VALUES ({markers})"  # noqa: S608
        if self._skip_existing:
            statement += " ON CONFLICT DO NOTHING"
        return statement, _processors(self._table, self._columns, dialect, self._final)


class BulkUpdate(_RenderedPerDialect):
    """`UPDATE table SET columns... WHERE key = ...` for rows given as mappings of column names
    (the key among them), through one executemany with the values processed as SQLAlchemy's own
    executemany would (`BulkInsert`'s processors), so the same bytes are stored."""

    def __init__(self, table: Table, columns: Sequence[str], *, key: str = "id") -> None:
        unknown = [name for name in (*columns, key) if name not in table.c]
        if unknown or key in columns:
            message = f"columns not in {table.name} or the key among them: {unknown or [key]}"
            raise ValueError(message)
        super().__init__()
        self.columns = frozenset(columns)
        self._table = table
        self._order = (*columns, key)

    def execute(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Update every row with one executemany in the connection's transaction."""
        if not rows:
            return
        statement, processors = self._for(connection.dialect)
        order = self._order
        values = [tuple(row[name] for name in order) for row in rows]
        if processors:
            values = _processed(values, processors)
        connection.exec_driver_sql(statement, values)

    def _render(self, dialect: Dialect) -> Prepared:
        marker = _marker(dialect)
        quote = dialect.identifier_preparer.quote
        table = dialect.identifier_preparer.format_table(self._table)
        *columns, key = self._order
        assignments = ", ".join(f"{quote(name)} = {marker}" for name in columns)
        # Only the table's own identifiers, quoted by the dialect, go into the text.
        statement = f"UPDATE {table} SET {assignments} WHERE {quote(key)} = {marker}"  # noqa: S608
        return statement, _processors(self._table, self._order, dialect)


def _marker(dialect: Dialect) -> str:
    marker = _MARKERS.get(dialect.paramstyle)
    if marker is None:
        message = f"no positional parameter marker for paramstyle {dialect.paramstyle}"
        raise NotImplementedError(message)
    return marker


def _processors(
    table: Table, columns: Sequence[str], dialect: Dialect, final: Collection[str] = ()
) -> list[Processing]:
    """The bind processor of each column's type, by position, but for the `final` ones."""
    processors: list[Processing] = []
    for position, name in enumerate(columns):
        if name in final:
            continue
        impl = table.c[name].type.dialect_impl(dialect)
        processor = impl.bind_processor(dialect)
        if processor is not None:
            as_given = bytes if _takes_bytes(dialect, impl) else None
            processors.append((position, cast("Processor", processor), as_given))
    return processors


def _processed(
    rows: Sequence[tuple[Any, ...]], processors: list[Processing]
) -> list[tuple[Any, ...]]:
    """The rows with each processed column's values processed, a column at a time: a value
    repeated from the row before is processed once, and a binary column whose values are all
    `bytes` (or null) is left as it is."""
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
    changed = False
    for position, process, as_given in processors:
        column = columns[position]
        if as_given is not None and all(
            type(value) is as_given or value is None for value in column
        ):
            continue
        values = []
        seen: object = _NOTHING
        processed = None
        for value in column:
            if value is not seen:
                seen, processed = value, process(value)
            values.append(processed)
        columns[position] = values
        changed = True
    return list(zip(*columns, strict=True)) if changed else list(rows)


def _takes_bytes(dialect: Dialect, impl: object) -> bool:
    """Whether the driver stores `bytes` in this column exactly as what the column's bind
    processor would wrap them in: a binary column, on drivers whose binary wrapper (`sqlite3`'s
    `memoryview`, psycopg's `Binary`) is stored as the same BLOB or bytea as the bytes."""
    return dialect.driver in _BYTES_AS_GIVEN and isinstance(impl, LargeBinary)


_NOTHING = object()
_BYTES_AS_GIVEN = frozenset({"pysqlite", "psycopg"})
