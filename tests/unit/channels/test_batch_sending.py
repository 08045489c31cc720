# SPDX-License-Identifier: Apache-2.0
"""`send_many` on the provider base and the failover chain: several messages in flight, one
answer per message in order, every guarantee of `send` kept for each."""

import threading
import time
from dataclasses import replace

import pytest

from rightparty.channels.capabilities import Capabilities, ChannelLimits, RateLimit
from rightparty.channels.failover import FailoverGateway
from rightparty.channels.reports import BaseErrorCode, accepted, permanent, transient
from rightparty.channels.resilience import SystemTimer
from rightparty.domain.messages import DeliveryStatus
from rightparty.domain.vocabulary import Channel, Outcome
from rightparty.usecases.orchestration.sending import send_all
from rightparty.usecases.ports import BatchGateway
from tests.unit.channels.builders import (
    SMS_SPLIT,
    ScriptedProvider,
    fast_resilience,
    make_message,
)

pytestmark = pytest.mark.unit


def capabilities(concurrency, **overrides):
    return Capabilities(
        channels={Channel.SMS: SMS_SPLIT, Channel.EMAIL: ChannelLimits()},
        concurrency=concurrency,
        **overrides,
    )


class SlowProvider(ScriptedProvider):
    """Each request takes `seconds` of real time; counts how many are in flight at once."""

    def __init__(self, *, seconds=0.02, **kwargs):
        super().__init__(**kwargs)
        self.seconds = seconds
        self.in_flight = 0
        self.most_in_flight = 0
        self.started: list[float] = []
        self._count_lock = threading.Lock()

    def deliver(self, message):
        with self._count_lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self.started.append(time.monotonic())
        try:
            time.sleep(self.seconds)
            return super().deliver(message)
        finally:
            with self._count_lock:
                self.in_flight -= 1


def messages(count, prefix="k"):
    return [make_message(key=f"{prefix}{n}", address=f"+1212555{n:04d}") for n in range(count)]


def test_a_batch_goes_out_concurrently_and_each_message_is_delivered_once_in_order():
    provider = SlowProvider(capabilities=capabilities(4))
    batch = messages(16)
    results = provider.send_many(batch)
    assert [result.provider_message_id for result in results] == [f"id-k{n}" for n in range(16)]
    assert {result.status for result in results} == {DeliveryStatus.ACCEPTED}
    assert sorted(provider.keys) == sorted(message.idempotency_key for message in batch)
    assert provider.most_in_flight == 4


def test_concurrency_one_sends_one_after_another():
    provider = SlowProvider(capabilities=capabilities(1), seconds=0.005)
    provider.send_many(messages(5))
    assert provider.most_in_flight == 1
    assert provider.keys == [f"k{n}" for n in range(5)]


def test_the_bound_holds_for_every_caller_of_the_instance_together():
    provider = SlowProvider(capabilities=capabilities(3))
    callers = [
        threading.Thread(target=provider.send_many, args=(messages(6, prefix=f"t{t}-"),))
        for t in range(3)
    ]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    assert len(provider.keys) == 18
    assert provider.most_in_flight == 3


def test_a_transient_failure_of_one_message_is_retried_without_disturbing_the_others():
    calls = {"k3": 0}

    def flaky_once(message):
        calls["k3"] += 1
        return transient("slow", "http_503")

    provider = SlowProvider(capabilities=capabilities(4))
    original = provider.deliver

    def deliver(message):
        if message.idempotency_key == "k3" and calls["k3"] == 0:
            provider.delivered.append(message)
            return flaky_once(message)
        return original(message)

    provider.deliver = deliver  # type: ignore[method-assign]
    results = provider.send_many(messages(8))
    assert {result.status for result in results} == {DeliveryStatus.ACCEPTED}
    assert [result.provider_message_id for result in results] == [f"id-k{n}" for n in range(8)]
    assert sorted(provider.keys) == sorted([f"k{n}" for n in range(8)] + ["k3"])


def test_an_error_raised_for_one_message_becomes_its_answer_and_the_others_keep_theirs():
    provider = SlowProvider(capabilities=capabilities(4))
    original = provider.deliver

    def deliver(message):
        if message.idempotency_key == "k2":
            raise RuntimeError("bug in a provider")
        return original(message)

    provider.deliver = deliver  # type: ignore[method-assign]
    results = provider.send_many(messages(6))
    broken = results[2]
    assert broken.status is DeliveryStatus.TRANSIENT_FAILURE
    assert broken.error_code == BaseErrorCode.OUTCOME_UNKNOWN
    assert broken.outcome is Outcome.TIMEOUT
    assert [result.status for n, result in enumerate(results) if n != 2] == [
        DeliveryStatus.ACCEPTED
    ] * 5
    # The request may have gone out: the key is settled, never sent again.
    assert provider.send(make_message(key="k2")) == broken


def test_a_key_repeated_in_a_batch_is_sent_once_and_both_get_its_answer():
    provider = SlowProvider(capabilities=capabilities(4))
    batch = [*messages(3), make_message(key="k1", body="again")]
    results = provider.send_many(batch)
    assert results[3] == results[1]
    assert sorted(provider.keys) == ["k0", "k1", "k2"]


def test_split_messages_keep_their_part_keys_under_concurrency():
    provider = SlowProvider(capabilities=capabilities(4), seconds=0.001)
    long_body = "word " * 60  # more than one segment: three parts
    batch = [make_message(key=f"k{n}", body=long_body) for n in range(4)]
    results = provider.send_many(batch)
    assert {result.status for result in results} == {DeliveryStatus.ACCEPTED}
    assert len(provider.keys) == len(set(provider.keys))
    assert all(result.provider_message_id.count(",") >= 1 for result in results)


def test_the_rate_limit_holds_under_concurrency():
    rate = RateLimit(per_second=50.0, burst=1)
    provider = SlowProvider(
        capabilities=capabilities(8, rate_limit=rate),
        seconds=0.0,
        resilience=fast_resilience(timer=SystemTimer()),
    )
    began = time.monotonic()
    provider.send_many(messages(11))
    # One token at once and 50 a second: the eleventh request cannot start before 0.2 s, however
    # many threads wait for tokens (an upper bound would measure the machine, not the bucket).
    assert max(provider.started) - began >= 0.2


def test_an_open_circuit_stops_the_rest_of_a_batch():
    provider = SlowProvider(
        capabilities=capabilities(1),
        seconds=0.0,
        resilience=fast_resilience(failure_threshold=2),
        script=[lambda m: transient("slow", "http_503")] * 6,
    )
    results = provider.send_many(messages(4))
    # The first message's second failure opens the circuit; no one else is tried.
    assert [result.error_code for result in results] == [BaseErrorCode.CIRCUIT_OPEN] * 4
    assert provider.keys == ["k0", "k0"]


def test_failover_in_a_batch_sends_only_what_the_primary_could_not_take():
    primary = ScriptedProvider(
        name="primary",
        capabilities=capabilities(4),
        script=[lambda m: transient("primary", "http_503")] * 3,
    )
    secondary = ScriptedProvider(name="secondary", capabilities=capabilities(4))
    gateway = FailoverGateway(Channel.SMS, [primary, secondary])
    primary_results = gateway.send_many(messages(1, prefix="a"))
    assert primary_results[0].provider == "secondary"
    results = gateway.send_many(messages(5))
    assert [result.provider for result in results] == ["primary"] * 5
    assert secondary.keys == ["a0"]
    # A key the secondary took is answered from the chain's record, not sent again.
    again = gateway.send_many([*messages(1, prefix="a"), make_message(key="b")])
    assert again[0] == primary_results[0]
    assert secondary.keys == ["a0"]


def test_failover_in_a_batch_keeps_permanent_and_unknown_fates_off_the_secondary():
    answers = {
        "k0": lambda m: permanent("primary", "twilio_21211", Outcome.INVALID_NUMBER),
        "k1": lambda m: transient("primary", "smtp_no_reply_to_data", ambiguous=True),
        "k2": lambda m: transient("primary", "http_503"),
    }

    class Primary(ScriptedProvider):
        def deliver(self, message):
            self.delivered.append(message)
            answer = answers.get(message.idempotency_key)
            return answer(message) if answer else accepted(self.name, "p")

    primary = Primary(name="primary", capabilities=capabilities(4))
    secondary = ScriptedProvider(name="secondary", capabilities=capabilities(4))
    gateway = FailoverGateway(Channel.SMS, [primary, secondary])
    results = gateway.send_many(messages(4))
    assert results[0].status is DeliveryStatus.PERMANENT_FAILURE
    assert results[1].error_code == BaseErrorCode.OUTCOME_UNKNOWN
    assert results[2].provider == "secondary"
    assert results[3].provider == "primary"
    assert secondary.keys == ["k2"]


def test_a_message_on_another_channel_is_refused_in_its_place():
    gateway = FailoverGateway(Channel.SMS, [ScriptedProvider(capabilities=capabilities(2))])
    batch = [make_message(key="k0"), make_message(key="k1", channel=Channel.EMAIL)]
    results = gateway.send_many(batch)
    assert results[0].status is DeliveryStatus.ACCEPTED
    assert results[1].error_code == BaseErrorCode.CHANNEL_NOT_SUPPORTED


def test_send_all_uses_a_batch_gateway_and_asks_any_other_one_message_at_a_time():
    provider = SlowProvider(capabilities=capabilities(4))
    assert isinstance(provider, BatchGateway)
    batch = messages(8)
    results = send_all(provider, batch)
    assert provider.most_in_flight == 4
    assert [result.provider_message_id for result in results] == [f"id-k{n}" for n in range(8)]

    class OneByOne:
        def __init__(self):
            self.sent = []

        def send(self, message):
            self.sent.append(message.idempotency_key)
            return replace(results[0], provider_message_id=message.idempotency_key)

    plain = OneByOne()
    assert not isinstance(plain, BatchGateway)
    answers = send_all(plain, batch)
    assert plain.sent == [message.idempotency_key for message in batch]
    assert [answer.provider_message_id for answer in answers] == plain.sent
