# SPDX-License-Identifier: Apache-2.0
"""The engine: compiled packs in, one decision per request out.

`Policy` is built once per set of packs. For every channel and purpose it precomputes which rules
apply, so a decision runs only those rules' checks; every other rule is reported `not_applicable`.
Packs compose by conjunction: the request is allowed only if every rule of every pack passes, and
every blocking rule is reported.

`next_allowed_at` is the least instant at or after `now` at which every timed rule passes, found by
iterating each rule's own exact `earliest` until none moves (each step jumps to a window opening, a
day start or a count release; nothing is searched minute by minute). It is `None` when the request
is allowed, when any block is one that waiting cannot lift, or when no such instant comes within a
year.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime

from rightparty.domain.vocabulary import Channel, Purpose
from rightparty.policy.calendars import CalendarSource, no_calendars
from rightparty.policy.decision import (
    BLOCK,
    NOT_APPLICABLE,
    PASS,
    Decision,
    Evaluation,
    PackRef,
    Reason,
)
from rightparty.policy.facts import ContactRequest, CustomerFacts
from rightparty.policy.localtime import DAY, ZoneClock
from rightparty.policy.pack import Pack
from rightparty.policy.rules.base import Block, Context, Rule
from rightparty.policy.rules.third_party import ContactPointRule, ThirdPartyRule

_HORIZON = 366 * DAY
_MAX_ROUNDS = 256


class NaiveNowError(ValueError):
    """`now` was given without a time zone."""


_Members = tuple[tuple[int, Evaluation, str], ...]
"""Where each rule sharing a check sits in `evaluated`, its `block` result and its id."""


@dataclass(frozen=True, slots=True)
class _Plan:
    """The decision procedure for one channel and purpose. Rules of different packs that behave
    alike (same class and parameters) share one check and are reported each under its own id;
    `passed` is `evaluated` for a request every check passes."""

    checks: tuple[tuple[Callable[[Context], Block | None], _Members], ...]
    passed: tuple[Evaluation, ...]
    timed: tuple[Rule, ...]


_IDENTITY_FIELDS = frozenset({"id", "source", "note", "channels", "purposes"})


def behaviour(rule: Rule) -> Hashable:
    """What decides a rule's answer: its class and parameters, not its id, citation or scope."""
    values: list[object] = [type(rule)]
    for item in fields(rule):
        if not item.init or item.name in _IDENTITY_FIELDS:
            continue
        value = getattr(rule, item.name)
        values.append(frozenset(value.items()) if isinstance(value, Mapping) else value)
    return tuple(values)


def built_in_rules(pack: Pack) -> tuple[Rule, ...]:
    """The rules every pack has, whatever its data says."""
    return (
        ThirdPartyRule(id=f"{pack.name}/third-party"),
        ContactPointRule(id=f"{pack.name}/contact-point"),
    )


class Policy:
    """One or more packs, compiled. Pure: the same facts, request and `now` give the same decision.

    `calendars` answers holiday questions for the packs that ask them; `clock` memoises zone
    offsets and may be shared between policies (it never changes an answer).
    """

    def __init__(
        self,
        packs: Iterable[Pack],
        *,
        calendars: CalendarSource = no_calendars,
        clock: ZoneClock | None = None,
    ) -> None:
        self.packs = tuple(packs)
        if not self.packs:
            raise ValueError("a policy needs at least one pack")
        self.rules: tuple[Rule, ...] = tuple(
            rule for pack in self.packs for rule in (*built_in_rules(pack), *pack.rules)
        )
        self._refs = tuple(PackRef(pack.name, pack.version) for pack in self.packs)
        self._calendars = calendars
        self._clock = ZoneClock() if clock is None else clock
        self._plans = {
            (channel, purpose): self._plan(channel, purpose)
            for channel in Channel
            for purpose in Purpose
        }

    def _plan(self, channel: Channel, purpose: Purpose) -> _Plan:
        passed = []
        shared: dict[Hashable, tuple[Rule, list[tuple[int, Evaluation, str]]]] = {}
        for index, rule in enumerate(self.rules):
            if not rule.applies_to(channel, purpose):
                passed.append(Evaluation(rule.id, NOT_APPLICABLE))
                continue
            passed.append(Evaluation(rule.id, PASS))
            member = (index, Evaluation(rule.id, BLOCK), rule.id)
            shared.setdefault(behaviour(rule), (rule, []))[1].append(member)
        checks = tuple((rule.check, tuple(members)) for rule, members in shared.values())
        timed = tuple(rule for rule, _ in shared.values() if rule.timed)
        return _Plan(checks, tuple(passed), timed)

    def evaluate(self, customer: CustomerFacts, request: ContactRequest, now: datetime) -> Decision:
        """Decide whether `request` may be made at `now` (timezone-aware)."""
        if now.utcoffset() is None:
            raise NaiveNowError("now must be timezone-aware")
        plan = self._plans[request.channel, request.purpose]
        context = Context(
            now,
            now.timestamp(),
            customer,
            request,
            customer.points.get(request.contact_point_id),
            self._clock,
            self._calendars,
        )
        blocked: list[tuple[int, Evaluation, Reason]] = []
        waitable = True
        for check, members in plan.checks:
            block = check(context)
            if block is not None:
                waitable = waitable and block.waitable
                for index, evaluation, rule_id in members:
                    blocked.append((index, evaluation, Reason(block.code, rule_id, block.message)))
        if not blocked:
            return Decision(True, self._refs, (), None, plan.passed)
        blocked.sort(key=_first)
        evaluated = list(plan.passed)
        for index, evaluation, _reason in blocked:
            evaluated[index] = evaluation
        reasons = tuple(reason for _index, _evaluation, reason in blocked)
        next_allowed = _next_allowed(context, plan.timed) if waitable else None
        return Decision(False, self._refs, reasons, next_allowed, tuple(evaluated))


def _first(item: tuple[int, Evaluation, Reason]) -> int:
    return item[0]


def _next_allowed(context: Context, timed: tuple[Rule, ...]) -> datetime | None:
    """Monotone rules give a lower bound once; the others take turns until every one of them
    passes at the same instant (each turn moves to the earliest instant its rule passes, so the
    first common instant is never overshot)."""
    start = context.instant
    current = start
    turns = []
    for rule in timed:
        if not rule.monotone:
            turns.append(rule)
            continue
        found = rule.earliest(context, start)
        if found is None:
            return None
        current = max(current, found)
    settled = 0
    for turn in range(_MAX_ROUNDS * max(1, len(turns))):
        if settled >= len(turns):
            # Whole seconds: a later instant within the same second still passes, and the
            # second before it still does not.
            return datetime.fromtimestamp(math.ceil(current), UTC)
        found = turns[turn % len(turns)].earliest(context, current)
        if found is None:
            return None
        if found > current:
            if found - start > _HORIZON:
                return None
            current, settled = found, 1
        else:
            settled += 1
    return None
