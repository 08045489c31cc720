# SPDX-License-Identifier: Apache-2.0
import pytest

from rightparty.channels.capabilities import Capabilities, ChannelLimits
from rightparty.channels.failover import FailoverGateway
from rightparty.channels.reports import BaseErrorCode, permanent, transient
from rightparty.domain.messages import DeliveryStatus
from rightparty.domain.vocabulary import Channel, Outcome
from tests.unit.channels.builders import ScriptedProvider, fast_resilience, make_message

pytestmark = pytest.mark.unit


def unavailable(message):
    return transient("primary", "http_503")


def lost(message):
    return transient("primary", "smtp_no_reply_to_data", ambiguous=True)


def bad_number(message):
    return permanent("primary", "twilio_21211", Outcome.INVALID_NUMBER)


def pair(*primary_script):
    primary = ScriptedProvider(
        name="primary", script=list(primary_script), resilience=fast_resilience()
    )
    secondary = ScriptedProvider(name="secondary")
    return primary, secondary, FailoverGateway(Channel.SMS, [primary, secondary])


def test_a_transient_failure_of_the_primary_fails_over_to_the_secondary():
    primary, secondary, gateway = pair(unavailable, unavailable, unavailable)
    result = gateway.send(make_message(key="k1"))
    assert result.status is DeliveryStatus.ACCEPTED
    assert result.provider == "secondary"
    assert primary.keys == ["k1"] * 3
    assert secondary.keys == ["k1"]


def test_a_permanent_failure_ends_the_chain():
    _, secondary, gateway = pair(bad_number)
    result = gateway.send(make_message(key="k1"))
    assert result.status is DeliveryStatus.PERMANENT_FAILURE
    assert result.outcome is Outcome.INVALID_NUMBER
    assert secondary.delivered == []


def test_a_failure_that_may_have_reached_the_primary_is_not_sent_elsewhere():
    primary, secondary, gateway = pair(lost)
    result = gateway.send(make_message(key="k1"))
    assert result.error_code == BaseErrorCode.OUTCOME_UNKNOWN
    assert secondary.delivered == []
    assert gateway.send(make_message(key="k1")) == result
    assert primary.keys == ["k1"]


def test_an_open_circuit_skips_straight_to_the_secondary():
    primary = ScriptedProvider(
        name="primary",
        script=[unavailable],
        resilience=fast_resilience(failure_threshold=1),
    )
    primary.send(make_message(key="warm-up"))
    secondary = ScriptedProvider(name="secondary")
    gateway = FailoverGateway(Channel.SMS, [primary, secondary])
    result = gateway.send(make_message(key="k1"))
    assert result.provider == "secondary"
    assert "k1" not in primary.keys


def test_when_every_provider_fails_the_last_transient_failure_is_returned():
    primary = ScriptedProvider(name="primary", script=[unavailable] * 3)
    secondary = ScriptedProvider(
        name="secondary", script=[lambda m: transient("secondary", "http_502")] * 3
    )
    result = FailoverGateway(Channel.SMS, [primary, secondary]).send(make_message())
    assert result.status is DeliveryStatus.TRANSIENT_FAILURE
    assert (result.provider, result.error_code) == ("secondary", "http_502")


def test_a_key_accepted_by_the_secondary_is_not_sent_again_through_the_primary():
    primary, secondary, gateway = pair(unavailable, unavailable, unavailable)
    gateway.send(make_message(key="k1"))
    again = gateway.send(make_message(key="k1"))
    assert again.provider == "secondary"
    assert primary.keys == ["k1"] * 3
    assert secondary.keys == ["k1"]


def test_a_message_of_another_channel_is_refused():
    _, _, gateway = pair()
    result = gateway.send(make_message(channel=Channel.EMAIL, address="c1@example.com"))
    assert result.error_code == BaseErrorCode.CHANNEL_NOT_SUPPORTED


def test_every_provider_in_the_chain_must_serve_the_channel():
    email_only = ScriptedProvider(
        capabilities=Capabilities(channels={Channel.EMAIL: ChannelLimits()})
    )
    with pytest.raises(ValueError, match="does not serve the sms channel"):
        FailoverGateway(Channel.SMS, [ScriptedProvider(), email_only])
    with pytest.raises(ValueError, match="at least one provider"):
        FailoverGateway(Channel.SMS, [])


def test_a_chain_serves_its_channel_and_resends_after_a_crash_only_if_every_provider_dedupes():
    remembers = Capabilities(
        channels={Channel.SMS: ChannelLimits()}, secret_fields=frozenset(), deduplicates=True
    )
    forgets = Capabilities(channels={Channel.SMS: ChannelLimits()}, secret_fields=frozenset())

    def chain(*capabilities):
        providers = [
            ScriptedProvider(name=f"p{number}", capabilities=item)
            for number, item in enumerate(capabilities)
        ]
        return FailoverGateway(Channel.SMS, providers)

    assert chain(remembers).serves(Channel.SMS)
    assert not chain(remembers).serves(Channel.EMAIL)
    assert chain(remembers, remembers).deduplicates(Channel.SMS)
    assert not chain(remembers, forgets).deduplicates(Channel.SMS)
    assert not chain(remembers).deduplicates(Channel.EMAIL)
