# SPDX-License-Identifier: Apache-2.0
"""Customers and what belongs to them: contact points, consents, restrictions, their data key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from rightparty.db.tables.base import Base

ID = String(36)


class CustomerRow(Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    external_ref: Mapped[str] = mapped_column(String(64), unique=True)
    name_ct: Mapped[bytes]
    locale: Mapped[str] = mapped_column(String(16))
    jurisdiction: Mapped[str] = mapped_column(String(8))
    locations: Mapped[list[dict[str, str]]] = mapped_column(comment="[{timezone, source}]")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ContactPointRow(Base):
    __tablename__ = "contact_points"
    __table_args__ = (
        Index("ix_contact_points_address_bidx", "channel", "address_bidx"),
        # What an attempt's foreign key names: a point together with the customer it is of.
        Index("uq_contact_points_id_customer_id", "id", "customer_id", unique=True),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    position: Mapped[int]
    channel: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    address_ct: Mapped[bytes]
    address_bidx: Mapped[int] = mapped_column(BigInteger)
    time_zones: Mapped[list[str]]
    verified_at: Mapped[datetime | None]
    last_confirmed_at: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    last_outcome: Mapped[str | None] = mapped_column(String(32))
    last_outcome_at: Mapped[datetime | None]
    superseded_at: Mapped[datetime | None]


class ConsentRow(Base):
    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(8))
    action: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(32))
    evidence: Mapped[str | None] = mapped_column(String(128))
    at: Mapped[datetime]


class RestrictionRow(Base):
    __tablename__ = "restrictions"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    type: Mapped[str] = mapped_column(String(32))
    details: Mapped[dict[str, Any]]


class DataKeyRow(Base):
    """One version of a customer's data key, wrapped by a key-encryption key.

    Deleting a customer's rows (leaving a tombstone) shreds every copy of their data.
    """

    __tablename__ = "data_keys"

    customer_id: Mapped[str] = mapped_column(ID, primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    kek_id: Mapped[str] = mapped_column(String(64))
    kek_version: Mapped[int]
    wrapped_key: Mapped[bytes]
    encryptions: Mapped[int] = mapped_column(BigInteger, default=0)


class DataKeyTombstoneRow(Base):
    """A shredded customer: no data key is ever created for them again."""

    __tablename__ = "data_key_tombstones"

    customer_id: Mapped[str] = mapped_column(ID, primary_key=True)
