# SPDX-License-Identifier: Apache-2.0
"""Masked forms of personal data: what a person sees unless they reveal the value on purpose.

Pure functions of their input; they never raise on odd input, they mask more. Rules:

- **phone** (E.164 in): `+<country code> ` then the national number with at most its first 3 and
  last 4 digits shown and at least 3 hidden (at least half when it has fewer than 6 digits):
  `+8613812345544` -> `+86 138****5544`, `+12125550100` -> `+1 212***0100`. The country calling
  code is split off by ITU-T E.164's prefix rule (below), or passed as `country_code`; privacy may
  not import phonenumbers, and the rule is checked against phonenumbers' table in the tests.
- **email**: the first character of the local part, `***`, then the domain: `z***@example.com`.
- **name**: Han, Kana or Hangul names keep the first and, from three characters on, the last
  character: `王小明` -> `王*明`, `王明` -> `王*`, `欧阳小明` -> `欧**明`. Other scripts keep each
  word's first letter: `John Smith` -> `J*** S****`; digits are hidden.
- **address**: the area stays, the street goes. Comma- or line-separated addresses hide their
  first part (street, house, flat) and any part before their last two, and keep those two with
  their digits hidden: `221B Baker Street, London NW1 6XE, United Kingdom` ->
  `****, London NW* *XE, United Kingdom`; Chinese and Japanese addresses
  keep the text up to the district (`区`, `县`, `旗`; else the city, `市`) and hide the rest:
  `上海市浦东新区世纪大道100号` -> `上海市浦东新区****`.
"""

from __future__ import annotations

import re

HIDDEN = "****"

# Country calling codes are a prefix code (ITU-T E.164): 1 and 7 are the only one-digit codes,
# these are the two-digit ones, and every other code has three digits.
_ONE_DIGIT_CODES = frozenset({"1", "7"})
_TWO_DIGIT_CODES = frozenset(
    str(code)
    for code in (
        *(20, 27, *range(30, 35), 36, 39, 40, 41, *range(43, 50), *range(51, 59)),
        *(*range(60, 67), 81, 82, 84, 86, *range(90, 96), 98),
    )
)
_E164 = re.compile(r"\+([1-9][0-9]{4,14})")
_LETTERS = re.compile(r"[^\W\d_]+")
_EAST_ASIAN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f]"
)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_PARTS = re.compile(r"\s*[,\n\uff0c]\s*")  # ASCII or full-width comma, or a new line
_DISTRICT = re.compile(r"[区區县縣旗]")
_CITY = re.compile(r"市")
_DIGIT = re.compile(r"\d")


def calling_code(digits: str) -> str:
    """The country calling code at the start of an E.164 number's digits (without `+`)."""
    if digits[:1] in _ONE_DIGIT_CODES:
        return digits[:1]
    if digits[:2] in _TWO_DIGIT_CODES:
        return digits[:2]
    return digits[:3]


def mask_phone(e164: str, *, country_code: int | str | None = None) -> str:
    """`+86 138****5544`; input that is not E.164 is hidden entirely."""
    match = _E164.fullmatch(e164.strip())
    if match is None:
        return HIDDEN
    digits = match.group(1)
    code = calling_code(digits) if country_code is None else str(country_code).lstrip("+")
    if not digits.startswith(code) or len(digits) - len(code) < 2:
        return HIDDEN
    national = digits[len(code) :]
    length = len(national)
    tail = min(4, length // 3 + 1)
    head = max(0, min(3, length - tail - 3))
    hidden = length - head - tail
    return f"+{code} {national[:head]}{'*' * hidden}{national[length - tail :]}"


def mask_email(address: str) -> str:
    """`z***@example.com`; input without a local part and a domain is hidden entirely."""
    local, separator, domain = address.strip().rpartition("@")
    if not separator or not local or not domain:
        return HIDDEN
    return f"{local[0]}***@{domain}"


def mask_name(name: str) -> str:
    """`王*明`, `王*`, `J*** S****`."""
    text = " ".join(name.split())
    if _EAST_ASIAN.search(text):
        compact = "".join(text.split())
        return "·".join(_mask_east_asian(segment) for segment in compact.split("·"))
    masked = _LETTERS.sub(lambda word: word.group()[0] + "*" * (len(word.group()) - 1), text)
    return _DIGIT.sub("*", masked)


def mask_address(address: str) -> str:
    """The area of an address without its street, house or flat."""
    text = address.strip()
    if not text:
        return ""
    if _HAN.search(text) and not _PARTS.search(text):
        compact = "".join(text.split())
        end = _district_end(compact)
        return compact[:end] + HIDDEN if end else HIDDEN
    parts = [part for part in _PARTS.split(text) if part]
    keep_from = max(1, len(parts) - 2)
    kept = [_DIGIT.sub("*", " ".join(part.split())) for part in parts[keep_from:]]
    return ", ".join([HIDDEN] * keep_from + kept)


def _mask_east_asian(segment: str) -> str:
    if len(segment) <= 1:
        return "*" * len(segment)
    if len(segment) == 2:
        return segment[0] + "*"
    return segment[0] + "*" * (len(segment) - 2) + segment[-1]


def _district_end(compact: str) -> int:
    district = _DISTRICT.search(compact)
    if district is not None and district.end() < len(compact):
        return district.end()
    cities = [match.end() for match in _CITY.finditer(compact) if match.end() < len(compact)]
    return cities[-1] if cities else 0
