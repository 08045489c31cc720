# SPDX-License-Identifier: Apache-2.0
"""Rendering: template lookup and fallback, minimal context, Babel formatting, and refusal of
deliberately bad templates before anything could be sent."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from jinja2 import DictLoader, UndefinedError

from rightparty.domain.vocabulary import Channel, Purpose
from rightparty.usecases.templates.environment import build_environment, message_environment
from rightparty.usecases.templates.renderer import (
    ContentRefused,
    TemplateMissing,
    render_message,
)

pytestmark = pytest.mark.unit

CODE = "7K2Q9X4M1B"
SENT = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
US = ["us-reg-f", "us-tcpa", "bank-baseline"]
NAME = "Testy McExample"


def with_templates(templates, purpose, channel, *, packs=US, name=NAME, locale="en-US"):
    environment = build_environment(DictLoader(templates))
    return render_message(
        purpose,
        channel,
        locale,
        CODE,
        packs=packs,
        sent_at=SENT,
        time_zone="America/New_York",
        customer_name=name,
        environment=environment,
    )


def test_a_channel_specific_template_wins_over_the_purpose_template():
    templates = {
        "en/service_notice.txt.j2": "Generic notice. Ref {{ reference_code }}",
        "en/service_notice.sms.txt.j2": "Text notice. Ref {{ reference_code }}",
    }
    assert with_templates(templates, Purpose.SERVICE_NOTICE, Channel.SMS).body.startswith("Text")
    assert with_templates(templates, Purpose.SERVICE_NOTICE, Channel.EMAIL).body.startswith("Gen")


def test_a_missing_template_is_a_typed_error():
    with pytest.raises(TemplateMissing, match="service_notice by sms in en"):
        with_templates({}, Purpose.SERVICE_NOTICE, Channel.SMS)


def test_a_template_that_drops_the_opt_out_is_refused():
    templates = {"en/marketing.txt.j2": "Great offer! Ref {{ reference_code }}"}
    with pytest.raises(ContentRefused) as refused:
        with_templates(templates, Purpose.MARKETING, Channel.SMS)
    assert refused.value.codes == ("CONTENT_OPT_OUT_MISSING",)
    assert {violation.rule for violation in refused.value.violations} == {
        "us-tcpa/marketing-opt-out",
        "bank-baseline/marketing-opt-out",
    }


def test_a_template_that_prints_an_amount_in_a_text_is_refused():
    templates = {
        "en/payment_reminder.txt.j2": (
            "{{ 1234.5 | currency('USD') }} is due. Ref {{ reference_code }}. "
            "Reply STOP to opt out."
        )
    }
    with pytest.raises(ContentRefused) as refused:
        with_templates(templates, Purpose.PAYMENT_REMINDER, Channel.SMS)
    assert "CONTENT_DEBT_DISCLOSED" in refused.value.codes


def test_a_template_that_names_a_debt_in_a_security_alert_is_refused_without_echoing_it():
    templates = {"en/security_alert.txt.j2": "Your debt is overdue. Ref {{ reference_code }}"}
    with pytest.raises(ContentRefused) as refused:
        with_templates(templates, Purpose.SECURITY_ALERT, Channel.VOICE)
    assert refused.value.codes == ("CONTENT_DEBT_DISCLOSED", "CONTENT_OPT_OUT_MISSING")
    assert "overdue" not in str(refused.value)
    assert refused.value.code == "CONTENT_REFUSED"


def test_the_name_never_reaches_a_template_outside_letters():
    templates = {"en/account_notice.txt.j2": "Hi {{ customer_name }}. Ref {{ reference_code }}"}
    with pytest.raises(UndefinedError):
        with_templates(templates, Purpose.ACCOUNT_NOTICE, Channel.EMAIL)
    letter = with_templates(templates, Purpose.ACCOUNT_NOTICE, Channel.LETTER)
    assert letter.body.startswith(f"Hi {NAME}.")


def test_an_undefined_variable_is_an_error_not_an_empty_string():
    templates = {"en/account_notice.txt.j2": "Ref {{ reference }}"}
    with pytest.raises(UndefinedError):
        with_templates(templates, Purpose.ACCOUNT_NOTICE, Channel.SMS)


def test_dates_follow_the_customer_zone_and_amounts_the_locale():
    environment = message_environment()
    template = environment.from_string(
        "{{ sent_at | date }} / {{ sent_at | datetime }} / {{ amount | currency('CNY') }}"
    )
    chinese = template.render(
        locale="zh-CN", time_zone="Asia/Shanghai", sent_at=SENT, amount=Decimal("1234.5")
    )
    english = template.render(
        locale="en", time_zone="America/New_York", sent_at=SENT, amount=Decimal("1234.5")
    )
    assert chinese.startswith("2026年3月3日 / 2026年3月3日 07:30:00")
    assert chinese.endswith("¥1,234.50")
    assert english.startswith("March 2, 2026 / Mar 2, 2026, 6:30:00")
    assert english.endswith("CN¥1,234.50")


def test_a_customer_without_a_zone_gets_a_utc_date_not_an_error():
    message = render_message(
        Purpose.ACCOUNT_NOTICE,
        Channel.EMAIL,
        "en",
        CODE,
        packs=["bank-baseline"],
        sent_at=SENT,
        time_zone="Not/AZone",
    )
    assert "Sent March 2, 2026." in message.body


def test_packs_without_content_rules_still_get_the_reference_code_check():
    templates = {"en/account_notice.txt.j2": "A notice without a code."}
    with pytest.raises(ContentRefused) as refused:
        with_templates(templates, Purpose.ACCOUNT_NOTICE, Channel.SMS, packs=["my-own-pack"])
    assert refused.value.codes == ("CONTENT_REFERENCE_MISSING",)


@pytest.mark.parametrize("name", ["Debt Police 12345678", "安全"])
def test_a_customer_name_that_looks_like_a_rule_breach_never_blocks_their_messages(name):
    letter = render_message(
        Purpose.SECURITY_ALERT,
        Channel.LETTER,
        "en",
        CODE,
        packs=US,
        sent_at=SENT,
        customer_name=name,
    )
    assert f"Dear {name}," in letter.body
    alert = render_message(
        Purpose.SECURITY_ALERT,
        Channel.SMS,
        "zh-CN",
        CODE,
        packs=["cn-collections", "bank-baseline"],
        sent_at=SENT,
        customer_name=name,
    )
    assert alert.body.startswith("安全提醒")


@pytest.mark.parametrize(
    ("channel", "subject"),
    [(Channel.SMS, None), (Channel.VOICE, None), (Channel.EMAIL, "Notice")],
)
def test_only_channels_with_a_subject_line_render_the_title_part(channel, subject):
    """A text or a call has no subject: a title the template gives them is not rendered."""
    template = (
        '{% if part == "title" %}Notice{% else %}A notice. Ref {{ reference_code }}{% endif %}'
    )
    message = with_templates(
        {"en/service_notice.txt.j2": template}, Purpose.SERVICE_NOTICE, channel
    )
    assert message.subject == subject
    assert message.body == f"A notice. Ref {CODE}"
