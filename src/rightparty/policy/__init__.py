# SPDX-License-Identifier: Apache-2.0
"""The compliance engine: facts in, decision out (DESIGN.md §8.2-8.3).

Imports `rightparty.domain` and the standard library only; facts such as a phone number's time zones
are built before the engine is called.

    policy = Policy([pack_a, pack_b], calendars=source)
    decision = policy.evaluate(customer_facts, ContactRequest(...), now)

`compiled()` tells which build runs: this source, or the optional build whose modules mypyc
compiled (`make compiled`, docs/policy.md).
"""

import sys
from importlib.machinery import EXTENSION_SUFFIXES

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
    "compiled",
    "iso_utc",
]


def compiled() -> bool:
    """Whether the engine runs as extension modules compiled by mypyc rather than from source."""
    origin = sys.modules["rightparty.policy.engine"].__file__ or ""
    return origin.endswith(tuple(EXTENSION_SUFFIXES))
