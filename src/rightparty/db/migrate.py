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


def upgrade(bind: Engine | Connection, revision: str = "head") -> None:
    """Migrate up; on a Connection the caller owns the transaction (tests roll it back)."""
    with _connection(bind) as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(bind: Engine | Connection, revision: str = "base") -> None:
    with _connection(bind) as connection:
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
def _connection(bind: Engine | Connection) -> Iterator[Connection]:
    if isinstance(bind, Connection):
        yield bind
        return
    with bind.begin() as connection:
        yield connection
