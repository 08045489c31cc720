# SPDX-License-Identifier: Apache-2.0
"""Outbound message text: Jinja2 templates per purpose, channel and locale (`messages/`), rendered
with Babel's formatting, then checked against the content rules of the customer's packs
(`content_rules.yaml`) before anything is sent. See docs/templates.md."""
