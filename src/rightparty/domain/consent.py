# SPDX-License-Identifier: Apache-2.0
"""The consent ledger: grants and revocations by purpose and channel, appended, never edited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from rightparty.domain.vocabulary import Channel, Purpose


class ConsentAction(StrEnum):
    GRANTED = "granted"
    REVOKED = "revoked"


class ConsentSource(StrEnum):
    """How the consent or its revocation reached the bank (TCPA: any reasonable means)."""

    CONSUMER_DIRECT = "consumer_direct"
    PORTAL = "portal"
    BRANCH = "branch"
    APP = "app"
    CONTRACT = "contract"
    INBOUND_SMS = "inbound_sms"
    VOICE = "voice"
    EMAIL_REPLY = "email_reply"
    LETTER = "letter"


@dataclass(frozen=True, slots=True)
class ConsentEntry:
    """One ledger line; `evidence` is a reference to proof (a recording id), never the proof."""

    purpose: Purpose
    channel: Channel
    action: ConsentAction
    source: ConsentSource
    at: datetime
    evidence: str | None = None


def current_consents(ledger: list[ConsentEntry]) -> dict[tuple[Purpose, Channel], ConsentEntry]:
    """The latest grant per (purpose, channel) that no later revocation cancelled."""
    latest: dict[tuple[Purpose, Channel], ConsentEntry] = {}
    for entry in sorted(ledger, key=lambda item: item.at):
        latest[(entry.purpose, entry.channel)] = entry
    return {key: entry for key, entry in latest.items() if entry.action is ConsentAction.GRANTED}
