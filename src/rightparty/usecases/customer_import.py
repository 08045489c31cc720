# SPDX-License-Identifier: Apache-2.0
"""Validation of the customer import file (DESIGN.md §8.5): the whole file, before any write.

Each line is checked against a strict pydantic model; fields that would carry other people's
details are refused with the reason; addresses are normalised per channel. The result is either
every customer ready to store or every problem found, one per bad line, never a mix.
"""

from __future__ import annotations

import json
import multiprocessing
import re
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from rightparty.domain.errors import ThirdPartyDataRefused
from rightparty.domain.vocabulary import Channel, ContactPointKind, ContactSource
from rightparty.usecases import cycle_collector
from rightparty.usecases.contact_normalisation import (
    MAX_ADDRESS_LENGTH,
    AddressInvalid,
    PhoneFacts,
    describe_address,
    forget_email_domains,
)

# Field names that only ever mean someone else's details; refused wherever they appear.
THIRD_PARTY_FIELDS = frozenset(
    {
        "contacts",
        "phone_book",
        "phonebook",
        "address_book",
        "addressbook",
        "emergency_contacts",
        "emergency_contact",
        "references",
        "reference_contacts",
        "relatives",
        "family",
        "guarantor_contacts",
        "spouse",
        "employer_contact",
        "friends",
    }
)
_PERSON_KEYS = frozenset({"name", "phone", "mobile", "email", "relationship", "relation"})
MAX_LINE_BYTES = 64 * 1024

ExternalRef = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[\w.:-]+$"),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class LocationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: str = Field(max_length=64)
    source: str = Field(default="address", pattern=r"^[a-z_]{1,32}$")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            message = "not an IANA time zone"
            raise ValueError(message) from error
        return value


class ContactPointIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    channel: Channel
    address: str = Field(min_length=1, max_length=MAX_ADDRESS_LENGTH)
    kind: ContactPointKind | None = None
    source: ContactSource


class CustomerIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    external_ref: ExternalRef
    name: Name
    locale: str = Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    jurisdiction: str = Field(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
    locations: list[LocationIn] = Field(default_factory=list, max_length=16)
    contact_points: list[ContactPointIn] = Field(default_factory=list, max_length=32)


# Read once: `CustomerIn.model_fields` goes through pydantic's descriptor on every read.
_CUSTOMER_FIELDS = frozenset(CustomerIn.model_fields)


@dataclass(frozen=True, slots=True)
class ImportedPoint:
    channel: Channel
    address: str
    kind: ContactPointKind
    source: ContactSource
    time_zones: tuple[str, ...]

    def __reduce__(self) -> tuple[type[ImportedPoint], tuple[object, ...]]:
        # Checked lines come back from the checking processes pickled; rebuilt through the
        # constructor, they cost half what the frozen dataclass's field-by-field state does.
        return ImportedPoint, (self.channel, self.address, self.kind, self.source, self.time_zones)


@dataclass(frozen=True, slots=True)
class ImportedCustomer:
    """One validated, normalised line; plaintext, to be encrypted by storage."""

    line: int
    external_ref: str
    name: str
    locale: str
    jurisdiction: str
    locations: tuple[tuple[str, str], ...]
    contact_points: tuple[ImportedPoint, ...]

    def __reduce__(self) -> tuple[type[ImportedCustomer], tuple[object, ...]]:
        # As `ImportedPoint.__reduce__`: the constructor, not the field-by-field state.
        fields = (self.external_ref, self.name, self.locale, self.jurisdiction, self.locations)
        return ImportedCustomer, (self.line, *fields, self.contact_points)


@dataclass(frozen=True, slots=True)
class LineError:
    line: int
    problems: tuple[str, ...]

    def __str__(self) -> str:
        return f"line {self.line}: " + "; ".join(self.problems)


@dataclass(frozen=True, slots=True)
class ImportValidation:
    customers: tuple[ImportedCustomer, ...]
    errors: tuple[LineError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_import(lines: Iterable[str], *, workers: int = 1) -> ImportValidation:
    """Check every line; blank lines are ignored; a repeated `external_ref` is an error.

    With `workers` > 1, a file of `PARALLEL_FROM_LINES` lines or more is checked in that many
    processes, this one and forked ones: checking is pure and mostly phone and email parsing, so
    it scales with cores. The result is the same as in one process. Forking copies this process,
    so pass `workers` only where no other thread runs yet (the CLI validates before anything
    starts).
    """
    texts = list(lines)
    try:
        with cycle_collector.paused():
            if workers > 1 and len(texts) >= PARALLEL_FROM_LINES:
                checked = _check_in_processes(texts, workers)
            else:
                checked = _check_lines(1, texts)
            return _without_repeats(checked)
    finally:
        forget_email_domains()  # a file's domains are not kept in memory after its check


PARALLEL_FROM_LINES = 10_000
"""Below this, starting processes costs more than it saves."""


def _check_lines(first_number: int, texts: Sequence[str]) -> list[_CheckedLine]:
    return [
        (number, *_validate_line(number, text))
        for number, text in enumerate(texts, start=first_number)
        if text.strip()
    ]


def _check_in_processes(texts: list[str], workers: int) -> list[_CheckedLine]:
    """This process checks the first part while `workers - 1` forked ones check the others: it
    would only wait otherwise, and what it checks itself is not pickled through a pipe."""
    size = -(-len(texts) // workers)
    parts = [(start + 1, texts[start : start + size]) for start in range(0, len(texts), size)]
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=len(parts) - 1, mp_context=context) as pool:
            others = [pool.submit(_check_lines, first, part) for first, part in parts[1:]]
            checked = _check_lines(*parts[0])
            for other in others:
                checked += other.result()
            return checked
    except (BrokenProcessPool, OSError, ValueError):
        # No processes here (no fork on this platform, a sandbox): the same check in this one.
        return _check_lines(1, texts)


_CheckedLine = tuple[int, list[str], "ImportedCustomer | None"]


def _without_repeats(checked: Iterable[_CheckedLine]) -> ImportValidation:
    customers: list[ImportedCustomer] = []
    errors: list[LineError] = []
    first_line_of: dict[str, int] = {}
    for number, problems, customer in checked:
        if customer is not None and customer.external_ref in first_line_of:
            first = first_line_of[customer.external_ref]
            errors.append(
                LineError(number, (f"external_ref: repeats the customer of line {first}",))
            )
        elif problems:
            errors.append(LineError(number, tuple(problems)))
        elif customer is not None:
            first_line_of[customer.external_ref] = number
            customers.append(customer)
    return ImportValidation(tuple(customers), tuple(errors))


def _validate_line(number: int, text: str) -> tuple[list[str], ImportedCustomer | None]:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_LINE_BYTES:
        return [f"(line): longer than {MAX_LINE_BYTES} bytes"], None
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return ["(line): not valid JSON"], None
    if not isinstance(document, dict):
        return ["(line): must be a JSON object"], None
    refused = _third_party_fields(document)
    if refused:
        return [f"{field}: {ThirdPartyDataRefused.explanation}" for field in refused], None
    try:
        model = CustomerIn.model_validate(document)
    except ValidationError as error:
        return [_describe(item) for item in error.errors(include_input=False)], None
    return _normalise(number, model)


def _third_party_fields(document: dict[str, Any]) -> list[str]:
    refused = [key for key in document if key.lower() in THIRD_PARTY_FIELDS]
    refused += [
        key
        for key, value in document.items()
        if key not in refused and key not in _CUSTOMER_FIELDS and _lists_people(value)
    ]
    points = document.get("contact_points")
    if isinstance(points, list):
        for index, point in enumerate(points):
            if isinstance(point, dict) and ({"relationship", "relation", "owner"} & set(point)):
                refused.append(f"contact_points[{index}].relationship")
    return refused


def _lists_people(value: object) -> bool:
    return isinstance(value, list) and any(
        isinstance(item, dict) and len(_PERSON_KEYS & set(item)) >= 2 for item in value
    )


def _describe(error: Any) -> str:  # noqa: ANN401 - pydantic's ErrorDetails is a TypedDict
    location = ".".join(str(part) for part in error["loc"]) or "(line)"
    location = re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", location)
    if error["type"] == "extra_forbidden":
        return f"{location}: unknown field"
    return f"{location}: {error['msg']}"


def _normalise(number: int, model: CustomerIn) -> tuple[list[str], ImportedCustomer | None]:
    problems: list[str] = []
    points: list[ImportedPoint] = []
    region = model.jurisdiction.split("-", 1)[0]
    for index, point in enumerate(model.contact_points):
        try:
            address, phone = describe_address(point.channel, point.address, region)
        except AddressInvalid as error:
            problems.append(f"contact_points[{index}].address: {error}")
            continue
        points.append(_imported_point(point, address, phone))
    if problems:
        return problems, None
    customer = ImportedCustomer(
        line=number,
        external_ref=model.external_ref,
        name=model.name,
        locale=model.locale,
        jurisdiction=model.jurisdiction,
        locations=tuple((location.timezone, location.source) for location in model.locations),
        contact_points=tuple(points),
    )
    return [], customer


def _imported_point(point: ContactPointIn, address: str, phone: PhoneFacts | None) -> ImportedPoint:
    if phone is None:
        kind = point.kind or _default_kind(point.channel)
        return ImportedPoint(point.channel, address, kind, point.source, ())
    return ImportedPoint(
        point.channel, address, point.kind or phone.kind, point.source, phone.time_zones
    )


def _default_kind(channel: Channel) -> ContactPointKind:
    return {
        Channel.EMAIL: ContactPointKind.PERSONAL,
        Channel.PUSH: ContactPointKind.PUSH_TOKEN,
        Channel.LETTER: ContactPointKind.POSTAL,
    }.get(channel, ContactPointKind.PERSONAL)
