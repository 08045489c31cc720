# SPDX-License-Identifier: Apache-2.0
"""Cease-communication, attorney representation, legal holds and opt-outs.

Each takes effect at its own recorded instant and lasts until the fact is removed, so its blocks
are never waitable. A restriction for one debt covers a request about that debt, and a request that
names no debt (it cannot be told apart); a restriction that names no debt covers every debt.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rightparty.domain.vocabulary import LegalHoldReason, OptOutScope, Purpose
from rightparty.policy.facts import ATTORNEYS, CEASES, LEGAL_HOLDS, OPT_OUTS
from rightparty.policy.rules.base import Block, Context, Rule

CEASE_COMMUNICATION = "CEASE_COMMUNICATION"
ATTORNEY_REPRESENTED = "ATTORNEY_REPRESENTED"
LEGAL_HOLD = "LEGAL_HOLD"
OPTED_OUT = "OPTED_OUT"


def _same_debt(restricted: str | None, requested: str | None) -> bool:
    return restricted is None or requested is None or restricted == requested


@dataclass(frozen=True, slots=True, kw_only=True)
class CeaseRule(Rule):
    """Stops all contact about a debt from the instant the notice is received (12 CFR 1006.6(c))."""

    code: str = CEASE_COMMUNICATION

    def needs(self) -> int:
        return CEASES

    def check(self, context: Context) -> Block | None:
        debt = context.request.debt_id
        for notice in context.customer.ceases:
            if notice.received_at <= context.now and _same_debt(notice.debt_id, debt):
                return Block(
                    self.code, "the customer asked that communication about this debt cease"
                )
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class AttorneyRule(Rule):
    code: str = ATTORNEY_REPRESENTED

    def needs(self) -> int:
        return ATTORNEYS

    def check(self, context: Context) -> Block | None:
        debt = context.request.debt_id
        for representation in context.customer.attorneys:
            if representation.since <= context.now and _same_debt(representation.debt_id, debt):
                return Block(
                    self.code,
                    "the customer is represented by an attorney for this debt; "
                    "contact the attorney instead",
                )
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class LegalHoldRule(Rule):
    """`holds` maps each hold reason to the purposes it stops (a reason not listed stops all)."""

    code: str = LEGAL_HOLD
    holds: Mapping[LegalHoldReason, frozenset[Purpose]] = field(default_factory=dict)

    def needs(self) -> int:
        return LEGAL_HOLDS

    def check(self, context: Context) -> Block | None:
        request = context.request
        for hold in context.customer.legal_holds:
            if hold.since > context.now or not _same_debt(hold.debt_id, request.debt_id):
                continue
            stopped = self.holds.get(hold.reason)
            if stopped is None or request.purpose in stopped:
                return Block(
                    self.code,
                    f"a {hold.reason.value} hold stops {request.purpose.value} contact",
                )
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class OptOutRule(Rule):
    """Honours opt-outs of the listed scopes from the instant they were made."""

    code: str = OPTED_OUT
    scopes: frozenset[OptOutScope] = frozenset(OptOutScope)

    def needs(self) -> int:
        return OPT_OUTS

    def check(self, context: Context) -> Block | None:
        request, now = context.request, context.now
        for opt_out in context.customer.opt_outs:
            if (
                opt_out.at <= now
                and opt_out.scope in self.scopes
                and opt_out.covers(request.channel, request.contact_point_id, request.purpose)
            ):
                return Block(self.code, f"the customer opted out ({opt_out.scope.value} scope)")
        return None
