# SPDX-License-Identifier: Apache-2.0
"""SQLite WAL checkpoints in a background thread, after the commits that make them due.

In WAL mode a commit appends pages to the `-wal` file; a checkpoint copies them back into the
database file and syncs it. By default the committing connection does that itself once the WAL
holds 1,000 pages, so every few commits one of them takes several times longer (about 15 ms
against 2 ms for a chunk of 500 attempts; a sixth of the time spent recording them). Here,
after commits on an embedded database, one shared thread runs
`PRAGMA wal_checkpoint(PASSIVE)` on a connection of its own: SQLite lets a checkpoint run beside
a writer, and the copying and syncing release the GIL, so they take the second core instead of
the writer's time. Nothing about durability changes: a PASSIVE checkpoint only copies committed
pages, exactly as the automatic one would.

Checkpoints of one database start at least `INTERVAL` apart, so a worker that commits a few
pages hundreds of times a second does not sync the files after each commit (that made a
simulated run 30 % slower). The automatic checkpoint stays on as the backstop, at
`BACKSTOP_PAGES` instead of 1,000 so that it does not beat the thread to every checkpoint:
should the thread fall behind, the writer checkpoints as before (if the thread holds the
checkpoint lock at that moment, the writer skips its turn; SQLite allows one at a time).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

_log = logging.getLogger(__name__)
INTERVAL = 0.25
"""Seconds between the starts of two checkpoints of one database."""
BACKSTOP_PAGES = 10_000
"""`wal_autocheckpoint` of the writing connections: the WAL size (40 MB of 4 KB pages) at which
a writer checkpoints by itself, should the thread fall behind."""
_MAX_REMEMBERED = 1024
_COMMITTED = "rightparty.committed"
"""Connection-info flag: this connection committed since it was checked out."""


@dataclass(frozen=True, slots=True)
class _Request:
    future: Future[None]
    dropped: threading.Event


class Checkpointer:
    """Runs at most one queued checkpoint per database file at a time, on one thread, and starts
    checkpoints of one file at least `interval` seconds apart: a worker committing a few pages
    hundreds of times a second would otherwise sync the files after every commit."""

    def __init__(self, interval: float = INTERVAL) -> None:
        self._interval = interval
        self._lock = threading.Lock()
        self._queued: dict[str, _Request] = {}
        self._running: dict[str, _Request] = {}
        self._started: dict[str, float] = {}
        self._executor: ThreadPoolExecutor | None = None

    def request(self, database: str) -> Future[None]:
        """A checkpoint of `database` soon; a request while one is queued joins it."""
        with self._lock:
            queued = self._queued.get(database)
            if queued is not None:
                return queued.future
            if self._executor is None:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="sqlite-checkpoint")
            dropped = threading.Event()
            future = self._executor.submit(self._run, database, dropped)
            self._queued[database] = _Request(future, dropped)
            return future

    def drop(self, database: str) -> None:
        """Before `database`'s engine goes away: a checkpoint of it that has not started never
        will, and one under way is waited for. Otherwise the thread could open the file after
        its owner removed it, and SQLite would leave a fresh `-wal` and `-shm` behind."""
        with self._lock:
            queued = self._queued.pop(database, None)
            running = self._running.pop(database, None)
        if queued is not None:
            queued.dropped.set()
        if running is not None:  # its outcome is the thread's to report, not the disposer's
            wait([running.future])

    def _run(self, database: str, dropped: threading.Event) -> None:
        last = self._started.get(database)
        if last is not None:  # requests meanwhile join this one
            dropped.wait(max(0.0, last + self._interval - time.monotonic()))
        with self._lock:  # from now on a new commit's pages may miss this one: queue another
            if dropped.is_set():
                return
            request = self._queued.pop(database)
            self._running[database] = request
            if len(self._started) >= _MAX_REMEMBERED:
                self._started.clear()
            self._started[database] = time.monotonic()
        try:
            checkpoint(database)
        finally:
            with self._lock:
                if self._running.get(database) is request:
                    del self._running[database]

    def forget(self) -> None:
        """In a forked child: the parent's thread is not there, so start afresh."""
        self._lock = threading.Lock()
        self._queued = {}
        self._running = {}
        self._started = {}
        self._executor = None


def checkpoint(database: str) -> tuple[int, int, int] | None:
    """`PRAGMA wal_checkpoint(PASSIVE)` on `database` through a connection of its own: (busy,
    pages in the WAL, pages copied), or None when the file cannot be opened (it is never
    created: a removed database stays removed)."""
    try:
        connection = sqlite3.connect(f"{Path(database).resolve().as_uri()}?mode=rw", uri=True)
    except sqlite3.Error:
        return None
    try:
        row = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    except sqlite3.Error as error:  # a checkpoint is an optimisation; the backstop remains
        _log.warning("background WAL checkpoint failed: %s", type(error).__name__)
        return None
    finally:
        connection.close()
    return (int(row[0]), int(row[1]), int(row[2])) if row else None


CHECKPOINTER = Checkpointer()
if hasattr(os, "register_at_fork"):  # absent only where there is no fork() (Windows)
    os.register_at_fork(after_in_child=CHECKPOINTER.forget)


def checkpoint_after_commits(engine: Engine, database: str) -> None:
    """Request a background checkpoint of `database` whenever a connection of `engine` goes
    back to the pool after a commit (the `commit` event comes before the commit itself); none
    is left to run once the engine is disposed."""

    def committed(connection: Any) -> None:  # noqa: ANN401 - SQLAlchemy's Connection
        connection.info[_COMMITTED] = True

    def checked_in(_dbapi_connection: object, record: Any) -> None:  # noqa: ANN401
        if record is not None and record.info.pop(_COMMITTED, False):
            CHECKPOINTER.request(database)

    def disposed(_engine: Engine) -> None:
        CHECKPOINTER.drop(database)

    event.listen(engine, "commit", committed)
    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "engine_disposed", disposed)
