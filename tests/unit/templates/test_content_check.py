# SPDX-License-Identifier: Apache-2.0
# ruff: noqa: RUF001 - Chinese text uses full-width punctuation on purpose
"""The content check refuses what the packs forbid, with the code and rule that forbid it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rightparty.domain.vocabulary import Channel, Purpose
from rightparty.usecases.orchestration.reference_codes import ALPHABET, LENGTH
from rightparty.usecases.templates.content_check import ViolationCode, check_content
from rightparty.usecases.templates.content_rules import shipped_content_rules
from rightparty.usecases.templates.message import RenderedMessage

pytestmark = pytest.mark.unit

CODE = "7K2Q9X4M1B"
US = ("us-reg-f", "us-tcpa", "bank-baseline")
CN = ("cn-collections", "bank-baseline")
REF_EN = f"Ref {CODE}: check it in the app under Verify a message."
REG_F = (
    "This is an attempt to collect a debt, and any information obtained will be used for that "
    "purpose. This communication is from a debt collector."
)


def violations(body, channel, purpose, packs, *, locale="en", subject=None, names=()):
    rules = shipped_content_rules()
    found = check_content(
        RenderedMessage(body=body, locale=locale, subject=subject),
        channel=channel,
        purpose=purpose,
        reference_code=CODE,
        rules=rules.for_packs(packs),
        phrases=rules.phrases,
        personal_values=names,
    )
    return {(violation.code.value, violation.rule) for violation in found}


@pytest.mark.parametrize(
    ("body", "channel", "purpose", "packs", "expected"),
    [
        pytest.param(
            "Please contact us about your account.",
            Channel.PUSH,
            Purpose.SERVICE_NOTICE,
            ("bank-baseline",),
            {("CONTENT_REFERENCE_MISSING", "rightparty/reference-code")},
            id="no reference code",
        ),
        pytest.param(
            f"Please contact us about your account. {REF_EN} Reply STOP to opt out.",
            Channel.SMS,
            Purpose.COLLECTIONS,
            US,
            {("CONTENT_DISCLOSURE_MISSING", "us-reg-f/debt-collector-disclosure")},
            id="collection text without the Reg F statement",
        ),
        pytest.param(
            f"Please contact us about your account. {REF_EN} {REG_F}",
            Channel.EMAIL,
            Purpose.COLLECTIONS,
            US,
            {("CONTENT_OPT_OUT_MISSING", "us-reg-f/electronic-opt-out")},
            id="collection email without the electronic opt-out",
        ),
        pytest.param(
            f"An offer from your bank. {REF_EN}",
            Channel.SMS,
            Purpose.MARKETING,
            CN,
            {
                ("CONTENT_OPT_OUT_MISSING", "cn-collections/commercial-message-cancel"),
                ("CONTENT_OPT_OUT_MISSING", "bank-baseline/marketing-opt-out"),
            },
            id="marketing text without a way to stop it",
        ),
        pytest.param(
            f"Security alert: your overdue balance needs attention. {REF_EN} "
            "Reply STOP to opt out.",
            Channel.SMS,
            Purpose.SECURITY_ALERT,
            US,
            {
                ("CONTENT_DEBT_DISCLOSED", "us-tcpa/fraud-alert-content"),
                ("CONTENT_DEBT_DISCLOSED", "bank-baseline/debt-only-in-collections"),
            },
            id="fraud alert naming a debt",
        ),
        pytest.param(
            f"您的账户已逾期，请尽快处理。{CODE}",
            Channel.PUSH,
            Purpose.COLLECTIONS,
            CN,
            {("CONTENT_DEBT_DISCLOSED", "bank-baseline/lock-screen-debt")},
            id="push naming a debt on the lock screen",
        ),
        pytest.param(
            f"A payment of $1,234.50 is coming due. {REF_EN} Reply STOP to opt out.",
            Channel.SMS,
            Purpose.PAYMENT_REMINDER,
            US,
            {("CONTENT_DEBT_DISCLOSED", "bank-baseline/lock-screen-amounts")},
            id="amount in a text",
        ),
        pytest.param(
            f"您有一笔3,200.00元的款项即将到期。参考码 {CODE}",
            Channel.SMS,
            Purpose.PAYMENT_REMINDER,
            CN,
            {("CONTENT_DEBT_DISCLOSED", "bank-baseline/lock-screen-amounts")},
            id="amount in yuan in a text",
        ),
        pytest.param(
            f"A transaction was made on card 4111 1111 1111 1111. {REF_EN}",
            Channel.EMAIL,
            Purpose.TRANSACTION_ALERT,
            ("bank-baseline",),
            {("CONTENT_PERSONAL_DATA", "bank-baseline/no-identifiers")},
            id="full card number",
        ),
        pytest.param(
            f"We will call you on +1 212-555-0100 or write to someone@example.com. {REF_EN}",
            Channel.LETTER,
            Purpose.ACCOUNT_NOTICE,
            ("bank-baseline",),
            {("CONTENT_PERSONAL_DATA", "bank-baseline/no-identifiers")},
            id="phone number and email address",
        ),
        pytest.param(
            f"请就您的账户与我们联系，否则将通知您的家人并列入黑名单。参考码 {CODE}",
            Channel.SMS,
            Purpose.COLLECTIONS,
            CN,
            {("CONTENT_PROHIBITED_CLAIM", "cn-collections/prohibited-collection-claims")},
            id="threat in a Chinese collection text",
        ),
        pytest.param(
            "Security alert: please review all of the recent activity on your account today. "
            f"{REF_EN} Reply STOP to opt out.",
            Channel.SMS,
            Purpose.SECURITY_ALERT,
            US,
            {("CONTENT_TOO_LONG", "us-tcpa/fraud-alert-length")},
            id="fraud alert text over 160 characters",
        ),
        pytest.param(
            "请就您的账户与我们联系。" * 20 + CODE,
            Channel.SMS,
            Purpose.SERVICE_NOTICE,
            ("bank-baseline",),
            {("CONTENT_TOO_LONG", "bank-baseline/sms-segments")},
            id="Chinese text over three UCS-2 segments",
        ),
    ],
)
def test_a_message_breaking_a_rule_is_refused_with_its_code(
    body, channel, purpose, packs, expected
):
    assert violations(body, channel, purpose, packs) == expected


def test_the_customer_name_may_be_in_a_letter_but_nowhere_else():
    body = f"Dear Testy McExample, there is a notice about your account. {REF_EN}"
    for channel in (Channel.SMS, Channel.VOICE, Channel.EMAIL, Channel.PUSH):
        found = violations(body, channel, Purpose.ACCOUNT_NOTICE, CN, names=("testy mcexample",))
        assert found == {("CONTENT_PERSONAL_DATA", "bank-baseline/name-on-letters-only")}
    assert not violations(body, Channel.LETTER, Purpose.ACCOUNT_NOTICE, CN, names=("Testy",))


def test_a_disclosure_counts_only_in_the_language_of_the_message():
    english_statement = f"请就您的账户与我们联系。参考码 {CODE}。{REG_F}回复TD退订"
    found = violations(english_statement, Channel.SMS, Purpose.COLLECTIONS, US, locale="zh-CN")
    assert found == {("CONTENT_DISCLOSURE_MISSING", "us-reg-f/debt-collector-disclosure")}


def test_the_required_statement_is_not_counted_as_naming_a_debt_but_the_rest_of_the_text_is():
    body = f"Please contact us about your account. {REF_EN} {REG_F} Reply STOP to opt out."
    assert not violations(body, Channel.SMS, Purpose.COLLECTIONS, US)
    reminder = f"Your account is past due. {REF_EN}"
    found = violations(reminder, Channel.EMAIL, Purpose.SERVICE_NOTICE, ("bank-baseline",))
    assert found == {("CONTENT_DEBT_DISCLOSED", "bank-baseline/debt-only-in-collections")}


@pytest.mark.parametrize(
    "text",
    [
        "The owner of the account changed its settings.",  # "owe" only as a whole word
        "Your statement for 2026-03-02 is ready.",  # an ISO date is not an account number
        "Call the number on the back of your card.",
        "Your card ending 1234 was used.",  # a masked number
    ],
)
def test_ordinary_words_dates_and_masked_numbers_are_not_mistaken(text):
    assert not violations(f"{text} {REF_EN}", Channel.EMAIL, Purpose.ACCOUNT_NOTICE, US)


def test_a_spoken_reference_code_counts_and_is_not_read_as_a_number():
    spoken = "Your reference code is 0 1 2 3 4 5 6 7 8 9. Goodbye."
    rules = shipped_content_rules()
    found = check_content(
        RenderedMessage(body=spoken, locale="en"),
        channel=Channel.VOICE,
        purpose=Purpose.SERVICE_NOTICE,
        reference_code="0123456789",
        rules=rules.for_packs(["bank-baseline"]),
        phrases=rules.phrases,
    )
    assert found == ()


def test_a_violation_never_quotes_the_message():
    body = "Call +12125550100 about your debt of $5,000"
    rules = shipped_content_rules()
    found = check_content(
        RenderedMessage(body=body, locale="en"),
        channel=Channel.SMS,
        purpose=Purpose.SECURITY_ALERT,
        reference_code=CODE,
        rules=rules.for_packs(US),
        phrases=rules.phrases,
    )
    codes = {violation.code for violation in found}
    assert {ViolationCode.DEBT_DISCLOSED, ViolationCode.PERSONAL_DATA} <= codes
    assert not any("2125550100" in repr(violation) for violation in found)
    assert all(violation.source for violation in found)


@given(
    code=st.text(alphabet=ALPHABET, min_size=LENGTH, max_size=LENGTH),
    number=st.integers(min_value=10_000_000, max_value=10**16),
)
def test_any_long_number_other_than_the_code_is_refused_and_the_code_never_is(code, number):
    rules = shipped_content_rules()

    def check(body):
        return check_content(
            RenderedMessage(body=body, locale="en"),
            channel=Channel.LETTER,
            purpose=Purpose.ACCOUNT_NOTICE,
            reference_code=code,
            rules=rules.for_packs(["bank-baseline"]),
            phrases=rules.phrases,
        )

    assert check(f"Reference code: {code}.") == ()
    leaked = check(f"Reference code: {code}. Account {number}.")
    assert [violation.code for violation in leaked] == [ViolationCode.PERSONAL_DATA]
