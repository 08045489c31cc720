# SPDX-License-Identifier: Apache-2.0
"""Typed table mappings. Rows never leave `db/`: repositories turn them into domain objects.

Columns whose name ends in `_ct` hold ciphertext (privacy envelope); `_bidx` holds a blind index.
"""

from rightparty.db.tables.audit import AuditCheckpointRow, AuditEntryRow, AuditStateRow
from rightparty.db.tables.base import Base
from rightparty.db.tables.cases import AttemptRow, CaseRow, DecisionDocumentRow, DecisionRow
from rightparty.db.tables.customers import (
    ConsentRow,
    ContactPointRow,
    CustomerRow,
    DataKeyRow,
    DataKeyTombstoneRow,
    RestrictionRow,
)

__all__ = [
    "AttemptRow",
    "AuditCheckpointRow",
    "AuditEntryRow",
    "AuditStateRow",
    "Base",
    "CaseRow",
    "ConsentRow",
    "ContactPointRow",
    "CustomerRow",
    "DataKeyRow",
    "DataKeyTombstoneRow",
    "DecisionDocumentRow",
    "DecisionRow",
    "RestrictionRow",
]
