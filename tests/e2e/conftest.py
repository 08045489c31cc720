# SPDX-License-Identifier: Apache-2.0
"""The CLI as a user runs it: a scratch directory with its own keyring, on either backend."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from rightparty.db.engine import build_engine


@pytest.fixture
def cli_env(tmp_path, monkeypatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RIGHTPARTY_KEYRING", str(tmp_path / "var" / "keyring.json"))
    monkeypatch.delenv("RIGHTPARTY_DATABASE_URL", raising=False)
    return {}


@pytest.fixture
def fresh_postgres_url(postgres_engine) -> Iterator[str]:
    """A database of its own, for commands that commit for real; dropped afterwards."""
    name = f"rightparty_e2e_{uuid.uuid4().hex[:12]}"
    base = make_url(postgres_engine.url.render_as_string(hide_password=False))
    admin = build_engine(base.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'var' / 'rightparty.db'}"
    return request.getfixturevalue("fresh_postgres_url")
