# SPDX-License-Identifier: Apache-2.0
"""Scenario documents (DESIGN.md §8.2) for policy tests, and a way to decide them.

Tests speak the same JSON contract outside callers use, so a table row reads like the scenario a
bank would write.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from rightparty.usecases.policy_check import check_scenario

NY_MOBILE = "+12125550100"  # America/New_York
LA_MOBILE = "+14155550123"  # America/Los_Angeles
DENVER_PHONE = "+13035550100"  # America/Denver
PHOENIX_MOBILE = "+16025550100"  # America/Phoenix (no DST)
SHANGHAI_MOBILE = "+8613812345678"  # Asia/Shanghai
SHANGHAI_MOBILE_2 = "+8613912345678"
LONDON_PHONE = "+442071838750"  # Europe/London

US_PACKS = ("us-reg-f", "us-tcpa", "bank-baseline")
CN_PACKS = ("cn-collections", "bank-baseline")
EU_PACKS = ("eu-gdpr", "bank-baseline")


def utc(text: str) -> datetime:
    """An ISO instant; a naive one is read as UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def point(
    point_id: str = "m1",
    address: str = NY_MOBILE,
    *,
    channel: str = "voice",
    kind: str | None = "mobile",
    status: str = "valid",
    **extra: Any,
) -> dict[str, Any]:
    found = {"id": point_id, "channel": channel, "address": address, "status": status, **extra}
    if kind is not None:
        found["kind"] = kind
    return found


def email(point_id: str = "e1", *, kind: str = "personal", status: str = "valid") -> dict[str, Any]:
    return point(point_id, f"{point_id}@example.com", channel="email", kind=kind, status=status)


def request(
    channel: str = "voice",
    contact_point_id: str = "m1",
    purpose: str = "collections",
    *,
    debt_id: str | None = "d1",
    target: str = "customer",
    **extra: Any,
) -> dict[str, Any]:
    found = {
        "channel": channel,
        "contact_point_id": contact_point_id,
        "purpose": purpose,
        "target": target,
        **extra,
    }
    if debt_id is not None:
        found["debt_id"] = debt_id
    return found


def call(
    at: datetime,
    outcome: str = "no_answer",
    *,
    debt: str | list[str] | None = "d1",
    point_id: str | None = "m1",
    direction: str = "outbound",
    purpose: str | None = "collections",
    channel: str = "voice",
    **extra: Any,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "at": iso(at),
        "channel": channel,
        "direction": direction,
        "outcome": outcome,
        **extra,
    }
    if point_id is not None:
        entry["contact_point_id"] = point_id
    if isinstance(debt, list):
        entry["debt_ids"] = debt
    elif debt is not None:
        entry["debt_id"] = debt
    if purpose is not None:
        entry["purpose"] = purpose
    return entry


def scenario(
    now: datetime,
    *,
    request_: dict[str, Any] | None = None,
    points: list[dict[str, Any]] | None = None,
    zones: tuple[str, ...] = (),
    consents: list[dict[str, Any]] | None = None,
    restrictions: list[dict[str, Any]] | None = None,
    history: list[dict[str, Any]] | None = None,
    jurisdiction: str | None = None,
) -> dict[str, Any]:
    customer: dict[str, Any] = {
        "id": "c1",
        "locations": [{"timezone": zone, "source": "address"} for zone in zones],
        "contact_points": [point()] if points is None else points,
        "consents": consents or [],
        "restrictions": restrictions or [],
    }
    if jurisdiction is not None:
        customer["jurisdiction"] = jurisdiction
    return {
        "now": iso(now),
        "customer": customer,
        "request": request_ or request(),
        "history": history or [],
    }


def decide(packs: str | tuple[str, ...], document: dict[str, Any]) -> dict[str, Any]:
    """The decision JSON for `document` under `packs`."""
    names = (packs,) if isinstance(packs, str) else packs
    return check_scenario(document, names).to_json()


def codes(decision: dict[str, Any]) -> set[str]:
    return {reason["code"] for reason in decision["reasons"]}


def reasons_of(decision: dict[str, Any], code: str) -> list[str]:
    return [reason["rule"] for reason in decision["reasons"] if reason["code"] == code]


def next_allowed(decision: dict[str, Any]) -> datetime | None:
    text = decision["next_allowed_at"]
    return None if text is None else utc(text.replace("Z", "+00:00"))


def days_before(moment: datetime, days: float) -> datetime:
    return moment - timedelta(days=days)
