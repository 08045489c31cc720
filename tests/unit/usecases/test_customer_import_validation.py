# SPDX-License-Identifier: Apache-2.0
import json

import pytest

from rightparty.domain.vocabulary import Channel, ContactPointKind
from rightparty.usecases import customer_import
from rightparty.usecases.customer_import import validate_import

pytestmark = pytest.mark.unit

GOOD = {
    "external_ref": "C0001",
    "name": "王小明",
    "locale": "zh-CN",
    "jurisdiction": "CN",
    "locations": [{"timezone": "Asia/Shanghai", "source": "address"}],
    "contact_points": [
        {"channel": "sms", "address": "13812345678", "kind": "mobile", "source": "branch"},
        {"channel": "email", "address": "WXM@Example.com", "kind": "personal", "source": "app"},
    ],
}


def line(**changes):
    return json.dumps({**GOOD, **changes}, ensure_ascii=False)


def test_a_good_line_is_normalised_to_e164_and_lower_case_email_with_phone_zones():
    result = validate_import([line()])
    assert result.ok
    (customer,) = result.customers
    sms, email = customer.contact_points
    assert (sms.channel, sms.address, sms.time_zones) == (
        Channel.SMS,
        "+8613812345678",
        ("Asia/Shanghai",),
    )
    assert email.address == "wxm@example.com"


def test_phone_kind_is_inferred_when_not_given():
    point = {"channel": "voice", "address": "+12125550100", "source": "branch"}
    result = validate_import([line(contact_points=[point], jurisdiction="US")])
    assert result.customers[0].contact_points[0].kind is ContactPointKind.MOBILE


@pytest.mark.parametrize(
    "field", ["contacts", "phone_book", "address_book", "emergency_contacts", "references"]
)
def test_third_party_fields_are_refused_with_the_reason(field):
    result = validate_import([line(**{field: [{"name": "李四", "phone": "+8613900000000"}]})])
    assert not result.ok
    assert str(result.errors[0]) == (
        f"line 1: {field}: rightparty keeps no one's details but the customer's own"
    )


def test_any_unknown_list_of_people_is_refused_as_third_party_data():
    result = validate_import([line(colleagues=[{"name": "Bob", "phone": "+12125550100"}])])
    assert "colleagues: rightparty keeps no one's details" in str(result.errors[0])


def test_a_contact_point_that_belongs_to_a_relative_is_refused():
    point = {**GOOD["contact_points"][0], "relationship": "mother"}
    result = validate_import([line(contact_points=[point])])
    assert "contact_points[0].relationship: rightparty keeps" in str(result.errors[0])


def test_every_bad_line_is_reported_with_its_number_and_field_and_no_value():
    lines = [
        line(),
        line(external_ref="C0002", locale="??"),
        "{not json",
        line(
            external_ref="C0004",
            contact_points=[{"channel": "sms", "address": "12", "source": "app"}],
        ),
        line(external_ref="C0005", nickname="x"),
        line(external_ref="C0006", locations=[{"timezone": "Mars/Olympus"}]),
    ]
    result = validate_import(lines)
    messages = [str(error) for error in result.errors]
    assert [error.line for error in result.errors] == [2, 3, 4, 5, 6]
    assert messages[0].startswith("line 2: locale:")
    assert messages[1] == "line 3: (line): not valid JSON"
    assert messages[2] == "line 4: contact_points[0].address: not a valid phone number"
    assert messages[3] == "line 5: nickname: unknown field"
    assert messages[4] == "line 6: locations[0].timezone: Value error, not an IANA time zone"
    assert not any("13812345678" in message for message in messages)


def test_a_repeated_external_ref_in_one_file_is_an_error():
    result = validate_import([line(), "", line()])
    assert [str(error) for error in result.errors] == [
        "line 3: external_ref: repeats the customer of line 1"
    ]


def test_a_line_that_is_not_an_object_is_refused():
    assert str(validate_import(["[1, 2]"]).errors[0]) == "line 1: (line): must be a JSON object"


def test_checking_in_several_processes_gives_the_same_answer(monkeypatch):
    monkeypatch.setattr(customer_import, "PARALLEL_FROM_LINES", 4)
    forked: list[int] = []
    check_in_processes = customer_import._check_in_processes

    def spy(texts, workers):
        forked.append(workers)
        return check_in_processes(texts, workers)

    monkeypatch.setattr(customer_import, "_check_in_processes", spy)
    good = [
        json.dumps(
            {
                "external_ref": f"P{n}",
                "name": "Zoe Q",
                "locale": "en-US",
                "jurisdiction": "US",
                "contact_points": [
                    {"channel": "sms", "address": f"+1212555{n:04d}", "source": "app"}
                ],
            }
        )
        for n in range(9)
    ]
    lines = [*good[:4], "not json", "", good[0], '{"external_ref": "X"}', *good[4:]]
    in_one = customer_import.validate_import(lines)
    in_three = customer_import.validate_import(lines, workers=3)
    assert forked == [3]
    assert in_three == in_one
    assert [error.line for error in in_one.errors] == [5, 7, 8]
