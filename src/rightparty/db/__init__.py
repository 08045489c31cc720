# SPDX-License-Identifier: Apache-2.0
"""Storage: SQLAlchemy 2 typed tables, repositories, the unit of work and Alembic migrations.

Implements the ports of `rightparty.usecases.ports`; backend-specific SQL lives only here.
"""
