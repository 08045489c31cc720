# SPDX-License-Identifier: Apache-2.0
"""Schema migrations through Alembic's API, on a connection we own (no alembic.ini to find)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from rightparty.db.tables import Base

FILE_TEMPLATE = "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d_%%(rev)s_%%(slug)s"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", "rightparty.db:migrations")
    config.set_main_option("file_template", FILE_TEMPLATE)
    config.set_main_option("timezone", "UTC")
    config.attributes["connection"] = connection
    return config


class BrokenReferences(RuntimeError):
    """A migration left rows referring to no row of the table their key names; it was rolled
    back. The message names tables, never values."""


def upgrade(bind: Engine | Connection, revision: str = "head") -> None:
    """Migrate up; on a Connection the caller owns the transaction (tests roll it back).

    On SQLite, give an engine to migrate a database that holds rows: a migration that rebuilds
    a table others refer to (0007 rebuilds `attempts`) needs foreign keys off, which SQLite
    allows only outside a transaction (`_migrating`)."""
    with _migrating(bind) as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(bind: Engine | Connection, revision: str = "base") -> None:
    with _migrating(bind) as connection:
        command.downgrade(alembic_config(connection), revision)


def current_revision(bind: Engine | Connection) -> str | None:
    with _connection(bind) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def schema_drift(bind: Engine | Connection) -> list[object]:
    """What autogenerate would change between the migrated database and the table mappings."""
    with _connection(bind) as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


@contextmanager
def _migrating(bind: Engine | Connection) -> Iterator[Connection]:
    """A connection to migrate on. On SQLite, through an engine: SQLite's own procedure for
    changing a table's constraints (a table others refer to cannot be rebuilt with its rows
    while foreign keys are on): keys off, the whole migration in one explicit transaction,
    every reference checked before it commits. A caller's Connection is used as it is."""
    if isinstance(bind, Connection) or bind.dialect.name != "sqlite":
        with _connection(bind) as connection:
            yield connection
        return
    with bind.connect() as connection:
        try:
            # pysqlite opens a transaction only before a data change, never before DDL and
            # never for a pragma: this runs outside one, where SQLite takes it ...
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
            with connection.begin():
                # ... and this opens the one the whole migration runs in, so a failure undoes
                # its DDL too (an index created, a table being rebuilt).
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                yield connection
                _refuse_broken_references(connection)
        finally:
            # Never pooled again: the next connection gets foreign keys on from the engine.
            connection.invalidate()


def _refuse_broken_references(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        pairs = sorted({f"{row[0]} -> {row[2]}" for row in broken})
        message = f"{len(broken)} rows refer to no row of their key's table ({', '.join(pairs)})"
        raise BrokenReferences(message)


@contextmanager
def _connection(bind: Engine | Connection) -> Iterator[Connection]:
    if isinstance(bind, Connection):
        yield bind
        return
    with bind.begin() as connection:
        yield connection
