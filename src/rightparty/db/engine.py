# SPDX-License-Identifier: Apache-2.0
"""Engines for the two supported backends, configured the same way wherever they are made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from rightparty.db.checkpoints import BACKSTOP_PAGES, checkpoint_after_commits


def normalise_url(url: str) -> str:
    """Pin PostgreSQL to psycopg 3, whatever driver the URL names or omits."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def build_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for `url`; an embedded SQLite file gets its folder, WAL and foreign keys."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed.render_as_string(hide_password=False), parsed.database, echo)
    return create_engine(parsed, echo=echo, pool_pre_ping=True)


def _sqlite_engine(url: str, database: str | None, echo: bool) -> Engine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo)
    event.listen(engine, "connect", _configure_sqlite_connection)
    if database and database != ":memory:":
        checkpoint_after_commits(engine, database)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: object) -> None:  # noqa: ANN401 - the DB-API connection type is driver-specific
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL never corrupts the database and keeps every commit across an
        # application crash; only a power loss may drop the last commits (sqlite.org/wal.html).
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        # Checkpoints run in a background thread (`checkpoints`); this is the backstop.
        cursor.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
    finally:
        cursor.close()
