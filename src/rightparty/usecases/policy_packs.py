# SPDX-License-Identifier: Apache-2.0
"""Finding, loading and compiling rule packs.

Shipped packs are the YAML files in `rightparty/policy/packs/`; a name ending in `.yaml` or `.yml`
is read as a path instead, so a bank can try a pack of its own. Loaded packs and compiled policies
are cached: a process compiles each set of packs once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml
from pydantic import ValidationError

from rightparty.policy.engine import Policy
from rightparty.policy.localtime import ZoneClock
from rightparty.policy.pack import Pack
from rightparty.usecases.policy_calendars import country_calendar
from rightparty.usecases.policy_pack_schema import PackSpec

_PACKAGE = "rightparty.policy"
_FOLDER = "packs"
_SUFFIXES = (".yaml", ".yml")

JURISDICTION_PACKS: Mapping[str, tuple[str, ...]] = {
    "US": ("us-reg-f", "us-tcpa", "bank-baseline"),
    "US-MA": ("us-reg-f", "us-tcpa", "us-ma", "bank-baseline"),
    "CN": ("cn-collections", "bank-baseline"),
    "EU": ("eu-gdpr", "bank-baseline"),
}
"""The packs that apply together to a customer of each jurisdiction."""


class UnknownPackError(LookupError):
    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = tuple(known)
        super().__init__(f"unknown pack {name!r}; known packs: {', '.join(self.known)}")


class PackFormatError(ValueError):
    """A pack file that is not a valid pack; `problems` name each bad field."""

    def __init__(self, origin: str, problems: Iterable[str]) -> None:
        self.origin = origin
        self.problems = tuple(problems)
        super().__init__(f"invalid pack {origin}: " + "; ".join(self.problems))


@dataclass(frozen=True, slots=True)
class PackInfo:
    name: str
    version: str
    title: str
    jurisdiction: str


def _shipped() -> dict[str, Traversable]:
    folder = resources.files(_PACKAGE) / _FOLDER
    return {
        entry.name.rsplit(".", 1)[0]: entry
        for entry in folder.iterdir()
        if entry.is_file() and entry.name.endswith(_SUFFIXES)
    }


def pack_names() -> tuple[str, ...]:
    """The names of the shipped packs, sorted."""
    return tuple(sorted(_shipped()))


def parse_pack(text: str, origin: str) -> Pack:
    """A pack from its YAML text; raises `PackFormatError` naming every bad field."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise PackFormatError(origin, [f"not valid YAML: {error}"]) from error
    try:
        spec = PackSpec.model_validate(document)
    except ValidationError as error:
        problems = [
            f"{'.'.join(str(part) for part in problem['loc']) or 'pack'}: {problem['msg']}"
            for problem in error.errors()
        ]
        raise PackFormatError(origin, problems) from error
    return spec.to_pack()


@lru_cache(maxsize=64)
def load_pack(name: str) -> Pack:
    """A shipped pack by name, or a pack file by path (a name ending in .yaml or .yml)."""
    if name.endswith(_SUFFIXES):
        path = Path(name)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise UnknownPackError(name, pack_names()) from error
        return parse_pack(text, path.name)
    shipped = _shipped()
    entry = shipped.get(name)
    if entry is None:
        raise UnknownPackError(name, sorted(shipped))
    pack = parse_pack(entry.read_text(encoding="utf-8"), entry.name)
    if pack.name != name:
        raise PackFormatError(entry.name, [f"name: {pack.name!r} differs from the file name"])
    return pack


def available_packs() -> tuple[PackInfo, ...]:
    """Every shipped pack with its version and title."""
    return tuple(
        PackInfo(pack.name, pack.version, pack.title, pack.jurisdiction)
        for pack in (load_pack(name) for name in pack_names())
    )


_ZONE_CLOCK = ZoneClock()
"""Zone offsets memoised once for every compiled policy of the process."""


@lru_cache(maxsize=64)
def _policy(names: tuple[str, ...]) -> Policy:
    packs = (load_pack(name) for name in names)
    return Policy(packs, calendars=country_calendar, clock=_ZONE_CLOCK)


def build_policy(names: Iterable[str]) -> Policy:
    """The compiled policy for these packs, in this order (cached per ordered set of names)."""
    ordered = tuple(dict.fromkeys(names))
    if not ordered:
        raise ValueError("at least one pack is needed")
    return _policy(ordered)


def jurisdiction_policy(jurisdiction: str) -> Policy:
    """The compiled policy of every pack that applies in `jurisdiction` (see JURISDICTION_PACKS)."""
    try:
        names = JURISDICTION_PACKS[jurisdiction]
    except KeyError as error:
        raise UnknownPackError(jurisdiction, JURISDICTION_PACKS) from error
    return build_policy(names)
