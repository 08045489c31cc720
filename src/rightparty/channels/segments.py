# SPDX-License-Identifier: Apache-2.0
"""SMS segment counting for the channel layer; the counter itself is pure and lives in the domain,
so the content check of `rightparty.usecases.templates` counts segments the same way."""

from __future__ import annotations

from rightparty.domain.segments import (
    GSM7_BASIC,
    GSM7_CONCATENATED,
    GSM7_EXTENSION,
    GSM7_SINGLE,
    UCS2_CONCATENATED,
    UCS2_SINGLE,
    SegmentCount,
    SmsEncoding,
    count_segments,
    sms_encoding,
)

__all__ = [
    "GSM7_BASIC",
    "GSM7_CONCATENATED",
    "GSM7_EXTENSION",
    "GSM7_SINGLE",
    "UCS2_CONCATENATED",
    "UCS2_SINGLE",
    "SegmentCount",
    "SmsEncoding",
    "count_segments",
    "sms_encoding",
]
