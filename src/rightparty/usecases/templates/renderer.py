# SPDX-License-Identifier: Apache-2.0
"""Rendering one message: pick the template, give it the least data the channel may show, render,
then check the result against the content rules of the customer's packs; refuse what fails.

Template lookup, in `messages/`: `<locale>/<purpose>.<channel>.txt.j2` when a purpose needs its own
text on a channel, else `<locale>/<purpose>.txt.j2`, which extends the channel's layout
(`<locale>/_layout/<channel>.txt.j2`). The layout places the reference code, the way to verify
it, and the disclosures and opt-out line the content rules require.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, Template, TemplateNotFound

from rightparty.domain.errors import RightpartyError
from rightparty.domain.vocabulary import Channel, Purpose
from rightparty.usecases.templates.content_check import ContentViolation, check_content
from rightparty.usecases.templates.content_rules import (
    Check,
    ContentRule,
    ContentRules,
    shipped_content_rules,
)
from rightparty.usecases.templates.environment import message_environment
from rightparty.usecases.templates.locales import negotiate_locale
from rightparty.usecases.templates.message import RenderedMessage

NAME_CHANNELS = frozenset({Channel.LETTER})
"""Channels whose rendering context may hold the customer's name at all (a sealed letter)."""

_NAME_SLOT = "\ue000"
"""Stands for the name while the text is checked (a private-use character no template writes):
the rules judge the template's words, and a customer called Police or 安全 must not have their
letter or alert refused for it."""

_SINGLE_LINE = frozenset({Channel.SMS, Channel.PUSH, Channel.VOICE})
_SUBJECTLESS = frozenset({Channel.SMS, Channel.VOICE})
"""A text or a call carries no subject line: its title part is not rendered (a pass saved)."""
_SPACES = re.compile(r"[ \t]*\t[ \t]*| {2,}")
"""Runs of spaces and tabs that `_tidy` turns into one space (a lone space is one already)."""
_BLANK_LINES = re.compile(r"\n{3,}")


class ContentRefused(RightpartyError):
    """A rendered message broke content rules; it carries the codes and rules, never the text."""

    code = "CONTENT_REFUSED"

    def __init__(
        self,
        purpose: Purpose,
        channel: Channel,
        locale: str,
        violations: Sequence[ContentViolation],
    ) -> None:
        self.purpose = purpose
        self.channel = channel
        self.locale = locale
        self.violations = tuple(violations)
        self.codes = tuple(dict.fromkeys(violation.code.value for violation in self.violations))
        broken = ", ".join(f"{violation.code} ({violation.rule})" for violation in self.violations)
        super().__init__(f"{purpose} message by {channel} in {locale} refused: {broken}")


class TemplateMissing(RightpartyError):
    code = "TEMPLATE_MISSING"

    def __init__(self, purpose: Purpose, channel: Channel, locale: str) -> None:
        super().__init__(f"no template for {purpose} by {channel} in {locale}")
        self.purpose = purpose
        self.channel = channel
        self.locale = locale


def template_names(purpose: Purpose, channel: Channel, locale: str) -> tuple[str, str]:
    """The names looked up, most specific first."""
    return (f"{locale}/{purpose}.{channel}.txt.j2", f"{locale}/{purpose}.txt.j2")


def render_message(
    purpose: Purpose,
    channel: Channel,
    locale: str,
    reference_code: str,
    *,
    packs: Sequence[str],
    sent_at: datetime,
    time_zone: str | None = None,
    customer_name: str | None = None,
    rules: ContentRules | None = None,
    environment: Environment | None = None,
) -> RenderedMessage:
    """The checked text of one message; raises `ContentRefused` when a rule of `packs` is broken.

    `locale` is the customer's tag (`zh_CN`, `en-US`…), negotiated to a supported locale.
    `sent_at` is dated in `time_zone` (UTC when the customer has none). `customer_name` reaches
    the template only on a channel that may show it (`NAME_CHANNELS`, and no `no_name` rule of
    the packs on it); elsewhere the context has no such variable, so no template can print it.
    """
    environment = environment if environment is not None else message_environment()
    supported = negotiate_locale(locale)
    if rules is None:
        content_rules = shipped_content_rules()
        applicable = _shipped_rules_for(tuple(packs), channel, purpose)
    else:
        content_rules = rules
        applicable = _rules_for(rules, packs, channel, purpose)
    zone = _zone(time_zone)
    context: dict[str, object] = {
        "locale": supported,
        "time_zone": zone.key,
        "channel": channel.value,
        "purpose": purpose.value,
        "layout": f"{supported}/_layout/{channel}.txt.j2",
        "reference_code": reference_code,
        "sent_at": sent_at.astimezone(zone),
        "disclosures": tuple(
            sorted({rule.disclosure for rule in applicable if rule.disclosure is not None})
        ),
        "opt_out": any(rule.check is Check.OPT_OUT for rule in applicable),
    }
    name_hidden = any(rule.check is Check.NO_NAME for rule in applicable)
    shown_name = " ".join(customer_name.split()) if customer_name else ""
    if shown_name and channel in NAME_CHANNELS and not name_hidden:
        context["customer_name"] = _NAME_SLOT
    try:
        template = _selected(environment, template_names(purpose, channel, supported))
    except TemplateNotFound as error:
        raise TemplateMissing(purpose, channel, supported) from error
    title = (
        ""
        if channel in _SUBJECTLESS
        else _tidy(template.render(context, part="title"), single_line=True)
    )
    body = _tidy(template.render(context, part="body"), single_line=channel in _SINGLE_LINE)
    message = RenderedMessage(body=body, locale=supported, subject=title or None)
    violations = check_content(
        message,
        channel=channel,
        purpose=purpose,
        reference_code=reference_code,
        rules=applicable,
        phrases=content_rules.phrases,
    )
    if violations:
        raise ContentRefused(purpose, channel, supported, violations)
    if _NAME_SLOT not in message.visible_text:
        return message
    return RenderedMessage(
        body=body.replace(_NAME_SLOT, shown_name),
        locale=supported,
        subject=title.replace(_NAME_SLOT, shown_name) or None,
    )


def _rules_for(
    rules: ContentRules, packs: Sequence[str], channel: Channel, purpose: Purpose
) -> tuple[ContentRule, ...]:
    return tuple(rule for rule in rules.for_packs(packs) if rule.applies(channel, purpose))


@lru_cache(maxsize=1024)
def _shipped_rules_for(
    packs: tuple[str, ...], channel: Channel, purpose: Purpose
) -> tuple[ContentRule, ...]:
    """The shipped rules that apply, worked out once per combination (a handful per bank)."""
    return _rules_for(shipped_content_rules(), packs, channel, purpose)


@lru_cache(maxsize=512)
def _selected(environment: Environment, names: tuple[str, str]) -> Template:
    """`select_template`, remembered: Jinja caches the template it finds but not the names it
    misses, and most messages first miss their purpose's channel-specific name. The shipped
    environment never reloads; a missing template is looked for again (exceptions are not
    cached)."""
    return environment.select_template(names)


def _zone(name: str | None) -> ZoneInfo:
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    # A date only, so UTC is at worst a day off; never a reason to withhold an urgent alert.
    return ZoneInfo("UTC")


def _tidy(text: str, *, single_line: bool) -> str:
    """Whitespace as the channel shows it: one line for texts, pushes and speech; paragraphs
    separated by one blank line for emails and letters."""
    if single_line:
        return " ".join(text.split())
    # One substitution over the whole text: a run of spaces and tabs never crosses a line break.
    lines = [line.strip() for line in _SPACES.sub(" ", text).splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
