# SPDX-License-Identifier: Apache-2.0
"""Unambiguous byte framing for associated data and key contexts.

Each part is preceded by its length as a 4-byte big-endian integer, so ("ab", "c") and ("a", "bc")
can never frame to the same bytes: a value bound to customer "c1" and table "0x" cannot be replayed
as customer "c10" and table "x".
"""

from __future__ import annotations


def frame(label: bytes, *parts: str | bytes | int) -> bytes:
    """`label` followed by each part, length-prefixed; strings as UTF-8, integers as 4 bytes."""
    pieces = [label]
    for part in parts:
        if isinstance(part, int):
            pieces.append(b"\x00\x00\x00\x04" + part.to_bytes(4, "big"))
            continue
        data = part.encode("utf-8") if isinstance(part, str) else part
        pieces.append(len(data).to_bytes(4, "big") + data)
    return b"".join(pieces)
