# SPDX-License-Identifier: Apache-2.0
"""Embedded SQLite: after a commit, a background thread copies the WAL into the database file
(the writer no longer pays for it); reads queue nothing; a missing or broken file is left as it
is, with a warning that names no path."""

import logging
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import event, text

from rightparty.db import checkpoints
from rightparty.db.checkpoints import CHECKPOINTER, Checkpointer, checkpoint
from rightparty.db.engine import build_engine

pytestmark = pytest.mark.integration

MARKER = b"background-checkpoint-probe-"


@pytest.fixture
def database(tmp_path):
    return str(tmp_path / "checkpoints.db")


@pytest.fixture
def engine_without_autocheckpoint(database):
    engine = build_engine(f"sqlite:///{database}")

    @event.listens_for(engine, "connect")
    def no_autocheckpoint(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")  # only the thread copies pages

    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE probe (n INTEGER PRIMARY KEY, payload BLOB)"))
    CHECKPOINTER.request(database).result(timeout=10)
    yield engine
    engine.dispose()


def _database_file_holds(database: str, marker: bytes) -> bool:
    return marker in Path(database).read_bytes()


def test_committed_pages_reach_the_database_file_without_the_writer_checkpointing(
    database, engine_without_autocheckpoint
):
    marker = MARKER + b"1"
    with engine_without_autocheckpoint.begin() as connection:
        connection.execute(text("INSERT INTO probe (payload) VALUES (:p)"), {"p": marker * 50})
    CHECKPOINTER.request(database).result(timeout=10)  # joins the one the commit queued
    assert _database_file_holds(database, marker)
    result = checkpoint(database)
    assert result is not None
    busy, in_wal, copied = result
    assert busy == 0
    assert copied == in_wal  # nothing was left for this one to copy


def test_without_the_thread_the_pages_stay_in_the_wal(
    database, engine_without_autocheckpoint, monkeypatch
):
    """The control for the test above: it is the thread that copies them."""
    monkeypatch.setattr(CHECKPOINTER, "request", lambda _database: None)
    marker = MARKER + b"2"
    with engine_without_autocheckpoint.begin() as connection:
        connection.execute(text("INSERT INTO probe (payload) VALUES (:p)"), {"p": marker * 50})
    assert not _database_file_holds(database, marker)
    assert marker in Path(f"{database}-wal").read_bytes()


def test_reads_queue_no_checkpoint_and_a_commit_queues_one(database, monkeypatch):
    engine = build_engine(f"sqlite:///{database}")
    requested: list[str] = []
    monkeypatch.setattr(CHECKPOINTER, "request", requested.append)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        assert requested == []
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (n INTEGER)"))
        assert requested == [database]
        with engine.connect() as connection:
            connection.execute(text("SELECT count(*) FROM t"))
            connection.rollback()
        assert requested == [database]
    finally:
        engine.dispose()


def test_a_request_while_one_is_queued_joins_it(database):
    build_engine(f"sqlite:///{database}").dispose()
    checkpointer = Checkpointer()
    gate = threading.Event()
    # Starts the thread; waited for, or a request made before it begins would join it.
    checkpointer.request(database).result(timeout=10)
    blocker = checkpointer._executor.submit(gate.wait)  # type: ignore[union-attr]
    first = checkpointer.request(database)
    assert checkpointer.request(database) is first
    gate.set()
    blocker.result(timeout=10)
    first.result(timeout=10)
    assert checkpointer.request(database) is not first


def test_a_forked_child_starts_a_thread_of_its_own(database):
    checkpointer = Checkpointer()
    checkpointer.request(database).result(timeout=10)
    checkpointer.forget()  # what the fork hook runs in the child
    assert checkpointer._executor is None
    checkpointer.request(database).result(timeout=10)
    assert checkpointer._executor is not None


def test_a_missing_database_is_not_created(tmp_path):
    missing = tmp_path / "gone.db"
    assert checkpoint(str(missing)) is None
    assert not missing.exists()


def test_a_file_that_is_not_a_database_gives_a_warning_without_its_path(tmp_path, caplog):
    broken = tmp_path / "customer-names.db"
    broken.write_bytes(b"this is not an SQLite database file" * 100)
    with caplog.at_level(logging.WARNING, logger=checkpoints.__name__):
        assert checkpoint(str(broken)) is None
    assert [record.getMessage() for record in caplog.records] == [
        "background WAL checkpoint failed: DatabaseError"
    ]


class _RecordedCheckpoints:
    """Stands in for `checkpoint`: when each call for `database` began (the shared checkpointer
    may still be busy with other tests' files), and a gate that can hold one open."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.began: list[float] = []
        self.entered = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def __call__(self, database: str) -> None:
        if database != self.database:
            return
        self.began.append(time.monotonic())
        self.entered.set()
        self.release.wait(timeout=10)


def test_a_dropped_checkpoint_that_has_not_started_never_runs(database, monkeypatch):
    calls = _RecordedCheckpoints(database)
    monkeypatch.setattr(checkpoints, "checkpoint", calls)
    checkpointer = Checkpointer(interval=0.3)
    checkpointer.request(database).result(timeout=10)
    waiting = checkpointer.request(database)  # sleeps until 0.3 s after the first began
    checkpointer.drop(database)
    waiting.result(timeout=10)
    assert len(calls.began) == 1
    checkpointer.request(database).result(timeout=10)  # a later request runs as before
    assert len(calls.began) == 2


def test_without_the_drop_the_waiting_checkpoint_runs(database, monkeypatch):
    """The control for the test above."""
    calls = _RecordedCheckpoints(database)
    monkeypatch.setattr(checkpoints, "checkpoint", calls)
    checkpointer = Checkpointer(interval=0.3)
    checkpointer.request(database).result(timeout=10)
    checkpointer.request(database).result(timeout=10)
    assert len(calls.began) == 2


def test_a_drop_waits_for_a_checkpoint_under_way(database, monkeypatch):
    calls = _RecordedCheckpoints(database)
    calls.release.clear()
    monkeypatch.setattr(checkpoints, "checkpoint", calls)
    checkpointer = Checkpointer()
    running = checkpointer.request(database)
    assert calls.entered.wait(timeout=10)
    dropping = threading.Thread(target=checkpointer.drop, args=(database,))
    dropping.start()
    dropping.join(timeout=0.2)
    assert dropping.is_alive()  # still waiting for the checkpoint to finish
    calls.release.set()
    dropping.join(timeout=10)
    assert not dropping.is_alive()
    assert running.done()


def test_no_checkpoint_opens_the_file_once_its_engine_is_disposed(database, monkeypatch):
    calls = _RecordedCheckpoints(database)
    monkeypatch.setattr(checkpoints, "checkpoint", calls)
    engine = build_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    CHECKPOINTER.request(database).result(timeout=10)
    with engine.begin() as connection:  # right after a checkpoint: queues one that waits
        connection.execute(text("INSERT INTO t VALUES (1)"))
    engine.dispose()
    disposed_at = time.monotonic()
    time.sleep(checkpoints.INTERVAL * 2)
    assert calls.began, "the first commit's checkpoint ran"
    assert all(began < disposed_at for began in calls.began)


def test_a_drop_does_not_raise_what_the_checkpoint_under_way_raised(database, monkeypatch):
    """Disposing an engine is not where a failed checkpoint is reported."""
    entered, release = threading.Event(), threading.Event()

    def failing(_database: str) -> None:
        entered.set()
        release.wait(timeout=10)
        message = "the checkpoint failed"
        raise RuntimeError(message)

    monkeypatch.setattr(checkpoints, "checkpoint", failing)
    checkpointer = Checkpointer()
    running = checkpointer.request(database)
    assert entered.wait(timeout=10)
    raised: list[BaseException] = []

    def drop() -> None:
        try:
            checkpointer.drop(database)
        except BaseException as error:  # noqa: BLE001 - recorded for the assertion below
            raised.append(error)

    dropping = threading.Thread(target=drop)
    dropping.start()
    release.set()
    dropping.join(timeout=10)
    assert not dropping.is_alive()
    assert raised == []
    assert isinstance(running.exception(timeout=10), RuntimeError)
