# SPDX-License-Identifier: Apache-2.0
"""A rule pack: a named, versioned set of rules with their sources.

Packs are data (`policy/packs/*.yaml`); `rightparty.usecases.policy_packs` reads them into these
values. A pack never lists the third-party and contact-point rules: the engine adds them to every
pack, so no pack can leave them out.
"""

from __future__ import annotations

from dataclasses import dataclass

from rightparty.policy.pickling import Reduced, by_fields
from rightparty.policy.rules.base import Rule


@dataclass(frozen=True, slots=True)
class Pack:
    name: str
    version: str
    title: str
    rules: tuple[Rule, ...]
    jurisdiction: str = ""
    summary: str = ""

    def __reduce__(self) -> Reduced:
        return by_fields(self)  # see `pickling`: how the compiled build copies it
