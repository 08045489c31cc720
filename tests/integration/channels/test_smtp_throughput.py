# SPDX-License-Identifier: Apache-2.0
"""What makes the SMTP provider fast keeps it correct: a kept connection is used without a
`NOOP` per message and replaced when the relay closed it, and the direct composition of plain
messages writes exactly the bytes the email package writes."""

import smtplib
from email.policy import SMTP

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rightparty.channels.providers.smtp import SmtpProvider, SmtpSettings, compose_plain
from rightparty.channels.providers.smtp.composing import envelope_address
from rightparty.domain.messages import DeliveryStatus
from rightparty.domain.vocabulary import Channel
from tests.integration.channels.smtp_server import HOST, free_port, running_smtp_server
from tests.unit.channels.builders import FakeTimer, fast_resilience, make_message

pytestmark = pytest.mark.integration

SENDER = "alerts@bank.example"


def email(key="k1", address="c1@example.net", **kwargs):
    return make_message(key=key, channel=Channel.EMAIL, address=address, **kwargs)


def test_a_kept_connection_carries_many_messages_without_a_noop_each(monkeypatch):
    noops = []
    monkeypatch.setattr(smtplib.SMTP, "noop", lambda connection: noops.append(1) or (250, b""))
    with running_smtp_server() as server:
        settings = SmtpSettings(host=HOST, port=server.port, security="none", from_address=SENDER)
        with SmtpProvider(settings, resilience=fast_resilience(FakeTimer())) as smtp:
            results = [smtp.send(email(key=f"k{n}", address=f"c{n}@example.net")) for n in range(5)]
    assert {result.status for result in results} == {DeliveryStatus.ACCEPTED}
    assert len(server.handler.received) == 5
    assert (server.connections, noops) == (1, [])


def test_a_kept_connection_the_relay_closed_is_replaced_without_a_retry_or_a_lost_message():
    port = free_port()
    timer = FakeTimer()
    settings = SmtpSettings(host=HOST, port=port, security="none", from_address=SENDER)
    with SmtpProvider(settings, resilience=fast_resilience(timer)) as smtp:
        with running_smtp_server(port=port) as first:
            assert smtp.send(email(key="k1")).status is DeliveryStatus.ACCEPTED
        with running_smtp_server(port=port) as second:
            assert smtp.send(email(key="k2")).status is DeliveryStatus.ACCEPTED
            assert smtp.send(email(key="k3")).status is DeliveryStatus.ACCEPTED
    assert (len(first.handler.received), len(second.handler.received)) == (1, 2)
    assert second.connections == 1
    assert timer.sleeps == []


def test_a_relay_gone_for_good_is_still_a_transient_connect_failure():
    port = free_port()
    settings = SmtpSettings(host=HOST, port=port, security="none", from_address=SENDER)
    with SmtpProvider(settings, resilience=fast_resilience(FakeTimer())) as smtp:
        with running_smtp_server(port=port):
            assert smtp.send(email(key="k1")).status is DeliveryStatus.ACCEPTED
        result = smtp.send(email(key="k2"))
    assert (result.status, result.error_code) == (DeliveryStatus.TRANSIENT_FAILURE, "smtp_connect")


_PROVIDERS = {
    name: SmtpProvider(
        SmtpSettings(host=HOST, security="none", from_address=SENDER, from_name=name)
    )
    for name in ("Example Bank", "Bank, Inc.", "银行")
}
_BODY_PIECES = [*" \t\n\r=.aZ9-,~é", "x" * 40, "y" * 90, "=" * 30, "\n\n", " \n", "尊敬的"]
_SUBJECT_PIECES = [*" aZ(),.:=?-!'\"", "word" * 5, "账单", "=?utf-8?q?x?="]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(_PROVIDERS)),
    st.lists(st.sampled_from(_BODY_PIECES), max_size=40).map("".join),
    st.lists(st.sampled_from(_SUBJECT_PIECES), max_size=20).map("".join),
    st.sampled_from(["c1@example.net", "a.b+c@x-y.example", "o'neil@example.com", "x@y"]),
    st.sampled_from(["en", "en-GB", "zh-CN"]),
)
def test_a_plain_message_is_written_as_the_email_package_writes_it(
    sender, body, subject, address, locale
):
    provider = _PROVIDERS[sender]
    message = email(body=body, subject=subject or None, address=address, locale=locale)
    headers = provider._headers(message, provider.message_id_for(message.idempotency_key))
    plain = compose_plain(headers, message.body, message.locale)
    if plain is not None:
        assert plain == provider._compose(headers, message).as_bytes(policy=SMTP)


def test_the_shipped_english_email_takes_the_direct_path_and_chinese_the_email_package():
    provider = _PROVIDERS["Example Bank"]
    english = email(
        body="Dear customer,\n\nA payment is due soon; please check the amount in the app.\n\n"
        "Ref RP-7K2Q: check it in the app under Verify a message.",
        subject="A payment is due soon",
    )
    chinese = email(body="尊敬的客户, 您的账单已出。", subject="账单提醒", locale="zh-CN")
    for message, direct in ((english, True), (chinese, False)):
        headers = provider._headers(message, provider.message_id_for(message.idempotency_key))
        assert (compose_plain(headers, message.body, message.locale) is not None) is direct


_ADDRESS_PIECES = [*"aZ9.-_+'#{}|~@ <>\"(),;:\\", "bank", "example", "é", "银"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_ADDRESS_PIECES), max_size=24).map("".join))
def test_an_envelope_address_is_quoted_as_smtplib_quotes_it(address):
    assert envelope_address(address) == smtplib.quoteaddr(address)


@pytest.mark.parametrize(
    "address",
    ["c1@mail.example.com", "o'neil@example.com", "a.b+c@x-y.example", "Jane <j@x.example>"],
)
def test_common_envelope_addresses_are_quoted_as_smtplib_quotes_them(address):
    assert envelope_address(address) == smtplib.quoteaddr(address)
