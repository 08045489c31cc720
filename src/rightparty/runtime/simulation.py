# SPDX-License-Identifier: Apache-2.0
"""The simulated-clock driver: discrete events over the same use cases and storage as production.

Time jumps from one due case to the next, so a week of outreach runs in seconds; the cases due
at an instant are processed in chunks, one chunk after another, which also serialises the work
of each customer. With a `tick`, the clock moves in whole ticks as a worker polling its queue
every `tick` would: a case falls due within a tick and runs at its end, together with every
other case due by then, so a large bank's cases run in large chunks. Its answers to a round's
sends are then taken at the next poll, with the cases due by then, as such a worker would take the
providers' answers that arrived since, not in a round of their own at the instant of sending.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from rightparty.domain.clock import SimulatedClock
from rightparty.usecases.orchestration.send_results import SentMessage
from rightparty.usecases.orchestration.steps import StepReport, StepResult
from rightparty.usecases.orchestration.worker import CaseWorker, UnitOfWorkFactory

BATCH = 500
"""Cases per round: one transaction each (DESIGN.md §5, chunks of hundreds)."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_INSTANT = timedelta(microseconds=1)
ProgressCallback = Callable[[datetime], None]


@dataclass
class SimulationStats:
    steps: int = 0
    attempts: int = 0
    results: dict[StepResult, int] = field(default_factory=dict)


class SimulatedRuntime:
    def __init__(
        self,
        unit_of_work: UnitOfWorkFactory,
        worker: CaseWorker,
        clock: SimulatedClock,
        *,
        tick: timedelta | None = None,
    ) -> None:
        if tick is not None and tick <= timedelta(0):
            raise ValueError("a tick is a positive duration")
        self._unit_of_work = unit_of_work
        self._worker = worker
        self._clock = clock
        self._tick = tick

    def run_until(
        self, end: datetime, on_progress: ProgressCallback | None = None
    ) -> SimulationStats:
        """Process every case that falls due before `end`, moving the clock as it goes."""
        stats = SimulationStats()
        answers: list[SentMessage] = []
        taken_at = self._clock.now()
        """When the pending answers are recorded."""
        upcoming = self._next_action_at()
        while True:
            now = self._clock.now()
            if (upcoming is not None and upcoming <= now) or (answers and taken_at <= now):
                # Decided and sent at the same simulated instant, so nothing can change in
                # between: the attempts are recorded claimed and sent right after; their
                # answers are recorded with the next round, in one transaction, so the cases
                # they move on run in it and their customers are read once for both.
                done = self._worker.record_and_run_due(answers, BATCH, claim=True)
                answers = self._count(done.reports, stats)
                taken_at = self._answers_taken_at(now, end)
                # This runtime is the only writer while it runs, so the next due time read in
                # that transaction still holds after the clock moves.
                upcoming = done.next_action_at
                continue
            wakes = [taken_at] if answers else []
            if upcoming is not None and upcoming < end:
                wakes.append(min(self._tick_end(upcoming), end))
            if not wakes:
                self._clock.advance_to(end)
                return stats
            self._clock.advance_to(min(wakes))
            if on_progress is not None:
                on_progress(self._clock.now())

    def _count(self, reports: list[StepReport], stats: SimulationStats) -> list[SentMessage]:
        """Count the round's steps and send its messages; the answers, to record."""
        messages = [report.message for report in reports if report.message is not None]
        for report in reports:
            stats.steps += 1
            stats.results[report.result] = stats.results.get(report.result, 0) + 1
        stats.attempts += len(messages)
        return self._worker.send(messages) if messages else []

    def _answers_taken_at(self, sent_at: datetime, end: datetime) -> datetime:
        """When answers to sends made at `sent_at` are recorded: at the next tick, or at once
        without ticks or when that tick is not before `end` (a run leaves nothing unrecorded)."""
        if self._tick is None:
            return sent_at
        polled = self._tick_end(sent_at + _INSTANT)
        return polled if polled < end else sent_at

    def _tick_end(self, at: datetime) -> datetime:
        """The end of the tick `at` falls in (`at` itself when it is one, or without ticks)."""
        if self._tick is None:
            return at
        into = (at - _EPOCH) % self._tick
        return at if not into else at - into + self._tick

    def _next_action_at(self) -> datetime | None:
        with self._unit_of_work() as uow:
            return uow.cases.next_action_at()
