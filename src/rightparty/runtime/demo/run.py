# SPDX-License-Identifier: Apache-2.0
"""The demo's run: seed a synthetic bank, open cases of every purpose, simulate D days."""

from __future__ import annotations

import random
import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from rightparty.bootstrap import Application, sandbox_gateway
from rightparty.channels.providers.sandbox import SandboxLedger
from rightparty.domain.clock import SimulatedClock
from rightparty.domain.consent import ConsentAction, ConsentEntry, ConsentSource
from rightparty.domain.customer import Customer
from rightparty.domain.messages import OutboundMessage
from rightparty.domain.restriction import CeaseCommunication, InconvenientTime
from rightparty.domain.vocabulary import Channel, Outcome, Purpose
from rightparty.runtime.demo.synthetic import PROFILES, SyntheticBank, SyntheticCustomer
from rightparty.runtime.simulation import SimulatedRuntime, SimulationStats
from rightparty.usecases.customer_import import validate_import
from rightparty.usecases.customers import import_customers
from rightparty.usecases.orchestration.cases import OpenCase, open_case_in
from rightparty.usecases.orchestration.reminders import open_update_reminders
from rightparty.usecases.ports import UnitOfWork

DEMO_START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # a Monday
ACTOR = "staff:demo"
# The demo's workers poll their queue every minute: a case runs within a minute of falling due.
DEMO_TICK = timedelta(minutes=1)
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
    tick: timedelta | None = DEMO_TICK,
) -> DemoRun:
    report = progress or (lambda _stage, _fraction: None)
    run = DemoRun()
    bank = SyntheticBank(seed, run=f"-{secrets.token_hex(3)}-").customers(customers)
    _close_earlier_runs(app, clock)
    report("importing", 0.0)
    import_customers(validate_import([c.import_line for c in bank]), app.unit_of_work(), clock)
    profiles = _seed_details(app, clock, bank, seed, run, spread_days=min(days, 5))
    model = StableOutcomes(seed, profiles)
    worker = app.case_worker(sandbox_gateway(clock, model=model, ledger=run.ledger))
    runtime = SimulatedRuntime(app.unit_of_work, worker, clock, tick=tick)
    end = clock.now() + timedelta(days=days)
    for day in range(days):
        with app.unit_of_work() as uow:
            run.case_ids += open_update_reminders(
                uow, clock.now(), limit=max(1, customers // 50), among=run.customer_ids
            )
            uow.commit()
        day_end = min(end, DEMO_START + timedelta(days=day + 1))
        stats = runtime.run_until(
            day_end, lambda now: report("simulating", (now - DEMO_START) / (end - DEMO_START))
        )
        run.stats.steps += stats.steps
        run.stats.attempts += stats.attempts
    report("simulating", 1.0)
    return run


def _close_earlier_runs(app: Application, clock: SimulatedClock) -> None:
    """An earlier demo's open cases would run again on this run's clock; they are cancelled,
    with an audit entry each (only synthetic `DEMO-` customers are touched)."""
    with app.unit_of_work() as uow:
        for case_id in uow.cases.open_ids_for_refs("DEMO-"):
            case = uow.cases.get(case_id)
            case.cancel(clock.now())
            uow.cases.save(case)
            uow.audit.record(
                "case.cancelled", ACTOR, case.id, {"reason": "a new demo run"}, clock.now()
            )
        uow.commit()


def _stored(
    uow: UnitOfWork, bank: list[SyntheticCustomer]
) -> Iterator[tuple[SyntheticCustomer, Customer]]:
    """Each synthetic customer with the customer import stored, read a thousand at a time."""
    for start in range(0, len(bank), 1000):
        chunk = bank[start : start + 1000]
        ids = uow.customers.existing_refs([synthetic.external_ref for synthetic in chunk])
        customers = uow.customers.get_many(list(ids.values()))
        for synthetic in chunk:
            yield synthetic, customers[ids[synthetic.external_ref]]


class StableOutcomes:
    """The sandbox's outcome draws, keyed by what a seed fixes (the customer's number in the
    synthetic bank, the channel and how many messages that customer got on it) rather than by
    generated ids, so the same seed gives the same run."""

    def __init__(self, seed: int, profiles: dict[str, tuple[int, str]]) -> None:
        self._seed = seed
        self._profiles = profiles
        self._sent: Counter[tuple[str, Channel]] = Counter()

    def outcome_for(self, message: OutboundMessage) -> Outcome | None:
        number, profile = self._profiles[message.customer_id]
        table = PROFILES[profile].weights.get(message.channel)
        if not table:
            return None
        nth = self._sent[(message.customer_id, message.channel)]
        self._sent[(message.customer_id, message.channel)] += 1
        draw = random.Random(f"{self._seed}:{number}:{message.channel.value}:{nth}")  # noqa: S311 - a simulation
        outcomes = list(table)
        return draw.choices(outcomes, weights=[table[outcome] for outcome in outcomes])[0]


def _seed_details(
    app: Application,
    clock: SimulatedClock,
    bank: list[SyntheticCustomer],
    seed: int,
    run: DemoRun,
    *,
    spread_days: int,
) -> dict[str, tuple[int, str]]:
    """Consents, restrictions and cases, as a bank's systems would have recorded them."""
    draw = random.Random(seed * 7919)  # noqa: S311 - synthetic data
    profiles: dict[str, tuple[int, str]] = {}
    with app.unit_of_work() as uow:
        for synthetic, customer in _stored(uow, bank):
            profiles[customer.id] = (synthetic.number, synthetic.profile)
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
