# SPDX-License-Identifier: Apache-2.0
"""Consent per purpose and channel, and its revocation.

A consent is in force from `granted_at` until `revoked_at`. Revocation is a fact however the
customer expressed it (TCPA: any reasonable means), so the engine honours it the instant it is
recorded, stricter than the 10-business-day ceiling of 47 CFR 64.1200(a)(10).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from rightparty.domain.vocabulary import Channel, ContactSource, Purpose
from rightparty.policy.facts import REVOCATIONS, Consent
from rightparty.policy.rules.base import Block, Context, Rule

NO_CONSENT = "NO_CONSENT"


@cache
def _no_consent_text(purpose: Purpose, channel: Channel) -> str:
    # Worked out once per pair: a refused marketing request is among the commonest decisions.
    return f"no consent in force for {purpose.value} by {channel.value}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsentRule(Rule):
    """Requires a consent in force for the request's purpose and channel.

    `sources` limits which consent sources count (any when `None`); `source_channels` limits a
    source to some channels (an e-privacy soft opt-in covers email and SMS only). When
    `implied_by_point_sources` is set, a contact point from one of those sources, or of unrecorded
    source, stands for consent (a number the customer gave the bank, 47 CFR 64.1200(a)(1)).
    """

    code: str = NO_CONSENT
    sources: frozenset[str] | None = None
    source_channels: Mapping[str, frozenset[Channel]] = field(default_factory=dict)
    implied_by_point_sources: frozenset[ContactSource] | None = None

    def _counts(self, consent: Consent, context: Context) -> bool:
        request = context.request
        if consent.purpose != request.purpose or consent.channel != request.channel:
            return False
        if not consent.active_at(context.now):
            return False
        if self.sources is not None and consent.source not in self.sources:
            return False
        allowed = self.source_channels.get(consent.source)
        return allowed is None or request.channel in allowed

    def check(self, context: Context) -> Block | None:
        customer, request = context.customer, context.request
        if (request.purpose, request.channel) in customer.consented and any(
            self._counts(consent, context) for consent in customer.consents
        ):
            return None
        implied = self.implied_by_point_sources
        point = context.point
        if (
            implied is not None
            and point is not None
            and (point.source is None or point.source in implied)
        ):
            return None
        return Block(self.code, _no_consent_text(request.purpose, request.channel))


@dataclass(frozen=True, slots=True, kw_only=True)
class RevocationRule(Rule):
    """Blocks a request whose purpose and channel had a consent that was revoked and not granted
    again. From `revoke_all_from`, a revocation on any covered channel covers every purpose on
    every covered channel (47 CFR 64.1200(a)(10) "revoke-all")."""

    code: str = NO_CONSENT
    revoke_all_from: datetime | None = None

    def needs(self) -> int:
        return REVOCATIONS

    def check(self, context: Context) -> Block | None:
        request, now = context.request, context.now
        consents = context.customer.consents
        for consent in consents:
            revoked = consent.revoked_at
            if revoked is None or revoked > now or consent.channel not in self.channels:
                continue
            same = consent.purpose == request.purpose and consent.channel == request.channel
            if not same and (self.revoke_all_from is None or revoked < self.revoke_all_from):
                continue
            if any(
                later.purpose == request.purpose
                and later.channel == request.channel
                and later.granted_at >= revoked
                and later.active_at(now)
                for later in consents
            ):
                continue
            scope = "" if same else " (a revocation covers every purpose)"
            return Block(
                self.code,
                f"consent for {consent.purpose.value} by {consent.channel.value} was "
                f"revoked{scope}",
            )
        return None
