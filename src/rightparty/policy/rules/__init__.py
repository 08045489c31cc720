# SPDX-License-Identifier: Apache-2.0
"""One module per rule family; every rule is a frozen dataclass that checks one request."""
