"""Record lines built by SQLite itself while it reads the rows, for a mission's export.

Most of a 100k-case export went on Python work per row: stepping SQLAlchemy's result rows,
building a dict per record, reshaping timestamps and encoding JSON (some 10 of 17 s). SQLite's
``json_object`` builds the same line in C as it reads the row. The lines are the very bytes
``Codec.to_record`` and orjson give (keys sorted at every level, compact, UTF-8):
``tests/unit/test_sqljson.py`` holds the two equal for every entity, tricky values included.

What SQL cannot say exactly as Python does takes a Python function registered on the connection
for the export: a timestamp of an unexpected shape, a JSON column's text (its keys are sorted
and its numbers written as Python writes them) and a money column (SQLAlchemy's own result
processing, then the record's decimal string). Another engine (HQ on PostgreSQL) or a column type
this module does not know gets ``None`` from ``record_lines``: the caller takes the Python path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    Integer,
    Numeric,
    String,
    and_,
    case,
    exists,
    func,
    literal,
    literal_column,
    null,
    select,
    type_coerce,
)
from sqlalchemy.sql.util import ClauseAdapter

from app.db.models import Case, UtcDateTime
from app.exchange.records import CASE_LISTS, Entity, json_value, out_converter, timestamp_text

BATCH = 2000  # lines fetched at a time
# The case's code lists, each read in order from its link table (both indexed by case).
_LIST_TABLES = {"categories": "case_category", "ilo_indicators": "case_ilo_indicator"}
# JSON texts up to this length are remembered, as many as this: one per event kind, ...
_SHORT_JSON, _SEEN_MAX = 256, 4096


def record_lines(connection: Connection, entity: Entity, where: Any) -> Iterator[str] | None:
    """The records of ``entity`` matching ``where`` as JSON lines (no line ends), in id order,
    or ``None`` when the connection or the entity needs the Python path."""
    if connection.dialect.name != "sqlite":
        return None
    table: Any = entity.model.__table__  # type: ignore[attr-defined]
    functions = _Functions(connection)
    values: dict[str, Any] = {}
    for name in (c.name for c in entity.columns):
        value = _value(table.c[name], functions)
        if value is None:
            return None
        values[name] = value
    if entity.digest_column and entity.blob_column:
        values["deleted_at"] = _deleted_unless_content(table, entity, where, values)
    if entity.model is Case:
        for key in CASE_LISTS:
            values[key] = _codes(_LIST_TABLES[key])
    arguments: list[Any] = []
    for name in sorted(values):  # the record's keys in the order orjson sorts them
        arguments += [literal(name), values[name]]
    query = select(func.json_object(*arguments)).where(where).order_by(table.c.id)
    functions.register()
    return _lines(connection, query)


def _lines(connection: Connection, query: Any) -> Iterator[str]:
    for batch in connection.execute(query).scalars().partitions(BATCH):
        yield from batch


def _value(column: Any, functions: _Functions) -> Any:
    """The SQL giving the column's record value, or ``None`` for a type not handled here."""
    kind = column.type
    if isinstance(kind, UtcDateTime):
        return _timestamp(column, functions)
    if isinstance(kind, JSON):
        text = type_coerce(column, String())
        return case(
            (text.is_(None), null()),
            (text == "{}", func.json("{}")),  # most JSON cells: no Python call for them
            else_=func.json(functions.add("qorgau_json", _sorted_json)(text)),
        )
    if isinstance(kind, Boolean):
        stored = type_coerce(column, Integer())
        return case(
            (stored.is_(None), null()),
            (stored != 0, func.json("true")),
            else_=func.json("false"),
        )
    if isinstance(kind, Numeric):
        name = f"qorgau_{column.table.name}_{column.name}"
        return functions.add(name, _numeric_text(column, functions.dialect))(column)
    if isinstance(kind, Date | Integer | String):  # stored as the record has them
        return column
    return None


def _timestamp(column: Any, functions: _Functions) -> Any:
    """``timestamp_text`` in SQL for the stored shape ``YYYY-MM-DD HH:MM:SS.ffffff``; any
    other shape goes to ``timestamp_text`` itself."""
    text = type_coerce(column, String())
    whole = func.substr(text, 21) == "000000"  # isoformat leaves out zero microseconds
    return case(
        (text.is_(None), null()),
        (
            and_(
                func.length(text) == 26,
                func.substr(text, 11, 1) == " ",
                func.substr(text, 20, 1) == ".",
            ),
            func.substr(text, 1, 10)
            + "T"
            + case((whole, func.substr(text, 12, 8)), else_=func.substr(text, 12))
            + "+00:00",
        ),
        else_=functions.add("qorgau_timestamp", timestamp_text)(text),
    )


def _deleted_unless_content(table: Any, entity: Entity, where: Any, values: dict[str, Any]) -> Any:
    """A record whose file is gone travels as deleted (``_collect``'s rule): no row of this
    export holds content with its digest."""
    digest, blob = entity.digest_column, entity.blob_column
    holder = table.alias("holder")
    held = exists().where(
        holder.c[digest] == table.c[digest],
        holder.c[blob].is_not(None),
        ClauseAdapter(holder).traverse(where),
    )
    return case(
        (
            and_(
                table.c[digest].is_not(None),
                table.c[digest] != "",
                table.c.deleted_at.is_(None),
                ~held,
            ),
            values["updated_at"],
        ),
        else_=values["deleted_at"],
    )


def _codes(link: str) -> Any:
    # Aggregate ORDER BY is SQLite's own syntax (3.44), which SQLAlchemy does not build.
    return func.json(
        literal_column(
            f"(SELECT json_group_array(code ORDER BY code) FROM {link}"
            f' WHERE {link}.case_id = "case".id)'
        )
    )


_SEEN: dict[str, str] = {}


def _sorted_json(text: str | None) -> str | None:
    """A JSON column's text as the record writes it: keys sorted, Python's numbers."""
    if text is None:
        return None
    line = _SEEN.get(text)
    if line is None:
        line = orjson.dumps(json_value(text), option=orjson.OPT_SORT_KEYS).decode()
        if len(text) <= _SHORT_JSON and len(_SEEN) < _SEEN_MAX:
            _SEEN[text] = line
    return line


def _numeric_text(column: Any, dialect: Any) -> Callable[[Any], str | None]:
    """The money column's record text: SQLAlchemy's result processing for the column, then the
    record's two-decimal string, as the Python path does."""
    process = column.type.dialect_impl(dialect).result_processor(dialect, None) or (lambda v: v)
    convert = out_converter(column)
    assert convert is not None

    def text(value: Any) -> str | None:
        value = process(value)
        return None if value is None else str(convert(value))

    return text


class _Functions:
    """Python functions the query calls, registered on the connection before it runs."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect
        self._functions: dict[str, Callable[[Any], Any]] = {}

    def add(self, name: str, function: Callable[[Any], Any]) -> Any:
        self._functions[name] = function
        return getattr(func, name)

    def register(self) -> None:
        raw: Any = self.connection.connection.dbapi_connection
        for name, function in self._functions.items():
            raw.create_function(name, 1, function, deterministic=True)
