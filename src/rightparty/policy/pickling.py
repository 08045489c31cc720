# SPDX-License-Identifier: Apache-2.0
"""Pickling and copying the engine's frozen values, alike in the pure and the compiled build.

`pickle` and `copy` restore a frozen, slotted dataclass field by field through
`object.__setattr__`, which a class compiled by mypyc (the optional compiled build,
docs/policy.md) refuses with `FrozenInstanceError`. Such a value travels as a call of its
constructor instead: rebuilt from its init fields, its derived fields are worked out again where
it lands, as they were where it was made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar

_T = TypeVar("_T")

Reduced = tuple[Callable[..., object], tuple[object, ...]]
"""What `__reduce__` returns: a callable and its arguments."""


def by_fields(value: Any) -> Reduced:  # noqa: ANN401 - any dataclass instance
    """`__reduce__` for a frozen dataclass: its constructor and every init field by name."""
    arguments = {item.name: getattr(value, item.name) for item in fields(value) if item.init}
    return rebuild, (type(value), arguments)


def rebuild(kind: Callable[..., _T], arguments: dict[str, object]) -> _T:
    return kind(**arguments)
