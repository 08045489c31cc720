# SPDX-License-Identifier: Apache-2.0
"""Loading and validating contact plans (`default.yaml` beside this file)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from importlib import resources
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from rightparty.domain.case import Priority
from rightparty.domain.vocabulary import Channel, Purpose

_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> timedelta:
    """`30s`, `5m`, `4h`, `2d`."""
    match = _DURATION.match(text.strip())
    if match is None:
        message = f"{text!r} is not a duration like 30s, 5m, 4h or 2d"
        raise ValueError(message)
    return timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


@dataclass(frozen=True, slots=True)
class PlanStep:
    channel: Channel
    wait: timedelta


@dataclass(frozen=True, slots=True)
class Plan:
    purpose: Purpose
    priority: Priority
    deadline: timedelta
    steps: tuple[PlanStep, ...]

    def step(self, index: int) -> PlanStep | None:
        return self.steps[index] if 0 <= index < len(self.steps) else None


class InvalidPlans(ValueError):
    """A plan file that does not describe every purpose with valid steps."""


Duration = Annotated[str, Field(pattern=_DURATION.pattern)]


class _StepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel: Channel
    wait: Duration


class _PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    priority: str
    deadline: Duration
    steps: list[_StepIn] = Field(min_length=1)

    @field_validator("priority")
    @classmethod
    def _known_priority(cls, value: str) -> str:
        if value.upper() not in Priority.__members__:
            message = f"priority must be one of {', '.join(p.name.lower() for p in Priority)}"
            raise ValueError(message)
        return value


class _FileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str
    plans: dict[Purpose, _PlanIn]


@dataclass(frozen=True, slots=True)
class PlanCatalogue:
    version: str
    plans: dict[Purpose, Plan]

    def for_purpose(self, purpose: Purpose) -> Plan:
        return self.plans[purpose]


def parse_plans(text: str) -> PlanCatalogue:
    try:
        document = _FileIn.model_validate(yaml.safe_load(text))
    except (ValidationError, yaml.YAMLError) as error:
        raise InvalidPlans(str(error)) from error
    missing = set(Purpose) - set(document.plans)
    if missing:
        names = ", ".join(sorted(purpose.value for purpose in missing))
        message = f"no plan for: {names}"
        raise InvalidPlans(message)
    plans = {
        purpose: Plan(
            purpose=purpose,
            priority=Priority[plan.priority.upper()],
            deadline=parse_duration(plan.deadline),
            steps=tuple(PlanStep(step.channel, parse_duration(step.wait)) for step in plan.steps),
        )
        for purpose, plan in document.plans.items()
    }
    return PlanCatalogue(version=document.version, plans=plans)


@cache
def default_plans() -> PlanCatalogue:
    text = resources.files(__package__).joinpath("default.yaml").read_text(encoding="utf-8")
    return parse_plans(text)
