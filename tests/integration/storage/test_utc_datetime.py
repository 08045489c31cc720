# SPDX-License-Identifier: Apache-2.0
"""`UTCDateTime` on SQLite writes in one step exactly the text SQLAlchemy's `DATETIME` would
write after the type's own conversion, so stored instants compare and sort as before."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.sqlite import DATETIME

from rightparty.db.types import NaiveDatetimeRefused, UTCDateTime

pytestmark = pytest.mark.integration
SQLITE = sqlite.dialect()
aware_instants = st.datetimes(
    # Hypothesis bounds are naive by its API; the values drawn are aware UTC.
    min_value=datetime(1, 1, 2),  # noqa: DTZ001
    max_value=datetime(9999, 12, 30),  # noqa: DTZ001
    timezones=st.just(UTC),
).flatmap(
    lambda instant: st.integers(-14 * 60, 14 * 60).map(
        lambda minutes: instant.astimezone(timezone(timedelta(minutes=minutes)))
    )
)


def _chained(value: datetime) -> str:
    """What the type's `process_bind_param` followed by SQLite `DATETIME`'s processor give."""
    converted = UTCDateTime().process_bind_param(value, SQLITE)
    processor = DATETIME().bind_processor(SQLITE)
    assert processor is not None
    return str(processor(converted))


@given(aware_instants)
def test_the_one_step_text_is_the_chained_text(value):
    processor = UTCDateTime().dialect_impl(SQLITE).bind_processor(SQLITE)
    assert processor is not None
    assert processor(value) == _chained(value)


def test_none_stays_none_and_a_naive_instant_is_refused():
    processor = UTCDateTime().dialect_impl(SQLITE).bind_processor(SQLITE)
    assert processor is not None
    assert processor(None) is None
    with pytest.raises(NaiveDatetimeRefused):
        processor(datetime(2026, 3, 3, 12, 0))  # noqa: DTZ001 - the naive value refused


def test_instants_round_trip_through_sqlite_and_compare_in_sql(tmp_path):
    metadata = MetaData()
    table = Table(
        "instants", metadata, Column("n", Integer, primary_key=True), Column("at", UTCDateTime)
    )
    engine = create_engine(f"sqlite:///{tmp_path / 'instants.db'}")
    shanghai = timezone(timedelta(hours=8))
    values = [
        datetime(2026, 3, 3, 17, 0, tzinfo=UTC),
        datetime(2026, 3, 4, 0, 30, 0, 5, tzinfo=shanghai),  # 16:30:00.000005 UTC, earlier
        datetime(2026, 3, 3, 17, 0, 0, 1, tzinfo=UTC),
    ]
    try:
        metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(insert(table), [{"n": n, "at": at} for n, at in enumerate(values)])
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT at FROM instants ORDER BY n")).scalars()
            assert list(stored) == [
                "2026-03-03 17:00:00.000000",
                "2026-03-03 16:30:00.000005",
                "2026-03-03 17:00:00.000001",
            ]
            read = connection.execute(select(table.c.at).order_by(table.c.n)).scalars().all()
            assert read == values
            assert all(instant.tzinfo is UTC for instant in read)
            later = select(table.c.n).where(table.c.at > values[0]).order_by(table.c.n)
            assert connection.execute(later).scalars().all() == [2]
    finally:
        engine.dispose()
