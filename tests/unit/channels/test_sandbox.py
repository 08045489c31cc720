# SPDX-License-Identifier: Apache-2.0
from collections import Counter

import pytest

from rightparty.channels.providers.sandbox import (
    MAGIC_NUMBERS,
    ReachabilityProfile,
    SandboxLedger,
    SandboxProvider,
    SandboxSettings,
    SeededOutcomeModel,
    magic_effect,
)
from rightparty.channels.reports import BaseErrorCode
from rightparty.domain.messages import DeliveryStatus
from rightparty.domain.vocabulary import Channel, Outcome
from tests.unit.channels.builders import fast_resilience, make_message

pytestmark = pytest.mark.unit

ACCEPTED = DeliveryStatus.ACCEPTED
PERMANENT = DeliveryStatus.PERMANENT_FAILURE
TRANSIENT = DeliveryStatus.TRANSIENT_FAILURE


def sandbox(**kwargs):
    return SandboxProvider(SandboxSettings(), resilience=fast_resilience(), **kwargs)


@pytest.mark.parametrize(
    ("channel", "address", "status", "outcome"),
    [
        (Channel.SMS, "+12125550100", ACCEPTED, Outcome.DELIVERED),
        (Channel.VOICE, "+12125550100", ACCEPTED, Outcome.ANSWERED_RIGHT_PARTY),
        (Channel.VOICE, "+13105550101", ACCEPTED, Outcome.NO_ANSWER),
        (Channel.VOICE, "+13105550102", ACCEPTED, Outcome.BUSY),
        (Channel.SMS, "+13105550103", PERMANENT, Outcome.INVALID_NUMBER),
        (Channel.SMS, "+13105550104", ACCEPTED, Outcome.WRONG_NUMBER),
        (Channel.VOICE, "+13105550104", ACCEPTED, Outcome.ANSWERED_THIRD_PARTY),
        (Channel.SMS, "+13105550105", ACCEPTED, Outcome.POWERED_OFF),
        (Channel.VOICE, "+13105550106", ACCEPTED, Outcome.VOICEMAIL),
        (Channel.SMS, "+13105550108", PERMANENT, Outcome.OPTED_OUT),
        (Channel.VOICE, "+13105550109", ACCEPTED, Outcome.DECLINED),
        (Channel.SMS, "+13105550111", TRANSIENT, Outcome.PROVIDER_ERROR),
        (Channel.SMS, "+1 310 555 0199", ACCEPTED, Outcome.DELIVERED),
        (Channel.EMAIL, "delivered@sandbox.rightparty.test", ACCEPTED, Outcome.DELIVERED),
        (Channel.EMAIL, "bounced-hard@sandbox.rightparty.test", PERMANENT, Outcome.BOUNCED_HARD),
        (
            Channel.EMAIL,
            "bounced_soft+c42@sandbox.rightparty.test",
            TRANSIENT,
            Outcome.BOUNCED_SOFT,
        ),
        (
            Channel.EMAIL,
            "unknown-recipient@SANDBOX.rightparty.test",
            PERMANENT,
            Outcome.UNKNOWN_RECIPIENT,
        ),
        (Channel.EMAIL, "opted_out@sandbox.rightparty.test", PERMANENT, Outcome.OPTED_OUT),
        (Channel.EMAIL, "read@sandbox.rightparty.test", ACCEPTED, Outcome.READ),
        (Channel.EMAIL, "anyone@sandbox.rightparty.test", ACCEPTED, Outcome.DELIVERED),
        (Channel.PUSH, "sandbox:powered_off", ACCEPTED, Outcome.POWERED_OFF),
        (Channel.LETTER, "1 Main St, Springfield", ACCEPTED, Outcome.DELIVERED),
    ],
)
def test_magic_addresses_give_their_documented_outcome(channel, address, status, outcome):
    result = sandbox().send(make_message(channel=channel, address=address))
    assert (result.status, result.outcome) == (status, outcome)


@pytest.mark.parametrize(("suffix", "effects"), sorted(MAGIC_NUMBERS.items()))
def test_every_magic_number_gives_its_table_effect_on_sms_and_voice(suffix, effects):
    assert magic_effect(Channel.SMS, f"+120255501{suffix}") is effects[0]
    assert magic_effect(Channel.VOICE, f"+120255501{suffix}") is effects[1]


def test_an_ordinary_address_is_not_magic():
    assert magic_effect(Channel.SMS, "+8613812345678") is None
    assert magic_effect(Channel.EMAIL, "wxm@example.com") is None
    assert magic_effect(Channel.PUSH, "fcm-token-abc") is None


def test_a_number_that_fails_once_is_delivered_on_the_retry():
    provider = sandbox()
    result = provider.send(make_message(key="k1", address="+13105550112"))
    assert result.status is ACCEPTED
    assert provider.ledger.times_requested("k1") == 2
    assert provider.ledger.times_sent("k1") == 1


def test_a_lost_answer_counts_as_sent_and_the_key_is_never_sent_again():
    provider = sandbox()
    result = provider.send(make_message(key="k1", address="+13105550113"))
    assert result.error_code == BaseErrorCode.OUTCOME_UNKNOWN
    provider.send(make_message(key="k1", address="+13105550113"))
    assert provider.ledger.times_sent("k1") == 1
    assert provider.ledger.duplicates == 0


def test_the_ledger_counts_duplicates_when_a_restarted_provider_resends_a_key():
    ledger = SandboxLedger()
    sandbox(ledger=ledger).send(make_message(key="k1"))
    sandbox(ledger=ledger).send(make_message(key="k1"))
    sandbox(ledger=ledger).send(make_message(key="k2"))
    assert ledger.times_sent("k1") == 2
    assert ledger.duplicates == 1
    assert [send.idempotency_key for send in ledger.sends] == ["k1", "k1", "k2"]


def test_the_ledger_and_its_records_print_without_addresses_or_bodies():
    provider = sandbox()
    provider.send(make_message(key="k1", address="+12125550100", body="secret balance 9,999"))
    assert "2125550100" not in repr(provider.ledger.sends)
    assert "9,999" not in repr(provider.ledger.sends)
    assert repr(provider.ledger) == "SandboxLedger(sent=1, keys=1)"


PROFILES = {
    "stale": ReachabilityProfile(
        "stale", {Channel.SMS: {Outcome.DELIVERED: 1.0, Outcome.NOT_IN_SERVICE: 3.0}}
    )
}


def model(seed):
    return SeededOutcomeModel(seed, PROFILES.get)


def test_the_seeded_model_draws_the_same_outcome_for_the_same_seed_and_key():
    messages = [
        make_message(key=f"k{n}", customer_id="stale", address="+8613812345678") for n in range(200)
    ]
    first = [model(7).outcome_for(message) for message in messages]
    assert [model(7).outcome_for(message) for message in reversed(messages)] == first[::-1]
    counts = Counter(first)
    assert set(counts) == {Outcome.DELIVERED, Outcome.NOT_IN_SERVICE}
    assert counts[Outcome.NOT_IN_SERVICE] > counts[Outcome.DELIVERED]


def test_the_model_decides_ordinary_addresses_and_magic_addresses_still_win():
    provider = sandbox(model=model(7))
    ordinary = [
        provider.send(make_message(key=f"k{n}", customer_id="stale", address="+8613812345678"))
        for n in range(40)
    ]
    assert {result.outcome for result in ordinary} == {Outcome.DELIVERED, Outcome.NOT_IN_SERVICE}
    magic = provider.send(make_message(key="m", customer_id="stale", address="+12125550103"))
    assert magic.outcome is Outcome.INVALID_NUMBER


def test_a_customer_without_a_profile_is_delivered():
    provider = sandbox(model=model(7))
    assert (
        provider.send(make_message(customer_id="nobody", address="+8613812345678")).outcome
        is Outcome.DELIVERED
    )


def test_a_profile_refuses_negative_or_empty_weights():
    with pytest.raises(ValueError, match="weights"):
        ReachabilityProfile("bad", {Channel.SMS: {Outcome.DELIVERED: -1.0}})


def test_settings_can_narrow_the_channels_served():
    provider = SandboxProvider(SandboxSettings(channels=frozenset({Channel.EMAIL})))
    assert set(provider.capabilities.channels) == {Channel.EMAIL}
    result = provider.send(make_message(channel=Channel.SMS))
    assert result.error_code == BaseErrorCode.CHANNEL_NOT_SUPPORTED
