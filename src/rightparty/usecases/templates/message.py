# SPDX-License-Identifier: Apache-2.0
"""A rendered message before it is addressed: the text a channel shows, in the language it is in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    """`subject` is the email subject, the letter's heading or the push title; SMS and voice have
    none. `locale` is the supported locale the text is written in (`en` or `zh-CN`)."""

    body: str
    locale: str
    subject: str | None = None

    @property
    def visible_text(self) -> str:
        """Everything a reader or listener gets, subject first: the content check reads this."""
        return self.body if self.subject is None else f"{self.subject}\n{self.body}"
