# SPDX-License-Identifier: Apache-2.0
import pytest
from pydantic import SecretStr

from rightparty.channels.base import ProviderSettings, part_key
from rightparty.channels.capabilities import Capabilities, ChannelLimits, RateLimit
from rightparty.channels.reports import BaseErrorCode, accepted, permanent, transient
from rightparty.channels.resilience import BreakerState
from rightparty.domain.messages import DeliveryResult, DeliveryStatus
from rightparty.domain.vocabulary import Channel, Outcome
from tests.unit.channels.builders import (
    FakeTimer,
    ScriptedProvider,
    ScriptedSettings,
    fast_resilience,
    make_message,
)

pytestmark = pytest.mark.unit


def provider_accept(message):
    return accepted("scripted", f"id-{message.idempotency_key}")


def fail(error_code="http_503", **kwargs):
    return lambda message: transient("scripted", error_code, **kwargs)


def refuse(outcome=Outcome.INVALID_NUMBER):
    return lambda message: permanent("scripted", "twilio_21211", outcome)


def test_send_answers_with_a_typed_result_naming_provider_and_message_id():
    result = ScriptedProvider(name="primary").send(make_message(key="k1"))
    assert isinstance(result, DeliveryResult)
    assert result == DeliveryResult(DeliveryStatus.ACCEPTED, "primary", "id-k1")


def test_the_same_idempotency_key_is_delivered_once():
    provider = ScriptedProvider()
    first = provider.send(make_message(key="k1"))
    second = provider.send(make_message(key="k1", body="changed"))
    assert first == second
    assert provider.keys == ["k1"]


def test_a_permanent_failure_is_remembered_and_never_retried():
    provider = ScriptedProvider(script=[refuse()])
    first = provider.send(make_message(key="k1"))
    assert first.status is DeliveryStatus.PERMANENT_FAILURE
    assert first.outcome is Outcome.INVALID_NUMBER
    assert provider.send(make_message(key="k1")) == first
    assert provider.keys == ["k1"]


def test_transient_failures_are_retried_with_exponential_backoff():
    timer = FakeTimer()
    provider = ScriptedProvider(resilience=fast_resilience(timer), script=[fail(), fail()])
    result = provider.send(make_message(key="k1"))
    assert result.status is DeliveryStatus.ACCEPTED
    assert provider.keys == ["k1", "k1", "k1"]
    assert timer.sleeps == [0.5, 1.0]


def test_when_retries_run_out_the_transient_failure_is_returned_and_the_key_may_be_sent_later():
    provider = ScriptedProvider(script=[fail(), fail(), fail()])
    result = provider.send(make_message(key="k1"))
    assert result.status is DeliveryStatus.TRANSIENT_FAILURE
    assert result.error_code == "http_503"
    assert provider.send(make_message(key="k1")).status is DeliveryStatus.ACCEPTED
    assert provider.keys == ["k1"] * 4


def test_the_providers_retry_after_sets_the_wait():
    timer = FakeTimer()
    provider = ScriptedProvider(
        resilience=fast_resilience(timer), script=[fail("twilio_20429", retry_after=7.0)]
    )
    assert provider.send(make_message()).status is DeliveryStatus.ACCEPTED
    assert timer.sleeps == [7.0]


def test_a_retry_after_beyond_the_longest_wait_is_left_to_the_orchestrator():
    timer = FakeTimer()
    provider = ScriptedProvider(
        resilience=fast_resilience(timer), script=[fail("twilio_20429", retry_after=3600.0)]
    )
    report = provider.send_report(make_message())
    assert report.status is DeliveryStatus.TRANSIENT_FAILURE
    assert report.retry_after == 3600.0
    assert timer.sleeps == []


def test_a_request_whose_fate_is_unknown_is_never_repeated_by_a_provider_that_cannot_deduplicate():
    provider = ScriptedProvider(script=[fail("smtp_no_reply_to_data", ambiguous=True)])
    result = provider.send(make_message(key="k1"))
    assert result.status is DeliveryStatus.TRANSIENT_FAILURE
    assert result.error_code == BaseErrorCode.OUTCOME_UNKNOWN
    assert result.outcome is Outcome.TIMEOUT
    assert provider.send(make_message(key="k1")) == result
    assert provider.keys == ["k1"]


def test_a_provider_that_deduplicates_is_asked_again_with_the_same_key():
    deduplicating = Capabilities(
        channels={Channel.SMS: ChannelLimits(max_length=1600)}, deduplicates=True
    )
    provider = ScriptedProvider(
        capabilities=deduplicating, script=[fail("twilio_no_response", ambiguous=True)]
    )
    assert provider.send(make_message(key="k1")).status is DeliveryStatus.ACCEPTED
    assert provider.keys == ["k1", "k1"]


def test_the_circuit_opens_after_repeated_failures_and_later_lets_one_probe_through():
    timer = FakeTimer()
    provider = ScriptedProvider(
        resilience=fast_resilience(timer, failure_threshold=3, reset_after=60.0),
        script=[fail()] * 3,
    )
    assert provider.send(make_message(key="k1")).error_code == "http_503"
    assert provider.breaker.state is BreakerState.OPEN
    refused = provider.send(make_message(key="k2"))
    assert refused.status is DeliveryStatus.TRANSIENT_FAILURE
    assert refused.error_code == BaseErrorCode.CIRCUIT_OPEN
    assert provider.keys == ["k1"] * 3
    timer.advance(60.0)
    assert provider.send(make_message(key="k2")).status is DeliveryStatus.ACCEPTED
    assert provider.breaker.state is BreakerState.CLOSED


def test_permanent_failures_do_not_open_the_circuit():
    provider = ScriptedProvider(
        resilience=fast_resilience(failure_threshold=1), script=[refuse()] * 3
    )
    for key in ("k1", "k2", "k3"):
        provider.send(make_message(key=key))
    assert provider.breaker.state is BreakerState.CLOSED


def test_sends_are_throttled_to_the_declared_rate_limit():
    timer = FakeTimer()
    limited = Capabilities(
        channels={Channel.SMS: ChannelLimits()}, rate_limit=RateLimit(per_second=1.0, burst=1)
    )
    provider = ScriptedProvider(resilience=fast_resilience(timer), capabilities=limited)
    for key in ("k1", "k2", "k3"):
        provider.send(make_message(key=key))
    assert timer.sleeps == [1.0, 1.0]


def test_a_channel_the_provider_does_not_serve_is_refused_without_a_request():
    provider = ScriptedProvider()
    result = provider.send(make_message(channel=Channel.VOICE))
    assert result.status is DeliveryStatus.PERMANENT_FAILURE
    assert result.error_code == BaseErrorCode.CHANNEL_NOT_SUPPORTED
    assert provider.delivered == []


def test_a_body_over_the_limits_of_a_channel_that_does_not_split_is_refused():
    short = Capabilities(channels={Channel.SMS: ChannelLimits(max_length=10)})
    provider = ScriptedProvider(capabilities=short)
    result = provider.send(make_message(body="x" * 11))
    assert result.error_code == BaseErrorCode.MESSAGE_TOO_LONG
    assert provider.delivered == []


def test_a_long_sms_goes_as_parts_with_their_own_keys_and_ids():
    body = " ".join(["word"] * 60)
    provider = ScriptedProvider()
    result = provider.send(make_message(key="k1", body=body))
    assert provider.keys == [part_key("k1", 1, 2), part_key("k1", 2, 2)]
    assert result.provider_message_id == "id-k1#1/2,id-k1#2/2"
    assert " ".join(message.body for message in provider.delivered) == body


def test_after_a_part_fails_a_resend_delivers_only_the_parts_not_yet_sent():
    body = " ".join(["word"] * 60)
    provider = ScriptedProvider(
        resilience=fast_resilience(failure_threshold=10),
        script=[provider_accept, fail(), fail(), fail()],
    )
    first = provider.send(make_message(key="k1", body=body))
    assert first.status is DeliveryStatus.TRANSIENT_FAILURE
    second = provider.send(make_message(key="k1", body=body))
    assert second.status is DeliveryStatus.ACCEPTED
    assert provider.keys.count(part_key("k1", 1, 2)) == 1
    assert provider.keys.count(part_key("k1", 2, 2)) == 4


def test_a_concurrent_send_of_a_key_in_flight_is_told_to_come_back_later():
    answers = []

    def reentrant(message):
        answers.append(provider.send(message))
        return provider_accept(message)

    provider = ScriptedProvider(script=[reentrant])
    assert provider.send(make_message(key="k1")).status is DeliveryStatus.ACCEPTED
    assert answers[0].status is DeliveryStatus.TRANSIENT_FAILURE
    assert answers[0].error_code == BaseErrorCode.IN_FLIGHT


def test_an_exception_in_a_provider_propagates_and_frees_the_key():
    def explode(message):
        raise RuntimeError("bug")

    provider = ScriptedProvider(script=[explode])
    with pytest.raises(RuntimeError, match="bug"):
        provider.send(make_message(key="k1"))
    assert provider.send(make_message(key="k1")).status is DeliveryStatus.ACCEPTED


def test_settings_of_another_provider_are_refused():
    class OtherSettings(ProviderSettings):
        pass

    with pytest.raises(TypeError, match="needs ScriptedSettings"):
        ScriptedProvider(OtherSettings())


def test_repr_names_the_provider_and_its_channels_but_no_setting():
    provider = ScriptedProvider(ScriptedSettings(token=SecretStr("s3cr3t-token")), name="p1")
    assert repr(provider) == "ScriptedProvider(name='p1', channels=[email, sms])"
