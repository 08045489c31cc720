# SPDX-License-Identifier: Apache-2.0
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

import rightparty.db.migrations as package
from rightparty.db import migrate
from rightparty.db.engine import build_engine

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


AT = {"at": datetime(2026, 3, 9, 12, tzinfo=UTC), "deadline": datetime(2026, 3, 16, tzinfo=UTC)}


def _customer(connection, customer_id):
    connection.execute(
        text(
            "INSERT INTO customers (id, external_ref, name_ct, locale, jurisdiction, locations, "
            "created_at, updated_at) VALUES (:id, :id, :name, 'en-US', 'US', '[]', :at, :at)"
        ),
        {"id": customer_id, "name": b"\x00", **AT},
    )


def _case(connection, case_id, customer_id):
    connection.execute(
        text(
            "INSERT INTO cases (id, customer_id, purpose, plan, priority, status, step_index, "
            "opened_at, deadline) VALUES (:id, :customer, 'collections', 'collections', 1, "
            "'open', 0, :at, :deadline)"
        ),
        {"id": case_id, "customer": customer_id, **AT},
    )


def _decisions_at_0005(connection):
    """A customer, a case and three decisions, two of them with the same document."""
    _customer(connection, "c1")
    _case(connection, "k1", "c1")
    for document in DOCUMENTS:
        connection.execute(
            text(
                "INSERT INTO decisions (case_id, allowed, evaluated_at, document) "
                "VALUES ('k1', :allowed, :at, :document)"
            ),
            {"allowed": '"allowed": true' in document, "document": document, **AT},
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


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_at_0006(request, tmp_path):
    """A database of its own migrated to 0006 through an engine, as `rightparty init` does."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'rightparty.db'}"
    else:
        url = request.getfixturevalue("fresh_postgres_url")
    engine = build_engine(url)
    migrate.upgrade(engine, "0006")
    yield engine
    engine.dispose()


def _customer_with_point(connection, customer_id, point_id):
    _customer(connection, customer_id)
    connection.execute(
        text(
            "INSERT INTO contact_points (id, customer_id, position, channel, kind, source, "
            "status, address_ct, address_bidx, time_zones, consecutive_failures) VALUES "
            "(:id, :customer, 0, 'sms', 'mobile', 'customer_provided', 'valid', :address, "
            "1, '[]', 0)"
        ),
        {"id": point_id, "customer": customer_id, "address": b"\x00"},
    )


def _case_and_attempt(connection, *, customer_id, case_customer_id, point_id, attempt_id):
    _case(connection, f"case-{attempt_id}", case_customer_id)
    connection.execute(
        text(
            "INSERT INTO attempts (id, case_id, customer_id, contact_point_id, channel, purpose, "
            "idempotency_key, reference_code_bidx, reference_code_ct, status, created_at) VALUES "
            "(:id, :case, :customer, :point, 'sms', 'collections', :id, 1, :code, 'queued', :at)"
        ),
        {
            "id": attempt_id,
            "case": f"case-{attempt_id}",
            "customer": customer_id,
            "point": point_id,
            "code": b"\x00",
            **AT,
        },
    )


def _attempt_ids(engine):
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT id FROM attempts ORDER BY id").all()
    return [row[0] for row in rows]


def test_attempts_with_decisions_survive_the_move_to_keys_that_name_their_customer(
    engine_at_0006,
):
    with engine_at_0006.begin() as connection:
        _customer_with_point(connection, "c1", "p1")
        _case_and_attempt(
            connection, customer_id="c1", case_customer_id="c1", point_id="p1", attempt_id="a1"
        )
        connection.execute(
            text("INSERT INTO decision_documents (digest, document) VALUES ('d', '{}')")
        )
        connection.execute(
            text(
                "INSERT INTO decisions (case_id, attempt_id, allowed, evaluated_at, "
                "document_digest) VALUES ('case-a1', 'a1', true, :at, 'd')"
            ),
            AT,
        )
    # Through the engine, as `rightparty init` upgrades an existing database: on SQLite the
    # attempts table is rebuilt while decisions refer to it.
    migrate.upgrade(engine_at_0006)

    assert migrate.current_revision(engine_at_0006) == migrate.head_revision()
    assert migrate.schema_drift(engine_at_0006) == []
    assert _attempt_ids(engine_at_0006) == ["a1"]
    with engine_at_0006.connect() as connection:
        decided = connection.exec_driver_sql("SELECT attempt_id FROM decisions").scalar()
        assert decided == "a1"
        # A connection after the migration has its foreign keys on again.
        _customer_with_point(connection, "c2", "p2")
        with pytest.raises(IntegrityError):
            _case_and_attempt(
                connection, customer_id="c1", case_customer_id="c1", point_id="p2", attempt_id="a2"
            )


def _schema(engine):
    """Every table with its columns, indexes and foreign keys, as the database describes them."""
    with engine.connect() as connection:
        inspector = inspect(connection)
        return {
            table: (
                [column["name"] for column in inspector.get_columns(table)],
                sorted(index["name"] for index in inspector.get_indexes(table)),
                sorted(key["name"] or "" for key in inspector.get_foreign_keys(table)),
            )
            for table in inspector.get_table_names()
        }


def test_an_attempt_on_another_customers_point_stops_the_upgrade_and_changes_nothing(
    engine_at_0006,
):
    with engine_at_0006.begin() as connection:
        _customer_with_point(connection, "c1", "p1")
        _customer_with_point(connection, "c2", "p2")
        _case_and_attempt(
            connection, customer_id="c1", case_customer_id="c1", point_id="p2", attempt_id="a1"
        )
    before = _schema(engine_at_0006)

    with pytest.raises((IntegrityError, migrate.BrokenReferences)):
        migrate.upgrade(engine_at_0006)

    assert migrate.current_revision(engine_at_0006) == "0006"
    assert _attempt_ids(engine_at_0006) == ["a1"]
    # Its DDL undone too (no index created, no table half rebuilt), so once the data is put
    # right the same upgrade goes through.
    assert _schema(engine_at_0006) == before
    with engine_at_0006.begin() as connection:
        connection.exec_driver_sql("UPDATE attempts SET contact_point_id = 'p1'")
    migrate.upgrade(engine_at_0006)
    assert migrate.current_revision(engine_at_0006) == migrate.head_revision()
    if engine_at_0006.dialect.name == "sqlite":  # PostgreSQL has no switch to leave off
        with engine_at_0006.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
