# SPDX-License-Identifier: Apache-2.0
"""Which packs apply to a customer, by the jurisdiction on their record."""

from __future__ import annotations

from rightparty.policy.engine import Policy
from rightparty.usecases.policy_packs import JURISDICTION_PACKS, build_policy, jurisdiction_policy

EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)
BASELINE_ONLY = ("bank-baseline",)


def policy_for_jurisdiction(jurisdiction: str) -> Policy:
    """`US-MA` gets the Massachusetts pack on top of the federal ones; an EU member state gets the
    EU packs; a jurisdiction without packs gets the bank's own baseline, never nothing."""
    key = jurisdiction.upper()
    if key in JURISDICTION_PACKS:
        return jurisdiction_policy(key)
    country = key.split("-", 1)[0]
    if country in EU_COUNTRIES:
        return jurisdiction_policy("EU")
    if country in JURISDICTION_PACKS:
        return jurisdiction_policy(country)
    return build_policy(BASELINE_ONLY)
