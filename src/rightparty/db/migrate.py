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
    """Migrate up; on a Connection the caller owns the transaction (tests roll it back)."""
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
    """A connection to migrate on. On SQLite, through an engine, its foreign keys are off
    while the migration runs and every reference is checked before it commits (SQLite's own
    procedure for changing a table's constraints: a table others refer to cannot be rebuilt
    with its rows while they are on). A caller's Connection is used as it is."""
    if isinstance(bind, Connection) or bind.dialect.name != "sqlite":
        with _connection(bind) as connection:
            yield connection
        return
    with bind.connect() as connection:
        # Outside any transaction, where SQLite takes the pragma (pysqlite begins at the
        # first write, so SQLAlchemy's begin here is not one yet).
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
        try:
            with connection.begin():
                yield connection
                _refuse_broken_references(connection)
        finally:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


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
