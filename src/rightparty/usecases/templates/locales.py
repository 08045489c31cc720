# SPDX-License-Identifier: Apache-2.0
"""The locales messages are written in, and how a customer's locale tag maps to one of them."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError

SUPPORTED_LOCALES = ("en", "zh-CN")
"""Every purpose has text for every channel in each of these (tests/unit/templates prove it)."""

DEFAULT_LOCALE = "en"

_BY_LANGUAGE = {"en": "en", "zh": "zh-CN"}


@lru_cache(maxsize=256)
def negotiate_locale(tag: str) -> str:
    """The supported locale for a customer's tag: `zh_CN`, `zh-CN`, `zh`, `zh-Hans-CN` give
    `zh-CN`; `en_US`, `en-GB`, `en` give `en`; anything else, malformed included, the default.

    Chinese is matched by language alone: simplified text serves a `zh-TW` reader better than
    English until a traditional locale is written.
    """
    try:
        parsed = Locale.parse(tag.strip().replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return DEFAULT_LOCALE
    return _BY_LANGUAGE.get(parsed.language, DEFAULT_LOCALE)


@lru_cache(maxsize=64)
def babel_locale(locale: str) -> Locale:
    """The Babel locale of a supported locale, for dates and amounts (parsed once each)."""
    return Locale.parse(locale.replace("-", "_"))
