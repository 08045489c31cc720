# SPDX-License-Identifier: Apache-2.0
"""Twilio status callbacks over real HTTP: signed ones finalise the right attempt, others touch
nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rightparty.api import create_app
from rightparty.config import Settings
from rightparty.domain.attempt import AttemptStatus
from rightparty.domain.case import CaseStatus
from rightparty.domain.vocabulary import Channel, ContactPointStatus, Outcome, Purpose
from rightparty.usecases.delivery_callbacks import HELD_FOR
from rightparty.usecases.orchestration.cases import OpenCase, open_case
from tests.builders import AFTERNOON_IN_NEW_YORK, a_us_customer, a_us_point
from tests.integration.api.conftest import TwilioLikeGateway, rfc2822, served

pytestmark = pytest.mark.integration

STATUS = "/webhooks/twilio/status"
ACCOUNT = "AC" + "0" * 32


@pytest.fixture
def sent(app, clock):
    """An info-update case whose SMS attempt went out through Twilio; returns (case, attempt)."""
    clock.advance_to(AFTERNOON_IN_NEW_YORK)
    gateway = TwilioLikeGateway()

    def send(parts: int = 1, customer_id: str = "c1"):
        gateway.parts = parts
        customer = a_us_customer(customer_id, a_us_point("m1", Channel.SMS, "+12125550100"))
        with app.unit_of_work() as uow:
            uow.customers.add(customer)
            uow.commit()
        command = OpenCase(customer_id, Purpose.INFO_UPDATE, "staff:test")
        case_id = open_case(command, app.unit_of_work(), clock)
        worker = app.case_worker(gateway)
        report = worker.run_step(case_id)
        worker.dispatch(report.attempt_id, report.message)
        with app.unit_of_work() as uow:
            return uow.cases.get(case_id), uow.attempts.get(report.attempt_id)

    return send


def _stored(app, attempt_id):
    with app.unit_of_work() as uow:
        attempt = uow.attempts.get(attempt_id)
        return attempt, uow.customers.get(attempt.customer_id), uow.cases.get(attempt.case_id)


def _message(sid, status, **extra):
    return {"AccountSid": ACCOUNT, "MessageSid": sid, "MessageStatus": status, **extra}


def test_a_signed_delivered_callback_reaches_the_customer_and_confirms_the_point(
    app, sent, twilio, clock
):
    _, attempt = sent()
    assert attempt.status is AttemptStatus.SENT
    response = twilio.post(STATUS, _message(attempt.provider_message_id, "delivered"))
    assert response.status_code == 200
    assert response.json() == {"result": "applied"}
    stored, customer, stored_case = _stored(app, attempt.id)
    assert stored.outcome is Outcome.DELIVERED
    assert stored_case.status is CaseStatus.REACHED
    assert customer.contact_point("m1").last_confirmed_at == clock.now()
    assert app.verify_audit_log().ok


def test_an_undelivered_callback_marks_a_dead_number_invalid(app, sent, twilio):
    _, attempt = sent()
    params = _message(attempt.provider_message_id, "undelivered", ErrorCode="30005")
    assert twilio.post(STATUS, params).json() == {"result": "applied"}
    stored, customer, _ = _stored(app, attempt.id)
    assert stored.outcome is Outcome.NOT_IN_SERVICE
    assert customer.contact_point("m1").status is ContactPointStatus.INVALID


def test_a_repeated_callback_changes_nothing(app, sent, twilio):
    _, attempt = sent()
    first = twilio.post(STATUS, _message(attempt.provider_message_id, "undelivered"))
    again = twilio.post(STATUS, _message(attempt.provider_message_id, "delivered"))
    assert (first.json(), again.json()) == ({"result": "applied"}, {"result": "already_final"})
    assert _stored(app, attempt.id)[0].outcome is Outcome.UNDELIVERED


@pytest.mark.parametrize("status", ["queued", "sent", "accepted"])
def test_a_status_on_the_way_is_acknowledged_and_changes_nothing(app, sent, twilio, status):
    _, attempt = sent()
    response = twilio.post(STATUS, _message(attempt.provider_message_id, status))
    assert response.json() == {"result": "not_final"}
    assert _stored(app, attempt.id)[0].status is AttemptStatus.SENT


@pytest.mark.parametrize(
    ("case_name", "headers_kind"), [("unsigned", "none"), ("bad", "bad"), ("other", "token")]
)
def test_an_unsigned_or_wrongly_signed_callback_is_refused_and_changes_nothing(
    app, sent, twilio, case_name, headers_kind
):
    _, attempt = sent()
    params = _message(attempt.provider_message_id, "delivered")
    if headers_kind == "none":
        response = twilio.post(STATUS, params, sign=False)
        code = "SIGNATURE_MISSING"
    elif headers_kind == "bad":
        response = twilio.client.post(STATUS, data=params, headers={"X-Twilio-Signature": "x"})
        code = "SIGNATURE_INVALID"
    else:
        response = twilio.post(STATUS, params, token="someone-elses-token")
        code = "SIGNATURE_INVALID"
    assert response.status_code == 403, case_name
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert _stored(app, attempt.id)[0].status is AttemptStatus.SENT


def test_a_signature_for_another_url_is_refused(sent, twilio):
    _, attempt = sent()
    params = _message(attempt.provider_message_id, "delivered")
    signed_elsewhere = twilio.post("/webhooks/twilio/inbound", params).request.headers
    response = twilio.client.post(
        STATUS, data=params, headers={"X-Twilio-Signature": signed_elsewhere["X-Twilio-Signature"]}
    )
    assert response.json()["code"] == "SIGNATURE_INVALID"


def test_a_stale_call_callback_is_refused_and_a_fresh_one_applied(app, clock, twilio, sent):
    _, attempt = sent()
    call = {
        "AccountSid": ACCOUNT,
        "CallSid": attempt.provider_message_id,
        "CallStatus": "completed",
        "AnsweredBy": "machine_end_beep",
    }
    stale = {**call, "Timestamp": rfc2822(clock.now() - timedelta(minutes=11))}
    response = twilio.post(STATUS, stale)
    assert (response.status_code, response.json()["code"]) == (403, "CALLBACK_STALE")
    assert _stored(app, attempt.id)[0].status is AttemptStatus.SENT
    fresh = {**call, "Timestamp": rfc2822(clock.now() - timedelta(minutes=1))}
    assert twilio.post(STATUS, fresh).json() == {"result": "applied"}
    assert _stored(app, attempt.id)[0].outcome is Outcome.VOICEMAIL


def test_a_final_status_for_an_unknown_sid_is_held_not_lost(app, twilio):
    response = twilio.post(STATUS, _message("SM" + "f" * 32, "delivered"))
    assert response.status_code == 200
    assert response.json() == {"result": "held"}
    assert app.verify_audit_log().ok


class CallsBackAtOnce(TwilioLikeGateway):
    """Twilio at its fastest: the delivered callback arrives before the sender has even
    recorded the sid (the dispatcher is still sending the rest of its batch)."""

    def __init__(self, twilio) -> None:
        super().__init__()
        self.twilio = twilio
        self.answers: list[dict[str, str]] = []

    def send(self, message):
        result = super().send(message)
        assert result.provider_message_id is not None
        for sid in result.provider_message_id.split(","):
            self.answers.append(self.twilio.post(STATUS, _message(sid, "delivered")).json())
        return result


@pytest.mark.parametrize("parts", [1, 2])
def test_a_callback_faster_than_the_send_record_is_applied_when_it_is_recorded(
    app, clock, twilio, parts
):
    clock.advance_to(AFTERNOON_IN_NEW_YORK)
    gateway = CallsBackAtOnce(twilio)
    gateway.parts = parts
    customer = a_us_customer("c1", a_us_point("m1", Channel.SMS, "+12125550100"))
    with app.unit_of_work() as uow:
        uow.customers.add(customer)
        uow.commit()
    case_id = open_case(
        OpenCase("c1", Purpose.INFO_UPDATE, "staff:test"), app.unit_of_work(), clock
    )
    worker = app.case_worker(gateway)
    report = worker.run_step(case_id)
    assert worker.dispatch(report.attempt_id, report.message) is Outcome.DELIVERED
    assert gateway.answers == [{"result": "held"}] * parts
    stored, _, stored_case = _stored(app, report.attempt_id)
    assert stored.outcome is Outcome.DELIVERED
    assert stored_case.status is CaseStatus.REACHED
    with app.unit_of_work() as uow:
        assert (
            uow.attempts.take_held_statuses("twilio", stored.provider_message_id.split(",")) == []
        )
    assert app.verify_audit_log().ok


def test_a_callback_without_a_sid_is_a_422_naming_no_input(twilio):
    response = twilio.post(STATUS, {"AccountSid": ACCOUNT, "MessageStatus": "delivered"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "REQUEST_INVALID"
    assert body["errors"] == [{"field": "", "code": "callback_kind"}]
    assert "Traceback" not in response.text


def test_each_part_of_a_split_message_finds_its_attempt(app, sent, twilio):
    _, attempt = sent(parts=3)
    first, second, third = attempt.provider_message_id.split(",")
    assert twilio.post(STATUS, _message(third, "delivered")).json() == {"result": "part_recorded"}
    assert twilio.post(STATUS, _message(first, "delivered")).json() == {"result": "part_recorded"}
    assert _stored(app, attempt.id)[0].status is AttemptStatus.SENT
    assert twilio.post(STATUS, _message(second, "delivered")).json() == {"result": "applied"}
    stored, _, stored_case = _stored(app, attempt.id)
    assert stored.outcome is Outcome.DELIVERED
    assert stored_case.status is CaseStatus.REACHED


def test_one_failed_part_decides_a_split_message_at_once(app, sent, twilio):
    _, attempt = sent(parts=2)
    second = attempt.provider_message_id.split(",")[1]
    params = _message(second, "undelivered", ErrorCode="30003")
    assert twilio.post(STATUS, params).json() == {"result": "applied"}
    assert _stored(app, attempt.id)[0].outcome is Outcome.POWERED_OFF


def test_webhooks_answer_503_until_configured(app):
    with served(create_app(app, Settings())) as client:
        response = client.post(STATUS, data={"MessageSid": "SM1"})
    assert (response.status_code, response.json()["code"]) == (503, "WEBHOOKS_NOT_CONFIGURED")


def test_a_status_no_send_claims_within_a_week_is_forgotten(app, clock, twilio):
    held = {"result": "held"}
    assert twilio.post(STATUS, _message("SM" + "a" * 32, "delivered")).json() == held
    clock.advance_to(clock.now() + HELD_FOR + timedelta(minutes=1))
    assert twilio.post(STATUS, _message("SM" + "b" * 32, "undelivered")).json() == held
    with app.unit_of_work() as uow:
        assert uow.attempts.take_held_statuses("twilio", ["SM" + "a" * 32]) == []
        kept = uow.attempts.take_held_statuses("twilio", ["SM" + "b" * 32])
    assert [(message_id, outcome) for message_id, outcome, _ in kept] == [
        ("SM" + "b" * 32, Outcome.UNDELIVERED)
    ]
