# SPDX-License-Identifier: Apache-2.0
"""The outside world for crash tests: a sandbox whose record of what it sent survives SIGKILL.

`DurableLedger` keeps every request and every send in a SQLite file, each write committed before
the call returns, as a provider's own database would. `DeduplicatingSandbox` answers a key it has
already sent with the first answer and sends nothing: what a provider that honours idempotency
keys does, and what closes the window between a send and the commit of "sent" (ADR 0002).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from rightparty.channels.providers.sandbox import SandboxLedger, SandboxProvider, SandboxSend
from rightparty.channels.reports import SendReport, accepted
from rightparty.domain.messages import OutboundMessage
from rightparty.domain.vocabulary import Channel, Outcome

_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (key TEXT PRIMARY KEY, n INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sends (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, attempt_id TEXT NOT NULL,
    channel TEXT NOT NULL, outcome TEXT, message_id TEXT NOT NULL
);
"""


class DurableLedger(SandboxLedger):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        with self._connection() as connection:
            connection.executescript(_SCHEMA)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as connection:
            yield connection

    def request(self, idempotency_key: str) -> int:
        with self._connection() as connection:
            connection.execute(
                "INSERT INTO requests VALUES (?, 1) ON CONFLICT(key) DO UPDATE SET n = n + 1",
                (idempotency_key,),
            )
            return self.times_requested(idempotency_key)

    def record_send(self, send: SandboxSend) -> None:
        with self._connection() as connection:
            connection.execute(
                "INSERT INTO sends (key, attempt_id, channel, outcome, message_id)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    send.idempotency_key,
                    send.attempt_id,
                    send.channel.value,
                    None if send.outcome is None else send.outcome.value,
                    send.provider_message_id,
                ),
            )

    @property
    def sends(self) -> tuple[SandboxSend, ...]:
        with self._connection() as connection:
            rows = connection.execute(
                "SELECT key, attempt_id, channel, outcome, message_id FROM sends ORDER BY seq"
            ).fetchall()
        return tuple(
            SandboxSend(key, attempt, Channel(channel), outcome and Outcome(outcome), message)
            for key, attempt, channel, outcome, message in rows
        )

    def times_requested(self, idempotency_key: str) -> int:
        with self._connection() as connection:
            row = connection.execute(
                "SELECT n FROM requests WHERE key = ?", (idempotency_key,)
            ).fetchone()
        return 0 if row is None else int(row[0])

    def times_sent(self, idempotency_key: str) -> int:
        return sum(1 for send in self.sends if send.idempotency_key == idempotency_key)

    def requests(self) -> dict[str, int]:
        with self._connection() as connection:
            return dict(connection.execute("SELECT key, n FROM requests").fetchall())

    @property
    def duplicates(self) -> int:
        with self._connection() as connection:
            row = connection.execute(
                "SELECT coalesce(sum(c - 1), 0) FROM"
                " (SELECT count(*) AS c FROM sends GROUP BY key HAVING c > 1)"
            ).fetchone()
        return int(row[0])

    def first_send(self, idempotency_key: str) -> SandboxSend | None:
        return next((s for s in self.sends if s.idempotency_key == idempotency_key), None)


class DeduplicatingSandbox(SandboxProvider):
    """A repeated key gets the first answer back and nothing is sent again."""

    ledger: DurableLedger

    def deliver(self, message: OutboundMessage) -> SendReport:
        first = self.ledger.first_send(message.idempotency_key)
        if first is None:
            return super().deliver(message)
        self.ledger.request(message.idempotency_key)
        return accepted(self.name, first.provider_message_id, first.outcome)
