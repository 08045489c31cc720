# SPDX-License-Identifier: Apache-2.0
"""`BulkInsert` stores what SQLAlchemy's own executemany stores, and fails the same way."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    cast,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from rightparty.db.bulk_insert import BulkInsert, BulkUpdate
from rightparty.db.types import UTCDateTime

pytestmark = pytest.mark.integration

PROBE = Table(
    "bulk_insert_probe",
    MetaData(),
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("name", String(16)),
    Column("flag", Boolean),
    Column("at", UTCDateTime()),
    Column("document", JSON()),
    Column("blob", LargeBinary),
    Column("big", BigInteger),
)
COLUMNS = tuple(PROBE.c.keys())
SHANGHAI = timezone(timedelta(hours=8))


@pytest.fixture
def session(app):
    with app.session_factory() as session:
        PROBE.create(session.connection())
        yield session
        session.rollback()


def _rows(first_id):
    at = datetime(2026, 3, 2, 20, 0, 0, 250, tzinfo=SHANGHAI)
    return [
        (first_id, "é", True, at, {"allowed": True, "é": [1, None]}, b"\x00\xff", 2**40),
        (first_id + 1, None, False, at, {"allowed": False}, b"", -1),
        (first_id + 2, "c", None, None, {}, None, None),
    ]


def _stored(session, first_id):
    ids = [first_id, first_id + 1, first_id + 2]
    raw = session.execute(
        select(*(cast(column, Text) for column in PROBE.c if column.name not in ("id", "blob")))
        .where(PROBE.c.id.in_(ids))
        .order_by(PROBE.c.id)
    ).all()
    typed = session.execute(
        select(*(column for column in PROBE.c if column.name != "id"))
        .where(PROBE.c.id.in_(ids))
        .order_by(PROBE.c.id)
    ).all()
    return [tuple(row) for row in raw], [tuple(row) for row in typed]


def test_rows_are_stored_as_sqlalchemys_insert_stores_them(session):
    core = [dict(zip(COLUMNS, row, strict=True)) for row in _rows(1)]
    session.execute(insert(PROBE), core)
    BulkInsert(PROBE, COLUMNS).execute(session.connection(), _rows(11))
    assert _stored(session, 11) == _stored(session, 1)
    typed = _stored(session, 11)[1]
    assert typed[0][2] == datetime(2026, 3, 2, 12, 0, 0, 250, tzinfo=UTC)
    assert [None if row[4] is None else bytes(row[4]) for row in typed] == [b"\x00\xff", b"", None]


def test_a_final_column_takes_its_value_as_given(session):
    rows = [(*row[:4], '{"allowed": true}', *row[5:]) for row in _rows(21)]
    BulkInsert(PROBE, COLUMNS, final=("document",)).execute(session.connection(), rows)
    (raw, typed) = _stored(session, 21)
    assert [row[3] for row in typed] == [{"allowed": True}] * 3
    assert [row[3] for row in raw] == ['{"allowed": true}'] * 3


def test_a_duplicate_key_fails_with_sqlalchemys_integrity_error(session):
    bulk = BulkInsert(PROBE, COLUMNS)
    bulk.execute(session.connection(), _rows(31))
    with pytest.raises(IntegrityError):
        bulk.execute(session.connection(), _rows(33))


def test_unknown_columns_are_refused():
    with pytest.raises(ValueError, match="columns not in bulk_insert_probe"):
        BulkInsert(PROBE, ("id", "nope"))
    with pytest.raises(ValueError, match="columns not in bulk_insert_probe"):
        BulkInsert(PROBE, ("id",), final=("name",))


def test_rows_are_updated_as_sqlalchemys_update_stores_them(session):
    """Both sets of rows start empty, then get the same values: one through SQLAlchemy's
    executemany of an UPDATE, the other through `BulkUpdate`."""
    empty = [(row[0], None, None, None, None, None, None) for row in (*_rows(41), *_rows(51))]
    BulkInsert(PROBE, COLUMNS).execute(session.connection(), empty)
    by_core = [dict(zip(COLUMNS, row, strict=True)) for row in _rows(41)]
    core = update(PROBE).where(PROBE.c.id == bindparam("key"))
    session.execute(
        core.values({name: bindparam(name) for name in COLUMNS if name != "id"}),
        [{**row, "key": row["id"]} for row in by_core],
    )
    columns = [name for name in COLUMNS if name != "id"]
    BulkUpdate(PROBE, columns).execute(
        session.connection(), [dict(zip(COLUMNS, row, strict=True)) for row in _rows(51)]
    )
    assert _stored(session, 51) == _stored(session, 41)
    assert _stored(session, 51)[1][0][2] == datetime(2026, 3, 2, 12, 0, 0, 250, tzinfo=UTC)


def test_an_update_sets_only_its_columns_and_only_its_rows(session):
    BulkInsert(PROBE, COLUMNS).execute(session.connection(), _rows(61))
    BulkUpdate(PROBE, ("name",)).execute(
        session.connection(), [{"id": 62, "name": "new", "flag": True}]
    )
    typed = _stored(session, 61)[1]
    assert [(row[0], row[1]) for row in typed] == [("é", True), ("new", False), ("c", None)]


def test_an_update_with_unknown_columns_or_its_key_among_them_is_refused():
    with pytest.raises(ValueError, match="columns not in bulk_insert_probe"):
        BulkUpdate(PROBE, ("nope",))
    with pytest.raises(ValueError, match="columns not in bulk_insert_probe"):
        BulkUpdate(PROBE, ("name", "id"))


def test_skip_existing_leaves_stored_rows_alone_and_adds_the_others(session):
    connection = session.connection()
    BulkInsert(PROBE, ("id", "name")).execute(connection, [(1, "first")])
    skipping = BulkInsert(PROBE, ("id", "name"), skip_existing=True)
    skipping.execute(connection, [(1, "again"), (2, "second"), (2, "twice")])
    stored = connection.execute(select(PROBE.c.id, PROBE.c.name).order_by(PROBE.c.id)).all()
    assert [tuple(row) for row in stored] == [(1, "first"), (2, "second")]
    with pytest.raises(IntegrityError):
        BulkInsert(PROBE, ("id", "name")).execute(connection, [(1, "again")])
