# SPDX-License-Identifier: Apache-2.0
"""An inbound text from a phone number: an opt-out is stored, audited and committed before the
caller answers; HELP gets the programme's help text; anything else changes nothing.

Which opt-outs a keyword records (the stricter reading wherever the sources differ):

- STOP, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPT OUT, 退订, TD: an opt-out of each of the
  customer's SMS and voice points on that number, for every purpose; where `eu-gdpr` or
  `cn-collections` apply, an opt-out of marketing on every channel as well.
- STOPALL: an opt-out of the SMS and voice channels (every number of the customer's), every
  purpose; the marketing rule above as well.

Why:
- The number, for texts, for every debt and purpose: Reg F §1006.14(h)(1); TCPA 64.1200(a)(10).
- Calls to that number too: the TCPA revoke-all reading (a revocation in reply to one kind of
  message covers all robocalls and robotexts; waived until 2027-01-31, taken now as the
  conservative default) and "the conservative choice is to suppress voice" for an ambiguous STOP.
- Marketing everywhere: GDPR Art 21(2)-(3) (objection to direct marketing is absolute) and 消保法
  实施条例 Art 24 (a cancelled commercial message stops immediately, commercial calls included).
- STOPALL: CTIA's "stop every programme on this code", read for the bank as every text and
  automated call to any of the customer's numbers. Not letters or email: the request came by text,
  and a letter may carry a notice the law requires the bank to give.

Every pack honours every opt-out the instant it is recorded (`bank-baseline`), security alerts
included: a fraud alert's exemption from consent never survives an opt-out (TCPA: "an easy
opt-out honoured immediately").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rightparty.domain.clock import Clock
from rightparty.domain.customer import Customer
from rightparty.domain.restriction import OptOut
from rightparty.domain.vocabulary import Channel, OptOutScope, Purpose
from rightparty.policy.engine import Policy
from rightparty.usecases.contact_normalisation import AddressInvalid, normalise_phone
from rightparty.usecases.inbound_keywords import InboundIntent, KeywordMatch, parse_keyword
from rightparty.usecases.orchestration.policies import policy_for_jurisdiction
from rightparty.usecases.ports import UnitOfWork

ACTOR = "system:inbound_sms"
PHONE_CHANNELS = (Channel.SMS, Channel.VOICE)
MARKETING_EVERYWHERE_PACKS = frozenset({"eu-gdpr", "cn-collections"})

CONFIRMATIONS: dict[tuple[InboundIntent, str], str] = {
    (InboundIntent.OPT_OUT, "en"): (
        "You will get no more texts or automated calls from us at this number. Reply HELP for help."
    ),
    (InboundIntent.OPT_OUT_ALL, "en"): (
        "You will get no more texts or automated calls from us at any of your numbers."
        " Reply HELP for help."
    ),
    (InboundIntent.OPT_OUT, "zh"): "退订成功，本号码将不再收到我们的短信和自动语音电话。",  # noqa: RUF001 - Chinese text takes Chinese punctuation
    (InboundIntent.OPT_OUT_ALL, "zh"): "退订成功，您的所有号码将不再收到我们的短信和自动语音电话。",  # noqa: RUF001 - Chinese text takes Chinese punctuation
}
"""The one confirmation a revocation may get (TCPA 64.1200(a)(12); Reg F §1006.14(h)(2)): it
only confirms, names no customer and says the same whether or not the number is a customer's."""


@dataclass(frozen=True, slots=True)
class InboundText:
    """`sender` as the provider gave it; `message_id` the provider's id (no personal data)."""

    provider: str
    message_id: str
    sender: str
    body: str


@dataclass(frozen=True, slots=True)
class InboundReply:
    """`reply`: the one text to answer with, or None for silence; `customers` whose record
    changed (none for an unknown sender, or when the number had opted out already)."""

    intent: InboundIntent
    reply: str | None
    customers: tuple[str, ...] = ()


def handle_inbound_text(
    text: InboundText,
    uow: UnitOfWork,
    clock: Clock,
    *,
    help_message: str,
    policy_for: Callable[[str], Policy] = policy_for_jurisdiction,
) -> InboundReply:
    """Act on one inbound text; an opt-out is committed before this returns."""
    match = parse_keyword(text.body)
    if match.intent is InboundIntent.NONE:
        return InboundReply(match.intent, None)
    if match.intent is InboundIntent.HELP:
        return InboundReply(match.intent, help_message)
    changed = _record_opt_out(text, match, uow, clock.now(), policy_for)
    return InboundReply(match.intent, CONFIRMATIONS[(match.intent, match.language)], changed)


def _record_opt_out(
    text: InboundText,
    match: KeywordMatch,
    uow: UnitOfWork,
    now: datetime,
    policy_for: Callable[[str], Policy],
) -> tuple[str, ...]:
    number = _number(text.sender)
    changed: list[str] = []
    with uow:
        customers = _holders(uow, number) if number is not None else []
        for customer in customers:
            added = [
                opt_out
                for opt_out in opt_outs_for(customer, number or "", match.intent, now, policy_for)
                if not _already(customer, opt_out)
            ]
            if added:
                customer.restrictions.extend(added)
                uow.customers.save(customer)
                changed.append(customer.id)
            uow.audit.record(
                "customer.opted_out",
                ACTOR,
                customer.id,
                _payload(text, match, added),
                now,
            )
        if not customers:
            # Nobody to attach an opt-out to; the receipt is still evidence, kept without the
            # number, which would be a stranger's personal data.
            uow.audit.record(
                "inbound.opt_out_unmatched",
                ACTOR,
                f"provider_message:{text.message_id}",
                _payload(text, match, []),
                now,
            )
        uow.commit()
    return tuple(changed)


def opt_outs_for(
    customer: Customer,
    number: str,
    intent: InboundIntent,
    at: datetime,
    policy_for: Callable[[str], Policy] = policy_for_jurisdiction,
) -> list[OptOut]:
    """The opt-outs a keyword from `number` (E.164) records for `customer` (table above)."""
    if intent is InboundIntent.OPT_OUT_ALL:
        opt_outs = [
            OptOut(scope=OptOutScope.CHANNEL, channel=channel, at=at) for channel in PHONE_CHANNELS
        ]
    else:
        opt_outs = [
            OptOut(scope=OptOutScope.CONTACT_POINT, contact_point_id=point.id, at=at)
            for point in customer.contact_points
            if point.channel in PHONE_CHANNELS and point.address == number
        ]
    packs = {pack.name for pack in policy_for(customer.jurisdiction).packs}
    if packs & MARKETING_EVERYWHERE_PACKS:
        opt_outs.append(OptOut(scope=OptOutScope.PURPOSE, purpose=Purpose.MARKETING, at=at))
    return opt_outs


def _already(customer: Customer, opt_out: OptOut) -> bool:
    """Whether the customer holds an opt-out of the same reach already (a repeated STOP)."""
    return any(
        isinstance(held, OptOut)
        and (held.scope, held.channel, held.contact_point_id, held.purpose)
        == (opt_out.scope, opt_out.channel, opt_out.contact_point_id, opt_out.purpose)
        for held in customer.restrictions
    )


def _holders(uow: UnitOfWork, number: str) -> list[Customer]:
    """Every customer with an SMS or voice point on `number`: whoever holds the phone asked."""
    found: dict[str, Customer] = {}
    for channel in PHONE_CHANNELS:
        for customer in uow.customers.by_address(channel, number):
            found.setdefault(customer.id, customer)
    return list(found.values())


def _number(sender: str) -> str | None:
    try:
        return normalise_phone(sender, None)
    except AddressInvalid:
        return None


def _payload(text: InboundText, match: KeywordMatch, added: list[OptOut]) -> dict[str, object]:
    return {
        "channel": Channel.SMS.value,
        "provider": text.provider,
        "provider_message_id": text.message_id,
        "keyword": match.keyword,
        "exact": match.exact,
        "opt_outs": [
            {
                "scope": opt_out.scope.value,
                "contact_point_id": opt_out.contact_point_id,
                "purpose": opt_out.purpose.value if opt_out.purpose else None,
            }
            for opt_out in added
        ],
    }
