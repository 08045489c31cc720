# SPDX-License-Identifier: Apache-2.0
"""The `storage` fixture reaches both backends and isolates tests from each other."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, select

from rightparty.bootstrap import bootstrap, initialise
from rightparty.config import DatabaseSettings, KeySettings, Settings
from rightparty.privacy.keys import InMemoryKeyProvider
from tests.storage import Storage

pytestmark = pytest.mark.integration


def _scratch_table() -> Table:
    return Table(
        "scratch_probe",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("label", String(40), nullable=False),
        Column("at", DateTime(timezone=True), nullable=False),
    )


def test_a_table_is_created_written_read_and_dropped(storage):
    table = _scratch_table()
    at = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    with storage.session() as session:
        table.create(session.connection())
        session.execute(table.insert().values(id=1, label="probe", at=at))
        session.commit()
    with storage.session() as session:
        row = session.execute(select(table.c.label, table.c.at)).one()
        assert row.label == "probe"
        assert row.at.replace(tzinfo=row.at.tzinfo or UTC) == at
        table.drop(session.connection())
        session.commit()
    assert storage.connection.dialect.name == storage.backend


def test_postgres_work_is_invisible_outside_the_test_transaction(postgres_engine):
    table = _scratch_table()
    with postgres_engine.connect() as connection:
        outer = connection.begin()
        storage = Storage("postgresql", postgres_engine, connection)
        with storage.session() as session:
            table.create(session.connection())
            session.commit()
        with postgres_engine.connect() as other:
            seen_during = _count_probe_tables(other)
        outer.rollback()
    with postgres_engine.connect() as other:
        seen_after = _count_probe_tables(other)
    assert (seen_during, seen_after) == (0, 0)


def _count_probe_tables(connection):
    return connection.exec_driver_sql(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'scratch_probe'"
    ).scalar()


def test_bootstrap_creates_the_embedded_database_folder(tmp_path):
    database = tmp_path / "var" / "rightparty.db"
    settings = Settings(database=DatabaseSettings(url=f"sqlite:///{database}"))
    application = bootstrap(settings, keys=InMemoryKeyProvider.generate())
    try:
        with application.engine.connect() as connection:
            mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        assert mode == "wal"
        assert database.exists()
    finally:
        application.close()


def test_the_key_cache_holds_as_many_customers_as_the_settings_say(tmp_path):
    settings = Settings(
        database=DatabaseSettings(url=f"sqlite:///{tmp_path / 'rightparty.db'}"),
        keys=KeySettings(keyring=tmp_path / "keyring.json", cache_size=2),
    )
    initialise(settings)
    application = bootstrap(settings)
    try:
        cipher = application.protection.cipher
        assert cipher.cache_size == 2
        with application.unit_of_work() as uow:
            for customer_id in ("c1", "c2", "c3"):
                cipher.encrypt(customer_id, "customers", "name", "x")
            uow.commit()  # keys created in a transaction that rolls back are forgotten
        assert "cached_customers=2" in repr(cipher)
    finally:
        application.close()
