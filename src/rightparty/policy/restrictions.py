# SPDX-License-Identifier: Apache-2.0
"""Restrictions as the engine sees them: the domain's own values, so what is stored is exactly
what the engine decides from.

Every restriction is effective from its own instant (`received_at`, `since`, `at`) and has no end:
lifting one is done by removing the fact, never by waiting, so no decision blocked by a restriction
carries a `next_allowed_at`.
"""

from rightparty.domain.restriction import (
    ALL_WEEKDAYS,
    AttorneyRepresentation,
    CeaseCommunication,
    InconvenientPlace,
    InconvenientTime,
    LegalHold,
    OptOut,
    Restriction,
)

__all__ = [
    "ALL_WEEKDAYS",
    "AttorneyRepresentation",
    "CeaseCommunication",
    "InconvenientPlace",
    "InconvenientTime",
    "LegalHold",
    "OptOut",
    "Restriction",
]
