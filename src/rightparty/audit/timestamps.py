# SPDX-License-Identifier: Apache-2.0
"""The one textual form of an instant in audit encodings: `2026-03-02T12:00:00.000000Z`.

Always UTC, always six fraction digits, so every instant has exactly one encoding.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from rightparty.audit.errors import InvalidEncoding

_PATTERN = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})\.([0-9]{6})Z\Z"
)


def format_instant(instant: datetime) -> str:
    """The canonical text of an aware UTC instant."""
    last, last_text = _LAST[0]
    if instant is last:  # the entries of one chunk mostly share one instant
        return last_text
    text = instant.isoformat(timespec="microseconds")
    if not text.endswith("+00:00"):
        message = "only UTC instants have a canonical text"
        raise ValueError(message)
    text = text[:-6] + "Z"
    if type(instant) is datetime:  # immutable: the same object always has the same text
        _LAST[0] = (instant, text)
    return text


_LAST: list[tuple[datetime, str]] = [
    (datetime(1970, 1, 1, tzinfo=UTC), "1970-01-01T00:00:00.000000Z")
]
"""The instant `format_instant` wrote last and its text, swapped whole (one item, one store)."""


def parse_instant(text: str) -> datetime:
    """The instant of a canonical text; anything else (offsets, missing digits) is refused."""
    match = _PATTERN.match(text)
    if match is None:
        message = "time is not in the canonical form YYYY-MM-DDTHH:MM:SS.ffffffZ"
        raise InvalidEncoding(message)
    year, month, day, hour, minute, second, micro = (int(part) for part in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)
    except ValueError as error:
        message = "time names no real instant"
        raise InvalidEncoding(message) from error
