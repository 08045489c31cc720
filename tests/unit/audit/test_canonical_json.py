# SPDX-License-Identifier: Apache-2.0
"""`CanonicalJson`: a payload value serialised once and embedded in many payloads changes no byte
of what the log commits to."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rightparty.audit.errors import InvalidPayload
from rightparty.audit.events import CanonicalJson, canonical_payload, payload_digest
from tests.unit.audit.strategies import json_values, payloads

pytestmark = pytest.mark.unit

DECISION = {
    "allowed": True,
    "packs": [{"name": "cn-collections", "version": "2026.1.0"}],
    "reasons": [],
    "next_allowed_at": None,
    "evaluated": [{"rule": "cn-collections/quiet-hours", "result": "pass"}],
}


@given(payloads, st.data())
def test_embedding_any_top_level_values_gives_the_same_canonical_bytes(payload, data):
    wrapped = {
        key: CanonicalJson(value) if data.draw(st.booleans()) else value
        for key, value in payload.items()
    }
    assert canonical_payload(wrapped) == canonical_payload(payload)
    assert payload_digest(wrapped) == payload_digest(payload)


def test_an_attempt_payload_commits_to_the_decision_it_embeds():
    payload = {"case_id": "case-1", "channel": "sms", "purpose": "payment_reminder"}
    plain = payload | {"decision": DECISION}
    embedded = payload | {"decision": CanonicalJson(DECISION)}
    assert canonical_payload(embedded) == canonical_payload(plain)
    changed = DECISION | {"allowed": False}
    assert payload_digest(payload | {"decision": CanonicalJson(changed)}) != payload_digest(plain)


def test_keys_sort_by_code_point_around_an_embedded_value():
    payload = {"é": 1, "Z": CanonicalJson([1, "x"]), "a": "b", "": None}
    assert canonical_payload(payload) == '{"":null,"Z":[1,"x"],"a":"b","é":1}'.encode()


def test_the_text_is_that_of_the_value_when_it_was_wrapped():
    document = {"allowed": True}
    wrapped = CanonicalJson(document)
    document["allowed"] = False
    assert canonical_payload({"decision": wrapped}) == b'{"decision":{"allowed":true}}'


@pytest.mark.parametrize("value", [12.5, float("nan"), {1: "x"}, b"raw", [{"x": 1.0}]], ids=repr)
def test_a_value_without_one_json_form_is_refused_when_wrapped(value):
    with pytest.raises(InvalidPayload):
        CanonicalJson(value)


@given(json_values)
def test_wrapping_refuses_exactly_what_a_payload_refuses(value):
    deep: object = value
    for _ in range(28):
        deep = [deep]
    try:
        payload_digest({"x": deep})
    except InvalidPayload:
        with pytest.raises(InvalidPayload):
            CanonicalJson(deep)
    else:
        assert canonical_payload({"x": CanonicalJson(deep)}) == canonical_payload({"x": deep})


def test_a_value_nested_one_level_too_deep_is_refused_as_a_payload_would_be():
    deep: object = "leaf"
    for _ in range(32):
        deep = [deep]
    with pytest.raises(InvalidPayload, match="deeper"):
        payload_digest({"x": deep})
    with pytest.raises(InvalidPayload, match="deeper"):
        CanonicalJson(deep)
    assert canonical_payload({"x": CanonicalJson(deep[0])}) == canonical_payload({"x": deep[0]})


def test_an_embedded_value_below_the_top_level_is_refused():
    with pytest.raises(InvalidPayload, match="top-level"):
        payload_digest({"outer": {"decision": CanonicalJson(DECISION)}})
    with pytest.raises(InvalidPayload, match="top-level"):
        payload_digest({"outer": [CanonicalJson(1)]})


def test_a_non_string_key_is_refused_next_to_an_embedded_value():
    with pytest.raises(InvalidPayload, match="keys must be strings"):
        payload_digest({1: CanonicalJson(1), "a": 2})
    with pytest.raises(InvalidPayload, match="keys must be strings"):
        payload_digest({1: 2, "a": CanonicalJson(1)})
