# SPDX-License-Identifier: Apache-2.0
"""The Jinja2 environment messages are rendered in, with Babel's formatting as filters.

Templates are package data under `messages/<locale>/`; an undefined variable is an error
(`StrictUndefined`), never an empty string, so a template cannot silently drop the reference code
or print a value the context was not given. Messages are plain text; a template named `*.html.j2`
would be autoescaped.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency
from jinja2 import (
    BaseLoader,
    Environment,
    PackageLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context

from rightparty.usecases.templates.locales import babel_locale

_PACKAGE = "rightparty.usecases.templates"
_FOLDER = "messages"


@pass_context
def _date(context: Context, value: datetime) -> str:
    """A long date (`March 2, 2026`, `2026年3月2日`) on the customer's calendar."""
    local = value.astimezone(ZoneInfo(context["time_zone"]))
    return format_date(local, format="long", locale=babel_locale(context["locale"]))


@pass_context
def _datetime(context: Context, value: datetime) -> str:
    """Date and time in the customer's zone, in the message's locale."""
    return format_datetime(
        value,
        format="medium",
        tzinfo=ZoneInfo(context["time_zone"]),
        locale=babel_locale(context["locale"]),
    )


@pass_context
def _currency(context: Context, amount: Decimal | int, currency: str) -> str:
    """A sum as the message's locale writes it (`$1,234.50`, `US$1,234.50` in Chinese).

    No shipped template prints a sum: the content rules refuse amounts on texts and pushes.
    The filter is here for a bank's own letter templates where its packs allow one.
    """
    return format_currency(amount, currency, locale=babel_locale(context["locale"]))


def _spell(code: str) -> str:
    """A code read aloud one character at a time: `7K2Q` as `7 K 2 Q`."""
    return " ".join(code)


def build_environment(loader: BaseLoader) -> Environment:
    """An environment over any loader; tests pass a `DictLoader` of deliberately bad templates."""
    environment = Environment(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=select_autoescape(
            enabled_extensions=("html.j2", "xml.j2"), default_for_string=False, default=False
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,
    )
    environment.filters.update(
        {"date": _date, "datetime": _datetime, "currency": _currency, "spell": _spell}
    )
    return environment


@lru_cache(maxsize=1)
def message_environment() -> Environment:
    """The environment of the shipped templates, built on first use (no I/O at import)."""
    return build_environment(PackageLoader(_PACKAGE, _FOLDER))
