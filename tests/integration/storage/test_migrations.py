# SPDX-License-Identifier: Apache-2.0
from pathlib import Path

import pytest
from sqlalchemy import inspect

import rightparty.db.migrations as package
from rightparty.db import migrate

pytestmark = pytest.mark.integration


def _tables(connection):
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade_leaves_the_schema_the_mappings_describe(storage):
    connection = storage.connection
    migrate.upgrade(connection)
    assert migrate.current_revision(connection) == migrate.head_revision()
    assert migrate.schema_drift(connection) == []
    assert {"customers", "contact_points", "attempts", "audit_entries"} <= _tables(connection)
    migrate.downgrade(connection)
    assert _tables(connection) == set()
    assert migrate.current_revision(connection) is None
    migrate.upgrade(connection)
    assert migrate.schema_drift(connection) == []


def test_the_audit_state_row_exists_after_migration(storage):
    migrate.upgrade(storage.connection)
    rows = storage.connection.exec_driver_sql("SELECT id, state FROM audit_state").all()
    assert [(row[0], row[1]) for row in rows] == [(1, None)]


def test_migration_files_are_named_by_date_and_slug():
    versions = Path(package.__file__).parent / "versions"
    names = sorted(path.name for path in versions.glob("*.py"))
    assert names
    for name in names:
        assert len(name.split("_")) >= 6, name
        year, month, day, hour_minute = name.split("_")[:4]
        assert (len(year), len(month), len(day), len(hour_minute)) == (4, 2, 2, 4), name
