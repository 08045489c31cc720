# SPDX-License-Identifier: Apache-2.0
"""The multi-worker record phase of bench/storage.py, on PostgreSQL.

A bank runs several workers against one PostgreSQL server, and the durable runtime's queue is
partitioned by customer, so each worker records the attempts of customers no other worker has.
Here `workers` processes are spawned (each imports the package, builds its own engine and
`Application` and never shares a connection) and take the customers round-robin over their ids,
sorted. The parent opens one more case per customer (new cases, so no idempotency key meets an
earlier phase's) and hands each worker its cases and the history the earlier phases recorded for
its customers. Untimed, each worker then reads its customers from the database with an empty key
cache and builds the policy of each jurisdiction it serves, and says it is ready. When all are,
the parent starts the clock and opens the gate; each worker then does what the single-process
cold phase does (`storage.measure_record`: facts, decision, `record_attempts` in chunks of
`--batch`, one commit per chunk) and reports back. The phase lasts until the last report arrives.

Afterwards the parent checks that the attempt rows added are as many as the workers reported, and
that the audit log, appended to by their concurrent transactions, verifies intact (as `rightparty
audit verify` does); it exits non-zero, naming what failed, otherwise.
"""

from __future__ import annotations

import multiprocessing
import queue
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from typing import Any, TypeVar

from sqlalchemy import func, select

import storage  # bench/storage.py, this module's sibling (`import storage` breaks the cycle)
from rightparty.bootstrap import Application
from rightparty.db.tables import AttemptRow
from rightparty.domain.attempt import AttemptHistoryEntry
from rightparty.domain.case import Case
from rightparty.domain.customer import Customer
from rightparty.domain.vocabulary import Purpose
from rightparty.privacy.keys import EnvironmentKeyProvider
from rightparty.usecases.cycle_collector import tune_for_workload
from rightparty.usecases.orchestration.policies import policy_for_jurisdiction

PURPOSE = Purpose.SERVICE_NOTICE  # a third purpose: the earlier phases used two others
SETUP_TIMEOUT = 900.0
"""Seconds a worker may take to start, read its customers and build its policies."""
POLL = 0.5
T = TypeVar("T")


@dataclass(frozen=True)
class Share:
    """One worker's part: its customers' external refs, their new cases and their history."""

    refs: list[str]
    cases: list[Case]
    history: dict[str, list[AttemptHistoryEntry]]


@dataclass(frozen=True)
class Job:
    """What a worker process is started with."""

    number: int
    url: str
    keys: dict[str, str]
    batch: int
    share: Share


@dataclass(frozen=True)
class Ready:
    worker: int


@dataclass(frozen=True)
class Recorded:
    worker: int
    recorded: int
    blocked: int


@dataclass(frozen=True)
class Failed:
    worker: int
    error: str


class PhaseFailed(SystemExit):
    """The phase did not run to the end, or what it left in the database does not add up."""

    def __init__(self, message: str) -> None:
        super().__init__(f"bench/storage.py: multi-worker record phase: {message}")


def partition(
    customers: list[Customer],
    cases: list[Case],
    history: dict[str, list[AttemptHistoryEntry]],
    workers: int,
) -> list[Share]:
    """Customers dealt round-robin over their sorted ids, as a customer-partitioned queue would
    spread them; each case and history goes with its customer."""
    owner = {
        customer.id: number % workers
        for number, customer in enumerate(sorted(customers, key=lambda customer: customer.id))
    }
    shares = [Share([], [], {}) for _ in range(workers)]
    for customer in customers:
        share = shares[owner[customer.id]]
        share.refs.append(customer.external_ref)
        share.history[customer.id] = list(history.get(customer.id, ()))
    for case in cases:
        shares[owner[case.customer_id]].cases.append(case)
    return shares


def record_share(job: Job, go: Event, reports: Queue[Any]) -> None:
    """A worker process: get ready untimed, wait for the gate, record, report."""
    tune_for_workload()  # as `rightparty worker` runs
    share = job.share
    try:
        app = storage.application(job.url, EnvironmentKeyProvider(job.keys), upgrade=False)
        try:
            # A new process: the key cache is empty, as in the single-process cold phase.
            customers = {
                customer.id: customer for customer in storage.read_customers(app, share.refs)
            }
            for jurisdiction in {customer.jurisdiction for customer in customers.values()}:
                policy_for_jurisdiction(jurisdiction)
            pairs = [(customers[case.customer_id], case) for case in share.cases]
            reports.put(Ready(job.number))
            if not go.wait(SETUP_TIMEOUT):
                return  # the parent gave up on another worker
            figures = storage.measure_record(app, pairs, share.history, job.batch, profile=False)
            reports.put(Recorded(job.number, int(figures["recorded"]), int(figures["blocked"])))
        finally:
            app.close()
    except Exception:
        reports.put(Failed(job.number, traceback.format_exc()))
        raise


def measure_workers(
    app: Application,
    url: str,
    keys: dict[str, str],
    *,
    customers: list[Customer],
    history: dict[str, list[AttemptHistoryEntry]],
    attempts: int,
    batch: int,
    workers: int,
) -> dict[str, float]:
    """Run the phase with `workers` processes and check what it left; `app` is the parent's."""
    cases = [case for _, case in storage.open_cases(app, customers, attempts, PURPOSE)]
    shares = partition(customers, cases, history, workers)
    before = attempt_rows(app)
    context = multiprocessing.get_context("spawn")
    go = context.Event()
    reports: Queue[Any] = context.Queue()
    processes = [
        context.Process(
            target=record_share,
            args=(Job(number, url, keys, batch, share), go, reports),
            name=f"record-worker-{number}",
        )
        for number, share in enumerate(shares)
    ]
    for process in processes:
        process.start()
    try:
        collect(reports, processes, Ready, time.monotonic() + SETUP_TIMEOUT)
        start = time.perf_counter()
        go.set()
        done = collect(reports, processes, Recorded, deadline=None)
        seconds = time.perf_counter() - start
    finally:
        go.set()  # a worker still waiting returns at once when the phase failed
        for process in processes:
            process.join(timeout=60)
            if process.is_alive():
                process.terminate()
                process.join()
    recorded = sum(report.recorded for report in done)
    check(app, recorded, attempt_rows(app) - before)
    return {
        "per_s": recorded / seconds,
        "seconds": seconds,
        "recorded": recorded,
        "blocked": sum(report.blocked for report in done),
    }


def collect(
    reports: Queue[Any],
    processes: Sequence[BaseProcess],
    kind: type[T],
    deadline: float | None,
) -> list[T]:
    """One `kind` report from every worker; fail at once on a failure or a worker gone."""
    received: list[T] = []
    while len(received) < len(processes):
        try:
            report = reports.get(timeout=POLL)
        except queue.Empty:
            gone = [p.name for p in processes if p.exitcode not in (None, 0)]
            if gone:
                raise PhaseFailed(f"{', '.join(gone)} exited without reporting") from None
            if deadline is not None and time.monotonic() > deadline:
                raise PhaseFailed(f"workers not ready after {SETUP_TIMEOUT:.0f} s") from None
            continue
        if isinstance(report, Failed):
            raise PhaseFailed(f"worker {report.worker} failed:\n{report.error}")
        if not isinstance(report, kind):
            raise PhaseFailed(f"unexpected report {report!r} while waiting for {kind.__name__}")
        received.append(report)
    return received


def attempt_rows(app: Application) -> int:
    with app.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(AttemptRow)) or 0)


def check(app: Application, reported: int, added: int) -> None:
    """Every attempt the workers reported is stored, and the audit log verifies intact."""
    if added != reported:
        raise PhaseFailed(f"{added} attempt rows were added, but the workers reported {reported}")
    report = app.verify_audit_log()
    if not report.ok:
        raise PhaseFailed(report.tampered_line)
