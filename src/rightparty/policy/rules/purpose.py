# SPDX-License-Identifier: Apache-2.0
"""Rules tied to a purpose: channels a purpose may not use, and the conditions of an exemption.

The budget half of an exemption (for example the fraud-alert exemption's 3 messages per event in
3 days) is an ordinary frequency budget scoped by event; this module holds the content condition.
"""

from __future__ import annotations

from dataclasses import dataclass

from rightparty.policy.rules.base import Block, Context, Rule
from rightparty.policy.rules.third_party import CHANNEL_NOT_ALLOWED

COLLECTION_CONTENT_FORBIDDEN = "COLLECTION_CONTENT_FORBIDDEN"
"""Added by `us-tcpa`: a request under the fraud-alert exemption that concerns a debt."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelForbiddenRule(Rule):
    """Blocks every request it covers: its `channels` are closed to its `purposes`."""

    code: str = CHANNEL_NOT_ALLOWED

    def check(self, context: Context) -> Block | None:
        request = context.request
        return Block(
            self.code,
            f"{request.purpose.value} may not use {request.channel.value}",
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class NoDebtContentRule(Rule):
    """Blocks a request of a covered purpose that concerns a debt: the purpose's exemption holds
    only for messages with no collection content."""

    code: str = COLLECTION_CONTENT_FORBIDDEN

    def check(self, context: Context) -> Block | None:
        request = context.request
        if request.debt_id is None:
            return None
        return Block(
            self.code,
            f"a {request.purpose.value} message may not carry collection content",
        )
