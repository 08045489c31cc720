# SPDX-License-Identifier: Apache-2.0
"""Alembic migrations, named `YYYY_MM_DD_HHMM_<rev>_<slug>.py`, each tested up and down."""
