# SPDX-License-Identifier: Apache-2.0
"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect
from sqlalchemy.types import TypeDecorator

_Processor = Callable[[Any], Any]


class NaiveDatetimeRefused(ValueError):
    """A naive datetime reached storage; every stored instant must be aware UTC."""


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC in, aware UTC out, on every backend.

    SQLite keeps no offset, so values are normalised to UTC before they are written and the
    offset is put back when they are read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        utc = _aware(value).astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def bind_processor(self, dialect: Dialect) -> _Processor | None:
        """On SQLite, the text SQLAlchemy's `DATETIME` would store, made in one step: every
        instant a run writes passes here, and the two processors chained cost twice as much."""
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        return _sqlite_text

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        message = "refusing to store a naive datetime"
        raise NaiveDatetimeRefused(message)
    return value


def _sqlite_text(value: datetime | None) -> str | None:
    """`2026-03-03 17:00:00.000000`: SQLite `DATETIME`'s storage format (microseconds always
    written, so the text sorts as the instant does)."""
    if value is None:
        return None
    return _aware(value).astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
