# SPDX-License-Identifier: Apache-2.0
"""The last check before a message leaves: is the attempt's decision still good now?

An attempt is decided when it is recorded and sent a moment later; after a crash, a restart or a
long queue that moment can be hours. Between the two, the clock may have crossed into quiet
hours, the point may have turned out to be someone else's, a cease notice may have arrived. So
every message whose decision is not from this very instant is decided again, with the customer's
facts as they are now; one that no longer passes is withdrawn, never sent, and its case moves on
(the normal step path then waits or picks another point, under the same rules).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from rightparty.domain.attempt import AttemptStatus
from rightparty.domain.messages import OutboundMessage
from rightparty.policy.engine import Policy
from rightparty.policy.facts import ContactRequest
from rightparty.usecases.orchestration.closing import ACTOR
from rightparty.usecases.orchestration.facts import customer_facts
from rightparty.usecases.ports import UnitOfWork


def clear_for_sending(
    messages: Sequence[OutboundMessage],
    uow: UnitOfWork,
    now: datetime,
    policy_for: Callable[[str], Policy],
) -> list[OutboundMessage]:
    """The messages that may go out now; the others' attempts are withdrawn in `uow`."""
    attempts = uow.attempts.get_many([message.attempt_id for message in messages])
    queued = [attempt for attempt in attempts.values() if attempt.status is AttemptStatus.QUEUED]
    # Read together: a batch of messages is a handful of queries, not a handful per message.
    customers = uow.customers.get_many({attempt.customer_id for attempt in queued})
    cases = uow.cases.get_many({attempt.case_id for attempt in queued})
    histories = uow.attempts.histories(customers.keys())
    cleared: list[OutboundMessage] = []
    for message in messages:
        attempt = attempts[message.attempt_id]
        if attempt.status is not AttemptStatus.QUEUED:
            continue
        customer = customers[attempt.customer_id]
        case = cases[attempt.case_id]
        point = customer.contact_point(attempt.contact_point_id)
        targeted = case.contact_point_ids is not None and point.id in case.contact_point_ids
        usable = point.addressable or (targeted and point.status.addressable)
        # The attempt itself is in the history as in flight; it must not count against itself.
        history = [entry for entry in histories[customer.id] if entry.id != attempt.id]
        request = ContactRequest(
            attempt.channel, point.id, attempt.purpose, debt_id=attempt.debt_id
        )
        decision = policy_for(customer.jurisdiction).evaluate(
            customer_facts(customer, history), request, now
        )
        if usable and decision.allowed:
            cleared.append(message)
            continue
        document = decision.to_json()
        uow.decisions.add(case.id, attempt.id, document, now)
        attempt.withdraw(now)
        uow.attempts.save(attempt)
        # Withdrawn, it counts toward nothing for the customer's next message of this batch.
        histories[customer.id] = [
            replace(entry, withdrawn=True) if entry.id == attempt.id else entry
            for entry in histories[customer.id]
        ]
        uow.audit.record(
            "attempt.withdrawn",
            ACTOR,
            attempt.id,
            {"case_id": case.id, "point_usable": usable, "decision": document},
            now,
        )
        if not case.status.closed:
            case.wait_until(now)
            uow.cases.save(case)
    return cleared
