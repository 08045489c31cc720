# SPDX-License-Identifier: Apache-2.0
# ruff: noqa: RUF001 - Chinese text uses full-width punctuation on purpose
"""Every shipped template, for every purpose, channel, locale and jurisdiction, passes the content
check: a refusal at send time can only come from a template someone changed, never from these."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from importlib import resources

import pytest

from rightparty.domain.segments import SmsEncoding, count_segments
from rightparty.domain.vocabulary import Channel, Purpose
from rightparty.usecases.orchestration.policies import policy_for_jurisdiction
from rightparty.usecases.policy_packs import pack_names
from rightparty.usecases.templates.content_rules import shipped_content_rules
from rightparty.usecases.templates.locales import SUPPORTED_LOCALES
from rightparty.usecases.templates.renderer import render_message, template_names

pytestmark = pytest.mark.unit

JURISDICTIONS = ("US", "US-MA", "CN", "DE", "JP")
ZONES = {"US": "America/New_York", "US-MA": "America/New_York", "CN": "Asia/Shanghai"}
CODE = "7K2Q9X4M1B"
DIGIT_CODE = "0123456789"  # a code the generator can draw, all digits: never read as an account
NAME = "Testy McExample"
SENT = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # already Tuesday in Shanghai
ELECTRONIC = (Channel.SMS, Channel.EMAIL, Channel.PUSH)


def packs_of(jurisdiction: str) -> list[str]:
    return [pack.name for pack in policy_for_jurisdiction(jurisdiction).packs]


def render(purpose, channel, locale, jurisdiction, code=CODE):
    return render_message(
        purpose,
        channel,
        locale,
        code,
        packs=packs_of(jurisdiction),
        sent_at=SENT,
        time_zone=ZONES.get(jurisdiction, "Europe/Berlin"),
        customer_name=NAME,
    )


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
@pytest.mark.parametrize("channel", list(Channel))
@pytest.mark.parametrize("purpose", list(Purpose))
def test_every_shipped_message_passes_the_check_and_carries_its_code(
    purpose, channel, locale, jurisdiction
):
    message = render(purpose, channel, locale, jurisdiction)
    assert message.locale == locale
    spoken = " ".join(CODE)
    assert (spoken if channel is Channel.VOICE else CODE) in message.body
    assert NAME not in message.body or channel is Channel.LETTER
    assert "\n" not in message.body or channel in (Channel.EMAIL, Channel.LETTER)
    has_subject = channel in (Channel.EMAIL, Channel.LETTER, Channel.PUSH)
    assert (message.subject is not None) is has_subject
    # A code of digits only must pass the identifier rule too: it is the one number allowed.
    render(purpose, channel, locale, jurisdiction, code=DIGIT_CODE)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
@pytest.mark.parametrize("purpose", list(Purpose))
def test_every_purpose_has_a_template_in_every_locale(purpose, locale):
    folder = resources.files("rightparty.usecases.templates") / "messages"
    generic = template_names(purpose, Channel.SMS, locale)[1]
    assert (folder / generic).is_file()
    for channel in Channel:
        assert (folder / f"{locale}/_layout/{channel}.txt.j2").is_file()


@pytest.mark.parametrize("jurisdiction", ["US", "US-MA"])
@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
@pytest.mark.parametrize("channel", [Channel.SMS, Channel.VOICE, Channel.EMAIL, Channel.LETTER])
def test_us_collection_messages_say_they_are_from_a_debt_collector(channel, locale, jurisdiction):
    body = render(Purpose.COLLECTIONS, channel, locale, jurisdiction).body
    marker = "from a debt collector" if locale == "en" else "本信息来自债务催收方"
    assert marker in body
    assert marker not in render(Purpose.COLLECTIONS, channel, locale, "CN").body
    assert marker not in render(Purpose.PAYMENT_REMINDER, channel, locale, jurisdiction).body


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
@pytest.mark.parametrize("channel", ELECTRONIC)
def test_marketing_by_text_email_or_push_says_how_to_opt_out(channel, jurisdiction):
    english = render(Purpose.MARKETING, channel, "en", jurisdiction).body
    chinese = render(Purpose.MARKETING, channel, "zh-CN", jurisdiction).body
    assert re.search(r"\bSTOP\b|turn notifications off", english)
    assert "TD" in chinese or "关闭通知" in chinese
    if channel is Channel.SMS:
        assert english.endswith("Reply STOP to opt out.")
        assert chinese.endswith("回复TD退订")


def test_us_collection_texts_and_emails_carry_the_reg_f_opt_out_but_service_notices_do_not():
    assert "Reply STOP" in render(Purpose.COLLECTIONS, Channel.SMS, "en", "US").body
    assert "STOP" in render(Purpose.PAYMENT_REMINDER, Channel.EMAIL, "en", "US").body
    assert "STOP" not in render(Purpose.SERVICE_NOTICE, Channel.SMS, "en", "US").body
    assert "退订" not in render(Purpose.COLLECTIONS, Channel.SMS, "zh-CN", "CN").body


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
@pytest.mark.parametrize("purpose", [Purpose.COLLECTIONS, Purpose.PAYMENT_REMINDER])
def test_a_push_about_money_owed_says_only_that_a_message_is_waiting(purpose, locale):
    push = render(purpose, Channel.PUSH, locale, "US")
    email = render(purpose, Channel.EMAIL, locale, "US")
    assert push.subject in ("Your bank", "您的银行")
    assert email.subject not in ("Your bank", "您的银行")
    assert "message" in push.body or "消息" in push.body
    assert not any(word in push.body for word in ("payment", "contact us", "款项", "联系"))


@pytest.mark.parametrize("purpose", list(Purpose))
def test_english_texts_fit_gsm_7_and_every_text_fits_three_segments(purpose):
    for jurisdiction in JURISDICTIONS:
        english = count_segments(render(purpose, Channel.SMS, "en", jurisdiction).body)
        chinese = count_segments(render(purpose, Channel.SMS, "zh-CN", jurisdiction).body)
        assert english.encoding is SmsEncoding.GSM7
        assert chinese.encoding is SmsEncoding.UCS2
        assert max(english.segments, chinese.segments) <= 3


def test_only_a_letter_greets_the_customer_by_name_and_dates_it_in_their_zone():
    letter = render(Purpose.ACCOUNT_NOTICE, Channel.LETTER, "zh-CN", "CN").body
    assert f"尊敬的{NAME}：" in letter
    assert letter.startswith("2026年3月3日")  # 23:30 UTC is the next morning in Shanghai
    english = render(Purpose.ACCOUNT_NOTICE, Channel.LETTER, "en", "US").body
    assert english.startswith("March 2, 2026")
    assert f"Dear {NAME}," in english
    assert "Sent March 2, 2026." in render(Purpose.ACCOUNT_NOTICE, Channel.EMAIL, "en", "US").body


@pytest.mark.parametrize(
    ("tag", "locale"),
    [("zh_CN", "zh-CN"), ("zh-CN", "zh-CN"), ("zh", "zh-CN"), ("en_US", "en"), ("fr-FR", "en")],
)
def test_a_customer_locale_tag_selects_the_text_language(tag, locale):
    message = render_message(
        Purpose.SERVICE_NOTICE, Channel.SMS, tag, CODE, packs=["bank-baseline"], sent_at=SENT
    )
    assert message.locale == locale
    assert ("参考码" in message.body) is (locale == "zh-CN")


def test_content_rules_name_only_shipped_packs_and_every_pack_has_an_entry():
    assert set(shipped_content_rules().packs) == set(pack_names())
