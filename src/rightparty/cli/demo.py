# SPDX-License-Identifier: Apache-2.0
"""`rightparty demo`: the main job on the embedded default, printed as tables and a report."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rightparty.bootstrap import bootstrap, initialise
from rightparty.cli.context import DbOption, settings_for
from rightparty.domain.clock import SimulatedClock
from rightparty.reports.html import render_report
from rightparty.reports.summary import RunSummary
from rightparty.runtime.demo.run import DEMO_START, run_demo
from rightparty.usecases.cycle_collector import tune_for_workload

DEFAULT_SUMMARY = Path("var/demo-summary.json")
DEFAULT_REPORT = Path("var/report.html")
console = Console()


def demo(
    *,
    customers: Annotated[
        int, typer.Option(min=1, max=1_000_000, help="Synthetic customers.")
    ] = 2000,
    days: Annotated[int, typer.Option(min=1, max=60, help="Simulated days.")] = 7,
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same bank.")] = 42,
    db: DbOption = None,
    summary: Annotated[
        Path, typer.Option(help="Where the JSON summary (DESIGN.md §8.4) is written.")
    ] = DEFAULT_SUMMARY,
    report: Annotated[
        Path, typer.Option(help="Where the HTML report is written.")
    ] = DEFAULT_REPORT,
) -> None:
    """Seed a synthetic bank, run DAYS simulated days of outreach through the sandbox channels,
    and report what was sent, what was blocked and why, and who could not be reached."""
    tune_for_workload()
    settings = settings_for(db)
    initialise(settings)
    clock = SimulatedClock(DEMO_START)
    app = bootstrap(settings, clock=clock)
    started = time.perf_counter()
    try:
        with _progress() as progress:
            task = progress.add_task("seeding", total=1.0)
            run = run_demo(
                app,
                clock,
                customers=customers,
                days=days,
                seed=seed,
                progress=lambda stage, done: progress.update(
                    task, description=stage, completed=done
                ),
            )
        app.checkpoint_audit_log()
        result = app.run_summary(run.customer_ids)
    finally:
        app.close()
    elapsed = time.perf_counter() - started
    _print(result, elapsed, duplicates=run.ledger.duplicates)
    _write(summary, json.dumps(result.contract(), indent=2, sort_keys=True) + "\n")
    _write(report, render_report(result, title=f"demo, {customers} customers, {days} days"))
    console.print(f"summary: {summary}   report: {report}")
    if not result.audit_verified or result.third_party_contacts:
        raise typer.Exit(1)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description:<11}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _print(result: RunSummary, elapsed: float, *, duplicates: int) -> None:
    channels = Table(title="Attempts and reach by channel")
    for column in ("channel", "attempts", "reached", "reach rate"):
        channels.add_column(column, justify="left" if column == "channel" else "right")
    for name, row in result.by_channel.items():
        rate = f"{100 * row['reached'] / row['attempts']:.0f}%" if row["attempts"] else "—"
        channels.add_row(name, str(row["attempts"]), str(row["reached"]), rate)
    console.print(channels)
    console.print(_counts("Unreachable cases by reason", "reason", result.unreachable))
    console.print(_counts("Blocked by the policy engine", "reason code", result.blocked))
    totals = Table(title="Run", show_header=False)
    totals.add_column(justify="left")
    totals.add_column(justify="right")
    for label, value in (
        ("customers", result.customers),
        ("cases", result.cases),
        ("cases reached", result.reached),
        ("attempts", result.attempts),
        ("third-party contacts", result.third_party_contacts),
        ("messages sent twice", duplicates),
        ("audit log", "verified" if result.audit_verified else "FAILED"),
        ("seconds", f"{elapsed:.1f}"),
    ):
        totals.add_row(label, str(value))
    console.print(totals)


def _counts(title: str, label: str, counts: dict[str, int]) -> Table:
    table = Table(title=title)
    table.add_column(label)
    table.add_column("count", justify="right")
    for key, value in sorted(counts.items(), key=lambda item: -item[1]):
        table.add_row(key, str(value))
    return table
