# SPDX-License-Identifier: Apache-2.0
"""The webhook payloads, as Twilio names their fields; unknown fields are Twilio's to add."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError


class StatusCallback(BaseModel):
    """A Messages or a Calls status callback: exactly one of the two kinds."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    message_sid: str | None = Field(default=None, alias="MessageSid")
    sms_sid: str | None = Field(default=None, alias="SmsSid")
    message_status: str | None = Field(default=None, alias="MessageStatus", max_length=32)
    sms_status: str | None = Field(default=None, alias="SmsStatus", max_length=32)
    call_sid: str | None = Field(default=None, alias="CallSid")
    call_status: str | None = Field(default=None, alias="CallStatus", max_length=32)

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        for sid in (self.message_sid, self.sms_sid, self.call_sid):
            if sid is not None and not _is_sid(sid):
                raise PydanticCustomError("sid_invalid", "a sid is letters and digits")
        if self.call_sid and self.call_status:
            return self
        if (self.message_sid or self.sms_sid) and (self.message_status or self.sms_status):
            return self
        raise PydanticCustomError(
            "callback_kind", "need CallSid and CallStatus, or MessageSid and MessageStatus"
        )

    @property
    def is_call(self) -> bool:
        return bool(self.call_sid and self.call_status)

    @property
    def sid(self) -> str:
        return (self.call_sid if self.is_call else self.message_sid or self.sms_sid) or ""


class InboundMessage(BaseModel):
    """An inbound SMS; `Body` may be empty (a picture message)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    message_sid: str = Field(alias="MessageSid", min_length=2, max_length=64)
    sender: str = Field(alias="From", min_length=1, max_length=64)
    body: str = Field(default="", alias="Body", max_length=1600)

    @model_validator(mode="after")
    def _sid(self) -> Self:
        if not _is_sid(self.message_sid):
            raise PydanticCustomError("sid_invalid", "a sid is letters and digits")
        return self


def _is_sid(value: str) -> bool:
    return 2 <= len(value) <= 64 and value.isascii() and value.isalnum()
