# SPDX-License-Identifier: Apache-2.0
"""Errors named after the failure; each carries identifiers, never personal data."""

from __future__ import annotations


class RightpartyError(Exception):
    """Base of every error rightparty raises on purpose; `code` is stable for APIs and CLIs."""

    code = "RIGHTPARTY_ERROR"


class CustomerNotFound(RightpartyError):
    code = "CUSTOMER_NOT_FOUND"

    def __init__(self, customer_ref: str) -> None:
        super().__init__(f"no customer {customer_ref}")
        self.customer_ref = customer_ref


class ContactPointNotFound(RightpartyError):
    code = "CONTACT_POINT_NOT_FOUND"

    def __init__(self, customer_id: str, contact_point_id: str) -> None:
        super().__init__(f"customer {customer_id} has no contact point {contact_point_id}")
        self.customer_id = customer_id
        self.contact_point_id = contact_point_id


class CaseNotFound(RightpartyError):
    code = "CASE_NOT_FOUND"

    def __init__(self, case_id: str) -> None:
        super().__init__(f"no case {case_id}")
        self.case_id = case_id


class AttemptAlreadyFinal(RightpartyError):
    """An attempt's outcome is immutable once final (DESIGN.md §2)."""

    code = "ATTEMPT_ALREADY_FINAL"

    def __init__(self, attempt_id: str) -> None:
        super().__init__(f"attempt {attempt_id} already has a final outcome")
        self.attempt_id = attempt_id


class CaseClosed(RightpartyError):
    code = "CASE_CLOSED"

    def __init__(self, case_id: str, status: str) -> None:
        super().__init__(f"case {case_id} is {status}")
        self.case_id = case_id
        self.status = status


class ThirdPartyDataRefused(RightpartyError):
    """Input tried to give rightparty details of someone other than the customer."""

    code = "THIRD_PARTY_DATA_REFUSED"
    explanation = "rightparty keeps no one's details but the customer's own"

    def __init__(self, field: str) -> None:
        super().__init__(f"field {field!r} refused: {self.explanation}")
        self.field = field
