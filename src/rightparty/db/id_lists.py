# SPDX-License-Identifier: Apache-2.0
"""`column IN (the ids of one parameter)`, written the way each backend runs it fastest.

Chunks of work look up hundreds of rows by id. SQLAlchemy's expanding `IN` renders one
placeholder per id, so on PostgreSQL every call made a new statement text of hundreds of
placeholders for psycopg to parse and the server to plan. There the ids travel as one array
instead (`column = ANY(%(ids)s)`); SQLite, which has no arrays, keeps the expanding `IN`.
Either way the caller binds a list under one name.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import Boolean, String


class InIds(ColumnElement[bool]):
    """True where `column` is one of the values bound as a list under `name`."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a comparison: SQLite must not get `= 1` after it
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy's own declaration is a list
        ("column", InternalTraversal.dp_clauseelement),
        ("name", InternalTraversal.dp_string),
    ]

    def __init__(self, column: ColumnElement[Any], name: str) -> None:
        self.column = column
        self.name = name


def in_ids(column: ColumnElement[Any] | QueryableAttribute[Any], name: str = "ids") -> InIds:
    if isinstance(column, QueryableAttribute):  # a mapped class's column
        column = column.expression
    return InIds(column, name)


@compiles(InIds)
def _expanding_in(element: InIds, compiler: SQLCompiler, **options: object) -> str:
    return compiler.process(element.column.in_(bindparam(element.name, expanding=True)), **options)


@compiles(InIds, "postgresql")
def _any_of_array(element: InIds, compiler: SQLCompiler, **options: object) -> str:
    item = element.column.type
    if isinstance(item, String):
        # Never `VARCHAR(n)[]`: a cast to a bounded VARCHAR truncates, and a longer id would
        # then find the row whose id is its first n characters.
        item = String()
    ids = bindparam(element.name, type_=ARRAY(item))
    return compiler.process(element.column == any_(ids), **options)
