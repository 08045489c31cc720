# SPDX-License-Identifier: Apache-2.0
"""The compliance engine: facts in, decision out (DESIGN.md §8.2-8.3).

Imports `rightparty.domain` and the standard library only; facts such as a phone number's time zones
are built before the engine is called.
"""
