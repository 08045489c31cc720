# SPDX-License-Identifier: Apache-2.0
"""Every channel provider answers the same questions, each against its real backend."""

import typing

import pytest
from pydantic import SecretStr

from rightparty.channels.capabilities import Capabilities
from rightparty.channels.registry import ProviderRegistry
from rightparty.domain.messages import DeliveryResult, DeliveryStatus
from rightparty.domain.vocabulary import Channel, OutcomeCategory
from tests.contract.channel_cases import CASES
from tests.unit.channels.builders import make_message

pytestmark = pytest.mark.contract


@pytest.fixture(params=sorted(CASES))
def case(request, tmp_path):
    with CASES[request.param](tmp_path) as built:
        yield built


def message_for(case, address, key="attempt-1/k"):
    return make_message(
        key=key, channel=case.channel, address=address, subject="Card used", customer_id="c-9"
    )


def test_capabilities_are_declared_as_data(case):
    provider_class = type(case.provider)
    assert isinstance(provider_class.CAPABILITIES, Capabilities)
    assert provider_class.kind in ProviderRegistry().kinds()
    assert case.provider.capabilities.serves(case.channel)
    assert case.provider.capabilities.batch_size >= 1
    fields = provider_class.settings_model.model_fields
    for name in provider_class.CAPABILITIES.secret_fields:
        annotation = fields[name].annotation
        assert SecretStr in (annotation, *typing.get_args(annotation)), f"{name} is not a SecretStr"


def test_send_answers_with_a_typed_acceptance_and_the_providers_message_id(case):
    result = case.provider.send(message_for(case, case.accepted_address))
    assert isinstance(result, DeliveryResult)
    assert result.status is DeliveryStatus.ACCEPTED
    assert result.provider == case.provider.name
    assert isinstance(result.provider_message_id, str)
    assert result.provider_message_id
    assert case.deliveries("attempt-1/k") == 1


def test_the_same_idempotency_key_is_not_sent_twice(case):
    first = case.provider.send(message_for(case, case.accepted_address))
    second = case.provider.send(message_for(case, case.accepted_address))
    assert second == first
    assert case.deliveries("attempt-1/k") == 1


def test_a_refused_address_is_a_permanent_failure_with_an_info_inaccurate_outcome(case):
    result = case.provider.send(message_for(case, case.permanent_address))
    assert result.status is DeliveryStatus.PERMANENT_FAILURE
    assert result.error_code
    assert result.outcome is not None
    assert result.outcome.category is OutcomeCategory.INFO_INACCURATE
    assert case.timer.sleeps == [], "a permanent failure is never retried"
    assert case.deliveries("attempt-1/k") == 0


def test_an_unavailable_backend_is_a_transient_failure_retried_with_backoff(case):
    result = case.provider.send(message_for(case, case.transient_address))
    assert result.status is DeliveryStatus.TRANSIENT_FAILURE
    assert result.error_code
    assert result.outcome is not None
    assert result.outcome.category is OutcomeCategory.DEVICE_OR_NETWORK
    assert case.timer.sleeps == [0.5, 1.0]
    assert case.deliveries("attempt-1/k") == 0


def test_a_channel_the_provider_does_not_serve_is_refused(case):
    unserved = next(c for c in Channel if not case.provider.capabilities.serves(c))
    result = case.provider.send(make_message(channel=unserved, address="1 Main St, Springfield"))
    assert result.status is DeliveryStatus.PERMANENT_FAILURE
    assert result.error_code == "channel_not_supported"


def test_secrets_are_masked_wherever_settings_or_the_provider_are_printed(case):
    settings = case.provider.settings
    printed = [
        repr(settings),
        str(settings),
        settings.model_dump_json(),
        str(settings.model_dump()),
        repr(case.provider),
        str(case.provider),
    ]
    for secret in case.secrets:
        for text in printed:
            assert secret not in text


def test_results_and_reprs_carry_no_address_or_body(case):
    results = [
        case.provider.send(message_for(case, address, key=f"k-{n}"))
        for n, address in enumerate(
            (case.accepted_address, case.permanent_address, case.transient_address)
        )
    ]
    body = make_message().body
    for result in results:
        for address in (case.accepted_address, case.permanent_address, case.transient_address):
            assert address not in repr(result)
            assert address.lstrip("+") not in (result.error_code or "")
        assert body not in repr(result)
    assert body not in repr(message_for(case, case.accepted_address))


def test_a_batch_gets_one_answer_per_message_in_order_each_key_sent_once(case):
    addresses = (
        case.accepted_address,
        case.permanent_address,
        case.accepted_address,
        case.transient_address,
        case.accepted_address,
    )
    keys = ("k-0", "k-1", "k-2", "k-3", "k-0")
    batch = [
        message_for(case, address, key=key) for address, key in zip(addresses, keys, strict=True)
    ]
    assert case.provider.concurrency >= 1
    results = case.provider.send_many(batch)
    assert [result.status for result in results] == [
        DeliveryStatus.ACCEPTED,
        DeliveryStatus.PERMANENT_FAILURE,
        DeliveryStatus.ACCEPTED,
        DeliveryStatus.TRANSIENT_FAILURE,
        DeliveryStatus.ACCEPTED,
    ]
    assert results[4] == results[0]
    assert results[0].provider_message_id != results[2].provider_message_id
    assert [case.deliveries(key) for key in ("k-0", "k-1", "k-2", "k-3")] == [1, 0, 1, 0]
