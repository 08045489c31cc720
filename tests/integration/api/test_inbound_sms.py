# SPDX-License-Identifier: Apache-2.0
"""Inbound SMS over real HTTP: an opt-out keyword is stored and audited before the answer, and
the policy engine then blocks the next text to that number; HELP is answered; other texts and
unsigned requests change nothing; no phone number is ever logged."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from rightparty.domain.restriction import OptOut
from rightparty.domain.vocabulary import Channel, OptOutScope, Purpose
from rightparty.usecases.orchestration.cases import OpenCase, open_case
from tests.builders import AFTERNOON_IN_NEW_YORK, a_us_customer, a_us_point
from tests.integration.api.conftest import TwilioLikeGateway

pytestmark = pytest.mark.integration

INBOUND = "/webhooks/twilio/inbound"
NUMBER = "+12125550142"
DIGITS = "2125550142"


@pytest.fixture
def customer(app, clock):
    clock.advance_to(AFTERNOON_IN_NEW_YORK)
    customer = a_us_customer(
        "c1",
        a_us_point("m1", Channel.SMS, NUMBER),
        a_us_point("v1", Channel.VOICE, NUMBER),
        a_us_point("m2", Channel.SMS, "+12125550143"),
        a_us_point("e1", Channel.EMAIL, "c1@example.com"),
    )
    with app.unit_of_work() as uow:
        uow.customers.add(customer)
        uow.commit()
    return customer


def _inbound(body, sender=NUMBER, sid="SM" + "a" * 32):
    return {"AccountSid": "AC" + "0" * 32, "MessageSid": sid, "From": sender, "Body": body}


def _opt_outs(app, customer_id="c1"):
    with app.unit_of_work() as uow:
        stored = uow.customers.get(customer_id)
    return [r for r in stored.restrictions if isinstance(r, OptOut)]


def _audit_types(storage):
    # The log keeps each event's canonical encoding, which names its type.
    rows = storage.connection.execute(
        text('SELECT event_bytes FROM audit_entries ORDER BY "index"')
    ).all()
    return [bytes(row[0]).decode() for row in rows]


@pytest.mark.usefixtures("customer")
def test_stop_opts_the_number_out_before_the_answer_and_confirms_once(app, twilio, storage):
    response = twilio.post(INBOUND, _inbound("  Stop. "))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert response.text.count("<Message>") == 1
    assert "no more texts" in response.text
    # The answer has arrived, so the transaction has committed: a new unit of work sees it.
    opt_outs = _opt_outs(app)
    assert sorted((o.scope, o.contact_point_id) for o in opt_outs) == [
        (OptOutScope.CONTACT_POINT, "m1"),
        (OptOutScope.CONTACT_POINT, "v1"),
    ]
    assert any('"type":"customer.opted_out"' in leaf for leaf in _audit_types(storage))
    assert app.verify_audit_log().ok


@pytest.mark.usefixtures("customer")
def test_after_stop_the_policy_engine_blocks_the_next_text_to_that_number(app, clock, twilio):
    twilio.post(INBOUND, _inbound("STOP"))
    gateway = TwilioLikeGateway()
    worker = app.case_worker(gateway)
    command = OpenCase("c1", Purpose.INFO_UPDATE, "staff:test", contact_point_ids=("m1",))
    case_id = open_case(command, app.unit_of_work(), clock)
    report = worker.run_step(case_id)
    assert "OPTED_OUT" in report.blocked_codes
    assert report.attempt_id is None
    assert gateway.sent == []


@pytest.mark.usefixtures("customer")
def test_the_other_number_of_the_customer_still_gets_texts(app, clock, twilio):
    twilio.post(INBOUND, _inbound("unsubscribe"))
    gateway = TwilioLikeGateway()
    command = OpenCase("c1", Purpose.INFO_UPDATE, "staff:test", contact_point_ids=("m2",))
    case_id = open_case(command, app.unit_of_work(), clock)
    report = app.case_worker(gateway).run_step(case_id)
    assert report.attempt_id is not None


@pytest.mark.usefixtures("customer")
def test_stopall_opts_out_of_texts_and_calls_to_every_number(app, twilio):
    response = twilio.post(INBOUND, _inbound("stop all"))
    assert "any of your numbers" in response.text
    scopes = sorted((o.scope, o.channel) for o in _opt_outs(app) if o.channel is not None)
    assert scopes == [(OptOutScope.CHANNEL, Channel.SMS), (OptOutScope.CHANNEL, Channel.VOICE)]


@pytest.mark.usefixtures("customer")
def test_a_repeated_stop_is_confirmed_and_adds_nothing(app, twilio):
    twilio.post(INBOUND, _inbound("STOP"))
    again = twilio.post(INBOUND, _inbound("stop", sid="SM" + "b" * 32))
    assert "<Message>" in again.text
    assert len(_opt_outs(app)) == 2


@pytest.mark.usefixtures("customer")
@pytest.mark.parametrize("body", ["HELP", " info "])
def test_help_is_answered_and_changes_nothing(app, twilio, body, webhook_settings):
    response = twilio.post(INBOUND, _inbound(body))
    assert webhook_settings.webhooks.help_message in response.text
    assert _opt_outs(app) == []


@pytest.mark.usefixtures("customer")
@pytest.mark.parametrize("body", ["Thanks!", "cancel my card", "", "START"])
def test_any_other_text_gets_an_empty_answer_and_changes_nothing(app, twilio, storage, body):
    before = _audit_types(storage)
    response = twilio.post(INBOUND, _inbound(body))
    assert response.status_code == 200
    assert response.text.endswith("<Response></Response>")
    assert _opt_outs(app) == []
    assert _audit_types(storage) == before


@pytest.mark.usefixtures("customer")
def test_an_unknown_sender_gets_the_same_confirmation_and_an_audit_entry_without_the_number(
    app, twilio, storage
):
    known = twilio.post(INBOUND, _inbound("STOP")).text
    unknown = twilio.post(INBOUND, _inbound("STOP", sender="+12125550199", sid="SM" + "c" * 32))
    assert unknown.text == known
    leaves = _audit_types(storage)
    assert any('"type":"inbound.opt_out_unmatched"' in leaf for leaf in leaves)
    assert not any("2125550199" in leaf for leaf in leaves)


@pytest.mark.usefixtures("customer")
def test_chinese_unsubscribe_is_confirmed_in_chinese(app, twilio):
    response = twilio.post(INBOUND, _inbound("退订"))
    assert "退订成功" in response.text
    assert len(_opt_outs(app)) == 2


@pytest.mark.usefixtures("customer")
@pytest.mark.parametrize("sign", [False, True])
def test_an_unsigned_or_forged_stop_changes_nothing(app, twilio, sign):
    if sign:
        response = twilio.post(INBOUND, _inbound("STOP"), token="forged")
    else:
        response = twilio.post(INBOUND, _inbound("STOP"), sign=False)
    assert response.status_code == 403
    assert _opt_outs(app) == []


@pytest.mark.usefixtures("customer")
def test_no_phone_number_or_body_reaches_the_logs(app, twilio, caplog):
    caplog.set_level(logging.DEBUG)
    twilio.post(INBOUND, _inbound("STOP please"))
    twilio.post(INBOUND, _inbound("HELP"))
    twilio.post(INBOUND, _inbound("STOP", sender="+12125550199"))
    twilio.post(INBOUND, _inbound("STOP"), sign=False)
    assert "twilio inbound" in caplog.text
    for secret in (DIGITS, "2125550199", "please"):
        assert secret not in caplog.text
