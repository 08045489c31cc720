# SPDX-License-Identifier: Apache-2.0
"""The composition root: the one place that wires adapters to use cases.

Only entry points (cli, api, console, runtime) and tests import it. Nothing here runs at import
time; `bootstrap(settings)` builds the graph when it is called.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from rightparty.audit.checkpoint import SignedCheckpoint
from rightparty.audit.log import AuditLog
from rightparty.audit.verification import VerificationReport, verify_log
from rightparty.channels.base import Resilience
from rightparty.channels.providers.sandbox import (
    OutcomeModel,
    SandboxLedger,
    SandboxProvider,
    SandboxSettings,
)
from rightparty.channels.resilience import ClockTimer
from rightparty.config import Settings
from rightparty.db import migrate
from rightparty.db.audit_recorder import DEFAULT_ORIGIN
from rightparty.db.audit_store import SqlAuditStore
from rightparty.db.data_key_store import SqlDataKeyStore
from rightparty.db.engine import build_engine
from rightparty.db.protection import EnvelopeProtection
from rightparty.db.unit_of_work import SqlUnitOfWork, active_session
from rightparty.domain.clock import Clock, SystemClock
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
    cipher = FieldCipher(keys, SqlDataKeyStore(active_session))
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


def _checkpoint_signer(keys: KeyProvider) -> Ed25519PrivateKey:
    """The log's Ed25519 signing key, derived from the keyring (HKDF under its own label), so
    whoever can write the database but not read the keyring cannot forge a checkpoint."""
    seed = keys.blind_index_key("audit-checkpoint-signing")[:32]
    return Ed25519PrivateKey.from_private_bytes(seed)
