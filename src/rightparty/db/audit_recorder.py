# SPDX-License-Identifier: Apache-2.0
"""Collects a unit of work's audit events and appends them in one batch just before it commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from rightparty.audit.events import AuditEvent
from rightparty.audit.log import AuditLog
from rightparty.db.audit_store import SqlAuditStore

DEFAULT_ORIGIN = "rightparty.local/audit"


class BufferedAuditRecorder:
    """Events are validated when recorded (a bad actor or subject fails at the call site) and
    written together with the change they describe, in the same transaction."""

    def __init__(self, session: Session, origin: str = DEFAULT_ORIGIN) -> None:
        self._log = AuditLog(SqlAuditStore(session), origin=origin)
        self._pending: list[AuditEvent] = []

    def record(
        self,
        event_type: str,
        actor: str,
        subject_id: str,
        payload: dict[str, Any],
        at: datetime,
    ) -> None:
        self._pending.append(
            AuditEvent.for_payload(
                event_type=event_type,
                actor=actor,
                subject_id=subject_id,
                payload=payload,
                occurred_at=at,
            )
        )

    @property
    def pending(self) -> int:
        return len(self._pending)

    def flush(self) -> None:
        if self._pending:
            self._log.append_batch(self._pending)
            self._pending.clear()

    def discard(self) -> None:
        self._pending.clear()
