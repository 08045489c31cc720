# SPDX-License-Identifier: Apache-2.0
"""SMTP connections kept open between messages, each carrying one transaction at a time.

A sender takes an idle connection (or opens a new one when none is idle), runs its transaction and
gives the connection back unless it was dropped on the way. How many exist at once is bounded by
the provider's concurrency: the base class lets no more senders in at a time.
"""

from __future__ import annotations

import smtplib
import threading
from collections.abc import Callable

__all__ = ["ConnectionPool", "KeptConnection"]

_SMTP_ERRORS = (smtplib.SMTPException, OSError)


class KeptConnection:
    """One relay connection and how many messages it has carried."""

    __slots__ = ("sent", "smtp")

    def __init__(self, smtp: smtplib.SMTP) -> None:
        self.smtp: smtplib.SMTP | None = smtp
        self.sent = 0

    @property
    def open(self) -> bool:
        return self.smtp is not None

    def drop(self, *, graceful: bool) -> None:
        """Close it (with `QUIT` when `graceful`); it is not given back afterwards."""
        smtp, self.smtp = self.smtp, None
        if smtp is None:
            return
        try:
            if graceful:
                smtp.quit()
        except _SMTP_ERRORS:
            pass
        finally:
            smtp.close()


class ConnectionPool:
    """Idle connections, most recently used first (the one least likely to have timed out)."""

    def __init__(self, open_connection: Callable[[], smtplib.SMTP]) -> None:
        self._open = open_connection
        self._idle: list[KeptConnection] = []
        self._lock = threading.Lock()

    def take(self) -> tuple[KeptConnection, bool]:
        """A connection for one transaction, and whether it was kept from before (and so may
        have been closed by the relay meanwhile). Opening one raises what `smtplib` raises."""
        with self._lock:
            if self._idle:
                return self._idle.pop(), True
        return KeptConnection(self._open()), False

    def give_back(self, connection: KeptConnection) -> None:
        if connection.open:
            with self._lock:
                self._idle.append(connection)

    @property
    def idle(self) -> int:
        with self._lock:
            return len(self._idle)

    def close(self) -> None:
        """`QUIT` every idle connection (the provider is closed once its sends have ended)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.drop(graceful=True)
