# SPDX-License-Identifier: Apache-2.0
"""Alembic environment: runs on the connection `rightparty.db.migrate` hands it."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from rightparty.db.tables import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    message = "run migrations through rightparty.db.migrate, which supplies the connection"
    raise RuntimeError(message)
_run(connection)
