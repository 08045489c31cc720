# SPDX-License-Identifier: Apache-2.0
"""Alembic environment: runs on the connection `rightparty.db.migrate` hands it."""

from __future__ import annotations

from typing import Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

from rightparty.db.tables import Base
from rightparty.db.types import UTCDateTime


def _render_item(kind: str, item: object, _context: AutogenContext) -> str | Literal[False]:
    """Migrations name plain SQLAlchemy types, so they never import the application."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    message = "run migrations through rightparty.db.migrate, which supplies the connection"
    raise RuntimeError(message)
_run(connection)
