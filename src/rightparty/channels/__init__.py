# SPDX-License-Identifier: Apache-2.0
"""Channel providers: the base class, the registry and one module per provider under `providers/`.

Implements the channel port of `rightparty.usecases.ports`; providers never import each other.
"""
