# SPDX-License-Identifier: Apache-2.0
"""Repositories: rows in, domain objects out; personal data crosses them only through a cipher."""
