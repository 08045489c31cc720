# SPDX-License-Identifier: Apache-2.0
"""The case worker renders each attempt's message with the packs of the customer's jurisdiction."""

from __future__ import annotations

import pytest

from rightparty.domain.vocabulary import Channel, Purpose
from rightparty.usecases.orchestration.worker import message_for
from tests.builders import a_case, a_customer, a_us_customer, a_us_point, an_attempt

pytestmark = pytest.mark.unit


def test_a_chinese_customer_gets_chinese_text_without_their_name_or_number():
    customer = a_customer()
    message = message_for(an_attempt(), customer)
    assert message.locale == "zh-CN"
    assert message.reference_code in message.body
    assert customer.name not in message.body
    assert "13812345678" not in message.body
    assert message.subject is None  # an SMS


def test_a_us_collection_text_carries_the_reg_f_statement_and_opt_out():
    customer = a_us_customer("c1", a_us_point("m1", Channel.SMS, "+12125550100"))
    attempt = an_attempt(case=a_case(customer_id="c1", purpose=Purpose.COLLECTIONS, debt_id="d1"))
    message = message_for(attempt, customer)
    assert message.locale == "en"
    assert "This communication is from a debt collector." in message.body
    assert message.body.endswith("Reply STOP to opt out.")
    assert message.address == "+12125550100"
