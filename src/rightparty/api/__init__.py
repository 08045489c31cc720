# SPDX-License-Identifier: Apache-2.0
"""The HTTP API: `create_app(application, settings)` builds it; nothing happens at import."""

from rightparty.api.app import create_app

__all__ = ["create_app"]
