# SPDX-License-Identifier: Apache-2.0
"""The content rules file: validated field by field, cited rule by rule, composed pack by pack."""

from __future__ import annotations

import pytest
import yaml

from rightparty.channels.segments import count_segments as channel_count
from rightparty.domain.segments import count_segments as domain_count
from rightparty.domain.vocabulary import Channel, Purpose
from rightparty.usecases.templates.content_rules import (
    Check,
    ContentRulesError,
    parse_content_rules,
    shipped_content_rules,
)

pytestmark = pytest.mark.unit

PHRASES = {
    "disclosures": {"notice": {"en": ["a"], "zh-CN": ["甲"]}},
    "opt_out": {channel.value: {"en": ["stop"], "zh-CN": ["退订"]} for channel in Channel},
    "debt_terms": {"en": ["debt"], "zh-CN": ["欠款"]},
    "prohibited_claims": {"en": ["jail"], "zh-CN": ["坐牢"]},
}


def document(*rules, phrases=None):
    return yaml.safe_dump(
        {"version": "1", "phrases": phrases or PHRASES, "packs": {"p": list(rules)}},
        allow_unicode=True,
    )


def test_every_shipped_rule_cites_a_source_and_every_pack_rule_is_unique():
    rules = shipped_content_rules()
    for pack, pack_rules in rules.packs.items():
        assert all(rule.source and rule.pack == pack for rule in pack_rules)
        assert len({rule.id for rule in pack_rules}) == len(pack_rules)


def test_rules_compose_in_pack_order_and_an_unknown_pack_adds_nothing():
    rules = shipped_content_rules()
    names = [rule.name for rule in rules.for_packs(["us-tcpa", "nobody", "us-tcpa"])]
    assert names == [rule.name for rule in rules.packs["us-tcpa"]]
    assert rules.for_packs(["nobody"]) == ()


def test_except_purposes_narrow_all_purposes():
    parsed = parse_content_rules(
        document({"id": "r", "check": "no_debt", "source": "s", "except_purposes": ["collections"]})
    )
    (rule,) = parsed.packs["p"]
    assert rule.check is Check.NO_DEBT
    assert not rule.applies(Channel.SMS, Purpose.COLLECTIONS)
    assert rule.applies(Channel.LETTER, Purpose.MARKETING)


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ({"id": "r", "check": "shout", "source": "s"}, "check"),
        ({"id": "r", "check": "disclosure", "source": "s"}, "disclosure"),
        ({"id": "r", "check": "disclosure", "disclosure": "nope", "source": "s"}, "unknown"),
        ({"id": "r", "check": "max_segments", "source": "s"}, "limit"),
        ({"id": "r", "check": "no_debt", "source": "s", "limit": 3}, "limit"),
        ({"id": "r", "check": "no_debt"}, "source"),
        ({"id": "R!", "check": "no_debt", "source": "s"}, "id"),
        ({"id": "r", "check": "no_debt", "source": "s", "colour": "red"}, "colour"),
    ],
)
def test_a_bad_rule_is_refused_naming_the_field(rule, problem):
    with pytest.raises(ContentRulesError, match=problem):
        parse_content_rules(document(rule))


def test_phrases_are_needed_in_every_supported_locale_and_for_every_channel():
    without_chinese = {**PHRASES, "debt_terms": {"en": ["debt"]}}
    with pytest.raises(ContentRulesError, match="debt_terms: no phrase for locale zh-CN"):
        parse_content_rules(document(phrases=without_chinese))
    without_letter = {
        **PHRASES,
        "opt_out": {key: value for key, value in PHRASES["opt_out"].items() if key != "letter"},
    }
    with pytest.raises(ContentRulesError, match="letter"):
        parse_content_rules(document(phrases=without_letter))


def test_repeated_rule_ids_and_bad_yaml_are_refused():
    rule = {"id": "r", "check": "no_debt", "source": "s"}
    with pytest.raises(ContentRulesError, match="repeat"):
        parse_content_rules(document(rule, rule))
    with pytest.raises(ContentRulesError, match="not valid YAML"):
        parse_content_rules("packs: [")


def test_channels_still_count_segments_with_the_domain_counter():
    assert channel_count is domain_count
    assert domain_count("回复TD退订" * 20).segments == 2
