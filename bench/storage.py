# SPDX-License-Identifier: Apache-2.0
"""Storage throughput through the real use cases, on SQLite and PostgreSQL.

Prints one JSON line:

- `import_customers_per_s_<backend>`: customers per second of a whole import: `validate_import`
  of the JSON Lines file (parsing, checks, phone and email normalisation), then `import_customers`
  in one transaction (upsert by `external_ref`, a data key per customer, name and addresses
  encrypted, addresses blind-indexed, one audit entry per customer). `import_seconds_<backend>`
  is the wall time, split into `validate_seconds_<backend>` and `store_seconds_<backend>`.
- `record_attempt_per_s_<backend>`: attempts per second through the full recording path. For
  each proposed attempt: the customer's policy facts (`customer_facts`), the policy of their
  jurisdiction (`policy_for_jurisdiction(...).evaluate`), then `record_attempts` in chunks of
  `--batch`: reference code encrypted under the customer's data key and blind-indexed, attempt
  and decision rows inserted, audit entries appended, one commit per chunk. The key cache is
  emptied first and customers are read from the database (untimed, as a worker reads them), so
  each customer's first encryption in the process loads its current data key and reserves a
  block of nonces, as in production; cases are opened untimed, and each jurisdiction's policy is
  built untimed, once, as a worker builds it when it starts. `attempts_blocked_<backend>`
  counts proposals the policy refused (each still costs a decision row and an audit entry).
- `record_attempt_warm_keys_per_s_<backend>`: a second pass, one more case per customer, while
  their data keys are still cached (at most 10,000 customers, `FieldCipher`'s cache size).

Those phases run in this one process (one core, the database server aside). On PostgreSQL a third
phase runs `--workers` processes at once against the same server, as a bank runs several workers
on a queue partitioned by customer (bench/storage_workers.py):

- `record_attempt_per_s_workers_postgres`: attempts per second of all of them together, one more
  case per customer (`attempts_recorded_workers_postgres` of them, `record_workers_postgres`
  processes). Each process has customers of its own (round-robin over their ids), reads them with
  an empty key cache and builds its policies untimed, then does what the cold phase does; the time
  runs, in this process, from the start gate's opening to the last worker's report. The processes
  share the machine's cores with the server and with each other. Afterwards the attempt rows added
  must be as many as the workers reported and the audit log, appended to by their concurrent
  transactions, must verify intact; the script exits non-zero otherwise.

Goals: 15,000 attempts/s on SQLite, 10,000 on PostgreSQL, 100,000 customers imported in < 30 s
on SQLite. PostgreSQL runs in a database of its own, created and dropped here
(`--postgres-url` names the server; trust authentication). `--profile import|record` prints
the top functions of that phase on the first backend to stderr (`import` checks the file in
one process, so its validation time is not the parallel one).

    .venv/bin/python bench/storage.py
    .venv/bin/python bench/storage.py --customers 2000 --attempts 2000 --backend sqlite
    .venv/bin/python bench/storage.py --backend postgresql --workers 4
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from sqlalchemy.engine import make_url

import storage_workers  # bench/storage_workers.py, this script's sibling
from rightparty.bootstrap import Application, assemble
from rightparty.config import Settings
from rightparty.db import migrate
from rightparty.db.engine import build_engine
from rightparty.domain.attempt import AttemptHistoryEntry
from rightparty.domain.case import Case, Priority
from rightparty.domain.clock import SimulatedClock
from rightparty.domain.customer import Customer
from rightparty.domain.vocabulary import Purpose
from rightparty.policy.facts import ContactRequest
from rightparty.privacy.keys import EnvironmentKeyProvider, KeyProvider
from rightparty.usecases.customer_import import validate_import
from rightparty.usecases.customers import import_customers, random_id
from rightparty.usecases.cycle_collector import tune_for_workload
from rightparty.usecases.orchestration.facts import customer_facts
from rightparty.usecases.orchestration.policies import policy_for_jurisdiction
from rightparty.usecases.orchestration.recording import DecidedAttempt, record_attempts
from rightparty.usecases.plans.catalogue import default_plans

# A Tuesday, 10:00 UTC: within calling hours in Shanghai (18:00), Berlin and Paris (11:00).
START = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
PURPOSE = Purpose.PAYMENT_REMINDER
SECOND_PURPOSE = Purpose.ACCOUNT_NOTICE
POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432/"
SUFFIX = {"sqlite": "sqlite", "postgresql": "postgres"}
T = TypeVar("T")


def customer_lines(count: int, seed: int = 5) -> list[str]:
    """Synthetic customers, each with a mobile and an email, in three jurisdictions."""
    rng = random.Random(seed)
    people = [
        ("CN", "zh-CN", "Asia/Shanghai", "+86138{:06d}00", "王小明"),
        ("DE", "de-DE", "Europe/Berlin", "+49151{:06d}00", "Erika Mustermann"),
        ("FR", "fr-FR", "Europe/Paris", "+33612{:06d}", "Marie Dupont"),
    ]
    lines = []
    for number in range(count):
        jurisdiction, locale, zone, phone, name = people[number % len(people)]
        document = {
            "external_ref": f"C{number:08d}",
            "name": f"{name} {number}",
            "locale": locale,
            "jurisdiction": jurisdiction,
            "locations": [{"timezone": zone, "source": "address"}],
            "contact_points": [
                {
                    "channel": "sms",
                    "address": phone.format(rng.randrange(10**6)),
                    "source": "customer_provided",
                },
                {"channel": "email", "address": f"c{number}@example.com", "source": "app"},
            ],
        }
        lines.append(json.dumps(document, ensure_ascii=False))
    return lines


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="rightparty-bench-") as folder:
        yield f"sqlite:///{Path(folder) / 'rightparty.db'}"


@contextmanager
def postgres_database(server: str) -> Iterator[str]:
    name = f"rightparty_bench_{uuid.uuid4().hex[:12]}"
    base = make_url(server)
    admin = build_engine(base.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def application(url: str, keys: KeyProvider, *, upgrade: bool = True) -> Application:
    engine = build_engine(url)
    if upgrade:
        migrate.upgrade(engine)
    return assemble(Settings(), engine, keys, SimulatedClock(START))


def timed(run: Callable[[], T], profile: bool) -> tuple[T, float]:
    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    result = run()
    if profiler is not None:
        profiler.disable()
    elapsed = time.perf_counter() - start
    if profiler is not None:
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(25)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    return result, elapsed


def measure_import(app: Application, lines: list[str], profile: bool) -> dict[str, float]:
    # As `rightparty customers import` does: one checking process per core. Profiled, the file is
    # checked in this process alone: forked ones would run under the inherited profiler, unseen.
    workers = 1 if profile else (os.cpu_count() or 1)
    validation, validate_seconds = timed(lambda: validate_import(lines, workers=workers), profile)
    report, store_seconds = timed(
        lambda: import_customers(validation, app.unit_of_work(), app.clock), profile
    )
    assert report.created == len(lines), report  # noqa: S101 - a benchmark of a failed import lies
    total = validate_seconds + store_seconds
    return {
        "per_s": len(lines) / total,
        "seconds": total,
        "validate_seconds": validate_seconds,
        "store_seconds": store_seconds,
    }


def read_customers(app: Application, refs: list[str]) -> list[Customer]:
    with app.unit_of_work() as uow:
        customers = [uow.customers.by_external_ref(ref) for ref in refs]
    assert all(customers), "every imported customer is found"  # noqa: S101
    return [customer for customer in customers if customer is not None]


def open_cases(
    app: Application, customers: list[Customer], count: int, purpose: Purpose
) -> list[tuple[Customer, Case]]:
    """One case per proposed attempt, customers taken in turn."""
    pairs = []
    for number in range(count):
        customer = customers[number % len(customers)]
        case = Case(
            id=random_id(),
            customer_id=customer.id,
            purpose=purpose,
            plan=purpose.value,
            priority=Priority.NORMAL,
            opened_at=START,
            deadline=START + timedelta(days=7),
        )
        pairs.append((customer, case))
    with app.unit_of_work() as uow:
        uow.cases.add_many([case for _, case in pairs])
        uow.commit()
    return pairs


def measure_record(
    app: Application,
    pairs: list[tuple[Customer, Case]],
    history: dict[str, list[AttemptHistoryEntry]],
    batch: int,
    profile: bool,
) -> dict[str, float]:
    """Decide and record every pair's attempt; `history` holds what earlier passes recorded."""

    plans = default_plans()

    def run() -> tuple[int, int, float]:
        recorded = blocked = 0
        deciding = 0.0
        for start in range(0, len(pairs), batch):
            began = time.perf_counter()
            now = app.clock.now()
            decided = []
            for customer, case in pairs[start : start + batch]:
                step = plans.for_purpose(case.purpose).step(case.step_index)
                assert step is not None  # noqa: S101
                point = customer.addressable_points(step.channel)[0]
                facts = customer_facts(customer, history.get(customer.id, ()))
                request = ContactRequest(step.channel, point.id, case.purpose, debt_id=case.debt_id)
                decision = policy_for_jurisdiction(customer.jurisdiction).evaluate(
                    facts, request, now
                )
                decided.append(DecidedAttempt(case, customer, point.id, decision))
            deciding += time.perf_counter() - began
            result = record_attempts(decided, app.unit_of_work(), app.clock)
            for attempt in result.attempts:
                history.setdefault(attempt.customer_id, []).append(attempt.history_entry())
            recorded += len(result.attempts)
            blocked += result.blocked
        return recorded, blocked, deciding

    (recorded, blocked, deciding), seconds = timed(run, profile)
    return {
        "per_s": recorded / seconds,
        "seconds": seconds,
        "decide_seconds": deciding,
        "recorded": recorded,
        "blocked": blocked,
    }


def run_backend(
    url: str, lines: list[str], attempts: int, batch: int, profile: str | None, *, workers: int
) -> dict[str, float]:
    """`workers` > 0 adds the multi-worker phase (PostgreSQL only)."""
    # Key material as a worker gets it from its environment, so worker processes share it.
    keys = EnvironmentKeyProvider.generate_variables(kek_id="bench")
    app = application(url, EnvironmentKeyProvider(keys))
    try:
        imported = measure_import(app, lines, profile == "import")
        refs = [f"C{number:08d}" for number in range(min(attempts, len(lines)))]
        # As in a worker meeting these customers for the first time in this process: their keys
        # are read from the database, and the first encryption reserves a block of nonces.
        app.protection.cipher.forget_cached_keys()
        customers = read_customers(app, refs)
        # A worker builds the policy of each jurisdiction it serves once, when it starts.
        for jurisdiction in {customer.jurisdiction for customer in customers}:
            policy_for_jurisdiction(jurisdiction)
        history: dict[str, list[AttemptHistoryEntry]] = {}
        first = open_cases(app, customers, attempts, PURPOSE)
        cold = measure_record(app, first, history, batch, profile == "record")
        second = open_cases(app, customers, attempts, SECOND_PURPOSE)
        warm = measure_record(app, second, history, batch, profile=False)
        several = (
            storage_workers.measure_workers(
                app,
                url,
                keys,
                customers=customers,
                history=history,
                attempts=attempts,
                batch=batch,
                workers=workers,
            )
            if workers
            else None
        )
    finally:
        app.close()
    figures = {
        "import_customers_per_s": round(imported["per_s"]),
        "import_seconds": round(imported["seconds"], 2),
        "validate_seconds": round(imported["validate_seconds"], 2),
        "store_seconds": round(imported["store_seconds"], 2),
        "record_attempt_per_s": round(cold["per_s"]),
        "record_seconds": round(cold["seconds"], 2),
        "record_decide_seconds": round(cold["decide_seconds"], 2),
        "attempts_recorded": int(cold["recorded"]),
        "attempts_blocked": int(cold["blocked"]),
        "record_attempt_warm_keys_per_s": round(warm["per_s"]),
        "attempts_recorded_warm_keys": int(warm["recorded"]),
        "attempts_blocked_warm_keys": int(warm["blocked"]),
    }
    if several is not None:
        figures |= {
            "record_attempt_per_s_workers": round(several["per_s"]),
            "record_seconds_workers": round(several["seconds"], 2),
            "record_workers": workers,
            "attempts_recorded_workers": int(several["recorded"]),
            "attempts_blocked_workers": int(several["blocked"]),
        }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--attempts", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500, help="attempts per transaction")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--postgres-url", default=POSTGRES_SERVER)
    parser.add_argument("--profile", choices=["import", "record"])
    parser.add_argument(
        "--workers", type=int, default=2, help="processes of the multi-worker phase (PostgreSQL)"
    )
    arguments = parser.parse_args()
    if arguments.workers < 1:
        parser.error("--workers must be at least 1")
    tune_for_workload()  # as `rightparty worker` and `rightparty demo` run
    lines = customer_lines(arguments.customers)
    backends = ["sqlite", "postgresql"] if arguments.backend == "both" else [arguments.backend]
    figures: dict[str, object] = {
        "customers": arguments.customers,
        "attempts": arguments.attempts,
        "batch": arguments.batch,
        "python": platform.python_version(),
    }
    for number, backend in enumerate(backends):
        database = (
            sqlite_database() if backend == "sqlite" else postgres_database(arguments.postgres_url)
        )
        profile = arguments.profile if number == 0 else None
        workers = arguments.workers if backend == "postgresql" else 0
        with database as url:
            results = run_backend(
                url, lines, arguments.attempts, arguments.batch, profile, workers=workers
            )
        suffix = SUFFIX[backend]
        figures.update({f"{name}_{suffix}": value for name, value in results.items()})
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
