# SPDX-License-Identifier: Apache-2.0
"""What the audit encoding remembers between events (payload layouts, checked event types and
actors, the last instant written) never changes a byte, and never lets through what it refuses."""

from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rightparty.audit import events
from rightparty.audit.errors import InvalidEvent, InvalidPayload
from rightparty.audit.events import AuditEvent, CanonicalJson, canonical_payload
from rightparty.audit.timestamps import format_instant
from tests.unit.audit.strategies import payloads

pytestmark = pytest.mark.unit

AT = datetime(2026, 3, 3, 10, 0, 0, 250, tzinfo=UTC)
DIGEST = bytes(32)


class Key(StrEnum):
    CASE = "case_id"


def _plain(payload):
    return {
        key: value if type(value) is not CanonicalJson else _PLAIN[id(value)]
        for key, value in payload.items()
    }


_PLAIN: dict[int, object] = {}


def _wrap(value):
    wrapped = CanonicalJson(value)
    _PLAIN[id(wrapped)] = value
    return wrapped


@given(payloads, st.permutations(range(8)))
def test_the_same_keys_in_any_order_give_the_bytes_of_the_plain_payload(payload, order):
    keys = list(payload)
    reordered = {keys[i]: payload[keys[i]] for i in order if i < len(keys)}
    for candidate in (payload, reordered):
        embedded = {**candidate, "decision": _wrap({"allowed": True})}
        assert canonical_payload(embedded) == canonical_payload(_plain(embedded))


def test_a_known_layout_with_other_kinds_of_value_is_checked_again():
    first = {"a": "x", "b": _wrap([1])}
    assert canonical_payload(first) == b'{"a":"x","b":[1]}'
    assert canonical_payload({"a": {"n": [True, None]}, "b": _wrap([1])}) == (
        b'{"a":{"n":[true,null]},"b":[1]}'
    )
    with pytest.raises(InvalidPayload, match="float"):
        canonical_payload({"a": 1.5, "b": _wrap([1])})


def test_keys_that_are_not_exactly_strings_are_refused_next_to_an_embedded_value():
    assert canonical_payload({"case_id": "c1", "d": _wrap(1)}) == b'{"case_id":"c1","d":1}'
    with pytest.raises(InvalidPayload, match="keys must be strings"):
        canonical_payload({Key.CASE: _wrap(1)})
    # a plain value under such a key is what it always was
    assert canonical_payload({Key.CASE: "c1"}) == b'{"case_id":"c1"}'
    assert canonical_payload({"case_id": Key.CASE, "d": _wrap(1)}) == b'{"case_id":"case_id","d":1}'


def test_an_event_type_or_actor_checked_once_does_not_let_a_bad_one_through():
    good = {"subject_id": "s1", "payload_digest": DIGEST, "occurred_at": AT}
    AuditEvent(event_type="attempt.recorded", actor="system:worker", **good)
    with pytest.raises(InvalidEvent, match="event_type"):
        AuditEvent(event_type="Attempt.Recorded", actor="system:worker", **good)
    with pytest.raises(InvalidEvent, match="actor"):
        AuditEvent(event_type="attempt.recorded", actor="someone@example.com", **good)
    with pytest.raises(InvalidEvent, match="actor"):
        AuditEvent(event_type="attempt.recorded", actor=["system:worker"], **good)  # type: ignore[arg-type]
    assert "Attempt.Recorded" not in events._CHECKED_TYPES


def test_no_more_than_the_limit_of_event_types_is_remembered(monkeypatch):
    monkeypatch.setattr(events, "_CHECKED_TYPES", set())
    monkeypatch.setattr(events, "_MAX_CHECKED", 2)
    for number in range(4):
        AuditEvent(
            event_type=f"kind.n{number}",
            actor="system:worker",
            subject_id="s1",
            payload_digest=DIGEST,
            occurred_at=AT,
        )
    assert sorted(events._CHECKED_TYPES) == ["kind.n0", "kind.n1"]


def test_the_last_instant_written_is_reused_only_for_that_very_instant():
    assert format_instant(AT) == "2026-03-03T10:00:00.000250Z"
    assert format_instant(AT) == "2026-03-03T10:00:00.000250Z"
    later = AT + timedelta(microseconds=1)
    assert format_instant(later) == "2026-03-03T10:00:00.000251Z"
    same_moment_elsewhere = AT.astimezone(timezone(timedelta(hours=8)))
    with pytest.raises(ValueError, match="UTC"):
        format_instant(same_moment_elsewhere)
    assert format_instant(AT.replace()) == "2026-03-03T10:00:00.000250Z"
