# SPDX-License-Identifier: Apache-2.0
import pytest
from pydantic import ValidationError

from rightparty.channels.capabilities import BodyEncoding, Capabilities, ChannelLimits
from rightparty.channels.idempotency import ClaimState, IdempotencyRecord
from rightparty.channels.providers.smtp import SmtpSettings
from rightparty.channels.providers.twilio import TwilioSettings
from rightparty.domain.vocabulary import Channel

pytestmark = pytest.mark.unit


def test_smtp_credentials_are_never_sent_without_tls():
    with pytest.raises(ValidationError, match="never sent without TLS") as raised:
        SmtpSettings(
            host="relay.bank.example",
            security="none",
            from_address="alerts@bank.example",
            username="relay",
            password="plaintext-pa55",
        )
    assert "plaintext-pa55" not in str(raised.value)


def test_smtp_username_and_password_go_together():
    with pytest.raises(ValidationError, match="go together"):
        SmtpSettings(host="relay", from_address="alerts@bank.example", username="relay")


def test_smtp_settings_refuse_unknown_fields_and_a_sender_without_a_domain():
    with pytest.raises(ValidationError, match="Extra inputs"):
        SmtpSettings(host="relay", from_address="alerts@bank.example", pasword="typo")
    with pytest.raises(ValidationError, match="from_address"):
        SmtpSettings(host="relay", from_address="alerts")


def test_twilio_needs_a_sender_for_at_least_one_channel():
    with pytest.raises(ValidationError, match="sms_from, messaging_service_sid or voice_from"):
        TwilioSettings(account_sid="AC1", auth_token="t0k3n")


def test_twilio_account_sid_cannot_smuggle_a_path():
    with pytest.raises(ValidationError, match="account_sid"):
        TwilioSettings(account_sid="AC1/../Other", auth_token="t", sms_from="+15005550006")


def test_settings_are_frozen():
    settings = TwilioSettings(account_sid="AC1", auth_token="t", sms_from="+15005550006")
    with pytest.raises(ValidationError, match="frozen"):
        settings.account_sid = "AC2"


def test_capabilities_refuse_inconsistent_limits():
    with pytest.raises(ValueError, match="at least one channel"):
        Capabilities(channels={})
    with pytest.raises(ValueError, match="SMS encoding only"):
        ChannelLimits(max_segments=2)
    with pytest.raises(ValueError, match="max_parts"):
        ChannelLimits(encoding=BodyEncoding.SMS, max_parts=0)


def test_declared_capabilities_cannot_be_changed_after_the_fact():
    capabilities = Capabilities(channels={Channel.SMS: ChannelLimits()})
    with pytest.raises(TypeError):
        capabilities.channels[Channel.VOICE] = ChannelLimits()  # type: ignore[index]


def test_the_idempotency_record_forgets_the_oldest_settled_key_beyond_its_capacity():
    record: IdempotencyRecord[str] = IdempotencyRecord(capacity=2)
    for key in ("k1", "k2", "k3"):
        assert record.claim(key).state is ClaimState.CLAIMED
        record.settle(key, f"result-{key}")
    assert len(record) == 2
    assert record.claim("k1").state is ClaimState.CLAIMED
    assert record.claim("k3").value == "result-k3"
    assert record.claim("k1").state is ClaimState.IN_FLIGHT
    record.release("k1")
    assert record.claim("k1").state is ClaimState.CLAIMED
