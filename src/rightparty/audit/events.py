# SPDX-License-Identifier: Apache-2.0
"""Audit events and their one canonical, versioned encoding (the Merkle leaf data).

Version 1 is a single line of JSON with a fixed key order and no whitespace:

    {"v":1,"type":"policy.decision","actor":"staff:u-42","subject":"customer:7f3c",
     "payload_sha256":"<64 hex digits>","at":"2026-03-02T12:00:00.000000Z"}

Every field is restricted to characters JSON never escapes, so the text is canonical by
construction and any program can re-create it byte for byte. `decode` re-encodes what it parsed
and refuses input that differs in a single byte.

An event never holds personal data in clear: `subject_id` and `actor` are internal references
(`customer:<id>`, `staff:<id>`), and the payload itself stays with the caller, who keeps it under
its own protection; the log commits only to its SHA-256 (`payload_digest`).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rightparty.audit.errors import InvalidEncoding, InvalidEvent, InvalidPayload
from rightparty.audit.timestamps import format_instant, parse_instant

ENCODING_VERSION = 1
MAX_EVENT_TYPE_LENGTH = 64
MAX_REFERENCE_LENGTH = 128
MAX_ENCODED_LENGTH = 1024
MAX_PAYLOAD_DEPTH = 32

_EVENT_TYPE = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*\Z")
_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*\Z")
_KEYS = ("v", "type", "actor", "subject", "payload_sha256", "at")
_CHECKED_TYPES: set[str] = set()
_CHECKED_ACTORS: set[str] = set()
_MAX_CHECKED = 4096
"""At most this many event types, and as many actors, are remembered as checked."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEvent:
    """Something that happened, who did it, to whom (by reference) and when.

    `event_type` is a dotted lower-case name (`attempt.recorded`, `personal_data.revealed`);
    `actor` and `subject_id` are opaque references of letters, digits and `._:-` (no `@`, `+` or
    spaces, so an email address or an E.164 number cannot slip in by mistake, although a bare
    digit string cannot be told from an id); `payload_digest` is the SHA-256 of the canonical
    payload (`payload_digest()`); `occurred_at` is converted to UTC.
    """

    event_type: str
    actor: str
    subject_id: str
    payload_digest: bytes
    occurred_at: datetime

    def __post_init__(self) -> None:
        # A process has few event types and actors: each is checked once, then found in a set
        # (exact strings only, so nothing else can pass for one that was checked).
        event_type, actor = self.event_type, self.actor
        if not (type(event_type) is str and event_type in _CHECKED_TYPES):
            _check_pattern("event_type", event_type, _EVENT_TYPE, MAX_EVENT_TYPE_LENGTH)
            _remember(_CHECKED_TYPES, event_type)
        if not (type(actor) is str and actor in _CHECKED_ACTORS):
            _check_pattern("actor", actor, _REFERENCE, MAX_REFERENCE_LENGTH)
            _remember(_CHECKED_ACTORS, actor)
        _check_pattern("subject_id", self.subject_id, _REFERENCE, MAX_REFERENCE_LENGTH)
        digest: object = self.payload_digest
        if not (isinstance(digest, bytes) and len(digest) == 32):
            raise InvalidEvent("payload_digest", "must be the 32-byte SHA-256 of the payload")
        instant: object = self.occurred_at
        if not (isinstance(instant, datetime) and instant.utcoffset() is not None):
            raise InvalidEvent("occurred_at", "must be a timezone-aware datetime")
        if instant.tzinfo is not UTC:
            object.__setattr__(self, "occurred_at", instant.astimezone(UTC))

    @classmethod
    def for_payload(
        cls,
        *,
        event_type: str,
        actor: str,
        subject_id: str,
        payload: Mapping[str, object],
        occurred_at: datetime,
    ) -> AuditEvent:
        """An event committing to `payload` by its canonical digest."""
        return cls(
            event_type=event_type,
            actor=actor,
            subject_id=subject_id,
            payload_digest=payload_digest(payload),
            occurred_at=occurred_at,
        )

    def encode(self) -> bytes:
        """The canonical bytes of this event: the leaf data hashed into the log."""
        return (
            f'{{"v":1,"type":"{self.event_type}","actor":"{self.actor}",'
            f'"subject":"{self.subject_id}","payload_sha256":"{self.payload_digest.hex()}",'
            f'"at":"{format_instant(self.occurred_at)}"}}'
        ).encode("ascii")

    @classmethod
    def decode(cls, data: bytes) -> AuditEvent:
        """The event whose canonical encoding is exactly `data`; anything else is refused."""
        if len(data) > MAX_ENCODED_LENGTH:
            message = f"an encoded event is at most {MAX_ENCODED_LENGTH} bytes"
            raise InvalidEncoding(message)
        try:
            pairs = json.loads(data, object_pairs_hook=_ObjectPairs)
        except (ValueError, RecursionError) as error:
            message = "event bytes are not JSON"
            raise InvalidEncoding(message) from error
        if not isinstance(pairs, _ObjectPairs) or [key for key, _ in pairs] != list(_KEYS):
            message = "event keys are not v, type, actor, subject, payload_sha256, at in order"
            raise InvalidEncoding(message)
        fields = dict(pairs)
        version = fields["v"]
        if type(version) is not int or version != ENCODING_VERSION:
            message = "unsupported event encoding version"
            raise InvalidEncoding(message)
        event_type, actor, subject, digest_hex, at = (_text(fields, key) for key in _KEYS[1:])
        if not re.fullmatch(r"[0-9a-f]{64}", digest_hex):
            message = "payload_sha256 is not 64 lower-case hex digits"
            raise InvalidEncoding(message)
        try:
            event = cls(
                event_type=event_type,
                actor=actor,
                subject_id=subject,
                payload_digest=bytes.fromhex(digest_hex),
                occurred_at=parse_instant(at),
            )
        except InvalidEvent as error:
            message = f"event field {error.field} is invalid"
            raise InvalidEncoding(message) from error
        if event.encode() != data:
            message = "event bytes are not in canonical form"
            raise InvalidEncoding(message)
        return event


class _ObjectPairs(list[tuple[str, object]]):
    """A JSON object as parsed, keys in order and duplicates kept."""


def _text(fields: dict[str, object], key: str) -> str:
    value = fields[key]
    if not isinstance(value, str):
        message = f"event field {key} must be a string"
        raise InvalidEncoding(message)
    return value


_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)
_string = json.encoder.encode_basestring  # what `_CANONICAL` writes for a string or a key


class CanonicalJson:
    """A payload value checked and serialised canonically once, when it is made, to be embedded
    as a top-level value of many payloads (a decision document in every attempt it allowed).

    Embedding changes nothing in what is hashed: `canonical_payload({"decision":
    CanonicalJson(document)})` is byte for byte `canonical_payload({"decision": document})`. The
    text is always made here, from the value, so no caller can slip other bytes in; a later
    change to the value is not seen (the payload commits to the value as it was when wrapped).
    """

    __slots__ = ("_text",)

    def __init__(self, value: object) -> None:
        _check_plain_json(value, 1)  # the depth of a top-level payload value
        self._text = _CANONICAL.encode(value)

    @property
    def text(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"CanonicalJson({self._text[:40]!r}…)"


def canonical_payload(payload: Mapping[str, object]) -> bytes:
    """The canonical JSON of a payload: keys sorted by code point, no whitespace, UTF-8.

    Values may be objects with string keys, arrays, strings, integers, booleans and null. Floats
    are refused: their text differs between languages, so a digest over them would not be
    reproducible by an outside verifier (send amounts as strings or minor units). A top-level
    value may be a `CanonicalJson`, which stands for the value it was made from.
    """
    if type(payload) is not dict:
        payload = dict(payload)
    for value in payload.values():
        if type(value) is CanonicalJson:
            return _embedding(payload)
    _check_plain_json(payload, 0)
    return _CANONICAL.encode(payload).encode("utf-8")


def _embedding(payload: dict[Any, object]) -> bytes:
    """`canonical_payload` of a payload with an embedded value. Every other value a plain
    string, integer, boolean or null, as in every attempt and decision entry, nothing can be
    refused and the text is written at once; anything else is checked first (`_checked`)."""
    for key in payload:
        if type(key) is not str:
            return _checked(payload)
    keys = tuple(payload)
    layout = _LAYOUTS.get(keys)
    if layout is None:
        # the order of `sort_keys` (by code point), each key written once for every payload
        # with these keys: code names them, so there are only ever a few
        layout = tuple((key, f"{_string(key)}:") for key in sorted(keys))
        if len(_LAYOUTS) < _MAX_LAYOUTS:
            _LAYOUTS[keys] = layout
    members = []
    for key, name in layout:
        value = payload[key]
        if type(value) is CanonicalJson:
            members.append(name + value._text)
        elif type(value) is str:
            members.append(name + _string(value))
        elif type(value) in _PLAIN_SCALARS:
            members.append(name + _CANONICAL.encode(value))
        else:
            return _checked(payload)
    return ("{" + ",".join(members) + "}").encode("utf-8")


_LAYOUTS: dict[tuple[str, ...], tuple[tuple[str, str], ...]] = {}
"""By a payload's keys in their order: each key and its JSON text with the colon, sorted."""
_MAX_LAYOUTS = 256


def _checked(payload: dict[Any, object]) -> bytes:
    """`_embedding` for any payload: refuses what a payload without embedded values would."""
    embedded = [key for key, value in payload.items() if type(value) is CanonicalJson]
    for key in embedded:
        if type(key) is not str:
            message = "payload object keys must be strings"
            raise InvalidPayload(message)
    rest = {key: value for key, value in payload.items() if type(value) is not CanonicalJson}
    _check_plain_json(rest, 0)
    members = []
    for key in sorted(payload):  # the order of `sort_keys`: by code point
        value = payload[key]
        if type(value) is CanonicalJson:
            text = value.text
        elif type(value) is str:
            text = _string(value)
        else:
            text = _CANONICAL.encode(value)
        members.append(f"{_string(key)}:{text}")
    return ("{" + ",".join(members) + "}").encode("utf-8")


def payload_digest(payload: Mapping[str, object]) -> bytes:
    """SHA-256 of `canonical_payload(payload)`."""
    return hashlib.sha256(canonical_payload(payload)).digest()


_PLAIN_SCALARS = frozenset({str, int, bool, type(None)})


def _check_plain_json(value: object, depth: int) -> None:
    """`_check_json` for the common case, exact types only, several times faster: every attempt
    and decision is audited. Anything unusual (a subclass, a float, a non-string key, a value
    near the depth limit) goes to `_check_json`, which decides and explains."""
    if depth < MAX_PAYLOAD_DEPTH:
        if type(value) is dict:
            # Keys first, as `_check_json` does, so both name the same first problem.
            for key in value:
                if type(key) is not str:
                    break
            else:
                for item in value.values():
                    if type(item) not in _PLAIN_SCALARS:
                        _check_plain_json(item, depth + 1)
                return
        elif type(value) is list or type(value) is tuple:
            for item in value:
                if type(item) not in _PLAIN_SCALARS:
                    _check_plain_json(item, depth + 1)
            return
    _check_json(value, depth)


def _check_json(value: object, depth: int) -> None:
    if depth > MAX_PAYLOAD_DEPTH:
        message = f"payload nests deeper than {MAX_PAYLOAD_DEPTH} levels"
        raise InvalidPayload(message)
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, float):
        kind = "a non-finite number" if not math.isfinite(value) else "a float"
        message = f"payload holds {kind}; use a string or an integer"
        raise InvalidPayload(message)
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            message = "payload object keys must be strings"
            raise InvalidPayload(message)
        for item in value.values():
            _check_json(item, depth + 1)
        return
    if isinstance(value, list | tuple):
        for item in value:
            _check_json(item, depth + 1)
        return
    if isinstance(value, CanonicalJson):
        message = "a CanonicalJson is embedded only as a top-level payload value"
        raise InvalidPayload(message)
    message = f"payload holds a {type(value).__name__}, which has no JSON form"
    raise InvalidPayload(message)


def _remember(checked: set[str], value: str) -> None:
    if type(value) is str and len(checked) < _MAX_CHECKED:
        checked.add(value)


def _check_pattern(field: str, value: object, pattern: re.Pattern[str], limit: int) -> None:
    if not isinstance(value, str):
        raise InvalidEvent(field, "must be a string")
    if not 0 < len(value) <= limit:
        raise InvalidEvent(field, f"must hold 1 to {limit} characters")
    if pattern.match(value) is None:
        rule = (
            "a dotted lower-case name"
            if pattern is _EVENT_TYPE
            else "letters, digits and ._:- (an internal reference, never personal data)"
        )
        raise InvalidEvent(field, f"must be {rule}")
