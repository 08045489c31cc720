# SPDX-License-Identifier: Apache-2.0
"""`BulkInsert` hands `bytes` for a binary column to the driver as they are: what is stored is
what SQLAlchemy's own insert stores, and any other value is still processed as SQLAlchemy would."""

import pytest
from sqlalchemy import Column, Integer, LargeBinary, MetaData, Table, func, insert, select

from rightparty.db.bulk_insert import BulkInsert

pytestmark = pytest.mark.integration

BLOBS = Table(
    "bulk_binary_probe",
    MetaData(),
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("blob", LargeBinary),
)
VALUES = [b"\x00\xff", b"", None, b"x" * 300]


@pytest.fixture
def session(app):
    with app.session_factory() as session:
        BLOBS.create(session.connection())
        yield session
        session.rollback()


def _stored(session, ids):
    length = func.length(BLOBS.c.blob)
    rows = session.execute(
        select(BLOBS.c.blob, length).where(BLOBS.c.id.in_(ids)).order_by(BLOBS.c.id)
    )
    return [(None if blob is None else bytes(blob), size) for blob, size in rows]


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_binary_values_are_stored_as_sqlalchemys_insert_stores_them(session, kind):
    given = [None if value is None else kind(value) for value in VALUES]
    session.execute(insert(BLOBS), [{"id": n, "blob": v} for n, v in enumerate(given)])
    BulkInsert(BLOBS, ("id", "blob")).execute(
        session.connection(), [(n + 10, v) for n, v in enumerate(given)]
    )
    assert _stored(session, range(10, 14)) == _stored(session, range(4))
    assert [blob for blob, _ in _stored(session, range(10, 14))] == VALUES
    if session.bind.dialect.name == "sqlite":
        types = session.scalars(
            select(func.typeof(BLOBS.c.blob)).where(BLOBS.c.id >= 10).order_by(BLOBS.c.id)
        )
        assert list(types) == ["blob", "blob", "null", "blob"]


def test_rows_of_different_lengths_are_refused(session):
    with pytest.raises(ValueError):  # noqa: PT011 - zip's own message
        BulkInsert(BLOBS, ("id", "blob")).execute(session.connection(), [(1, b"x"), (2,)])
