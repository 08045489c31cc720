# SPDX-License-Identifier: Apache-2.0
"""Reachability and compliance analytics: queries in, tables and charts out.

An adapter beside `db`: it reads the tables directly, never personal data.
"""
