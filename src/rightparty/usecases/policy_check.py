# SPDX-License-Identifier: Apache-2.0
"""Check a scenario against packs: the use case behind `rightparty policy check`.

Callers inside the package use `check_scenario` (a document in, a `Decision` out) or, with facts
they built themselves, `build_policy(names).evaluate(facts, request, now)`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rightparty.policy.decision import Decision
from rightparty.usecases.policy_packs import build_policy
from rightparty.usecases.policy_scenario import Scenario, parse_scenario


def evaluate_scenario(scenario: Scenario, packs: Iterable[str]) -> Decision:
    """The decision for a validated scenario; raises `UnknownPackError` or `PackFormatError`."""
    policy = build_policy(packs)
    facts, request = scenario.facts()
    return policy.evaluate(facts, request, scenario.now)


def check_scenario(document: str | bytes | dict[str, Any], packs: Iterable[str]) -> Decision:
    """The decision for a §8.2 scenario document (JSON text or decoded object).

    Raises `ScenarioError` (every bad field named), `UnknownPackError` or `PackFormatError`.
    Packs are resolved first, so an unknown pack is reported even for a bad scenario.
    """
    names = tuple(packs)
    build_policy(names)
    return evaluate_scenario(parse_scenario(document), names)
