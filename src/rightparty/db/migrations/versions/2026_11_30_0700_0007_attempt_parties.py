# SPDX-License-Identifier: Apache-2.0
"""An attempt's case and contact point must be its own customer's, enforced by the database.

The attempt's keys to its case and its contact point each name that row together with the
attempt's customer, so no attempt can be stored on a case or a point of anyone else, whatever
code writes it. They replace the three single-column keys; the key to `customers` follows from
the case's own. An existing attempt that broke this would make the upgrade fail, never be
dropped.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 07:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SINGLE_KEYS = (
    ("fk_attempts_case_id_cases", "cases", "case_id"),
    ("fk_attempts_customer_id_customers", "customers", "customer_id"),
    ("fk_attempts_contact_point_id_contact_points", "contact_points", "contact_point_id"),
)


def upgrade() -> None:
    # Unique indexes, not constraints: SQLite adds an index in place, while a constraint would
    # rebuild these two tables, which others refer to.
    op.create_index("uq_cases_id_customer_id", "cases", ["id", "customer_id"], unique=True)
    op.create_index(
        "uq_contact_points_id_customer_id", "contact_points", ["id", "customer_id"], unique=True
    )
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        for name, _, _ in _SINGLE_KEYS:
            batch_op.drop_constraint(name, type_="foreignkey")
        batch_op.create_foreign_key(
            "fk_attempts_case_of_customer",
            "cases",
            ["case_id", "customer_id"],
            ["id", "customer_id"],
        )
        batch_op.create_foreign_key(
            "fk_attempts_point_of_customer",
            "contact_points",
            ["contact_point_id", "customer_id"],
            ["id", "customer_id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.drop_constraint("fk_attempts_point_of_customer", type_="foreignkey")
        batch_op.drop_constraint("fk_attempts_case_of_customer", type_="foreignkey")
        for name, table, column in _SINGLE_KEYS:
            batch_op.create_foreign_key(name, table, [column], ["id"])
    op.drop_index("uq_contact_points_id_customer_id", table_name="contact_points")
    op.drop_index("uq_cases_id_customer_id", table_name="cases")
