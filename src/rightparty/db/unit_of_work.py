# SPDX-License-Identifier: Apache-2.0
"""The unit of work: one session, one transaction; only `commit()` makes changes durable.

Audit entries are appended through the same session, so a change and its audit entry commit
together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session

from rightparty.db.protection import FieldProtection
from rightparty.db.repositories.cases import (
    SqlAttemptRepository,
    SqlCaseRepository,
    SqlDecisionRepository,
)
from rightparty.db.repositories.customers import SqlCustomerRepository
from rightparty.usecases.ports import AuditRecorder

AuditRecorderFactory = Callable[[Session], AuditRecorder]


class SqlUnitOfWork:
    customers: SqlCustomerRepository
    cases: SqlCaseRepository
    attempts: SqlAttemptRepository
    decisions: SqlDecisionRepository
    audit: AuditRecorder

    def __init__(
        self,
        session_factory: Callable[[], Session],
        protection: FieldProtection,
        audit_recorder: AuditRecorderFactory,
    ) -> None:
        self._session_factory = session_factory
        self._protection = protection
        self._audit_recorder = audit_recorder
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
        self.customers = SqlCustomerRepository(session, self._protection)
        self.cases = SqlCaseRepository(session)
        self.attempts = SqlAttemptRepository(session, self._protection)
        self.decisions = SqlDecisionRepository(session)
        self.audit = self._audit_recorder(session)
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

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
