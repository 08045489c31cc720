# SPDX-License-Identifier: Apache-2.0
"""Hypothesis strategies for audit tests."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import strategies as st

MAX_LEAVES = 70

tree_sizes = st.integers(min_value=1, max_value=MAX_LEAVES)


@st.composite
def tree_and_index(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(tree_sizes)
    return size, draw(st.integers(min_value=0, max_value=size - 1))


@st.composite
def old_and_new_sizes(draw: st.DrawFn) -> tuple[int, int]:
    new_size = draw(tree_sizes)
    return draw(st.integers(min_value=1, max_value=new_size)), new_size


event_types = st.builds(
    lambda first, rest: ".".join([first, *rest]),
    st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True),
    st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), max_size=3),
)
references = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,60}", fullmatch=True)
digests = st.binary(min_size=32, max_size=32)
instants = st.datetimes(
    min_value=datetime(1, 1, 1),  # noqa: DTZ001 - Hypothesis bounds are naive; timezones= makes them aware
    max_value=datetime(9999, 12, 31),  # noqa: DTZ001 - as above
    timezones=st.just(UTC),
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
payloads = st.dictionaries(st.text(max_size=8), json_values, max_size=6)
