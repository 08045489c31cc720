# SPDX-License-Identifier: Apache-2.0
"""The words of DESIGN.md §2 and §6 as enums, shared by policy, storage and orchestration.

Values are the stable strings of the JSON and CLI contracts; never rename one.
"""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    SMS = "sms"
    VOICE = "voice"
    EMAIL = "email"
    PUSH = "push"
    LETTER = "letter"


class Purpose(StrEnum):
    SECURITY_ALERT = "security_alert"
    TRANSACTION_ALERT = "transaction_alert"
    ACCOUNT_NOTICE = "account_notice"
    SERVICE_NOTICE = "service_notice"
    POLICY_NOTICE = "policy_notice"
    PAYMENT_REMINDER = "payment_reminder"
    COLLECTIONS = "collections"
    MARKETING = "marketing"
    INFO_UPDATE = "info_update"


class ContactPointStatus(StrEnum):
    """`invalid`: undeliverable or not in service; `wrong_party`: belongs to someone else."""

    VALID = "valid"
    UNVERIFIED = "unverified"
    INVALID = "invalid"
    WRONG_PARTY = "wrong_party"

    @property
    def addressable(self) -> bool:
        return self in (ContactPointStatus.VALID, ContactPointStatus.UNVERIFIED)


class ContactPointKind(StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"
    WORK = "work"
    PERSONAL = "personal"
    PUSH_TOKEN = "push_token"  # noqa: S105 - a kind of contact point, not a secret
    POSTAL = "postal"


class ContactSource(StrEnum):
    """The lawful sources a contact point may come from; nothing else is accepted."""

    CUSTOMER_PROVIDED = "customer_provided"
    BRANCH = "branch"
    APP = "app"
    CONTRACT = "contract"
    CREDIT_BUREAU_AUTHORISED = "credit_bureau_authorised"
    PUBLIC_RECORD = "public_record"


class Direction(StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"


class OutcomeCategory(StrEnum):
    """What an outcome means for reachability (DESIGN.md §6)."""

    REACHED = "reached"
    INFO_INACCURATE = "info_inaccurate"
    DEVICE_OR_NETWORK = "device_or_network"
    REFUSED = "refused"


class Outcome(StrEnum):
    DELIVERED = "delivered"
    READ = "read"
    ANSWERED_RIGHT_PARTY = "answered_right_party"
    CONVERSATION = "conversation"
    ANSWERED_THIRD_PARTY = "answered_third_party"
    WRONG_NUMBER = "wrong_number"
    INVALID_NUMBER = "invalid_number"
    NOT_IN_SERVICE = "not_in_service"
    BOUNCED_HARD = "bounced_hard"
    UNKNOWN_RECIPIENT = "unknown_recipient"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    VOICEMAIL = "voicemail"
    POWERED_OFF = "powered_off"
    BOUNCED_SOFT = "bounced_soft"
    UNDELIVERED = "undelivered"
    TIMEOUT = "timeout"
    PROVIDER_ERROR = "provider_error"
    DECLINED = "declined"
    HUNG_UP = "hung_up"
    BLOCKED = "blocked"
    OPTED_OUT = "opted_out"
    REFUSED = "refused"

    @property
    def category(self) -> OutcomeCategory:
        return OUTCOME_CATEGORIES[self]

    @property
    def reached(self) -> bool:
        return self.category is OutcomeCategory.REACHED


OUTCOME_CATEGORIES: dict[Outcome, OutcomeCategory] = {
    **dict.fromkeys(
        (Outcome.DELIVERED, Outcome.READ, Outcome.ANSWERED_RIGHT_PARTY, Outcome.CONVERSATION),
        OutcomeCategory.REACHED,
    ),
    **dict.fromkeys(
        (
            Outcome.ANSWERED_THIRD_PARTY,
            Outcome.WRONG_NUMBER,
            Outcome.INVALID_NUMBER,
            Outcome.NOT_IN_SERVICE,
            Outcome.BOUNCED_HARD,
            Outcome.UNKNOWN_RECIPIENT,
        ),
        OutcomeCategory.INFO_INACCURATE,
    ),
    **dict.fromkeys(
        (
            Outcome.NO_ANSWER,
            Outcome.BUSY,
            Outcome.VOICEMAIL,
            Outcome.POWERED_OFF,
            Outcome.BOUNCED_SOFT,
            Outcome.UNDELIVERED,
            Outcome.TIMEOUT,
            Outcome.PROVIDER_ERROR,
        ),
        OutcomeCategory.DEVICE_OR_NETWORK,
    ),
    **dict.fromkeys(
        (Outcome.DECLINED, Outcome.HUNG_UP, Outcome.BLOCKED, Outcome.OPTED_OUT, Outcome.REFUSED),
        OutcomeCategory.REFUSED,
    ),
}


class RestrictionType(StrEnum):
    CEASE_COMMUNICATION = "cease_communication"
    ATTORNEY_REPRESENTED = "attorney_represented"
    OPT_OUT = "opt_out"
    INCONVENIENT_TIME = "inconvenient_time"
    INCONVENIENT_PLACE = "inconvenient_place"
    LEGAL_HOLD = "legal_hold"


class OptOutScope(StrEnum):
    CHANNEL = "channel"
    CONTACT_POINT = "contact_point"
    PURPOSE = "purpose"
    ALL = "all"


class LegalHoldReason(StrEnum):
    BANKRUPTCY = "bankruptcy"
    DECEASED = "deceased"
    DISPUTE = "dispute"
    LITIGATION = "litigation"
