# SPDX-License-Identifier: Apache-2.0
"""The worker's gateway sends a mixed batch: each channel's share through its chain, the
answers back in the batch's order."""

import pytest

from rightparty.bootstrap import ChannelRouter
from rightparty.channels.capabilities import Capabilities, ChannelLimits
from rightparty.channels.failover import FailoverGateway
from rightparty.domain.messages import DeliveryStatus
from rightparty.domain.vocabulary import Channel
from rightparty.usecases.ports import BatchGateway
from tests.unit.channels.builders import SMS_SPLIT, ScriptedProvider, make_message

pytestmark = pytest.mark.unit


def provider(name, channel, limits):
    return ScriptedProvider(
        name=name, capabilities=Capabilities(channels={channel: limits}, concurrency=3)
    )


def test_a_mixed_batch_is_answered_in_order_with_an_unserved_channel_refused_in_place():
    sms = provider("twilio", Channel.SMS, SMS_SPLIT)
    email = provider("smtp", Channel.EMAIL, ChannelLimits())
    router = ChannelRouter(
        {
            Channel.SMS: FailoverGateway(Channel.SMS, [sms]),
            Channel.EMAIL: FailoverGateway(Channel.EMAIL, [email]),
        },
        [sms, email],
    )
    assert isinstance(router, BatchGateway)
    channels = [Channel.SMS, Channel.EMAIL, Channel.PUSH, Channel.EMAIL, Channel.SMS] * 4
    batch = [
        make_message(key=f"k{n}", channel=channel, address=f"a{n}")
        for n, channel in enumerate(channels)
    ]
    results = router.send_many(batch)
    assert len(results) == len(batch)
    for n, (channel, result) in enumerate(zip(channels, results, strict=True)):
        if channel is Channel.PUSH:
            assert result.status is DeliveryStatus.PERMANENT_FAILURE
            assert result.error_code == "no_provider"
        else:
            assert result.provider_message_id == f"id-k{n}"
            assert result.provider == ("twilio" if channel is Channel.SMS else "smtp")
    assert sorted(sms.keys) == sorted(f"k{n}" for n, c in enumerate(channels) if c is Channel.SMS)
    assert len(email.keys) == 8
