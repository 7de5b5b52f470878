"""``column IN (values)`` for long lists of values, written the way each engine reads it best.

An import asks "which of these 500 ids exist here?" hundreds of times. On SQLite ``IN (?, ?, …)``
is the fast form. On PostgreSQL the same list was rendered placeholder by placeholder by
SQLAlchemy and split and bound one by one by psycopg on every batch (about a tenth of a
10,000-case import at HQ); ``= ANY(%(values)s)`` sends the list as one array parameter.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, any_, bindparam
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.sqltypes import NullType
from sqlalchemy.sql.visitors import InternalTraversal


class OneOf(ColumnElement[Any]):
    """``column`` is one of ``values`` (see the module's docstring)."""

    type = NullType()  # not Boolean: SQLite would compare the IN with "= 1"
    inherit_cache = True
    _traverse_internals = [
        ("listed", InternalTraversal.dp_clauseelement),
        ("arrayed", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnElement[Any], values: Iterable[Any]) -> None:
        values = list(values)
        self.listed = column.in_(values)
        self.arrayed = column == any_(bindparam(None, values, type_=ARRAY(column.type)))


def one_of(column: Any, values: Iterable[Any]) -> ColumnElement[Any]:
    return OneOf(column, values)


@compiles(OneOf)
def _listed(element: OneOf, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.listed, **kw))


@compiles(OneOf, "postgresql")
def _arrayed(element: OneOf, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.arrayed, **kw))
