# SPDX-License-Identifier: Apache-2.0
"""The `rightparty` command: a Typer app, one module per command group.

Reaches adapters only through `rightparty.bootstrap`.
"""
