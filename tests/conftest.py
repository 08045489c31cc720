# SPDX-License-Identifier: Apache-2.0
"""Fixtures every layer shares: Hypothesis profiles, a simulated clock, the `storage` backends."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from rightparty.db.engine import build_engine
from rightparty.domain.clock import SimulatedClock
from tests.storage import Storage

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=200,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")

IN_CI = os.environ.get("CI") == "true"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/rightparty_test"
SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture
def clock() -> SimulatedClock:
    """A clock frozen at a Monday noon UTC; tests move it with `advance`."""
    return SimulatedClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))


def postgres_url() -> str:
    return os.environ.get("RIGHTPARTY_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _ensure_database(url: str) -> None:
    """Create the test database when the server answers but the database is missing."""
    target = make_url(url)
    maintenance = build_engine(
        target.set(database="postgres").render_as_string(hide_password=False)
    )
    try:
        with maintenance.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            exists = connection.exec_driver_sql(
                "SELECT 1 FROM pg_database WHERE datname = %(name)s", {"name": target.database}
            ).scalar()
            if not exists:
                connection.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    finally:
        maintenance.dispose()


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    url = postgres_url()
    try:
        _ensure_database(url)
        engine = build_engine(url)
        with engine.connect():
            pass
    except OperationalError as error:
        message = (
            f"PostgreSQL is not reachable at {make_url(url).render_as_string()} "
            f"({type(error.orig).__name__}); start it or set RIGHTPARTY_TEST_POSTGRES_URL "
            "(`bash .ci/run` starts one)"
        )
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    yield engine
    engine.dispose()


@pytest.fixture
def fresh_postgres_url(postgres_engine) -> Iterator[str]:
    """A database of its own, for commands that commit for real; dropped afterwards."""
    name = f"rightparty_t_{uuid.uuid4().hex[:12]}"
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
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    """Every storage test runs once on an embedded SQLite file and once on PostgreSQL."""
    if request.param == "sqlite":
        engine = build_engine(f"sqlite:///{tmp_path / 'rightparty.db'}")
        with engine.connect() as connection:
            yield Storage("sqlite", engine, connection)
        engine.dispose()
        return
    engine = request.getfixturevalue("postgres_engine")
    with engine.connect() as connection:
        outer = connection.begin()
        try:
            yield Storage("postgresql", engine, connection)
        finally:
            outer.rollback()
