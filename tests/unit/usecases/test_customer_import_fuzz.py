# SPDX-License-Identifier: Apache-2.0
"""Whatever a file holds, validation answers with customers or clear line errors, never a crash."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rightparty.usecases.customer_import import validate_import

pytestmark = pytest.mark.unit

INJECTIONS = [
    "'; DROP TABLE customers; --",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "../../etc/passwd",
    "\u202eevil",
    "\x00",
]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children),
    max_leaves=12,
)
field_values = st.one_of(json_values, st.sampled_from(INJECTIONS), st.text(min_size=300))
customer_like = st.fixed_dictionaries(
    {},
    optional={
        "external_ref": field_values,
        "name": st.one_of(st.text(alphabet="王小明Zoë ÅБ"), field_values),
        "locale": field_values,
        "jurisdiction": st.sampled_from(["CN", "US", "us", "XX-123", ""]) | field_values,
        "locations": st.lists(
            st.dictionaries(st.sampled_from(["timezone", "source"]), field_values)
        ),
        "contact_points": st.lists(
            st.dictionaries(st.sampled_from(["channel", "address", "kind", "source"]), field_values)
        ),
        "extra": field_values,
    },
)


def _check(lines):
    result = validate_import(lines)
    non_blank = [number for number, text in enumerate(lines, start=1) if text.strip()]
    reported = {error.line for error in result.errors} | {c.line for c in result.customers}
    assert reported == set(non_blank)
    for error in result.errors:
        assert str(error).startswith(f"line {error.line}: ")
        assert error.problems
    return result


@given(st.lists(st.text(max_size=200), max_size=5))
def test_arbitrary_text_never_crashes_validation(lines):
    _check(lines)


@given(st.lists(customer_like, min_size=1, max_size=4))
def test_customer_shaped_objects_get_customers_or_field_errors(documents):
    lines = [json.dumps(document) for document in documents]
    result = _check(lines)
    for error in result.errors:
        for problem in error.problems:
            field = problem.split(":", 1)[0]
            assert field, problem


@given(st.sampled_from(INJECTIONS))
def test_injection_strings_in_addresses_are_refused_without_being_echoed(payload):
    document = {
        "external_ref": "C1",
        "name": "Zoë",
        "locale": "en-US",
        "jurisdiction": "US",
        "contact_points": [{"channel": "email", "address": payload, "source": "app"}],
    }
    (error,) = validate_import([json.dumps(document)]).errors
    assert payload not in str(error)


def test_a_huge_line_is_refused_before_parsing():
    document = {"external_ref": "C1", "name": "x" * 70_000}
    (error,) = validate_import([json.dumps(document)]).errors
    assert str(error) == "line 1: (line): longer than 65536 bytes"
