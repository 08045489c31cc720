# SPDX-License-Identifier: Apache-2.0
"""The unit of work: one session, one transaction; only `commit()` makes changes durable.

Audit entries are appended through the same session, so a change and its audit entry commit
together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session

from rightparty.db.audit_recorder import DEFAULT_ORIGIN, BufferedAuditRecorder
from rightparty.db.data_key_store import keys_written
from rightparty.db.protection import FieldProtection
from rightparty.db.repositories.cases import (
    SqlAttemptRepository,
    SqlCaseRepository,
    SqlDecisionRepository,
)
from rightparty.db.repositories.customers import SqlCustomerRepository

_active_session: ContextVar[Session | None] = ContextVar("rightparty_active_session", default=None)


class NoActiveUnitOfWork(RuntimeError):
    """Personal data was read or written outside a unit of work."""


def active_session() -> Session:
    """The session of the unit of work running in this context (data keys are written in it)."""
    session = _active_session.get()
    if session is None:
        message = "no unit of work is active here; personal data is only touched inside one"
        raise NoActiveUnitOfWork(message)
    return session


class SqlUnitOfWork:
    customers: SqlCustomerRepository
    cases: SqlCaseRepository
    attempts: SqlAttemptRepository
    decisions: SqlDecisionRepository
    audit: BufferedAuditRecorder

    def __init__(
        self,
        session_factory: Callable[[], Session],
        protection: FieldProtection,
        *,
        audit_origin: str = DEFAULT_ORIGIN,
        on_rollback: Callable[[str], None] | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._protection = protection
        self._audit_origin = audit_origin
        self._on_rollback = on_rollback
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            message = "the unit of work is used outside its `with` block"
            raise RuntimeError(message)
        return self._session

    def __enter__(self) -> Self:
        session = self._session_factory()
        self._session = session
        _active_session.set(session)
        flush_held = self.flush_held
        self.customers = SqlCustomerRepository(session, self._protection, flush_held)
        self.cases = SqlCaseRepository(session, flush_held)
        self.attempts = SqlAttemptRepository(session, self._protection, flush_held)
        self.decisions = SqlDecisionRepository(session, flush_held)
        self.audit = BufferedAuditRecorder(session, self._audit_origin)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
        finally:
            self.session.close()
            self._session = None
            _active_session.set(None)

    def prepare_customers(
        self, customer_ids: Iterable[str], *, for_encryption: bool = True
    ) -> None:
        """Ready these customers' data keys for the chunk of work that follows, with a few
        statements in this transaction (`FieldCipher.prepare`); a rollback forgets them."""
        self._protection.prepare(customer_ids, for_encryption=for_encryption)

    def flush_held(self) -> None:
        """Write what the repositories hold back to write together (row updates, decisions);
        each calls this before a query that could read them, so a read never misses a change
        of its own unit of work."""
        self.cases.flush()
        self.customers.flush()
        self.attempts.flush()
        self.decisions.flush()

    def commit(self) -> None:
        """Append the pending audit entries, then commit them with the change they record."""
        self.flush_held()
        self.audit.flush()
        self.session.commit()
        keys_written(self.session).clear()

    def rollback(self) -> None:
        """Discard the change; data keys this transaction created or changed are forgotten by
        the cipher's cache, as they never committed."""
        self.audit.discard()
        written = keys_written(self.session)
        self.session.rollback()
        if self._on_rollback is not None:
            for customer_id in written:
                self._on_rollback(customer_id)
        written.clear()
