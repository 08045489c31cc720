# SPDX-License-Identifier: Apache-2.0
"""How many SMS segments a text costs (3GPP TS 23.038 alphabets, TS 23.040 concatenation).

A text made only of GSM 03.38 characters is sent as GSM-7: 160 septets in one segment, 153 per
segment once concatenated (the user-data header takes the rest); a character of the extension table
costs two septets (escape + code) and its pair is never split across segments. Any other character
(Chinese, most emoji) switches the whole text to UCS-2: 70 UTF-16 code units in one segment, 67 per
segment concatenated; a character outside the Basic Multilingual Plane is a surrogate pair of two
units, likewise never split.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
"""The 127 printable characters of the GSM 03.38 default alphabet (the escape code is not text)."""

GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
"""Characters of the default extension table; each costs two septets."""

GSM7_SINGLE = 160
GSM7_CONCATENATED = 153
UCS2_SINGLE = 70
UCS2_CONCATENATED = 67


class SmsEncoding(StrEnum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"


@dataclass(frozen=True, slots=True)
class SegmentCount:
    """`units` are septets for GSM-7 and UTF-16 code units for UCS-2."""

    encoding: SmsEncoding
    units: int
    segments: int


def sms_encoding(text: str) -> SmsEncoding:
    """GSM-7 when every character is in the default alphabet or its extension, else UCS-2."""
    for character in text:
        if character not in GSM7_BASIC and character not in GSM7_EXTENSION:
            return SmsEncoding.UCS2
    return SmsEncoding.GSM7


def _unit_costs(text: str, encoding: SmsEncoding) -> list[int]:
    if encoding is SmsEncoding.GSM7:
        return [2 if character in GSM7_EXTENSION else 1 for character in text]
    return [2 if ord(character) > 0xFFFF else 1 for character in text]


def _pack(costs: list[int], capacity: int) -> int:
    """Segments needed when no character's units may straddle two segments."""
    segments, used = 1, 0
    for cost in costs:
        if used + cost > capacity:
            segments += 1
            used = 0
        used += cost
    return segments


def count_segments(text: str) -> SegmentCount:
    """The encoding, units and segments of `text`; an empty text still costs one segment."""
    encoding = sms_encoding(text)
    costs = _unit_costs(text, encoding)
    units = sum(costs)
    single, concatenated = (
        (GSM7_SINGLE, GSM7_CONCATENATED)
        if encoding is SmsEncoding.GSM7
        else (UCS2_SINGLE, UCS2_CONCATENATED)
    )
    segments = 1 if units <= single else _pack(costs, concatenated)
    return SegmentCount(encoding=encoding, units=units, segments=segments)
