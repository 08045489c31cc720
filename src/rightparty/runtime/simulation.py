# SPDX-License-Identifier: Apache-2.0
"""The simulated-clock driver: discrete events over the same use cases and storage as production.

Time jumps from one due case to the next, so a week of outreach runs in seconds; cases are
processed one at a time, which also serialises the work of each customer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from rightparty.domain.clock import SimulatedClock
from rightparty.usecases.orchestration.worker import CaseWorker, StepResult, UnitOfWorkFactory

BATCH = 200
ProgressCallback = Callable[[datetime], None]


@dataclass
class SimulationStats:
    steps: int = 0
    attempts: int = 0
    results: dict[StepResult, int] = field(default_factory=dict)


class SimulatedRuntime:
    def __init__(
        self, unit_of_work: UnitOfWorkFactory, worker: CaseWorker, clock: SimulatedClock
    ) -> None:
        self._unit_of_work = unit_of_work
        self._worker = worker
        self._clock = clock

    def run_until(
        self, end: datetime, on_progress: ProgressCallback | None = None
    ) -> SimulationStats:
        """Process every case that falls due before `end`, moving the clock as it goes."""
        stats = SimulationStats()
        while True:
            due, upcoming = self._due_case_ids()
            if not due:
                if upcoming is None or upcoming >= end:
                    self._clock.advance_to(end)
                    return stats
                self._clock.advance_to(upcoming)
                if on_progress is not None:
                    on_progress(self._clock.now())
                continue
            self._run(due, stats)

    def _run(self, case_ids: list[str], stats: SimulationStats) -> None:
        decided_at = self._clock.now()
        reports = self._worker.run_steps(case_ids)
        messages = [report.message for report in reports if report.message is not None]
        for report in reports:
            stats.steps += 1
            stats.results[report.result] = stats.results.get(report.result, 0) + 1
        stats.attempts += len(messages)
        if messages:
            self._worker.dispatch_many(messages, decided_at=decided_at)

    def _due_case_ids(self) -> tuple[list[str], datetime | None]:
        """The cases due now and, when there are none, when the next one falls due."""
        with self._unit_of_work() as uow:
            due = [case.id for case in uow.cases.due(self._clock.now(), BATCH)]
            return due, (None if due else uow.cases.next_action_at())
