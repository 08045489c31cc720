# SPDX-License-Identifier: Apache-2.0
"""The composition root: the one place that wires adapters to use cases.

Only entry points (cli, api, console, runtime) and tests import it. Nothing here runs at import
time; `bootstrap(settings)` builds the graph when it is called.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from rightparty.audit.checkpoint import SignedCheckpoint
from rightparty.audit.log import AuditLog
from rightparty.audit.verification import VerificationReport, verify_log
from rightparty.channels.base import ChannelProvider, ProviderSettings, Resilience
from rightparty.channels.batching import run_concurrently
from rightparty.channels.failover import FailoverGateway
from rightparty.channels.providers.sandbox import (
    OutcomeModel,
    SandboxLedger,
    SandboxProvider,
    SandboxSettings,
)
from rightparty.channels.registry import ProviderRegistry, ProviderRegistryError, UnknownProvider
from rightparty.channels.reports import BaseErrorCode, permanent
from rightparty.channels.resilience import ClockTimer
from rightparty.config import ChannelSettings, ProviderConfig, Settings
from rightparty.db import migrate
from rightparty.db.audit_recorder import DEFAULT_ORIGIN
from rightparty.db.audit_store import SqlAuditStore
from rightparty.db.data_key_store import SqlDataKeyStore
from rightparty.db.engine import build_engine
from rightparty.db.protection import EnvelopeProtection
from rightparty.db.unit_of_work import SqlUnitOfWork, active_session
from rightparty.domain.clock import Clock, SystemClock
from rightparty.domain.messages import DeliveryResult, OutboundMessage
from rightparty.domain.vocabulary import Channel
from rightparty.privacy.envelope import FieldCipher
from rightparty.privacy.keyring import LocalKeyring
from rightparty.privacy.keys import KeyProvider
from rightparty.reports.summary import RunSummary, summarise
from rightparty.usecases.orchestration.worker import CaseWorker
from rightparty.usecases.ports import ChannelGateway


@dataclass(frozen=True)
class Application:
    """The running system's parts, built once per process."""

    settings: Settings
    clock: Clock
    engine: Engine
    keys: KeyProvider
    protection: EnvelopeProtection
    session_factory: sessionmaker[Session]

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self.session_factory,
            self.protection,
            on_rollback=self.protection.cipher.forget_cached_keys,
        )

    def case_worker(self, gateway: ChannelGateway) -> CaseWorker:
        return CaseWorker(unit_of_work=self.unit_of_work, clock=self.clock, gateway=gateway)

    def checkpoint_audit_log(self) -> SignedCheckpoint:
        """Sign the log's current head and keep the checkpoint (after every batch of writes)."""
        with self.session_factory() as session, session.begin():
            log = AuditLog(SqlAuditStore(session), origin=DEFAULT_ORIGIN)
            return log.checkpoint(_checkpoint_signer(self.keys), issued_at=self.clock.now())

    def verify_audit_log(self) -> VerificationReport:
        """Re-derive every entry of the stored log and check it against its signed checkpoints."""
        with self.session_factory() as session:
            public_key = _checkpoint_signer(self.keys).public_key()
            return verify_log(SqlAuditStore(session), public_key, origin=DEFAULT_ORIGIN)

    def run_summary(self, customer_ids: Sequence[str]) -> RunSummary:
        """The §8.4 figures of a run, read back from storage, with the audit log verified."""
        verified = self.verify_audit_log().ok
        with self.session_factory() as session:
            return summarise(session, customer_ids, audit_verified=verified)

    def close(self) -> None:
        """Release pooled connections."""
        self.engine.dispose()


def initialise(settings: Settings) -> None:
    """`rightparty init`: create or open the keyring, then migrate the schema. Idempotent."""
    LocalKeyring.open_or_create(settings.keys.keyring)
    engine = build_engine(settings.database.url, echo=settings.database.echo)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()


def bootstrap(
    settings: Settings, *, clock: Clock | None = None, keys: KeyProvider | None = None
) -> Application:
    """Build the object graph from `settings`; tests pass a simulated `clock` or their own keys.

    The keyring must exist (`rightparty init` creates it); it is never created silently here,
    because a new keyring beside existing ciphertext would make that data unreadable.
    """
    engine = build_engine(settings.database.url, echo=settings.database.echo)
    return assemble(settings, engine, keys or LocalKeyring.open(settings.keys.keyring), clock)


def assemble(
    settings: Settings,
    engine: Engine,
    keys: KeyProvider,
    clock: Clock | None = None,
    *,
    bind: Connection | None = None,
) -> Application:
    """Wire an application around an engine the caller owns.

    Tests pass `bind`, a connection inside a transaction they roll back: sessions then join it
    through SAVEPOINTs, so a test's commits never outlive the test.
    """
    cipher = FieldCipher(keys, SqlDataKeyStore(active_session), cache_size=settings.keys.cache_size)
    sessions = sessionmaker(
        bind if bind is not None else engine,
        expire_on_commit=False,
        join_transaction_mode="create_savepoint",
    )
    return Application(
        settings=settings,
        clock=clock or SystemClock(),
        engine=engine,
        keys=keys,
        protection=EnvelopeProtection(cipher, keys),
        session_factory=sessions,
    )


def sandbox_gateway(
    clock: Clock, *, model: OutcomeModel | None = None, ledger: SandboxLedger | None = None
) -> SandboxProvider:
    """The sandbox provider on every channel, timed by `clock`, with retries that cost no real
    time."""
    resilience = Resilience(timer=ClockTimer(clock), throttle=False)
    return SandboxProvider(SandboxSettings(), resilience=resilience, model=model, ledger=ledger)


UNCONFIGURED_PROVIDER = "unconfigured"
"""The provider named in the result of a message on a channel no provider serves."""
_MASK = "**********"


class ChannelConfigurationError(ValueError):
    """A provider of the channel settings cannot be built. The message names the provider and
    the field, never a value: the value may be a password."""

    def __init__(self, provider: str, message: str) -> None:
        super().__init__(message)
        self.provider = provider


class ChannelRouter:
    """The worker's `ChannelGateway`: each message goes to its channel's failover chain.

    A channel no provider serves answers a permanent `no_provider`, so the case moves on to the
    next step of its plan instead of the worker stopping. `send_many` hands each channel's share
    of a batch to its chain, the channels side by side.
    """

    def __init__(
        self,
        routes: Mapping[Channel, FailoverGateway],
        providers: Iterable[ChannelProvider[Any]] = (),
    ) -> None:
        self.routes = dict(routes)
        self._providers = tuple(providers)

    def __repr__(self) -> str:
        served = ", ".join(
            f"{channel.value}={gateway.name}" for channel, gateway in self.routes.items()
        )
        return f"ChannelRouter({served})"

    def send(self, message: OutboundMessage) -> DeliveryResult:
        gateway = self.routes.get(message.channel)
        if gateway is None:
            return permanent(UNCONFIGURED_PROVIDER, BaseErrorCode.NO_PROVIDER).result
        return gateway.send(message)

    def send_many(self, messages: Sequence[OutboundMessage]) -> list[DeliveryResult]:
        """One result per message, in order; see `BatchGateway`."""
        by_channel: dict[Channel, list[int]] = {}
        for index, message in enumerate(messages):
            by_channel.setdefault(message.channel, []).append(index)

        def send_share(channel: Channel) -> list[DeliveryResult]:
            share = [messages[index] for index in by_channel[channel]]
            gateway = self.routes.get(channel)
            if gateway is None:
                unserved = permanent(UNCONFIGURED_PROVIDER, BaseErrorCode.NO_PROVIDER).result
                return [unserved] * len(share)
            return gateway.send_many(share)

        channels = list(by_channel)
        answers = run_concurrently(send_share, channels, workers=len(channels), name="router")
        results: dict[int, DeliveryResult] = {}
        for channel, share in zip(channels, answers, strict=True):
            results.update(zip(by_channel[channel], share, strict=True))
        return [results[index] for index in range(len(messages))]

    def serves(self, channel: Channel) -> bool:
        return channel in self.routes

    def deduplicates(self, channel: Channel) -> bool:
        """Whether every provider of the channel honours the idempotency key, so a send cut
        short by a crash may be asked for again."""
        gateway = self.routes.get(channel)
        return gateway is not None and gateway.deduplicates(channel)

    def close(self) -> None:
        """Release every provider's connections."""
        for provider in self._providers:
            provider.close()


def configured_gateway(
    settings: Settings,
    clock: Clock,
    *,
    registry: ProviderRegistry | None = None,
    resilience: Resilience | None = None,
) -> ChannelRouter:
    """The providers of `settings.channels`, each channel's in a failover chain in its listed
    order. Every defined provider's settings are checked, the listed ones built; raises
    `ChannelConfigurationError` naming the first provider that cannot be."""
    registry = registry or ProviderRegistry.discover()
    channels = settings.channels
    routes = channels.routes()
    listed = {name for names in routes.values() for name in names}
    providers: dict[str, ChannelProvider[Any]] = {}
    try:
        for name, config in sorted(channels.providers.items()):
            validated = _validated(registry, name, config)
            if name in listed:
                providers[name] = _built(
                    registry, name, config, validated, clock=clock, resilience=resilience
                )
        chains: dict[Channel, FailoverGateway] = {}
        for channel in Channel:
            names = routes[channel.value]
            for name in names:
                if not providers[name].capabilities.serves(channel):
                    raise ChannelConfigurationError(name, _not_serving(name, channels, channel))
            if names:
                chain = [providers[name] for name in names]
                chains[channel] = FailoverGateway(channel, chain, name="+".join(names))
    except BaseException:
        for provider in providers.values():
            provider.close()
        raise
    return ChannelRouter(chains, providers.values())


@dataclass(frozen=True)
class ProviderCheck:
    """One provider as `rightparty channels check` shows it: secrets masked."""

    name: str
    kind: str
    serves: tuple[str, ...]
    settings: Mapping[str, object]
    problem: str | None = None


def check_channels(
    channels: ChannelSettings, *, registry: ProviderRegistry | None = None
) -> tuple[tuple[ProviderCheck, ...], tuple[str, ...]]:
    """Every provider built and closed again (no connection is made), and every problem found,
    not only the first: what an operator needs before starting a worker."""
    registry = registry or ProviderRegistry.discover()
    checks: dict[str, ProviderCheck] = {}
    problems: list[str] = []
    for name, config in sorted(channels.providers.items()):
        try:
            validated = _validated(registry, name, config)
            with _built(
                registry, name, config, validated, clock=SystemClock(), resilience=None
            ) as provider:
                serves = tuple(sorted(c.value for c in provider.capabilities.channels))
                secret = provider.capabilities.secret_fields
        except ChannelConfigurationError as error:
            problems.append(str(error))
            checks[name] = ProviderCheck(name, config.kind, (), {}, str(error))
            continue
        shown = {
            field: _MASK if field in secret and value is not None else value
            for field, value in validated.model_dump(mode="json").items()
        }
        checks[name] = ProviderCheck(name, config.kind, serves, shown)
    for channel, names in channels.routes().items():
        for name in names:
            check = checks[name]
            if check.problem is None and channel not in check.serves:
                problems.append(_not_serving(name, channels, Channel(channel)))
    return tuple(checks.values()), tuple(problems)


def _validated(registry: ProviderRegistry, name: str, config: ProviderConfig) -> ProviderSettings:
    """The provider's settings checked against its kind's own model."""
    try:
        provider_class = registry.provider_class(config.kind)
    except UnknownProvider:
        known = ", ".join(registry.kinds())
        message = f"provider {name!r}: unknown kind {config.kind!r}; known kinds: {known}"
        raise ChannelConfigurationError(name, message) from None
    except ProviderRegistryError as error:
        raise ChannelConfigurationError(name, f"provider {name!r}: {error}") from None
    values = config.values()
    try:
        validated = provider_class.settings_model.model_validate(values)
    except ValidationError as error:
        # Messages and field paths only: an input or context may quote the secret.
        details = [
            f"{'.'.join(str(part) for part in item['loc']) or 'settings'}: "
            f"{_scrubbed(item['msg'], values)}"
            for item in error.errors(include_url=False, include_input=False, include_context=False)
        ]
        message = f"provider {name!r} ({config.kind}): " + "; ".join(details)
        raise ChannelConfigurationError(name, message) from None
    return validated


def _built(
    registry: ProviderRegistry,
    name: str,
    config: ProviderConfig,
    validated: ProviderSettings,
    *,
    clock: Clock,
    resilience: Resilience | None,
) -> ChannelProvider[Any]:
    provider_class = registry.provider_class(config.kind)
    extras: dict[str, object] = {}
    if "clock" in inspect.signature(provider_class).parameters:
        extras["clock"] = clock
    try:
        return registry.create(config.kind, validated, name=name, resilience=resilience, **extras)
    except (ValueError, TypeError, OSError) as error:
        problem = _scrubbed(str(error), config.values())
        message = f"provider {name!r} ({config.kind}) cannot start: {problem}"
        raise ChannelConfigurationError(name, message) from None


def _not_serving(name: str, channels: ChannelSettings, channel: Channel) -> str:
    kind = channels.providers[name].kind
    return (
        f"provider {name!r} ({kind}) is listed for {channel.value} but does not serve it "
        "with these settings"
    )


def _scrubbed(text: str, values: Mapping[str, Any]) -> str:
    """`text` with every configured string value blanked: a plugin's message may quote one."""
    for value in _strings(values):
        if len(value) >= 4:
            text = text.replace(value, "***")
    return text


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _checkpoint_signer(keys: KeyProvider) -> Ed25519PrivateKey:
    """The log's Ed25519 signing key, derived from the keyring (HKDF under its own label), so
    whoever can write the database but not read the keyring cannot forge a checkpoint."""
    seed = keys.blind_index_key("audit-checkpoint-signing")[:32]
    return Ed25519PrivateKey.from_private_bytes(seed)
