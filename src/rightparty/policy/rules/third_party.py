# SPDX-License-Identifier: Apache-2.0
"""Only the customer is ever addressed, only at one of the customer's own usable contact points.

These two rules are part of every pack and cannot be configured away: the engine adds them to
each pack it compiles, whatever the pack's data says.
"""

from __future__ import annotations

from dataclasses import dataclass

from rightparty.policy.facts import CUSTOMER
from rightparty.policy.rules.base import Block, Context, Rule

THIRD_PARTY_FORBIDDEN = "THIRD_PARTY_FORBIDDEN"
CONTACT_POINT_UNKNOWN = "CONTACT_POINT_UNKNOWN"
CONTACT_POINT_INVALID = "CONTACT_POINT_INVALID"
CHANNEL_NOT_ALLOWED = "CHANNEL_NOT_ALLOWED"

THIRD_PARTY_SOURCE = (
    "rightparty: the customer is the only party ever contacted, stricter than every source "
    "(12 CFR 1006.6(d), 1006.10; CBRC credit-card rules 2011 Art 68; GB/T 45251-2025; "
    "PIPL Arts 5-6; Civil Code Art 1033)"
)
CONTACT_POINT_SOURCE = (
    "rightparty: contact only at the customer's own points that are neither invalid nor known "
    "to belong to someone else (DESIGN.md §8.2)"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ThirdPartyRule(Rule):
    code: str = THIRD_PARTY_FORBIDDEN
    source: str = THIRD_PARTY_SOURCE

    def check(self, context: Context) -> Block | None:
        if context.request.target == CUSTOMER:
            return None
        return Block(self.code, "only the customer is ever contacted; the target is someone else")


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactPointRule(Rule):
    """Unknown point: `CONTACT_POINT_UNKNOWN`; invalid or wrong-party point:
    `CONTACT_POINT_INVALID`; a point that cannot take the request's channel:
    `CHANNEL_NOT_ALLOWED`."""

    code: str = CONTACT_POINT_INVALID
    source: str = CONTACT_POINT_SOURCE

    def check(self, context: Context) -> Block | None:
        point = context.point
        if point is None:
            return Block(CONTACT_POINT_UNKNOWN, "the contact point is not one of the customer's")
        if not point.addressable:
            return Block(CONTACT_POINT_INVALID, f"the contact point is marked {point.status.value}")
        channel = context.request.channel
        if channel not in point.served:
            kind = "" if point.kind is None else f" {point.kind.value}"
            return Block(
                CHANNEL_NOT_ALLOWED,
                f"a{kind} {point.channel.value} contact point cannot take {channel.value}",
            )
        return None
