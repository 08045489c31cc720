# SPDX-License-Identifier: Apache-2.0
"""The periodic job that asks customers to confirm details that went stale or stopped working."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from rightparty.domain.vocabulary import Purpose
from rightparty.usecases.customers import IdFactory, random_id
from rightparty.usecases.orchestration.cases import OpenCase, open_case_in
from rightparty.usecases.plans.catalogue import PlanCatalogue
from rightparty.usecases.ports import UnitOfWork

DEFAULT_STALE_AFTER = timedelta(days=365)
ACTOR = "system:update-reminders"


def open_update_reminders(
    uow: UnitOfWork,
    now: datetime,
    *,
    stale_after: timedelta = DEFAULT_STALE_AFTER,
    plans: PlanCatalogue | None = None,
    new_id: IdFactory = random_id,
    limit: int = 10_000,
    among: Collection[str] | None = None,
) -> list[str]:
    """Open one `info_update` case per customer whose addressable points were not confirmed
    since `now - stale_after`, or whose health degraded; never a second one while one is open."""
    opened: list[str] = []
    for customer_id in uow.customers.needing_confirmation(now - stale_after, limit, among):
        command = OpenCase(customer_id, Purpose.INFO_UPDATE, ACTOR)
        opened.append(open_case_in(command, uow, now, plans=plans, new_id=new_id))
    return opened
