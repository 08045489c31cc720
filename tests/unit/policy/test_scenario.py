# SPDX-License-Identifier: Apache-2.0
"""The §8.2 scenario is validated field by field, and never echoes personal data."""

import json

import pytest

from rightparty.usecases.policy_scenario import ScenarioError, parse_scenario
from tests.unit.policy.builders import call, point, scenario, utc

pytestmark = pytest.mark.unit

DESIGN_EXAMPLE = """
{
  "now": "2026-03-02T14:00:00Z",
  "customer": {
    "id": "c1",
    "locations": [{"timezone": "America/Los_Angeles", "source": "address"}],
    "contact_points": [
      {"id": "m1", "channel": "voice", "address": "+12125550100", "kind": "mobile",
       "status": "valid"},
      {"id": "e1", "channel": "email", "address": "c1@example.com", "kind": "personal",
       "status": "valid"}
    ],
    "consents": [{"purpose": "marketing", "channel": "sms",
                  "granted_at": "2026-01-01T00:00:00Z", "source": "consumer_direct",
                  "revoked_at": null}],
    "restrictions": [
      {"type": "cease_communication", "debt_id": "d1", "received_at": "2026-02-01T00:00:00Z"},
      {"type": "attorney_represented", "debt_id": "d1", "since": "2026-02-01T00:00:00Z"},
      {"type": "opt_out", "scope": "channel", "channel": "email", "at": "2026-02-01T00:00:00Z"},
      {"type": "opt_out", "scope": "contact_point", "contact_point_id": "m1",
       "at": "2026-02-01T00:00:00Z"},
      {"type": "opt_out", "scope": "purpose", "purpose": "marketing", "at": "2026-02-01T00:00:00Z"},
      {"type": "inconvenient_time", "weekdays": [0,1,2,3,4], "start": "09:00", "end": "17:00"},
      {"type": "legal_hold", "reason": "bankruptcy", "since": "2026-02-01T00:00:00Z"}
    ]
  },
  "request": {"channel": "voice", "contact_point_id": "m1", "purpose": "collections",
              "debt_id": "d1", "target": "customer"},
  "history": [
    {"at": "2026-03-01T18:00:00Z", "channel": "voice", "contact_point_id": "m1", "debt_id": "d1",
     "direction": "outbound", "outcome": "no_answer", "purpose": "collections"}
  ]
}
"""


def _problems(document):
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(document)
    return raised.value.problems


def test_the_design_example_parses_into_facts():
    parsed = parse_scenario(DESIGN_EXAMPLE)
    facts, request = parsed.facts()
    assert [zone.key for zone in facts.zones] == ["America/Los_Angeles", "America/New_York"]
    assert len(facts.restrictions) == 7
    assert request.debt_id == "d1"
    assert facts.history[0].debt_ids == {"d1"}


def test_every_bad_field_is_named_by_its_path():
    document = json.loads(DESIGN_EXAMPLE)
    document["customer"]["nickname"] = "x"
    document["customer"]["contact_points"][0]["status"] = "maybe"
    document["request"]["purpose"] = "gossip"
    document["history"][0]["outcome"] = "shrug"
    problems = _problems(document)
    paths = {problem.split(":")[0] for problem in problems}
    assert paths == {
        "customer.nickname",
        "customer.contact_points.0.status",
        "request.purpose",
        "history.0.outcome",
    }


def test_instants_must_carry_a_time_zone():
    document = json.loads(DESIGN_EXAMPLE)
    document["now"] = "2026-03-02T14:00:00"
    document["customer"]["consents"][0]["granted_at"] = "2026-01-01T00:00:00"
    paths = {problem.split(":")[0] for problem in _problems(document)}
    assert paths == {"now", "customer.consents.0.granted_at"}


def test_a_bad_phone_number_is_reported_without_echoing_it():
    secret = "+1999not-a-number"
    document = scenario(utc("2026-03-02T14:00:00Z"), points=[point(address=secret)])
    (problem,) = _problems(document)
    assert problem.startswith("customer.contact_points.0")
    assert "E.164" in problem
    assert secret not in problem


def test_an_unknown_zone_is_an_error_not_a_default():
    document = scenario(utc("2026-03-02T14:00:00Z"), zones=("Mars/Olympus_Mons",))
    (problem,) = _problems(document)
    assert problem.startswith("customer.locations.0.timezone")


@pytest.mark.parametrize(
    ("restriction", "path"),
    [
        ({"type": "opt_out", "scope": "channel", "at": "2026-01-01T00:00:00Z"}, "opt_out"),
        ({"type": "inconvenient_time", "start": "25:00", "end": "10:00"}, "start"),
        ({"type": "inconvenient_time", "start": "10:00", "end": "10:00"}, "inconvenient_time"),
        (
            {"type": "inconvenient_time", "weekdays": [7], "start": "09:00", "end": "10:00"},
            "weekdays",
        ),
        ({"type": "legal_hold", "reason": "vacation", "since": "2026-01-01T00:00:00Z"}, "reason"),
        ({"type": "parole"}, "restrictions.0"),
    ],
)
def test_restrictions_are_checked_by_type(restriction, path):
    document = scenario(utc("2026-03-02T14:00:00Z"), restrictions=[restriction])
    (problem,) = _problems(document)
    assert problem.startswith("customer.restrictions.0")
    assert path in problem


def test_two_contact_points_may_not_share_an_id():
    document = scenario(utc("2026-03-02T14:00:00Z"), points=[point(), point()])
    assert any("share an id" in problem for problem in _problems(document))


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", "", b"\xff\xfe"])
def test_a_document_that_is_not_a_json_object_is_refused(text):
    (problem,) = _problems(text)
    assert problem.startswith("scenario:")


def test_debt_id_and_debt_ids_together_name_every_debt():
    entry = call(utc("2026-03-01T14:00:00Z"), debt=["d2", "d3"])
    entry["debt_id"] = "d1"
    parsed = parse_scenario(scenario(utc("2026-03-02T14:00:00Z"), history=[entry]))
    facts, _request = parsed.facts()
    assert facts.history[0].debt_ids == {"d1", "d2", "d3"}


def test_optional_fields_default_to_the_plain_reading():
    document = scenario(utc("2026-03-02T14:00:00Z"))
    del document["request"]["target"]
    document["history"] = [{"at": "2026-03-01T14:00:00Z", "channel": "voice", "outcome": "busy"}]
    parsed = parse_scenario(document)
    assert parsed.request.target == "customer"
    assert parsed.history[0].direction == "outbound"
