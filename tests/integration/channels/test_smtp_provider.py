# SPDX-License-Identifier: Apache-2.0
"""The SMTP provider against a real SMTP server on loopback (aiosmtpd)."""

import pytest

from rightparty.channels.dsn import envelope_id_for, parse_dsn
from rightparty.channels.providers.smtp import SmtpProvider, SmtpSettings
from rightparty.channels.reports import BaseErrorCode
from rightparty.domain.messages import DeliveryStatus
from rightparty.domain.vocabulary import Channel, Outcome
from tests.integration.channels.smtp_server import (
    HOST,
    PASSWORD,
    USERNAME,
    free_port,
    make_tls_material,
    running_smtp_server,
)
from tests.unit.channels.builders import FakeTimer, dsn_bytes, fast_resilience, make_message

pytestmark = pytest.mark.integration

SENDER = "alerts@bank.example"


def email(key="k1", address="c1@example.net", **kwargs):
    return make_message(key=key, channel=Channel.EMAIL, address=address, **kwargs)


@pytest.fixture
def server():
    with running_smtp_server() as running:
        yield running


@pytest.fixture
def timer():
    return FakeTimer()


@pytest.fixture
def provider(server, timer, clock):
    settings = SmtpSettings(
        host=HOST, port=server.port, security="none", from_address=SENDER, timeout=5
    )
    with SmtpProvider(settings, resilience=fast_resilience(timer), clock=clock) as smtp:
        yield smtp


def test_messages_go_out_over_one_reused_connection(server, provider):
    results = [provider.send(email(key=f"k{n}", address=f"c{n}@example.net")) for n in range(3)]
    assert {result.status for result in results} == {DeliveryStatus.ACCEPTED}
    assert len(server.handler.received) == 3
    assert server.connections == 1


def test_the_message_carries_the_attempts_message_id_and_the_envelope_its_addresses(
    server, provider
):
    result = provider.send(email(subject="Card used", locale="en-GB"))
    (mail,) = server.handler.received
    message = mail.message
    assert result.provider_message_id == message["Message-ID"]
    assert result.provider_message_id == f"<{envelope_id_for('k1')}@bank.example>"
    assert (mail.mail_from, mail.rcpt_tos) == (SENDER, ("c1@example.net",))
    assert (message["From"], message["To"], message["Subject"]) == (
        SENDER,
        "c1@example.net",
        "Card used",
    )
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Content-Language"] == "en-GB"
    assert message["Date"] == "Mon, 02 Mar 2026 12:00:00 +0000"
    assert "Ref RP-7K2Q" in message.get_content()


def test_chinese_subject_and_body_arrive_intact(server, provider):
    body = "尊敬的王先生：您尾号4821的信用卡本期账单已出。"  # noqa: RUF001 - Chinese punctuation
    provider.send(email(subject="账单提醒", body=body, locale="zh-CN"))
    (mail,) = server.handler.received
    assert mail.message["Subject"] == "账单提醒"
    assert mail.message.get_content().strip() == body


def test_an_unknown_recipient_is_a_permanent_failure_and_the_connection_stays_usable(
    server, provider
):
    refused = provider.send(email(key="k1", address="nobody@example.net"))
    assert refused.status is DeliveryStatus.PERMANENT_FAILURE
    assert (refused.outcome, refused.error_code) == (Outcome.UNKNOWN_RECIPIENT, "smtp_550_5.1.1")
    assert "nobody" not in repr(refused)
    assert provider.send(email(key="k2")).status is DeliveryStatus.ACCEPTED
    assert server.connections == 1


def test_a_4xx_refusal_is_retried_and_then_reported_as_a_soft_bounce(server, provider, timer):
    result = provider.send(email(address="full@example.net"))
    assert result.status is DeliveryStatus.TRANSIENT_FAILURE
    assert (result.outcome, result.error_code) == (Outcome.BOUNCED_SOFT, "smtp_452_4.2.2")
    assert timer.sleeps == [0.5, 1.0]
    assert server.handler.received == []


def test_a_lost_reply_to_data_is_never_sent_again_under_the_same_key(server, provider):
    server.handler.lose_next_reply = True
    result = provider.send(email(key="k1"))
    assert result.status is DeliveryStatus.TRANSIENT_FAILURE
    assert result.error_code == BaseErrorCode.OUTCOME_UNKNOWN
    assert provider.send(email(key="k1")) == result
    assert len(server.handler.received) == 1
    assert provider.send(email(key="k2")).status is DeliveryStatus.ACCEPTED
    assert server.connections == 2


def test_the_connection_is_renewed_after_its_message_allowance(server, timer):
    settings = SmtpSettings(
        host=HOST, port=server.port, security="none", from_address=SENDER,
        messages_per_connection=2,
    )  # fmt: skip
    with SmtpProvider(settings, resilience=fast_resilience(timer)) as smtp:
        for n in range(3):
            smtp.send(email(key=f"k{n}"))
    assert server.connections == 2


def test_a_connection_the_server_dropped_is_replaced_before_the_next_message(timer):
    port = free_port()
    settings = SmtpSettings(host=HOST, port=port, security="none", from_address=SENDER)
    with SmtpProvider(settings, resilience=fast_resilience(timer)) as smtp:
        with running_smtp_server(port=port):
            assert smtp.send(email(key="k1")).status is DeliveryStatus.ACCEPTED
        with running_smtp_server(port=port) as restarted:
            assert smtp.send(email(key="k2")).status is DeliveryStatus.ACCEPTED
    assert len(restarted.handler.received) == 1


def test_a_relay_that_does_not_answer_is_a_transient_failure(timer):
    settings = SmtpSettings(host=HOST, port=free_port(), security="none", from_address=SENDER)
    with SmtpProvider(settings, resilience=fast_resilience(timer)) as smtp:
        result = smtp.send(email())
    assert (result.status, result.error_code) == (DeliveryStatus.TRANSIENT_FAILURE, "smtp_connect")


@pytest.fixture
def tls(tmp_path):
    return make_tls_material(tmp_path)


def test_starttls_and_auth_deliver_when_the_certificate_is_trusted(tls, timer):
    with running_smtp_server(starttls=tls) as server:
        settings = SmtpSettings(
            host=HOST, port=server.port, from_address=SENDER, ca_file=tls.cert_file,
            username=USERNAME, password=PASSWORD,
        )  # fmt: skip
        with SmtpProvider(settings, resilience=fast_resilience(timer)) as smtp:
            result = smtp.send(email())
    assert result.status is DeliveryStatus.ACCEPTED
    assert len(server.handler.received) == 1


@pytest.mark.parametrize(
    ("trusted", "password", "error_code"),
    [(True, "wrong-password", "smtp_535"), (False, PASSWORD, "smtp_tls")],
    ids=["wrong-password", "untrusted-certificate"],
)
def test_tls_and_auth_problems_are_transient_so_another_relay_may_be_tried(
    tls, timer, trusted, password, error_code
):
    with running_smtp_server(starttls=tls) as server:
        settings = SmtpSettings(
            host=HOST, port=server.port, from_address=SENDER, username=USERNAME,
            password=password, ca_file=tls.cert_file if trusted else None, timeout=5,
        )  # fmt: skip
        with SmtpProvider(settings, resilience=fast_resilience(timer)) as smtp:
            result = smtp.send(email())
    assert (result.status, result.error_code) == (DeliveryStatus.TRANSIENT_FAILURE, error_code)
    assert server.handler.received == []


def test_implicit_tls_delivers(tls, timer):
    with running_smtp_server(implicit_tls=tls) as server:
        settings = SmtpSettings(
            host=HOST, port=server.port, security="tls", from_address=SENDER,
            ca_file=tls.cert_file,
        )  # fmt: skip
        with SmtpProvider(settings, resilience=fast_resilience(timer)) as smtp:
            assert smtp.send(email()).status is DeliveryStatus.ACCEPTED


def test_a_bounce_report_names_the_message_that_was_sent(server, provider):
    result = provider.send(email(key="attempt-42/k"))
    (mail,) = server.handler.received
    returned = "".join(f"{name}: {value}\r\n" for name, value in mail.message.items())
    report = parse_dsn(
        dsn_bytes(envelope_id=envelope_id_for("attempt-42/k"), returned_headers=returned)
    )
    assert report.original_message_id == result.provider_message_id
    assert report.original_envelope_id == envelope_id_for("attempt-42/k")
    assert report.outcome is Outcome.UNKNOWN_RECIPIENT
