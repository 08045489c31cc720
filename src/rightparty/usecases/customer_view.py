# SPDX-License-Identifier: Apache-2.0
"""What a person reads about a customer by default: structure in clear, personal data masked."""

from __future__ import annotations

from rightparty.domain.contact_point import ContactPoint
from rightparty.domain.customer import Customer
from rightparty.domain.vocabulary import Channel
from rightparty.privacy.masking import mask_address, mask_email, mask_name, mask_phone


def mask_contact_address(point: ContactPoint) -> str:
    if point.channel in (Channel.SMS, Channel.VOICE):
        return mask_phone(point.address)
    if point.channel is Channel.EMAIL:
        return mask_email(point.address)
    if point.channel is Channel.LETTER:
        return mask_address(point.address)
    return "****"


def masked_customer(customer: Customer) -> dict[str, object]:
    return {
        "id": customer.id,
        "external_ref": customer.external_ref,
        "name": mask_name(customer.name),
        "locale": customer.locale,
        "jurisdiction": customer.jurisdiction,
        "time_zones": list(customer.candidate_time_zones()),
        "contact_points": [
            {
                "id": point.id,
                "channel": point.channel.value,
                "kind": point.kind.value,
                "address": mask_contact_address(point),
                "status": point.status.value,
                "source": point.source.value,
                "last_confirmed_at": (
                    point.last_confirmed_at.isoformat() if point.last_confirmed_at else None
                ),
            }
            for point in customer.contact_points
        ],
        "consents": len(customer.consents),
        "restrictions": [restriction.type.value for restriction in customer.restrictions],
    }
