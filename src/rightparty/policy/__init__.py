# SPDX-License-Identifier: Apache-2.0
"""The compliance engine: facts in, decision out (DESIGN.md §8.2-8.3).

Imports `rightparty.domain` and the standard library only; facts such as a phone number's time zones
are built before the engine is called.

    policy = Policy([pack_a, pack_b], calendars=source)
    decision = policy.evaluate(customer_facts, ContactRequest(...), now)
"""

from rightparty.policy.calendars import CalendarSource, DateSetCalendar, HolidayCalendar
from rightparty.policy.decision import Decision, Evaluation, PackRef, Reason, iso_utc
from rightparty.policy.engine import NaiveNowError, Policy
from rightparty.policy.facts import (
    CUSTOMER,
    Consent,
    ContactPointFacts,
    ContactRequest,
    CustomerFacts,
    HistoryEntry,
)
from rightparty.policy.history import Counter, ScopeKey
from rightparty.policy.pack import Pack
from rightparty.policy.restrictions import (
    AttorneyRepresentation,
    CeaseCommunication,
    InconvenientPlace,
    InconvenientTime,
    LegalHold,
    OptOut,
    Restriction,
)

__all__ = [
    "CUSTOMER",
    "AttorneyRepresentation",
    "CalendarSource",
    "CeaseCommunication",
    "Consent",
    "ContactPointFacts",
    "ContactRequest",
    "Counter",
    "CustomerFacts",
    "DateSetCalendar",
    "Decision",
    "Evaluation",
    "HistoryEntry",
    "HolidayCalendar",
    "InconvenientPlace",
    "InconvenientTime",
    "LegalHold",
    "NaiveNowError",
    "OptOut",
    "Pack",
    "PackRef",
    "Policy",
    "Reason",
    "Restriction",
    "ScopeKey",
    "iso_utc",
]
