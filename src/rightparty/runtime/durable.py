# SPDX-License-Identifier: Apache-2.0
"""The durable runtime: case steps as DBOS Transact workflows, on SQLite or PostgreSQL alike.

Two workflows, both thin; our tables stay the source of truth (DESIGN.md §5):

- `rightparty.case` (id `case:<case_id>`, queue `rightparty_cases`) follows one case until it
  closes: it reads the case, sleeps durably until `next_action_at`, and runs each due step as a
  child workflow, waiting for it. It holds no thread while it sleeps (an asyncio workflow).
- `rightparty.case_step` (id `case:<case_id>:step:<step_index>:run:<n>`, queue
  `rightparty_steps`, partitioned by customer id with one workflow per partition at a time) runs
  `CaseWorker.run_step`, then dispatches every attempt of the case still queued, each one a
  DBOS step. No two steps of one customer ever run at once, on one worker or many.

Every DBOS step calls one use case that is one transaction and idempotent, so DBOS replaying a
step after a crash finds the work done: a repeated `run_step` finds the case no longer due, and
dispatch sends only attempts still queued, looked up from the attempt rows rather than from what
an interrupted step returned. A worker's sweep enqueues `case:<case_id>` for every due case;
the fixed id makes that a no-op for a case already followed, by this worker or another.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypedDict, TypeVar

from dbos import DBOS, DBOSConfig, SetEnqueueOptions, SetWorkflowID

from rightparty.bootstrap import Application
from rightparty.domain.attempt import AttemptStatus
from rightparty.usecases.orchestration.steps import StepResult
from rightparty.usecases.orchestration.worker import CaseWorker
from rightparty.usecases.ports import ChannelGateway

APPLICATION_NAME = "rightparty"
WORKFLOW_VERSION = "1"
"""DBOS recovers only workflows of its own application version. Pinned, so a deploy does not
orphan sleeping cases; bump it only with a workflow change that cannot replay old histories."""
CASE_QUEUE = "rightparty_cases"
STEP_QUEUE = "rightparty_steps"
CHECKPOINT_INTERVAL_S = 60.0
"""How often a running worker signs the audit log's head, so its entries are anchored."""
SWEEP_BATCH = 500
_T = TypeVar("_T")


class CaseState(TypedDict):
    """What the case workflow needs to know of a case; a DBOS step's recorded output."""

    closed: bool
    status: str
    customer_id: str
    step_index: int
    sleep: float
    """Real seconds until `next_action_at` (0 when due)."""


@dataclass(frozen=True, slots=True)
class DurableOptions:
    """How a worker runs. `speed` is clock seconds per real second: 1 in production; tests drive
    a faster clock and scale the durable sleeps to match."""

    executor_id: str = "local"
    poll_interval: float = 1.0
    step_concurrency: int = 8
    max_sleep: float = 900.0
    speed: float = 1.0
    log_level: str = "WARNING"

    def __post_init__(self) -> None:
        if self.poll_interval <= 0 or self.max_sleep <= 0 or self.speed <= 0:
            message = "poll_interval, max_sleep and speed must be positive"
            raise ValueError(message)
        if self.step_concurrency < 1:
            message = "step_concurrency must be at least 1"
            raise ValueError(message)


_UNSENT = (AttemptStatus.QUEUED, AttemptStatus.DISPATCHING)
"""A `dispatching` attempt is one a crash caught mid-send; dispatch decides what becomes of it."""


def system_database_url(database_url: str) -> str:
    """Where DBOS keeps its workflow state, beside our own tables.

    PostgreSQL: the same database (DBOS uses its own `dbos` schema), so one backup and one
    connection string cover both and every worker on every machine shares them. SQLite: a
    sibling file `<name>.dbos.sqlite`, so DBOS's writes never wait on our writer lock.
    """
    scheme, _, rest = database_url.partition("://")
    if scheme.split("+", 1)[0] == "postgresql":
        return f"postgresql://{rest}"
    if not rest.startswith("/") or rest in ("/", "/:memory:"):
        message = "the durable runtime needs a database file or PostgreSQL, not :memory:"
        raise ValueError(message)
    path = Path(rest[1:])
    return f"sqlite:///{path.with_name(path.stem + '.dbos.sqlite')}"


def case_workflow_id(case_id: str) -> str:
    return f"case:{case_id}"


def step_workflow_id(case_id: str, step_index: int, run: int) -> str:
    """A step may run more than once (blocked, then tried again after a wait): `run` counts."""
    return f"case:{case_id}:step:{step_index}:run:{run}"


class DurableRuntime:
    """One per process (DBOS is a process-wide singleton): `start`, `sweep` as often as wanted,
    `close`. `run` does all three until an event is set."""

    def __init__(
        self, app: Application, gateway: ChannelGateway, options: DurableOptions | None = None
    ) -> None:
        self.app = app
        self.options = options or DurableOptions()
        self.worker: CaseWorker = app.case_worker(gateway)
        self._followed: set[str] = set()
        self._started = False

    def start(self) -> None:
        global _runtime  # noqa: PLW0603 - DBOS workflows are module functions; this binds them
        with _lock:
            if _runtime is not None:
                message = "a durable runtime is already running in this process"
                raise RuntimeError(message)
            _runtime = self
        try:
            DBOS(config=self._config())
            DBOS.launch()
            DBOS.register_queue(CASE_QUEUE, polling_interval_sec=self.options.poll_interval)
            DBOS.register_queue(
                STEP_QUEUE,
                worker_concurrency=self.options.step_concurrency,
                partition_concurrency=1,
                polling_interval_sec=self.options.poll_interval,
            )
        except BaseException:
            self._unbind()
            raise
        self._started = True

    def sweep(self) -> int:
        """Follow every due case not yet followed by this process; returns how many were new."""
        with self.app.unit_of_work() as uow:
            due = uow.cases.due(self.app.clock.now(), SWEEP_BATCH)
        fresh = [case.id for case in due if case.id not in self._followed]
        for case_id in fresh:
            with SetWorkflowID(case_workflow_id(case_id)):
                DBOS.enqueue_workflow(CASE_QUEUE, case_workflow, case_id)
        if len(self._followed) > 100_000:
            self._followed.clear()
        self._followed.update(fresh)
        return len(fresh)

    def run(self, stop: threading.Event) -> None:
        """Start, sweep every `poll_interval` until `stop` is set, then shut down."""
        self.start()
        signed = time.monotonic()
        try:
            while not stop.is_set():
                self.sweep()
                if time.monotonic() - signed >= CHECKPOINT_INTERVAL_S:
                    self.app.checkpoint_audit_log()
                    signed = time.monotonic()
                stop.wait(self.options.poll_interval)
        finally:
            try:
                # What this worker appended is anchored by a signed checkpoint before it leaves.
                self.app.checkpoint_audit_log()
            finally:
                self.close()

    def close(self) -> None:
        """Stop DBOS; sleeping and interrupted workflows stay pending and resume on restart."""
        if self._started:
            DBOS.destroy()
            self._started = False
        self._unbind()

    def _unbind(self) -> None:
        global _runtime  # noqa: PLW0603 - see start
        with _lock:
            if _runtime is self:
                _runtime = None

    def _config(self) -> DBOSConfig:
        return {
            "name": APPLICATION_NAME,
            "system_database_url": system_database_url(self.app.settings.database.url),
            "application_version": WORKFLOW_VERSION,
            "executor_id": self.options.executor_id,
            "notification_listener_polling_interval_sec": self.options.poll_interval,
            "log_level": self.options.log_level,
        }

    # The blocking bodies of the DBOS steps; each is one use-case call.

    def case_state(self, case_id: str) -> CaseState:
        with self.app.unit_of_work() as uow:
            case = uow.cases.get(case_id)
        return CaseState(
            closed=case.status.closed,
            status=case.status.value,
            customer_id=case.customer_id,
            step_index=case.step_index,
            sleep=self._real_seconds_until(case.next_action_at),
        )

    def queued_attempts(self, case_id: str) -> list[str]:
        with self.app.unit_of_work() as uow:
            customer_id = uow.cases.get(case_id).customer_id
            attempts = uow.attempts.for_customer(customer_id)
        return [
            attempt.id
            for attempt in attempts
            if attempt.case_id == case_id and attempt.status in _UNSENT
        ]

    def _real_seconds_until(self, instant: datetime | None) -> float:
        if instant is None:
            return 0.0
        seconds = (instant - self.app.clock.now()).total_seconds() / self.options.speed
        return min(max(seconds, 0.0), self.options.max_sleep)


_lock = threading.Lock()
_runtime: DurableRuntime | None = None


def _bound() -> DurableRuntime:
    runtime = _runtime
    if runtime is None:
        message = "no durable runtime is running in this process"
        raise RuntimeError(message)
    return runtime


async def _blocking(call: Callable[[DurableRuntime], _T]) -> _T:
    """Run a use case off the event loop, on DBOS's executor."""
    runtime = _bound()
    return await asyncio.to_thread(call, runtime)


@DBOS.step(name="rightparty.case_state", retries_allowed=True, max_attempts=5)
async def _case_state(case_id: str) -> CaseState:
    return await _blocking(lambda runtime: runtime.case_state(case_id))


@DBOS.step(name="rightparty.run_step", retries_allowed=True, max_attempts=5)
async def _run_step(case_id: str) -> str:
    report = await _blocking(lambda runtime: runtime.worker.run_step(case_id))
    return report.result.value


@DBOS.step(name="rightparty.queued_attempts", retries_allowed=True, max_attempts=5)
async def _queued_attempts(case_id: str) -> list[str]:
    return await _blocking(lambda runtime: runtime.queued_attempts(case_id))


@DBOS.step(name="rightparty.dispatch", retries_allowed=True, max_attempts=5)
async def _dispatch(attempt_id: str) -> str | None:
    outcome = await _blocking(lambda runtime: runtime.worker.dispatch(attempt_id))
    return None if outcome is None else outcome.value


@DBOS.workflow(name="rightparty.case_step")
async def step_workflow(case_id: str) -> str:
    """One due step of one case: decide and record, then send what is queued."""
    result = await _run_step(case_id)
    for attempt_id in await _queued_attempts(case_id):
        await _dispatch(attempt_id)
    return result


@DBOS.workflow(name="rightparty.case")
async def case_workflow(case_id: str) -> str:
    """Follow a case until it closes; returns its final status."""
    runs: dict[int, int] = {}
    while True:
        state = await _case_state(case_id)
        if state["closed"]:
            return state["status"]
        if state["sleep"] > 0:
            await DBOS.sleep_async(state["sleep"])
            continue
        step_index = state["step_index"]
        run = runs.get(step_index, 0)
        runs[step_index] = run + 1
        with (
            SetWorkflowID(step_workflow_id(case_id, step_index, run)),
            SetEnqueueOptions(queue_partition_key=state["customer_id"]),
        ):
            handle = await DBOS.enqueue_workflow_async(STEP_QUEUE, step_workflow, case_id)
        poll = _bound().options.poll_interval
        if await handle.get_result(polling_interval_sec=poll) == StepResult.NOT_DUE.value:
            await DBOS.sleep_async(poll)  # another machine's clock runs behind ours
