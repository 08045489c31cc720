# SPDX-License-Identifier: Apache-2.0
"""rightparty: reach a bank's own customers lawfully, never a third party.

Importing the package does no I/O and reads no environment; `bootstrap.bootstrap(settings)` builds
the running system.
"""

__version__ = "0.1.0"
