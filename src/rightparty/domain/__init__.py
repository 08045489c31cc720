# SPDX-License-Identifier: Apache-2.0
"""The pure model: dataclasses, enums, value objects and errors (DESIGN.md §2).

Imports the standard library only (an import-linter contract enforces it).
"""
