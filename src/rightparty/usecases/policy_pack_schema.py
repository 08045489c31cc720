# SPDX-License-Identifier: Apache-2.0
"""The YAML form of a rule pack, validated with pydantic and turned into the engine's rules.

Every rule names its `type`, a pack-local `id`, the `source` behind its numbers and, optionally,
the `channels` and `purposes` it covers (all by default; `except_purposes` narrows "all"). There
is no type for third-party or contact-point rules: the engine adds them to every pack.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from rightparty.domain.vocabulary import (
    Channel,
    ContactPointKind,
    ContactSource,
    Direction,
    LegalHoldReason,
    OptOutScope,
    Outcome,
    Purpose,
)
from rightparty.policy.history import Counter, ScopeKey
from rightparty.policy.localtime import DAY, seconds_of
from rightparty.policy.pack import Pack
from rightparty.policy.rules.base import Rule
from rightparty.policy.rules.consent import ConsentRule, RevocationRule
from rightparty.policy.rules.frequency import FrequencyRule
from rightparty.policy.rules.holidays import HolidayRule
from rightparty.policy.rules.inconvenience import (
    EmployerAddressRule,
    InconvenientTimeRule,
    WorkplaceRule,
)
from rightparty.policy.rules.purpose import ChannelForbiddenRule, NoDebtContentRule
from rightparty.policy.rules.restrictions import AttorneyRule, CeaseRule, LegalHoldRule, OptOutRule
from rightparty.policy.rules.time_windows import TimeWindowRule
from rightparty.usecases.policy_facts import zone

_NAME = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_CODE = r"^[A-Z][A-Z_]*$"


def clock_seconds(value: object) -> int:
    """`"HH:MM"` or `"HH:MM:SS"` (YAML may also give minutes as an int) as seconds after midnight;
    `"24:00"` is the end of the day."""
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 08:00 as a base-60 integer (480 minutes).
        value = f"{value // 60:02d}:{value % 60:02d}"
    if not isinstance(value, str):
        raise ValueError("expected a time of day such as '08:00'")
    if value in ("24:00", "24:00:00"):
        return DAY
    try:
        return seconds_of(time.fromisoformat(value))
    except ValueError as error:
        raise ValueError("expected a time of day such as '08:00'") from error


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _RuleSpec(_Spec):
    id: str = Field(pattern=_NAME)
    source: str = Field(min_length=1)
    code: str | None = Field(default=None, pattern=_CODE)
    channels: list[Channel] | None = None
    purposes: list[Purpose] | None = None
    except_purposes: list[Purpose] = []
    note: str = ""

    def common(self, pack: str) -> dict[str, Any]:
        purposes = frozenset(self.purposes or Purpose) - frozenset(self.except_purposes)
        fields: dict[str, Any] = {
            "id": f"{pack}/{self.id}",
            "source": self.source,
            "channels": frozenset(self.channels or Channel),
            "purposes": purposes,
            "note": self.note,
        }
        if self.code is not None:
            fields["code"] = self.code
        return fields

    def build(self, pack: str) -> Rule:
        raise NotImplementedError


def _zones(names: list[str]) -> tuple[Any, ...]:
    return tuple(zone(name) for name in names)


class _ZoneNames(_RuleSpec):
    extra_zones: list[str] = []

    @field_validator("extra_zones")
    @classmethod
    def _known(cls, names: list[str]) -> list[str]:
        for name in names:
            zone(name)
        return names


class TimeWindowSpec(_ZoneNames):
    type: Literal["time_window"]
    start: int
    end: int
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] | None = None

    @field_validator("start", "end", mode="before")
    @classmethod
    def _clock(cls, value: object) -> int:
        return clock_seconds(value)

    def build(self, pack: str) -> Rule:
        return TimeWindowRule(
            **self.common(pack),
            start=self.start,
            end=self.end,
            weekdays=None if self.weekdays is None else frozenset(self.weekdays),
            extra_zones=_zones(self.extra_zones),
        )


class InconvenientTimeSpec(_RuleSpec):
    type: Literal["inconvenient_time"]

    def build(self, pack: str) -> Rule:
        return InconvenientTimeRule(**self.common(pack))


class WorkplaceSpec(_RuleSpec):
    type: Literal["workplace"]

    def build(self, pack: str) -> Rule:
        return WorkplaceRule(**self.common(pack))


class EmployerAddressSpec(_RuleSpec):
    type: Literal["employer_address"]
    consent_sources: list[str] = ["consumer_direct"]

    def build(self, pack: str) -> Rule:
        return EmployerAddressRule(
            **self.common(pack), consent_sources=frozenset(self.consent_sources)
        )


class CountsSpec(_Spec):
    """What a budget counts; exactly one of `outcomes` and `exclude_outcomes`."""

    channels: list[Channel]
    directions: list[Direction] = [Direction.OUTBOUND]
    outcomes: list[Outcome] | None = None
    exclude_outcomes: list[Outcome] | None = None
    purposes: list[Purpose] | None = None
    point_kinds: list[ContactPointKind] | None = None

    @model_validator(mode="after")
    def _one_outcome_list(self) -> CountsSpec:
        if (self.outcomes is None) == (self.exclude_outcomes is None):
            raise ValueError("give exactly one of outcomes and exclude_outcomes")
        return self

    def counter(self, scope: tuple[ScopeKey, ...]) -> Counter:
        outcomes = (
            frozenset(self.outcomes)
            if self.outcomes is not None
            else frozenset(Outcome) - frozenset(self.exclude_outcomes or ())
        )
        return Counter(
            channels=frozenset(self.channels),
            outcomes=outcomes,
            directions=frozenset(self.directions),
            purposes=None if self.purposes is None else frozenset(self.purposes),
            point_kinds=None if self.point_kinds is None else frozenset(self.point_kinds),
            scope=scope,
        )


class WindowSpec(_Spec):
    """Exactly one of `rolling_hours` and `local_days` (1 = the current local day)."""

    rolling_hours: int | None = Field(default=None, ge=1)
    local_days: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one_kind(self) -> WindowSpec:
        if (self.rolling_hours is None) == (self.local_days is None):
            raise ValueError("give exactly one of rolling_hours and local_days")
        return self


class FrequencySpec(_ZoneNames):
    type: Literal["frequency"]
    scope: list[Literal["person", "debt", "contact_point", "channel", "event"]]
    counts: CountsSpec
    window: WindowSpec
    limit: int = Field(ge=1)
    point_kinds: list[ContactPointKind] | None = None
    waived_by_consent: bool = False
    message: str | None = None

    def build(self, pack: str) -> Rule:
        scope = tuple(ScopeKey(key) for key in self.scope if key != "person")
        extra: dict[str, Any] = {} if self.message is None else {"message": self.message}
        return FrequencyRule(
            **self.common(pack),
            **extra,
            counter=self.counts.counter(scope),
            limit=self.limit,
            rolling_hours=self.window.rolling_hours,
            local_days=self.window.local_days,
            extra_zones=_zones(self.extra_zones),
            point_kinds=None if self.point_kinds is None else frozenset(self.point_kinds),
            waived_by_consent=self.waived_by_consent,
        )


class ConsentSpec(_RuleSpec):
    type: Literal["consent"]
    sources: list[str] | None = None
    source_channels: dict[str, list[Channel]] = {}
    implied_by_point_sources: list[ContactSource] | None = None

    def build(self, pack: str) -> Rule:
        implied = self.implied_by_point_sources
        return ConsentRule(
            **self.common(pack),
            sources=None if self.sources is None else frozenset(self.sources),
            source_channels={
                source: frozenset(channels) for source, channels in self.source_channels.items()
            },
            implied_by_point_sources=None if implied is None else frozenset(implied),
        )


class RevocationSpec(_RuleSpec):
    type: Literal["revocation"]
    revoke_all_from: date | None = None

    def build(self, pack: str) -> Rule:
        start = self.revoke_all_from
        return RevocationRule(
            **self.common(pack),
            revoke_all_from=(
                None if start is None else datetime(start.year, start.month, start.day, tzinfo=UTC)
            ),
        )


class CeaseSpec(_RuleSpec):
    type: Literal["cease"]

    def build(self, pack: str) -> Rule:
        return CeaseRule(**self.common(pack))


class AttorneySpec(_RuleSpec):
    type: Literal["attorney"]

    def build(self, pack: str) -> Rule:
        return AttorneyRule(**self.common(pack))


class LegalHoldSpec(_RuleSpec):
    """`holds` maps a hold reason to the purposes it stops, or `all`."""

    type: Literal["legal_hold"]
    holds: dict[LegalHoldReason, list[Purpose] | Literal["all"]]

    def build(self, pack: str) -> Rule:
        return LegalHoldRule(
            **self.common(pack),
            holds={
                reason: frozenset(Purpose) if purposes == "all" else frozenset(purposes)
                for reason, purposes in self.holds.items()
            },
        )


class OptOutSpec(_RuleSpec):
    type: Literal["opt_out"]
    scopes: list[OptOutScope] = list(OptOutScope)

    def build(self, pack: str) -> Rule:
        return OptOutRule(**self.common(pack), scopes=frozenset(self.scopes))


class ChannelForbiddenSpec(_RuleSpec):
    type: Literal["channel_forbidden"]

    def build(self, pack: str) -> Rule:
        return ChannelForbiddenRule(**self.common(pack))


class NoDebtContentSpec(_RuleSpec):
    type: Literal["no_debt_content"]

    def build(self, pack: str) -> Rule:
        return NoDebtContentRule(**self.common(pack))


class HolidaySpec(_ZoneNames):
    """`calendar`: an ISO 3166 country code, or `customer`; `days`: `holidays` or `rest_days`."""

    type: Literal["holidays"]
    calendar: str = Field(pattern=r"^([A-Z]{2}|customer)$")
    days: Literal["holidays", "rest_days"] = "holidays"

    def build(self, pack: str) -> Rule:
        return HolidayRule(
            **self.common(pack),
            calendar=self.calendar,
            rest_days=self.days == "rest_days",
            extra_zones=_zones(self.extra_zones),
        )


RuleSpec = Annotated[
    TimeWindowSpec
    | InconvenientTimeSpec
    | WorkplaceSpec
    | EmployerAddressSpec
    | FrequencySpec
    | ConsentSpec
    | RevocationSpec
    | CeaseSpec
    | AttorneySpec
    | LegalHoldSpec
    | OptOutSpec
    | ChannelForbiddenSpec
    | NoDebtContentSpec
    | HolidaySpec,
    Field(discriminator="type"),
]


class PackSpec(_Spec):
    name: str = Field(pattern=_NAME)
    version: str = Field(min_length=1)
    title: str = Field(min_length=1)
    jurisdiction: str = ""
    summary: str = ""
    rules: list[RuleSpec] = Field(min_length=1)

    @field_validator("version", mode="before")
    @classmethod
    def _text(cls, value: object) -> object:
        return str(value) if isinstance(value, int | float) else value

    @model_validator(mode="after")
    def _unique_ids(self) -> PackSpec:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in ("third-party", "contact-point"):
                raise ValueError(f"rule id {rule.id!r} is reserved for the built-in rules")
            if rule.id in seen:
                raise ValueError(f"rule id {rule.id!r} appears twice")
            seen.add(rule.id)
        return self

    def to_pack(self) -> Pack:
        return Pack(
            name=self.name,
            version=self.version,
            title=self.title,
            rules=tuple(rule.build(self.name) for rule in self.rules),
            jurisdiction=self.jurisdiction,
            summary=self.summary,
        )
