# SPDX-License-Identifier: Apache-2.0
"""Which opt-outs a keyword records, by the packs of the customer's jurisdiction."""

from __future__ import annotations

import pytest

from rightparty.domain.vocabulary import Channel, OptOutScope, Purpose
from rightparty.usecases.inbound import CONFIRMATIONS, opt_outs_for
from rightparty.usecases.inbound_keywords import InboundIntent
from tests.builders import MONDAY_NOON, a_customer, a_mobile, a_us_customer, a_us_point, an_email

pytestmark = pytest.mark.unit

US_NUMBER = "+12125550142"
CN_NUMBER = "+8613812345678"


def _summary(opt_outs):
    return sorted(
        (o.scope.value, o.contact_point_id or "", o.purpose.value if o.purpose else "")
        for o in opt_outs
    )


def test_stop_on_a_us_number_covers_its_texts_and_calls_for_every_purpose():
    customer = a_us_customer(
        "c1",
        a_us_point("m1", Channel.SMS, US_NUMBER),
        a_us_point("v1", Channel.VOICE, US_NUMBER),
        a_us_point("m2", Channel.SMS, "+12125550143"),
    )
    opt_outs = opt_outs_for(customer, US_NUMBER, InboundIntent.OPT_OUT, MONDAY_NOON)
    assert _summary(opt_outs) == [("contact_point", "m1", ""), ("contact_point", "v1", "")]
    assert all(o.at == MONDAY_NOON for o in opt_outs)


@pytest.mark.parametrize("jurisdiction", ["CN", "DE", "EU"])
def test_where_marketing_objection_is_absolute_marketing_stops_everywhere_too(jurisdiction):
    points = [a_mobile("m1", CN_NUMBER), an_email()]
    customer = a_customer(points=points, jurisdiction=jurisdiction)
    opt_outs = opt_outs_for(customer, CN_NUMBER, InboundIntent.OPT_OUT, MONDAY_NOON)
    assert _summary(opt_outs) == [("contact_point", "m1", ""), ("purpose", "", "marketing")]
    marketing = next(o for o in opt_outs if o.scope is OptOutScope.PURPOSE)
    assert marketing.covers(Channel.EMAIL, "e1", Purpose.MARKETING)


def test_stopall_covers_texts_and_calls_to_every_number_but_not_letters():
    points = [a_mobile("m1", CN_NUMBER), a_mobile("m2", "+8613900000000"), an_email()]
    customer = a_customer(points=points, jurisdiction="BR")
    opt_outs = opt_outs_for(customer, CN_NUMBER, InboundIntent.OPT_OUT_ALL, MONDAY_NOON)
    assert {(o.scope, o.channel) for o in opt_outs} == {
        (OptOutScope.CHANNEL, Channel.SMS),
        (OptOutScope.CHANNEL, Channel.VOICE),
    }

    def covered(channel: Channel, point: str) -> bool:
        return any(o.covers(channel, point, Purpose.SECURITY_ALERT) for o in opt_outs)

    assert covered(Channel.SMS, "m2")
    assert covered(Channel.VOICE, "m1")
    assert not covered(Channel.LETTER, "l1")
    assert not covered(Channel.EMAIL, "e1")


def test_a_jurisdiction_without_packs_still_stops_the_number():
    customer = a_customer(points=[a_mobile("m1", CN_NUMBER)], jurisdiction="BR")
    opt_outs = opt_outs_for(customer, CN_NUMBER, InboundIntent.OPT_OUT, MONDAY_NOON)
    assert _summary(opt_outs) == [("contact_point", "m1", "")]


def test_every_confirmation_is_short_enough_for_one_text_and_offers_nothing():
    for text in CONFIRMATIONS.values():
        assert len(text) <= 160
        assert "http" not in text
