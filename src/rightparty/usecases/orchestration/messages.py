# SPDX-License-Identifier: Apache-2.0
# ruff: noqa: RUF001 - Chinese text uses full-width punctuation on purpose
"""The text of an outbound message: purpose-specific, in the customer's language, with the
reference code and the way to check it; never a debt amount or anyone else's details.

Deliberately plain: the channels work brings Jinja2 templates and content checks; this is the
minimum a bank may send."""

from __future__ import annotations

from rightparty.domain.vocabulary import Channel, Purpose

_EN = {
    Purpose.SECURITY_ALERT: "Security alert: please review recent activity on your account.",
    Purpose.TRANSACTION_ALERT: "A transaction was made on your account.",
    Purpose.ACCOUNT_NOTICE: "There is a notice about your account.",
    Purpose.SERVICE_NOTICE: "There is a service notice for you.",
    Purpose.POLICY_NOTICE: "Our terms are changing; please read the notice.",
    Purpose.PAYMENT_REMINDER: "A payment on your account is coming due.",
    Purpose.COLLECTIONS: "Please contact us about your account.",
    Purpose.MARKETING: "An offer from your bank.",
    Purpose.INFO_UPDATE: "Please confirm or update your contact details in the app or a branch.",
}
_ZH = {
    Purpose.SECURITY_ALERT: "安全提醒：请核实您账户的近期活动。",
    Purpose.TRANSACTION_ALERT: "您的账户发生一笔交易。",
    Purpose.ACCOUNT_NOTICE: "您有一条账户通知。",
    Purpose.SERVICE_NOTICE: "您有一条服务通知。",
    Purpose.POLICY_NOTICE: "我们的条款即将变更，请阅读通知。",
    Purpose.PAYMENT_REMINDER: "您的账户有一笔款项即将到期。",
    Purpose.COLLECTIONS: "请就您的账户与我们联系。",
    Purpose.MARKETING: "来自您银行的优惠信息。",
    Purpose.INFO_UPDATE: "请通过手机银行或网点确认或更新您的联系方式。",
}
_ELECTRONIC = frozenset({Channel.SMS, Channel.EMAIL, Channel.PUSH})


def subject(purpose: Purpose, locale: str) -> str:
    return ("您的银行通知" if _chinese(locale) else "A message from your bank") + (
        f" ({purpose.value})" if not _chinese(locale) else ""
    )


def body(purpose: Purpose, channel: Channel, locale: str, reference_code: str) -> str:
    if _chinese(locale):
        text = f"{_ZH[purpose]} 参考码 {reference_code}，可在手机银行“验证消息”中核实。"
        if channel in _ELECTRONIC and purpose is Purpose.MARKETING:
            text += " 回复TD退订"
        return text
    text = f"{_EN[purpose]} Ref {reference_code}: check it in the app under Verify a message."
    if channel in _ELECTRONIC and purpose is Purpose.MARKETING:
        text += " Reply STOP to opt out."
    return text


def _chinese(locale: str) -> bool:
    return locale.lower().startswith("zh")
