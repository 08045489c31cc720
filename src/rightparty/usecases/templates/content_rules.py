# SPDX-License-Identifier: Apache-2.0
"""Content rules as data: `content_rules.yaml`, validated with pydantic into frozen rules.

A content rule belongs to a policy pack (by its id) and says what a message on some channels and
for some purposes must say (a disclosure, an opt-out) or must not (a debt, an amount, an
identifier, the customer's name, a threat), or how long it may be. The phrases the check looks for
are data too, per locale, next to the rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from rightparty.domain.vocabulary import Channel, Purpose
from rightparty.usecases.templates.locales import SUPPORTED_LOCALES

_PACKAGE = "rightparty.usecases.templates"
_FILE = "content_rules.yaml"
_ID = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class Check(StrEnum):
    DISCLOSURE = "disclosure"
    OPT_OUT = "opt_out"
    NO_DEBT = "no_debt"
    NO_AMOUNT = "no_amount"
    NO_IDENTIFIERS = "no_identifiers"
    NO_NAME = "no_name"
    PROHIBITED_CLAIMS = "prohibited_claims"
    MAX_SEGMENTS = "max_segments"
    MAX_CHARACTERS = "max_characters"


@dataclass(frozen=True, slots=True)
class ContentRule:
    """One rule of one pack; `name` (`pack/id`) is what a violation cites."""

    pack: str
    id: str
    check: Check
    channels: frozenset[Channel]
    purposes: frozenset[Purpose]
    source: str
    disclosure: str | None = None
    limit: int | None = None

    @property
    def name(self) -> str:
        return f"{self.pack}/{self.id}"

    def applies(self, channel: Channel, purpose: Purpose) -> bool:
        return channel in self.channels and purpose in self.purposes


@dataclass(frozen=True, slots=True)
class Phrases:
    """Markers per locale. A disclosure needs all of its markers; an opt-out any one of its
    channel's phrases; debt terms and prohibited claims are searched in every locale's list."""

    disclosures: Mapping[str, Mapping[str, tuple[str, ...]]]
    opt_out: Mapping[Channel, Mapping[str, tuple[str, ...]]]
    debt_terms: Mapping[str, tuple[str, ...]]
    prohibited_claims: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class ContentRules:
    version: str
    phrases: Phrases
    packs: Mapping[str, tuple[ContentRule, ...]]

    def for_packs(self, names: Iterable[str]) -> tuple[ContentRule, ...]:
        """The rules of these packs in pack order; a pack without content rules adds none."""
        return tuple(rule for name in dict.fromkeys(names) for rule in self.packs.get(name, ()))


class ContentRulesError(ValueError):
    """A content rules file that is not valid; `problems` name each bad field."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("invalid content rules: " + "; ".join(self.problems))


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


LocaleText = dict[str, list[str]]


class _PhrasesSpec(_Spec):
    disclosures: dict[str, LocaleText]
    opt_out: dict[Channel, LocaleText]
    debt_terms: LocaleText
    prohibited_claims: LocaleText

    @model_validator(mode="after")
    def _every_locale(self) -> Self:
        tables: list[tuple[str, LocaleText]] = [
            *((f"disclosures.{name}", table) for name, table in self.disclosures.items()),
            *((f"opt_out.{channel}", table) for channel, table in self.opt_out.items()),
            ("debt_terms", self.debt_terms),
            ("prohibited_claims", self.prohibited_claims),
        ]
        for where, table in tables:
            for locale in SUPPORTED_LOCALES:
                if not [phrase for phrase in table.get(locale, []) if phrase.strip()]:
                    raise ValueError(f"{where}: no phrase for locale {locale}")
        missing = set(Channel) - set(self.opt_out)
        if missing:
            raise ValueError(f"opt_out: no phrases for {', '.join(sorted(missing))}")
        return self


class _RuleSpec(_Spec):
    id: str = Field(pattern=_ID)
    check: Check
    source: str = Field(min_length=1)
    note: str | None = None
    channels: list[Channel] | None = None
    purposes: list[Purpose] | None = None
    except_purposes: list[Purpose] = Field(default_factory=list)
    disclosure: str | None = None
    limit: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _fields_of_check(self) -> Self:
        if (self.check is Check.DISCLOSURE) != (self.disclosure is not None):
            raise ValueError("`disclosure` names the disclosure of a disclosure check, and only")
        limited = self.check in (Check.MAX_SEGMENTS, Check.MAX_CHARACTERS)
        if limited != (self.limit is not None):
            raise ValueError("`limit` is required by length checks, and only by them")
        return self


class _FileSpec(_Spec):
    version: str
    phrases: _PhrasesSpec
    packs: dict[str, list[_RuleSpec]]

    @model_validator(mode="after")
    def _known_disclosures_unique_ids(self) -> Self:
        for pack, rules in self.packs.items():
            ids = [rule.id for rule in rules]
            if len(ids) != len(set(ids)):
                raise ValueError(f"packs.{pack}: rule ids repeat")
            for rule in rules:
                if rule.disclosure is not None and rule.disclosure not in self.phrases.disclosures:
                    raise ValueError(f"packs.{pack}.{rule.id}: unknown disclosure")
        return self


def _rule(pack: str, spec: _RuleSpec) -> ContentRule:
    channels = frozenset(spec.channels) if spec.channels is not None else frozenset(Channel)
    purposes = frozenset(spec.purposes) if spec.purposes is not None else frozenset(Purpose)
    return ContentRule(
        pack=pack,
        id=spec.id,
        check=spec.check,
        channels=channels,
        purposes=purposes - frozenset(spec.except_purposes),
        source=" ".join(spec.source.split()),
        disclosure=spec.disclosure,
        limit=spec.limit,
    )


def _table(table: LocaleText) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({locale: tuple(phrases) for locale, phrases in table.items()})


def parse_content_rules(text: str) -> ContentRules:
    """Content rules from their YAML text; raises `ContentRulesError` naming every bad field."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ContentRulesError([f"not valid YAML: {error}"]) from error
    try:
        spec = _FileSpec.model_validate(document)
    except ValidationError as error:
        raise ContentRulesError(
            f"{'.'.join(str(part) for part in problem['loc']) or 'file'}: {problem['msg']}"
            for problem in error.errors()
        ) from error
    phrases = Phrases(
        disclosures=MappingProxyType(
            {name: _table(table) for name, table in spec.phrases.disclosures.items()}
        ),
        opt_out=MappingProxyType(
            {channel: _table(table) for channel, table in spec.phrases.opt_out.items()}
        ),
        debt_terms=_table(spec.phrases.debt_terms),
        prohibited_claims=_table(spec.phrases.prohibited_claims),
    )
    packs = {pack: tuple(_rule(pack, rule) for rule in rules) for pack, rules in spec.packs.items()}
    return ContentRules(spec.version, phrases, MappingProxyType(packs))


@lru_cache(maxsize=1)
def shipped_content_rules() -> ContentRules:
    """The rules shipped with rightparty, read once per process on first use."""
    text = (resources.files(_PACKAGE) / _FILE).read_text(encoding="utf-8")
    return parse_content_rules(text)
