# SPDX-License-Identifier: Apache-2.0
"""What a step proposes and sends: which of the customer's own points it may try, and the
message an attempt carries there."""

from __future__ import annotations

from rightparty.domain.attempt import Attempt
from rightparty.domain.case import Case
from rightparty.domain.contact_point import ContactPoint
from rightparty.domain.customer import Customer
from rightparty.domain.messages import OutboundMessage
from rightparty.domain.vocabulary import Channel
from rightparty.usecases.orchestration.policies import policy_for_jurisdiction
from rightparty.usecases.templates.renderer import render_message


def candidate_points(case: Case, customer: Customer, channel: Channel) -> list[ContactPoint]:
    """The points a step on `channel` may propose to the policy engine, in the customer's order.

    A regular case: the customer's points in regular use. A targeted case: only its targets,
    and only those that are the customer's own, even a superseded one (the notice of a contact
    change goes to the replaced address); never a point known to be dead or someone else's.
    """
    if case.contact_point_ids is None:
        return customer.addressable_points(channel)
    targets = frozenset(case.contact_point_ids)
    return [
        point
        for point in customer.contact_points
        if point.id in targets and point.channel is channel and point.status.addressable
    ]


def message_for(attempt: Attempt, customer: Customer) -> OutboundMessage:
    """The attempt's message, rendered and checked against the content rules of the customer's
    packs; `ContentRefused` if the text breaks one (the shipped templates never do)."""
    point = customer.contact_point(attempt.contact_point_id)
    zones = customer.candidate_time_zones()
    packs = policy_for_jurisdiction(customer.jurisdiction).packs
    rendered = render_message(
        attempt.purpose,
        attempt.channel,
        customer.locale,
        attempt.reference_code,
        packs=[pack.name for pack in packs],
        sent_at=attempt.created_at,
        time_zone=zones[0] if zones else None,
        customer_name=customer.name,
    )
    return OutboundMessage(
        idempotency_key=attempt.idempotency_key,
        attempt_id=attempt.id,
        customer_id=customer.id,
        channel=attempt.channel,
        purpose=attempt.purpose,
        address=point.address,
        locale=rendered.locale,
        body=rendered.body,
        reference_code=attempt.reference_code,
        subject=rendered.subject,
    )
