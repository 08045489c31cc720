# SPDX-License-Identifier: Apache-2.0
"""Orchestration throughput, end to end on the embedded SQLite default.

The demo's synthetic bank (`rightparty.runtime.demo`) runs D simulated days through the real use
cases, storage, encryption, audit, policy engine and sandbox provider; the figure is attempts
(and cases) per wall-clock second of the simulation, seeding excluded.

    .venv/bin/python bench/orchestration.py --customers 2000 --days 7

prints one JSON line: {"attempts_per_s": …, "cases_per_s": …, …}. The issue's workload is
100,000 customers for 7 days (the default); smaller runs show the same per-attempt cost.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from rightparty.bootstrap import bootstrap, initialise
from rightparty.config import DatabaseSettings, KeySettings, Settings
from rightparty.domain.clock import SimulatedClock
from rightparty.runtime.demo.run import DEMO_START, run_demo
from rightparty.usecases.cycle_collector import tune_for_workload


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--seed", type=int, default=42)
    options = parser.parse_args()
    tune_for_workload()  # as `rightparty worker` and `rightparty demo` run
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            database=DatabaseSettings(url=f"sqlite:///{Path(folder) / 'bench.db'}"),
            keys=KeySettings(keyring=Path(folder) / "keyring.json"),
        )
        initialise(settings)
        clock = SimulatedClock(DEMO_START)
        app = bootstrap(settings, clock=clock)
        marks: dict[str, float] = {}

        cpu_marks: dict[str, float] = {}

        def progress(stage: str, _done: float) -> None:
            marks.setdefault(stage, time.perf_counter())
            cpu_marks.setdefault(stage, time.process_time())

        started = time.perf_counter()
        try:
            run = run_demo(
                app,
                clock,
                customers=options.customers,
                days=options.days,
                seed=options.seed,
                progress=progress,
            )
        finally:
            app.close()
        finished = time.perf_counter()
        cpu_finished = time.process_time()
    simulating = finished - marks.get("simulating", started)
    print(
        json.dumps(
            {
                "attempts_per_s": round(run.stats.attempts / simulating, 1),
                "cases_per_s": round(len(run.case_ids) / simulating, 1),
                "attempts": run.stats.attempts,
                "cases": len(run.case_ids),
                "steps": run.stats.steps,
                "customers": options.customers,
                "days": options.days,
                "simulation_s": round(simulating, 2),
                "total_s": round(finished - started, 2),
                # On a shared machine, CPU seconds of this process are the steadier measure.
                "simulation_cpu_s": round(cpu_finished - cpu_marks.get("simulating", 0.0), 2),
                "backend": "sqlite",
            }
        )
    )


if __name__ == "__main__":
    main()
