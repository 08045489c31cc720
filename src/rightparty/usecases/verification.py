# SPDX-License-Identifier: Apache-2.0
""" "Did this message really come from my bank?": checking a reference code.

The answer says only what the genuine message was (when, on which channel, for what purpose),
never to whom; the portal issue puts it behind the customer's login and a rate limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rightparty.domain.clock import Clock
from rightparty.domain.vocabulary import Channel, Purpose
from rightparty.usecases.orchestration.reference_codes import (
    ALPHABET,
    LENGTH,
    normalise_reference_code,
)
from rightparty.usecases.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class CodeCheck:
    genuine: bool
    channel: Channel | None = None
    purpose: Purpose | None = None
    sent_at: datetime | None = None
    customer_id: str | None = None


def check_reference_code(
    typed: str, uow: UnitOfWork, clock: Clock, *, actor: str, customer_id: str | None = None
) -> CodeCheck:
    """Look the code up; with `customer_id` (a signed-in customer) a code sent to someone else
    is answered exactly like an unknown one. Every check is audited, found or not."""
    code = normalise_reference_code(typed)
    with uow:
        found = None
        if len(code) == LENGTH and set(code) <= set(ALPHABET):
            matches = uow.attempts.by_reference_code(code)
            found = next(
                (a for a in matches if customer_id is None or a.customer_id == customer_id), None
            )
        result = (
            CodeCheck(False)
            if found is None
            else CodeCheck(
                True,
                found.channel,
                found.purpose,
                found.sent_at or found.created_at,
                found.customer_id,
            )
        )
        uow.audit.record(
            "reference_code.checked",
            actor,
            found.id if found else "none",
            {"genuine": result.genuine, "for_customer": customer_id},
            clock.now(),
        )
        uow.commit()
    return result
