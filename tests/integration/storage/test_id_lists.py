# SPDX-License-Identifier: Apache-2.0
"""`in_ids` selects exactly the rows whose id is in the bound list, on both backends, whatever
the list's length; PostgreSQL gets one array parameter, SQLite an expanding `IN`."""

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from rightparty.db.id_lists import in_ids

pytestmark = pytest.mark.integration

METADATA = MetaData()
ROWS = Table(
    "id_list_probe",
    METADATA,
    Column("id", String(36), primary_key=True),
    Column("kind", Integer, nullable=False),
)
BY_ID = select(ROWS.c.id).where(in_ids(ROWS.c.id)).order_by(ROWS.c.id)
ODD_IDS = ["a'b", "名字", "x; DROP TABLE id_list_probe", "", "%(ids)s", "?"]


@pytest.fixture
def probe(storage):
    METADATA.create_all(storage.connection)
    ids = [f"r{number:03d}" for number in range(600)] + ODD_IDS
    storage.connection.execute(
        ROWS.insert(), [{"id": row_id, "kind": number % 3} for number, row_id in enumerate(ids)]
    )
    yield storage.connection
    METADATA.drop_all(storage.connection)


def test_rows_whose_id_is_listed_and_no_others(probe):
    wanted = ["r005", "r599", "r100", "absent", "r005"]
    found = probe.execute(BY_ID, {"ids": wanted}).scalars().all()
    assert found == ["r005", "r100", "r599"]


def test_lists_of_any_length_reuse_the_statement(probe):
    for size in (1, 2, 499, 600):
        wanted = [f"r{number:03d}" for number in range(size)]
        assert probe.execute(BY_ID, {"ids": wanted}).scalars().all() == wanted


def test_an_empty_list_selects_nothing(probe):
    assert probe.execute(BY_ID, {"ids": []}).scalars().all() == []


def test_ids_are_bound_as_values_never_as_sql(probe):
    found = probe.execute(BY_ID, {"ids": ODD_IDS}).scalars().all()
    assert sorted(found) == sorted(ODD_IDS)
    assert probe.execute(select(ROWS.c.id).where(ROWS.c.id == "r000")).scalar() == "r000"


def test_combines_with_other_conditions_in_an_update(probe):
    statement = (
        update(ROWS)
        .where(ROWS.c.kind == bindparam("old_kind"), in_ids(ROWS.c.id))
        .values(kind=7)
        .returning(ROWS.c.id)
    )
    changed = probe.execute(statement, {"old_kind": 0, "ids": ["r000", "r001", "r003"]})
    assert sorted(changed.scalars()) == ["r000", "r003"]
    assert probe.execute(select(ROWS.c.kind).where(ROWS.c.id == "r001")).scalar() == 1


def test_postgresql_binds_one_array_and_sqlite_an_expanding_list():
    on_postgresql = str(BY_ID.compile(dialect=postgresql.dialect()))
    on_sqlite = str(BY_ID.compile(dialect=sqlite.dialect()))
    assert "id_list_probe.id = ANY (%(ids)s::VARCHAR[])" in on_postgresql
    assert "id_list_probe.id IN (__[POSTCOMPILE_ids])" in on_sqlite
    assert "= 1" not in on_sqlite  # a comparison, not a boolean column to compare with true


def test_an_id_longer_than_the_column_finds_nothing_not_its_prefix(probe):
    """A bounded VARCHAR cast would cut it to the column's length and find that prefix's row."""
    stored = "r" + "0" * 35  # the column's full 36 characters
    probe.execute(ROWS.insert(), [{"id": stored, "kind": 0}])
    assert probe.execute(BY_ID, {"ids": [stored]}).scalars().all() == [stored]
    assert probe.execute(BY_ID, {"ids": [stored + "-and-more"]}).scalars().all() == []
