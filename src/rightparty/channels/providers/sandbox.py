# SPDX-License-Identifier: Apache-2.0
"""A provider that sends nothing: deterministic outcomes for magic addresses, a seeded model for
the rest, and a ledger of every key it sent so crash-safety tests can count duplicates.

Magic addresses (documented in docs/channels.md):
- phone numbers `+1 NXX 555 01YY` (the NANP range reserved for fiction); `YY` picks the outcome
  from `MAGIC_NUMBERS`, separately for SMS and voice;
- email `<outcome>[+tag]@sandbox.rightparty.test` and push tokens `sandbox:<outcome>`, where
  `<outcome>` is a §6 outcome or a behaviour of `Behaviour` (`-` may stand for `_`).
Any other address gets the outcome model's draw, or `delivered` (voice: `answered_right_party`).
"""

from __future__ import annotations

import hashlib
import random
import re
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from pydantic import Field, SecretStr

from rightparty.channels.base import ChannelProvider, ProviderSettings, Resilience
from rightparty.channels.capabilities import BodyEncoding, Capabilities, ChannelLimits
from rightparty.channels.reports import SendReport, accepted, permanent, transient
from rightparty.domain.messages import OutboundMessage
from rightparty.domain.vocabulary import Channel, Outcome

SANDBOX_EMAIL_DOMAIN = "sandbox.rightparty.test"
PUSH_TOKEN_PREFIX = "sandbox:"  # noqa: S105 - a device-token prefix, not a secret
_MAGIC_PHONE = re.compile(r"^\+1\d{3}55501(\d{2})$")


class Behaviour(StrEnum):
    """Sandbox behaviours that are not a single outcome."""

    PROVIDER_ERROR_ONCE = "provider_error_once"
    """The first request for a key fails transiently; the retry is delivered."""
    OUTCOME_UNKNOWN = "outcome_unknown"
    """The request reaches the sandbox (and counts as sent) but the answer is lost: a timeout."""


Effect = Outcome | Behaviour

MAGIC_NUMBERS: Mapping[str, tuple[Effect, Effect]] = {
    "00": (Outcome.DELIVERED, Outcome.ANSWERED_RIGHT_PARTY),
    "01": (Outcome.UNDELIVERED, Outcome.NO_ANSWER),
    "02": (Outcome.UNDELIVERED, Outcome.BUSY),
    "03": (Outcome.INVALID_NUMBER, Outcome.INVALID_NUMBER),
    "04": (Outcome.WRONG_NUMBER, Outcome.ANSWERED_THIRD_PARTY),
    "05": (Outcome.POWERED_OFF, Outcome.POWERED_OFF),
    "06": (Outcome.DELIVERED, Outcome.VOICEMAIL),
    "07": (Outcome.NOT_IN_SERVICE, Outcome.NOT_IN_SERVICE),
    "08": (Outcome.OPTED_OUT, Outcome.OPTED_OUT),
    "09": (Outcome.BLOCKED, Outcome.DECLINED),
    "10": (Outcome.READ, Outcome.HUNG_UP),
    "11": (Outcome.PROVIDER_ERROR, Outcome.PROVIDER_ERROR),
    "12": (Behaviour.PROVIDER_ERROR_ONCE, Behaviour.PROVIDER_ERROR_ONCE),
    "13": (Behaviour.OUTCOME_UNKNOWN, Behaviour.OUTCOME_UNKNOWN),
}
"""`+1 NXX 555 01YY` by `YY`: (SMS effect, voice effect). Other `YY` are delivered."""

PERMANENT_AT_SEND = frozenset(
    {Outcome.INVALID_NUMBER, Outcome.UNKNOWN_RECIPIENT, Outcome.BOUNCED_HARD, Outcome.OPTED_OUT}
)
"""Outcomes a real provider reports by refusing the request (Twilio 21211/21610, SMTP 550)."""
TRANSIENT_AT_SEND = frozenset({Outcome.PROVIDER_ERROR, Outcome.BOUNCED_SOFT})
"""Outcomes a real provider reports as a retryable refusal (HTTP 503, SMTP 451)."""


def _reached(channel: Channel) -> Outcome:
    return Outcome.ANSWERED_RIGHT_PARTY if channel is Channel.VOICE else Outcome.DELIVERED


def _effect_named(word: str) -> Effect | None:
    normalised = word.strip().lower().replace("-", "_")
    for kind in (Outcome, Behaviour):
        try:
            return kind(normalised)
        except ValueError:
            continue
    return None


def magic_effect(
    channel: Channel, address: str, email_domain: str = SANDBOX_EMAIL_DOMAIN
) -> Effect | None:
    """The effect a magic address asks for, or None for an ordinary address."""
    if channel in (Channel.SMS, Channel.VOICE):
        found = _MAGIC_PHONE.match(address.replace(" ", ""))
        if found is None:
            return None
        sms, voice = MAGIC_NUMBERS.get(found.group(1), (Outcome.DELIVERED, Outcome.DELIVERED))
        effect = voice if channel is Channel.VOICE else sms
        return _reached(channel) if effect is Outcome.DELIVERED else effect
    if channel is Channel.EMAIL:
        local, _, domain = address.rpartition("@")
        if domain.lower() != email_domain:
            return None
        return _effect_named(local.split("+", 1)[0]) or Outcome.DELIVERED
    if channel is Channel.PUSH and address.startswith(PUSH_TOKEN_PREFIX):
        return _effect_named(address.removeprefix(PUSH_TOKEN_PREFIX)) or Outcome.DELIVERED
    return None


class OutcomeModel(Protocol):
    """Draws the outcome of an ordinary (non-magic) address; None falls back to delivered."""

    def outcome_for(self, message: OutboundMessage) -> Outcome | None: ...


@dataclass(frozen=True, slots=True)
class ReachabilityProfile:
    """Outcome weights per channel for one kind of customer ("reachable", "stale email", …)."""

    name: str
    weights: Mapping[Channel, Mapping[Outcome, float]]

    def __post_init__(self) -> None:
        for channel, table in self.weights.items():
            if any(weight < 0 for weight in table.values()) or sum(table.values()) <= 0:
                message = f"profile {self.name!r}: {channel.value} weights must be >= 0, sum > 0"
                raise ValueError(message)


class SeededOutcomeModel:
    """A reproducible draw per attempt: the same seed and idempotency key give the same outcome,
    whatever the order of sends, so a re-run or a crash-and-resume draws alike."""

    def __init__(self, seed: int, profile_of: Callable[[str], ReachabilityProfile | None]) -> None:
        self.seed = seed
        self._profile_of = profile_of

    def outcome_for(self, message: OutboundMessage) -> Outcome | None:
        profile = self._profile_of(message.customer_id)
        table = profile.weights.get(message.channel) if profile else None
        if not table:
            return None
        draw = random.Random(f"{self.seed}:{message.idempotency_key}")  # noqa: S311 - a simulation, not a secret
        outcomes = list(table)
        return draw.choices(outcomes, weights=[table[outcome] for outcome in outcomes])[0]


@dataclass(frozen=True, slots=True)
class SandboxSend:
    """One message the sandbox sent; no address and no body, so it may be logged and printed."""

    idempotency_key: str
    attempt_id: str
    channel: Channel
    outcome: Outcome | None
    provider_message_id: str


class SandboxLedger:
    """The outside world as the sandbox sees it. Share one between provider instances to model a
    process restart: the new instance has forgotten its keys, the ledger has not."""

    def __init__(self) -> None:
        self._requests: Counter[str] = Counter()
        self._sent: Counter[str] = Counter()
        self._sends: list[SandboxSend] = []
        self._lock = threading.Lock()

    def request(self, idempotency_key: str) -> int:
        """Count one request for the key; returns how many there have been, this one included."""
        with self._lock:
            self._requests[idempotency_key] += 1
            return self._requests[idempotency_key]

    def record_send(self, send: SandboxSend) -> None:
        with self._lock:
            self._sent[send.idempotency_key] += 1
            self._sends.append(send)

    @property
    def sends(self) -> tuple[SandboxSend, ...]:
        with self._lock:
            return tuple(self._sends)

    def times_requested(self, idempotency_key: str) -> int:
        with self._lock:
            return self._requests[idempotency_key]

    def times_sent(self, idempotency_key: str) -> int:
        with self._lock:
            return self._sent[idempotency_key]

    @property
    def duplicates(self) -> int:
        """Sends beyond the first for any key: a crash-safe dispatcher keeps this at zero."""
        with self._lock:
            return sum(count - 1 for count in self._sent.values() if count > 1)

    def __repr__(self) -> str:
        with self._lock:
            return f"SandboxLedger(sent={len(self._sends)}, keys={len(self._sent)})"


ALL_CHANNELS = frozenset(Channel)


class SandboxSettings(ProviderSettings):
    channels: frozenset[Channel] = Field(
        default=ALL_CHANNELS, description="Channels this sandbox instance serves."
    )
    email_domain: str = Field(
        default=SANDBOX_EMAIL_DOMAIN, description="Domain whose local parts name an outcome."
    )
    api_key: SecretStr | None = Field(
        default=None, description="A pretend key, masked like a real provider's."
    )


class SandboxProvider(ChannelProvider[SandboxSettings]):
    kind = "sandbox"
    settings_model = SandboxSettings
    CAPABILITIES = Capabilities(
        channels={
            Channel.SMS: ChannelLimits(
                max_segments=10, encoding=BodyEncoding.SMS, splittable=True, max_parts=3
            ),
            Channel.VOICE: ChannelLimits(max_length=3000),
            Channel.EMAIL: ChannelLimits(),
            Channel.PUSH: ChannelLimits(max_length=4000),
            Channel.LETTER: ChannelLimits(),
        },
        batch_size=500,
        secret_fields=frozenset({"api_key"}),
        notes="Sends nothing; outcomes from magic addresses or a seeded model.",
    )

    def __init__(
        self,
        settings: SandboxSettings,
        *,
        name: str | None = None,
        resilience: Resilience | None = None,
        ledger: SandboxLedger | None = None,
        model: OutcomeModel | None = None,
    ) -> None:
        super().__init__(settings, name=name, resilience=resilience)
        self.ledger = ledger or SandboxLedger()
        self.model = model

    def _capabilities(self) -> Capabilities:
        return self.CAPABILITIES.restricted_to(self.settings.channels)

    def _effect(self, message: OutboundMessage) -> Effect:
        effect = magic_effect(message.channel, message.address, self.settings.email_domain)
        if effect is None and self.model is not None:
            effect = self.model.outcome_for(message)
        return _reached(message.channel) if effect is None else effect

    def deliver(self, message: OutboundMessage) -> SendReport:
        key = message.idempotency_key
        effect = self._effect(message)
        requests = self.ledger.request(key)
        message_id = "SB" + hashlib.sha256(key.encode()).hexdigest()[:32]
        if isinstance(effect, Behaviour):
            if effect is Behaviour.OUTCOME_UNKNOWN:
                self._log_send(message, None, message_id)
                return transient(self.name, "sandbox_timeout", Outcome.TIMEOUT, ambiguous=True)
            effect = Outcome.PROVIDER_ERROR if requests == 1 else _reached(message.channel)
        if effect in PERMANENT_AT_SEND:
            return permanent(self.name, f"sandbox_{effect.value}", effect)
        if effect in TRANSIENT_AT_SEND:
            return transient(
                self.name,
                f"sandbox_{effect.value}",
                effect,
                recipient_fault=effect is not Outcome.PROVIDER_ERROR,
            )
        self._log_send(message, effect, message_id)
        return accepted(self.name, message_id, effect)

    def _log_send(self, message: OutboundMessage, outcome: Outcome | None, message_id: str) -> None:
        send = SandboxSend(
            message.idempotency_key, message.attempt_id, message.channel, outcome, message_id
        )
        self.ledger.record_send(send)
