# SPDX-License-Identifier: Apache-2.0
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

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


DOCUMENTS = (
    '{"allowed": true, "reasons": []}',
    '{"allowed": false, "reasons": [{"code": "QUIET_HOURS"}]}',
    '{"allowed": true, "reasons": []}',
)


def _decisions_at_0005(connection):
    """A customer, a case and three decisions, two of them with the same document."""
    at = {"at": datetime(2026, 3, 9, 12, tzinfo=UTC), "deadline": datetime(2026, 3, 16, tzinfo=UTC)}
    connection.execute(
        text(
            "INSERT INTO customers (id, external_ref, name_ct, locale, jurisdiction, locations, "
            "created_at, updated_at) VALUES ('c1', 'R1', :name, 'en-US', 'US', '[]', :at, :at)"
        ),
        {"name": b"\x00", **at},
    )
    connection.execute(
        text(
            "INSERT INTO cases (id, customer_id, purpose, plan, priority, status, step_index, "
            "opened_at, deadline) VALUES ('k1', 'c1', 'collections', 'collections', 1, "
            "'open', 0, :at, :deadline)"
        ),
        at,
    )
    for document in DOCUMENTS:
        connection.execute(
            text(
                "INSERT INTO decisions (case_id, allowed, evaluated_at, document) "
                "VALUES ('k1', :allowed, :at, :document)"
            ),
            {"allowed": '"allowed": true' in document, "document": document, **at},
        )


def test_existing_decisions_keep_their_documents_each_stored_once(storage):
    connection = storage.connection
    migrate.upgrade(connection, "0005")
    _decisions_at_0005(connection)
    migrate.upgrade(connection)
    rows = connection.exec_driver_sql(
        "SELECT d.document_digest, CAST(x.document AS TEXT) FROM decisions d "
        "JOIN decision_documents x ON x.digest = d.document_digest ORDER BY d.id"
    ).all()
    assert [row[1] for row in rows] == list(DOCUMENTS)
    assert [row[0] for row in rows] == [
        hashlib.sha256(document.encode()).hexdigest() for document in DOCUMENTS
    ]
    stored = connection.exec_driver_sql("SELECT count(*) FROM decision_documents").scalar()
    assert stored == 2
    migrate.downgrade(connection, "0005")
    back = connection.exec_driver_sql("SELECT CAST(document AS TEXT) FROM decisions ORDER BY id")
    assert [json.loads(row[0]) for row in back] == [json.loads(d) for d in DOCUMENTS]
    assert "decision_documents" not in _tables(connection)
