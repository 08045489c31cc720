# SPDX-License-Identifier: Apache-2.0
"""The shipped packs are valid data with a source for every rule; pack files are checked."""

import pytest

from rightparty.policy.rules.frequency import FrequencyRule
from rightparty.policy.rules.time_windows import TimeWindowRule
from rightparty.usecases.policy_packs import (
    JURISDICTION_PACKS,
    PackFormatError,
    UnknownPackError,
    available_packs,
    build_policy,
    load_pack,
    pack_names,
    parse_pack,
)

pytestmark = pytest.mark.unit

EXPECTED = {"us-reg-f", "us-tcpa", "us-ma", "cn-collections", "eu-gdpr", "bank-baseline"}
MINIMAL = """
name: house
version: "7"
title: a bank's own pack
rules:
  - id: calls
    type: time_window
    channels: [voice]
    start: 09:00
    end: "17:30"
    source: house rule
"""


def test_every_pack_the_design_names_ships():
    assert set(pack_names()) == EXPECTED
    assert {info.name for info in available_packs()} == EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_rule_carries_its_source(name):
    pack = load_pack(name)
    assert pack.version
    assert pack.rules
    for rule in pack.rules:
        assert rule.id.startswith(f"{name}/")
        assert len(rule.source) > 10, rule.id


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_an_uncertain_source_says_which_reading_the_pack_takes(name):
    for rule in load_pack(name).rules:
        if "[U]" in rule.source or "[U]" in rule.note:
            assert "stricter" in rule.note or "stricter" in rule.source, rule.id


def test_reg_f_numbers_are_the_regulations():
    rules = {rule.id: rule for rule in load_pack("us-reg-f").rules}
    window = rules["us-reg-f/time-window"]
    calls = rules["us-reg-f/call-frequency"]
    assert isinstance(window, TimeWindowRule)
    assert (window.start, window.end) == (8 * 3600, 21 * 3600)
    assert isinstance(calls, FrequencyRule)
    assert (calls.limit, calls.local_days) == (7, 7)


def test_every_jurisdiction_set_compiles():
    for names in JURISDICTION_PACKS.values():
        assert build_policy(names).packs


def test_a_pack_file_can_be_loaded_by_path(tmp_path):
    path = tmp_path / "house.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    pack = load_pack(str(path))
    (rule,) = pack.rules
    assert isinstance(rule, TimeWindowRule)
    assert (pack.name, pack.version, rule.start, rule.end) == ("house", "7", 9 * 3600, 63000)


def test_unknown_pack_names_the_known_ones():
    with pytest.raises(UnknownPackError, match="us-reg-f"):
        load_pack("us-reg-g")


def test_invalid_pack_names_every_bad_field():
    broken = MINIMAL.replace("channels: [voice]", "channels: [pigeon]").replace(
        "source: house rule", "limit: 3"
    )
    with pytest.raises(PackFormatError) as raised:
        parse_pack(broken, "house.yaml")
    problems = "\n".join(raised.value.problems)
    assert "rules.0.time_window.channels.0" in problems
    assert "rules.0.time_window.source" in problems
    assert "rules.0.time_window.limit" in problems


def test_a_budget_names_what_it_counts_one_way_only():
    text = """
name: house
version: "1"
title: t
rules:
  - id: calls
    type: frequency
    scope: [person]
    counts: {channels: [voice], outcomes: [no_answer], exclude_outcomes: [busy]}
    window: {rolling_hours: 24, local_days: 1}
    limit: 0
    source: house rule
"""
    with pytest.raises(PackFormatError) as raised:
        parse_pack(text, "house.yaml")
    problems = "\n".join(raised.value.problems)
    assert "counts" in problems
    assert "window" in problems
    assert "limit" in problems
