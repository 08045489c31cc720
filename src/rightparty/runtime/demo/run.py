# SPDX-License-Identifier: Apache-2.0
"""The demo's run: seed a synthetic bank, open cases of every purpose, simulate D days."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from rightparty.bootstrap import Application, sandbox_gateway
from rightparty.channels.providers.sandbox import SandboxLedger, SeededOutcomeModel
from rightparty.domain.clock import SimulatedClock
from rightparty.domain.consent import ConsentAction, ConsentEntry, ConsentSource
from rightparty.domain.restriction import CeaseCommunication, InconvenientTime
from rightparty.domain.vocabulary import Channel, Purpose
from rightparty.runtime.demo.synthetic import PROFILES, SyntheticBank, SyntheticCustomer
from rightparty.runtime.simulation import SimulatedRuntime, SimulationStats
from rightparty.usecases.customer_import import validate_import
from rightparty.usecases.customers import import_customers
from rightparty.usecases.orchestration.cases import OpenCase, open_case_in
from rightparty.usecases.orchestration.reminders import open_update_reminders

DEMO_START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # a Monday
ACTOR = "staff:demo"
PURPOSE_WEIGHTS = {
    Purpose.SECURITY_ALERT: 0.06,
    Purpose.TRANSACTION_ALERT: 0.2,
    Purpose.ACCOUNT_NOTICE: 0.08,
    Purpose.SERVICE_NOTICE: 0.08,
    Purpose.POLICY_NOTICE: 0.06,
    Purpose.PAYMENT_REMINDER: 0.26,
    Purpose.COLLECTIONS: 0.16,
    Purpose.MARKETING: 0.1,
}
Progress = Callable[[str, float], None]


@dataclass
class DemoRun:
    customer_ids: list[str] = field(default_factory=list)
    case_ids: list[str] = field(default_factory=list)
    stats: SimulationStats = field(default_factory=SimulationStats)
    ledger: SandboxLedger = field(default_factory=SandboxLedger)


def run_demo(
    app: Application,
    clock: SimulatedClock,
    *,
    customers: int,
    days: int,
    seed: int,
    progress: Progress | None = None,
) -> DemoRun:
    report = progress or (lambda _stage, _fraction: None)
    run = DemoRun()
    bank = SyntheticBank(seed).customers(customers)
    report("importing", 0.0)
    import_customers(validate_import([c.import_line for c in bank]), app.unit_of_work(), clock)
    profiles = _seed_details(app, clock, bank, seed, run, spread_days=min(days, 5))
    model = SeededOutcomeModel(seed, lambda customer_id: PROFILES[profiles[customer_id]])
    worker = app.case_worker(sandbox_gateway(clock, model=model, ledger=run.ledger))
    runtime = SimulatedRuntime(app.unit_of_work, worker, clock)
    end = clock.now() + timedelta(days=days)
    for day in range(days):
        with app.unit_of_work() as uow:
            run.case_ids += open_update_reminders(uow, clock.now(), limit=max(1, customers // 50))
            uow.commit()
        day_end = min(end, DEMO_START + timedelta(days=day + 1))
        stats = runtime.run_until(
            day_end, lambda now: report("simulating", (now - DEMO_START) / (end - DEMO_START))
        )
        run.stats.steps += stats.steps
        run.stats.attempts += stats.attempts
    report("simulating", 1.0)
    return run


def _seed_details(
    app: Application,
    clock: SimulatedClock,
    bank: list[SyntheticCustomer],
    seed: int,
    run: DemoRun,
    *,
    spread_days: int,
) -> dict[str, str]:
    """Consents, restrictions and cases, as a bank's systems would have recorded them."""
    draw = random.Random(seed * 7919)  # noqa: S311 - synthetic data
    profiles: dict[str, str] = {}
    with app.unit_of_work() as uow:
        for synthetic in bank:
            customer = uow.customers.by_external_ref(synthetic.external_ref)
            if customer is None:  # pragma: no cover - import just stored every one of them
                continue
            profiles[customer.id] = synthetic.profile
            run.customer_ids.append(customer.id)
            if draw.random() < 0.5:
                customer.consents.append(
                    ConsentEntry(
                        Purpose.MARKETING,
                        Channel.EMAIL,
                        ConsentAction.GRANTED,
                        ConsentSource.APP,
                        clock.now() - timedelta(days=30),
                    )
                )
            if draw.random() < 0.05:
                customer.restrictions.append(
                    InconvenientTime(start=time(9), end=time(17), weekdays=frozenset(range(5)))
                )
            debt_id = f"debt-{synthetic.external_ref}"
            if draw.random() < 0.03:
                customer.restrictions.append(
                    CeaseCommunication(received_at=clock.now() - timedelta(days=3), debt_id=debt_id)
                )
            for point in customer.contact_points:
                # Most details were confirmed at some point in the last 18 months; some never.
                if draw.random() < 0.9:
                    point.last_confirmed_at = clock.now() - timedelta(days=draw.randrange(540))
            uow.customers.save(customer)
            for _ in range(draw.choice((1, 1, 1, 2, 2))):
                purpose = draw.choices(list(PURPOSE_WEIGHTS), list(PURPOSE_WEIGHTS.values()))[0]
                start = clock.now() + timedelta(
                    seconds=draw.randrange(0, max(1, spread_days) * 86_400)
                )
                command = OpenCase(
                    customer.id,
                    purpose,
                    ACTOR,
                    debt_id=debt_id if purpose is Purpose.COLLECTIONS else None,
                    start_at=start,
                )
                run.case_ids.append(open_case_in(command, uow, clock.now()))
        uow.commit()
    return profiles
