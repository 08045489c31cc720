# SPDX-License-Identifier: Apache-2.0
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rightparty.audit.errors import InvalidEncoding, InvalidEvent, InvalidPayload
from rightparty.audit.events import (
    AuditEvent,
    _check_json,
    _check_plain_json,
    canonical_payload,
    payload_digest,
)
from tests.unit.audit.strategies import digests, event_types, instants, payloads, references

pytestmark = pytest.mark.unit

DIGEST = bytes(range(32))
GOLDEN = (
    b'{"v":1,"type":"personal_data.revealed","actor":"staff:u-42","subject":"customer:7f3c",'
    b'"payload_sha256":"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",'
    b'"at":"2026-03-02T12:00:00.250000Z"}'
)


def _event(**changes):
    fields = {
        "event_type": "personal_data.revealed",
        "actor": "staff:u-42",
        "subject_id": "customer:7f3c",
        "payload_digest": DIGEST,
        "occurred_at": datetime(2026, 3, 2, 12, 0, 0, 250000, tzinfo=UTC),
    }
    return AuditEvent(**(fields | changes))


def test_encoding_is_one_line_of_json_in_a_fixed_order():
    assert _event().encode() == GOLDEN
    assert AuditEvent.decode(GOLDEN) == _event()


def test_occurred_at_is_stored_in_utc():
    shanghai = timezone(timedelta(hours=8))
    event = _event(occurred_at=datetime(2026, 3, 2, 20, 0, 0, 250000, tzinfo=shanghai))
    assert event.occurred_at.tzinfo is UTC
    assert event.encode() == GOLDEN


@given(event_types, references, references, digests, instants)
def test_every_valid_event_survives_a_round_trip(event_type, actor, subject, digest, at):
    event = AuditEvent(
        event_type=event_type,
        actor=actor,
        subject_id=subject,
        payload_digest=digest,
        occurred_at=at,
    )
    assert AuditEvent.decode(event.encode()) == event


@given(st.integers(0, len(GOLDEN) - 1), st.integers(1, 255))
def test_no_changed_byte_decodes_to_the_same_event(position, delta):
    changed = bytearray(GOLDEN)
    changed[position] = (changed[position] + delta) % 256
    try:
        decoded = AuditEvent.decode(bytes(changed))
    except InvalidEncoding:
        return
    assert decoded != _event()
    assert decoded.encode() == bytes(changed)


@pytest.mark.parametrize(
    "data",
    [
        GOLDEN.replace(b",", b", ", 1),
        GOLDEN.replace(b'"v":1,', b"")[:-1] + b',"v":1}',
        GOLDEN[:-1] + b',"extra":"x"}',
        GOLDEN.replace(b'"v":1', b'"v":2'),
        GOLDEN.replace(b'"v":1', b'"v":1.0'),
        GOLDEN.replace(b'"v":1', b'"v":true'),
        GOLDEN.replace(b"0a0b0c", b"0A0B0C"),
        GOLDEN.replace(b".250000Z", b".25Z"),
        GOLDEN.replace(b".250000Z", b".250000+00:00"),
        GOLDEN.replace(b"2026-03-02", b"2026-02-30"),
        GOLDEN.replace(b"staff:u-42", b"staff:u\\u002d42"),
        GOLDEN.replace(b'"actor":"staff:u-42"', b'"actor":42'),
        GOLDEN.replace(b'"type":"personal_data.revealed"', b'"type":"Personal"'),
        b"not json",
        b"[1,2]",
        b" " * 2000,
    ],
    ids=[
        "whitespace",
        "reordered",
        "extra-key",
        "future-version",
        "float-version",
        "bool-version",
        "upper-case-hex",
        "short-fraction",
        "offset",
        "impossible-date",
        "escaped-character",
        "number-for-string",
        "bad-event-type",
        "not-json",
        "array",
        "oversized",
    ],
)
def test_decode_refuses_anything_but_the_canonical_encoding(data):
    with pytest.raises(InvalidEncoding):
        AuditEvent.decode(data)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject_id", "zhang.wei@example.com"),
        ("subject_id", "+8613812345678"),
        ("subject_id", "Zhang Wei"),
        ("subject_id", ""),
        ("subject_id", "c" * 129),
        ("actor", "王小明"),
        ("event_type", "Attempt.Recorded"),
        ("event_type", "attempt..recorded"),
        ("actor", 42),
        ("payload_digest", b"short"),
        ("occurred_at", datetime(2026, 3, 2, 12, 0)),  # noqa: DTZ001 - the naive time is under test
    ],
)
def test_invalid_fields_are_refused_without_echoing_the_value(field, value):
    with pytest.raises(InvalidEvent) as caught:
        _event(**{field: value})
    assert caught.value.field == field
    if isinstance(value, str) and value:
        assert value not in str(caught.value)


def test_canonical_payload_sorts_keys_and_drops_whitespace():
    payload = {"purpose": "collections", "fields": ["phone"], "count": 2, "ok": True, "x": None}
    expected = b'{"count":2,"fields":["phone"],"ok":true,"purpose":"collections","x":null}'
    assert canonical_payload(payload) == expected
    assert payload_digest(payload) == hashlib.sha256(expected).digest()


def test_canonical_payload_keeps_unicode_as_utf8():
    assert canonical_payload({"reason": "客户要求"}) == '{"reason":"客户要求"}'.encode()


@given(payloads)
def test_payload_digest_ignores_key_order(payload):
    reordered = dict(reversed(list(payload.items())))
    assert payload_digest(reordered) == payload_digest(payload)


@pytest.mark.parametrize(
    "payload",
    [
        {"amount": 12.5},
        {"amount": float("nan")},
        {"nested": {1: "x"}},
        {"raw": b"bytes"},
        {"when": datetime(2026, 3, 2, tzinfo=UTC)},
    ],
    ids=["float", "nan", "integer-key", "bytes", "datetime"],
)
def test_payloads_without_one_json_form_are_refused(payload):
    with pytest.raises(InvalidPayload) as caught:
        payload_digest(payload)
    assert "12.5" not in str(caught.value)


def test_a_payload_nested_too_deep_is_refused():
    payload: dict[str, object] = {}
    for _ in range(40):
        payload = {"x": payload}
    with pytest.raises(InvalidPayload, match="deeper"):
        payload_digest(payload)


def test_for_payload_commits_to_the_payload_digest():
    payload = {"decision": "blocked", "reasons": ["QUIET_HOURS"]}
    event = AuditEvent.for_payload(
        event_type="policy.decision",
        actor="system:policy",
        subject_id="customer:7f3c",
        payload=payload,
        occurred_at=datetime(2026, 3, 2, tzinfo=UTC),
    )
    assert event.payload_digest == payload_digest(payload)
    assert b"QUIET_HOURS" not in event.encode()


_ANY_VALUE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=5)
    | st.floats(allow_nan=True)
    | st.binary(max_size=3),
    lambda children: (
        st.lists(children, max_size=3)
        | st.tuples(children, children)
        | st.dictionaries(st.text(max_size=3) | st.integers(0, 3), children, max_size=3)
    ),
    max_leaves=40,
)


def _deep(levels: int, leaf: object) -> object:
    value = leaf
    for _ in range(levels):
        value = {"x": [value]}
    return value


def _verdict(check: Callable[[object, int], None], value: object) -> str | None:
    try:
        check(value, 0)
    except InvalidPayload as error:
        return str(error)
    return None


@settings(max_examples=1000)
@given(_ANY_VALUE | st.builds(_deep, st.integers(10, 20), _ANY_VALUE))
def test_the_fast_payload_check_agrees_with_the_full_one(value: object) -> None:
    """The fast path is an optimisation only: same acceptance, same explanation."""
    assert _verdict(_check_plain_json, value) == _verdict(_check_json, value)
