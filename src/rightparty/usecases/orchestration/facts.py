# SPDX-License-Identifier: Apache-2.0
"""Policy facts from domain objects: what the engine needs, nothing it must not see."""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter

from rightparty.domain.attempt import AttemptHistoryEntry
from rightparty.domain.consent import ConsentAction, ConsentEntry
from rightparty.domain.customer import Customer
from rightparty.domain.vocabulary import Channel, Direction, Outcome, Purpose
from rightparty.policy.facts import Consent, ContactPointFacts, CustomerFacts, HistoryEntry
from rightparty.usecases.policy_facts import zone as _zone


def customer_facts(customer: Customer, attempts: Iterable[AttemptHistoryEntry]) -> CustomerFacts:
    """Zones come from what import stored (no phone parsing per decision); history holds every
    attempt, those still in flight included. Otherwise the same facts as `policy check` builds
    (`usecases.policy_facts.customer_facts`): the worker and the CLI must decide alike."""
    # Positional arguments, in field order: facts are built for every decision.
    points = tuple(
        [
            ContactPointFacts(
                point.id,
                point.channel,
                point.status,
                point.kind,
                point.source,
                tuple(map(_zone, point.time_zones)) if point.time_zones else (),
            )
            for point in customer.contact_points
        ]
    )
    return CustomerFacts(
        customer.id,
        points,
        tuple([_zone(location.timezone) for location in customer.locations]),
        consent_periods(customer.consents) if customer.consents else (),
        tuple(customer.restrictions),
        # Sorted by instant, stably; a customer met for the first time has no history at all.
        tuple(sorted(_history(attempts), key=_AT)) if attempts else (),
        # The subdivision stays: `US-MA` adds Massachusetts' holidays to the country's.
        (customer.jurisdiction.upper(),),
    )


_AT = attrgetter("at")


def _history(attempts: Iterable[AttemptHistoryEntry]) -> Iterable[HistoryEntry]:
    for attempt in attempts:
        if attempt.withdrawn:  # never sent: it reached no one and counts toward nothing
            continue
        yield HistoryEntry(
            at=attempt.sent_at or attempt.created_at,
            channel=attempt.channel,
            outcome=attempt.outcome or _in_flight(attempt.channel),
            direction=Direction.OUTBOUND,
            contact_point_id=attempt.contact_point_id,
            debt_ids=frozenset({attempt.debt_id}) if attempt.debt_id else frozenset(),
            purpose=attempt.purpose,
        )


def _in_flight(channel: Channel) -> Outcome:
    """An attempt whose outcome is not known yet still counts: a call as placed but unanswered
    (it counts toward dial caps, not conversations), a message as sent."""
    return Outcome.NO_ANSWER if channel is Channel.VOICE else Outcome.DELIVERED


def consent_periods(ledger: Iterable[ConsentEntry]) -> tuple[Consent, ...]:
    """Pair each grant with the revocation that ended it, per purpose and channel."""
    open_grants: dict[tuple[Purpose, Channel], ConsentEntry] = {}
    periods: list[Consent] = []
    for entry in sorted(ledger, key=lambda item: item.at):
        key = (entry.purpose, entry.channel)
        if entry.action is ConsentAction.GRANTED:
            open_grants.setdefault(key, entry)
            continue
        grant = open_grants.pop(key, None)
        if grant is not None:
            periods.append(_period(grant, entry))
    periods.extend(_period(grant, None) for grant in open_grants.values())
    return tuple(periods)


def _period(grant: ConsentEntry, revocation: ConsentEntry | None) -> Consent:
    return Consent(
        purpose=grant.purpose,
        channel=grant.channel,
        granted_at=grant.at,
        source=grant.source.value,
        revoked_at=revocation.at if revocation else None,
    )
