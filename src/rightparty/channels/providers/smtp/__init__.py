# SPDX-License-Identifier: Apache-2.0
"""The SMTP provider, its settings and the direct writer of plain ASCII messages."""

from rightparty.channels.providers.smtp.composing import compose_plain
from rightparty.channels.providers.smtp.provider import SmtpProvider, SmtpSecurity, SmtpSettings

__all__ = ["SmtpProvider", "SmtpSecurity", "SmtpSettings", "compose_plain"]
