# SPDX-License-Identifier: Apache-2.0
"""The Protocols that adapters implement and use cases depend on."""

from __future__ import annotations

from rightparty.domain.clock import Clock

__all__ = ["Clock"]
