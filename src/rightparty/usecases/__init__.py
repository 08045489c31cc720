# SPDX-License-Identifier: Apache-2.0
"""The service layer: commands, their handlers and queries; `ports.py` holds the Protocols.

Imports domain, policy, audit and privacy; never sqlalchemy, fastapi, httpx, a provider or `db`.
"""
