# SPDX-License-Identifier: Apache-2.0
"""Policy engine throughput on a realistic mix, through the same engine and with full reasons.

A synthetic book of customers (US, Massachusetts, China, EU), each with one to three phone numbers
across many zones, an email address, sometimes a push token, zero to three debts with 0-9 past
attempts each, consents and the occasional restriction. Every customer gets a few requests (a
collection call, a payment-reminder text, a marketing email, a security alert, a transaction push)
at instants spread over a week, and each request is decided by all the packs of the customer's
jurisdiction. Facts are built once per customer (phone zones parsed once per number, history
entries grouped by signature), outside the timed loop; each budget's counted instants are found
by the first decision that asks for them, inside it.

Prints one JSON line: {"decisions_per_s": ..., "p99_us": ..., "compiled": ...}, the last saying
whether the engine ran compiled by mypyc (`make compiled`: `.venv-compiled/bin/python
bench/policy.py`). `--profile` also prints the top of a cProfile run to standard error.

    .venv/bin/python bench/policy.py --customers 20000
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import pstats
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as wall_time

from rightparty.domain.vocabulary import (
    Channel,
    ContactPointKind,
    ContactPointStatus,
    ContactSource,
    Direction,
    LegalHoldReason,
    OptOutScope,
    Outcome,
    Purpose,
)
from rightparty.policy import (
    CeaseCommunication,
    Consent,
    ContactRequest,
    CustomerFacts,
    HistoryEntry,
    InconvenientTime,
    LegalHold,
    OptOut,
    Policy,
    Restriction,
    compiled,
)
from rightparty.usecases.policy_facts import ContactPointRecord, customer_facts
from rightparty.usecases.policy_packs import jurisdiction_policy

US_AREAS = {
    "212": "America/New_York",
    "305": "America/New_York",
    "312": "America/Chicago",
    "713": "America/Chicago",
    "303": "America/Denver",
    "602": "America/Phoenix",
    "415": "America/Los_Angeles",
    "206": "America/Los_Angeles",
    "907": "America/Anchorage",
    "808": "Pacific/Honolulu",
    "787": "America/Puerto_Rico",
}
MA_AREAS = ("617", "508", "413")
EU_PREFIXES = {
    "+447": ("Europe/London", 9),
    "+4915": ("Europe/Berlin", 9),
    "+336": ("Europe/Paris", 8),
}
CALL_OUTCOMES = (
    [Outcome.NO_ANSWER] * 5
    + [Outcome.VOICEMAIL] * 3
    + [Outcome.BUSY, Outcome.CONVERSATION, Outcome.ANSWERED_RIGHT_PARTY, Outcome.NOT_IN_SERVICE]
)
START = datetime(2026, 3, 9, tzinfo=UTC)  # the Monday after the US spring-forward change


def _phone(rng: random.Random, jurisdiction: str) -> tuple[str, str]:
    if jurisdiction == "CN":
        return f"+861{rng.choice('3589')}{rng.randrange(10**9):09d}", "Asia/Shanghai"
    if jurisdiction == "EU":
        prefix, (zone, digits) = rng.choice(list(EU_PREFIXES.items()))
        return f"{prefix}{rng.randrange(10 ** (digits - 1), 10**digits)}", zone
    if jurisdiction == "US-MA":
        area = rng.choice(MA_AREAS)
        return f"+1{area}{rng.randrange(200, 999)}{rng.randrange(10**4):04d}", "America/New_York"
    area, zone = rng.choice(list(US_AREAS.items()))
    return f"+1{area}{rng.randrange(200, 999)}{rng.randrange(10**4):04d}", zone


def _customer(rng: random.Random, number: int, jurisdiction: str) -> CustomerFacts:
    points = []
    zones = []
    for index in range(rng.choice((1, 1, 2, 3))):
        address, zone = _phone(rng, jurisdiction)
        zones.append(zone)
        kind = ContactPointKind.MOBILE if index == 0 else rng.choice(list(ContactPointKind)[:3])
        status = ContactPointStatus.VALID if rng.random() < 0.95 else ContactPointStatus.WRONG_PARTY
        points.append(
            ContactPointRecord(
                f"p{index}", Channel.VOICE, address, status, kind, ContactSource.CUSTOMER_PROVIDED
            )
        )
    email_kind = ContactPointKind.WORK if rng.random() < 0.05 else ContactPointKind.PERSONAL
    points.append(ContactPointRecord("e0", Channel.EMAIL, "x@example.com", kind=email_kind))
    if rng.random() < 0.3:
        points.append(
            ContactPointRecord("t0", Channel.PUSH, "token", kind=ContactPointKind.PUSH_TOKEN)
        )
    locations = []
    if rng.random() < 0.5:
        locations.append(zones[0] if rng.random() < 0.9 else rng.choice(list(US_AREAS.values())))
    debts = [f"d{index}" for index in range(rng.choice((0, 0, 1, 1, 2, 3)))]
    history = []
    phone_ids = [point.id for point in points if point.channel is Channel.VOICE]
    for debt in debts:
        for _ in range(rng.randrange(10)):
            history.append(
                HistoryEntry(
                    at=START - timedelta(seconds=rng.randrange(10 * 86_400)),
                    channel=Channel.VOICE if rng.random() < 0.8 else Channel.SMS,
                    outcome=rng.choice(CALL_OUTCOMES),
                    direction=Direction.OUTBOUND if rng.random() < 0.95 else Direction.INBOUND,
                    contact_point_id=rng.choice(phone_ids),
                    debt_ids=frozenset({debt}),
                    purpose=Purpose.COLLECTIONS,
                )
            )
    for _ in range(rng.randrange(3)):
        history.append(
            HistoryEntry(
                at=START - timedelta(seconds=rng.randrange(10 * 86_400)),
                channel=Channel.SMS,
                outcome=Outcome.DELIVERED,
                contact_point_id=phone_ids[0],
                purpose=rng.choice((Purpose.SECURITY_ALERT, Purpose.MARKETING)),
                event_id="ev1",
            )
        )
    consents = []
    if rng.random() < 0.4:
        consents.append(
            Consent(Purpose.MARKETING, Channel.EMAIL, START - timedelta(days=90), "consumer_direct")
        )
    if rng.random() < 0.3:
        consents.append(
            Consent(Purpose.MARKETING, Channel.SMS, START - timedelta(days=90), "consumer_direct")
        )
    restrictions: list[Restriction] = []
    draw = rng.random()
    if draw < 0.05:
        restrictions.append(OptOut(OptOutScope.CHANNEL, START - timedelta(days=3), Channel.SMS))
    elif draw < 0.07 and debts:
        restrictions.append(CeaseCommunication(START - timedelta(days=2), debts[0]))
    elif draw < 0.08:
        restrictions.append(LegalHold(LegalHoldReason.DISPUTE, START - timedelta(days=5)))
    elif draw < 0.13:
        restrictions.append(InconvenientTime(wall_time(9), wall_time(17), frozenset(range(5))))
    return customer_facts(
        f"c{number}",
        contact_points=points,
        timezones=locations,
        consents=consents,
        restrictions=restrictions,
        history=history,
    )


def _requests(rng: random.Random, facts: CustomerFacts, count: int) -> list[ContactRequest]:
    debts = sorted({debt for entry in facts.history for debt in entry.debt_ids})
    phone = facts.contact_points[0].id
    options = [
        ContactRequest(Channel.EMAIL, "e0", Purpose.MARKETING),
        ContactRequest(Channel.SMS, phone, Purpose.SECURITY_ALERT, event_id="ev1"),
        ContactRequest(Channel.SMS, phone, Purpose.TRANSACTION_ALERT),
    ]
    if debts:
        debt = rng.choice(debts)
        options += [
            ContactRequest(Channel.VOICE, phone, Purpose.COLLECTIONS, debt),
            ContactRequest(Channel.VOICE, phone, Purpose.COLLECTIONS, debt),
            ContactRequest(Channel.SMS, phone, Purpose.PAYMENT_REMINDER, debt),
        ]
    return [rng.choice(options) for _ in range(count)]


def build(
    customers: int, per_customer: int, seed: int
) -> list[tuple[Policy, CustomerFacts, ContactRequest, datetime]]:
    rng = random.Random(seed)
    mix = ["US"] * 50 + ["US-MA"] * 10 + ["CN"] * 25 + ["EU"] * 15
    work = []
    for number in range(customers):
        jurisdiction = rng.choice(mix)
        policy = jurisdiction_policy(jurisdiction)
        facts = _customer(rng, number, jurisdiction)
        for request in _requests(rng, facts, per_customer):
            now = START + timedelta(seconds=rng.randrange(7 * 86_400))
            work.append((policy, facts, request, now))
    return work


def run(work: list[tuple[Policy, CustomerFacts, ContactRequest, datetime]]) -> tuple[float, float]:
    """Decisions per second over the whole list, and the 99th-percentile latency in µs."""
    timings = []
    clock = time.perf_counter_ns
    gc.disable()
    begin = clock()
    for policy, facts, request, now in work:
        started = clock()
        policy.evaluate(facts, request, now)
        timings.append(clock() - started)
    elapsed = clock() - begin
    gc.enable()
    timings.sort()
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))] / 1000
    return len(work) / (elapsed / 1e9), p99


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--requests-per-customer", type=int, default=4)
    parser.add_argument("--seed", type=int, default=20260309)
    parser.add_argument("--profile", action="store_true", help="print a profile to stderr")
    arguments = parser.parse_args()
    started = time.perf_counter()
    work = build(arguments.customers, arguments.requests_per_customer, arguments.seed)
    built = time.perf_counter() - started
    if arguments.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        rate, p99 = run(work)
        profiler.disable()
        report = io.StringIO()
        pstats.Stats(profiler, stream=report).sort_stats("tottime").print_stats(25)
        print(report.getvalue(), file=sys.stderr)
    else:
        # The first pass is the figure: it builds each customer's history index as it goes.
        rate, p99 = run(work)
        warm, _ = run(work)
        print(
            f"{len(work)} decisions for {arguments.customers} customers; facts built in "
            f"{built:.1f}s; first pass {rate:,.0f}/s (budgets' instants found on the way), "
            f"second pass {warm:,.0f}/s",
            file=sys.stderr,
        )
    print(
        json.dumps(
            {"decisions_per_s": round(rate), "p99_us": round(p99, 1), "compiled": compiled()}
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
