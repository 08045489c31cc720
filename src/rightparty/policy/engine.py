# SPDX-License-Identifier: Apache-2.0
"""The engine: compiled packs in, one decision per request out.

`Policy` is built once per set of packs. For every channel and purpose it precomputes which rules
apply, so a decision runs only those rules' checks; every other rule is reported `not_applicable`.
Of those, a rule that can only block on a kind of fact the customer has none of (a cease notice,
an opt-out, a revoked consent; see `Rule.needs`) is left out for that customer: it would pass.
The two built-in rules are asked only when the request is not plainly to one of the customer's
own usable points, the one case in which either can block.
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
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timezone
from typing import Final

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
from rightparty.policy.facts import CUSTOMER, ContactRequest, CustomerFacts
from rightparty.policy.localtime import DAY, ZoneClock
from rightparty.policy.pack import Pack
from rightparty.policy.pickling import Reduced, rebuild
from rightparty.policy.rules.base import Block, Context, Rule
from rightparty.policy.rules.third_party import ContactPointRule, ThirdPartyRule

_HORIZON: Final = 366 * DAY
_MAX_ROUNDS: Final = 256


_tuple: Final = tuple.__new__
"""Builds a named tuple from its values without the Python-level `__new__` of its class: the
same value, made at C speed, for the reasons and decisions made on every blocked request."""


class NaiveNowError(ValueError):
    """`now` was given without a time zone."""


_Members = tuple[tuple[int, Evaluation, str], ...]
"""Where each rule sharing a check sits in `evaluated`, its `block` result and its id."""
_Refs = tuple[PackRef, ...]


_Shape = tuple[tuple[Evaluation, ...], tuple[tuple[int, str], ...], tuple[Rule, ...]]
"""For one set of blocking checks: `evaluated`, which check and rule id give each reason in order,
and the blocking monotone rules that bound `next_allowed_at` from below."""


@dataclass(frozen=True, slots=True)
class _Plan:
    """The decision procedure for one channel and purpose and one set of customer traits. Rules of
    different packs that behave alike (same class and parameters) share one check and are
    reported each under its own id. A rule that cannot block a customer without some trait is
    left out of the plans for customers without it: it would pass, and `passed` already says so.

    `checks` pairs each rule to check with its position in `shared`; `gates` does the same for
    the built-in rules, which run only when the request is not plainly to one of the customer's own
    usable points (see `Policy.evaluate`). `allowed` is the whole decision when every check
    passes: an immutable value, so every allowed decision of the plan is this one.
    Which checks blocked decides `evaluated` and the order of the reasons, so each such set's
    `_Shape` is worked out once, in `shapes`."""

    checks: tuple[tuple[Rule, int], ...]
    gates: tuple[tuple[Rule, int], ...]
    """Rules, not their bound `check` methods: compiled, `rule.check(context)` is a direct call."""
    shared: tuple[tuple[Rule, _Members], ...]
    passed: tuple[Evaluation, ...]
    allowed: Decision
    turns: tuple[Rule, ...]
    """The timed rules that are not monotone, which take turns in `next_allowed_at`."""
    shapes: dict[tuple[int, ...], _Shape] = field(default_factory=dict, compare=False)

    def shape(self, positions: tuple[int, ...]) -> _Shape:
        found = sorted(
            (index, evaluation, position, rule_id)
            for position in positions
            for index, evaluation, rule_id in self.shared[position][1]
        )
        evaluated = list(self.passed)
        for index, evaluation, _position, _rule_id in found:
            evaluated[index] = evaluation
        order = tuple((position, rule_id) for _index, _evaluation, position, rule_id in found)
        bounds = tuple(
            self.shared[position][0] for position in positions if self.shared[position][0].monotone
        )
        shape = (tuple(evaluated), order, bounds)
        self.shapes[positions] = shape
        return shape


class _Plans:
    """Every rule sharing a check for one channel and purpose, from which the plan for each set
    of customer traits is made."""

    __slots__ = ("allowed", "passed", "shared")

    def __init__(
        self, shared: tuple[tuple[Rule, _Members], ...], passed: tuple[Evaluation, ...], refs: _Refs
    ) -> None:
        self.shared = shared
        self.passed = passed
        self.allowed = Decision(True, refs, (), None, passed)

    def variant(self, traits: int) -> _Plan:
        kept = [
            (rule, position)
            for position, (rule, _members) in enumerate(self.shared)
            if not rule.needs() or traits & rule.needs()
        ]
        return _Plan(
            tuple((rule, position) for rule, position in kept if not _gate(rule)),
            tuple((rule, position) for rule, position in kept if _gate(rule)),
            self.shared,
            self.passed,
            self.allowed,
            tuple(rule for rule, _ in kept if rule.timed and not rule.monotone),
        )


def _gate(rule: Rule) -> bool:
    """The built-in rules, whose passing `Policy.evaluate` can tell from the request alone."""
    return isinstance(rule, ThirdPartyRule | ContactPointRule)


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
        for code in {code for rule in self.rules for code in rule.calendars()}:
            # Asked once now, so a source that loads calendars lazily (the `holidays` package
            # takes a fifth of a second) does so while the policy is compiled, not in the middle
            # of the first decision that needs one.
            calendars(code)
        self._clock = ZoneClock() if clock is None else clock
        self._plans = {
            (channel, purpose): self._plan(channel, purpose)
            for channel in Channel
            for purpose in Purpose
        }
        self._variants: dict[tuple[Channel, Purpose, int], _Plan] = {}
        """The plan for each channel, purpose and set of customer traits met so far (there are
        few: most customers have no restriction at all)."""

    def __reduce__(self) -> Reduced:
        # Compiled again from its packs where it lands: the compiled build cannot restore it
        # attribute by attribute, and all it holds besides is worked out from them (its clock
        # only memoises offsets).
        return rebuild, (Policy, {"packs": self.packs, "calendars": self._calendars})

    def _plan(self, channel: Channel, purpose: Purpose) -> _Plans:
        passed = []
        shared: dict[Hashable, tuple[Rule, list[tuple[int, Evaluation, str]]]] = {}
        for index, rule in enumerate(self.rules):
            if not rule.applies_to(channel, purpose):
                passed.append(Evaluation(rule.id, NOT_APPLICABLE))
                continue
            passed.append(Evaluation(rule.id, PASS))
            member = (index, Evaluation(rule.id, BLOCK), rule.id)
            shared.setdefault(behaviour(rule), (rule, []))[1].append(member)
        return _Plans(
            tuple((rule, tuple(members)) for rule, members in shared.values()),
            tuple(passed),
            self._refs,
        )

    def evaluate(self, customer: CustomerFacts, request: ContactRequest, now: datetime) -> Decision:
        """Decide whether `request` may be made at `now` (timezone-aware)."""
        zone = now.tzinfo
        # A fixed offset (UTC, as callers pass) always has one; asking it cost about 6 % of a
        # compiled decision, so only other zones are asked.
        if zone is None or (type(zone) is not timezone and now.utcoffset() is None):
            raise NaiveNowError("now must be timezone-aware")
        channel = request.channel
        key = (channel, request.purpose, customer.traits)
        plan = self._variants.get(key)
        if plan is None:
            plan = self._variants[key] = self._plans[channel, request.purpose].variant(key[2])
        point = customer.points.get(request.contact_point_id)
        context = Context(
            now, now.timestamp(), customer, request, point, self._clock, self._calendars, {}
        )
        blocked: dict[int, Block] | None = None
        if (
            request.target != CUSTOMER
            or point is None
            or not point.addressable
            or channel not in point.served
        ):
            # Exactly when a built-in rule blocks; otherwise both pass without being asked.
            blocked = _gate_blocks(plan, context)
        for rule, position in plan.checks:
            block = rule.check(context)
            if block is not None:
                if blocked is None:
                    blocked = {position: block}
                else:
                    blocked[position] = block
        if blocked is None:
            return plan.allowed
        return self._blocked(context, plan, blocked)

    def _blocked(self, context: Context, plan: _Plan, blocked: dict[int, Block]) -> Decision:
        positions = tuple(blocked)
        shape = plan.shapes.get(positions)
        if shape is None:
            shape = plan.shape(positions)
        evaluated, order, bounds = shape
        reasons = []
        waitable = True
        for position, rule_id in order:
            block = blocked[position]
            waitable = waitable and block.waitable
            reasons.append(_tuple(Reason, (block.code, rule_id, block.message)))
        next_allowed = None
        if waitable:
            # A monotone rule that passes now passes later too: only the blocking ones bound
            # the answer from below.
            next_allowed = _next_allowed(context, bounds, plan.turns)
        return _tuple(Decision, (False, self._refs, tuple(reasons), next_allowed, evaluated))


def _gate_blocks(plan: _Plan, context: Context) -> dict[int, Block] | None:
    """The blocks of the built-in rules, by position in `shared`; `None` if none."""
    blocked = {}
    for rule, position in plan.gates:
        block = rule.check(context)
        if block is not None:
            blocked[position] = block
    return blocked or None


def _next_allowed(
    context: Context, bounds: tuple[Rule, ...], turns: tuple[Rule, ...]
) -> datetime | None:
    """Monotone rules give a lower bound once; the others take turns until every one of them
    passes at the same instant (each turn moves to the earliest instant its rule passes, so the
    first common instant is never overshot)."""
    start = context.instant
    current = start
    for rule in bounds:
        found = rule.earliest(context, start)
        if found is None:
            return None
        current = max(current, found)
    count = len(turns)
    settled = 0
    for turn in range(_MAX_ROUNDS * max(1, count)):
        if settled >= count:
            # Whole seconds: a later instant within the same second still passes, and the
            # second before it still does not.
            return datetime.fromtimestamp(math.ceil(current), UTC)
        found = turns[turn % count].earliest(context, current)
        if found is None:
            return None
        if found > current:
            if found - start > _HORIZON:
                return None
            current, settled = found, 1
        else:
            settled += 1
    return None
