"""Record lines built by SQLite itself while it reads the rows, for a mission's export.

Most of a 100k-case export went on Python work per row: stepping SQLAlchemy's result rows,
building a dict per record, reshaping timestamps and encoding JSON (some 10 of 17 s). SQLite's
``json_object`` builds the same line in C as it reads the row, and ``group_concat`` joins a
thousand of them, so Python sees one string per thousand records. The lines are the very bytes
``Codec.to_record`` and orjson give (keys sorted at every level, compact, UTF-8):
``tests/unit/test_sqljson.py`` holds the two equal for every entity, tricky values included.

What SQL cannot say exactly as Python does takes a Python function registered on the connection
for the export: a timestamp of an unexpected shape, a JSON column's text (its keys are sorted
and its numbers written as Python writes them) and a money column (SQLAlchemy's own result
processing, then the record's decimal string). Another engine (HQ on PostgreSQL) or a column type
this module does not know gets ``None`` from ``record_chunks``: the caller takes the Python path.
The records are read in the table's rowid order, not by id: reading a large table through its
id index visits its pages at random (3.5x slower for 400k case events). The order of records in
a bundle's member carries no meaning (an importer plans by id).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

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
    bindparam,
    case,
    exists,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.sql.util import ClauseAdapter

from app.db.models import Case, FreeText, UtcDateTime
from app.exchange.records import CASE_LISTS, Entity, json_value, out_converter, timestamp_text

CHUNK = 1000  # records read and joined by one statement (about 0.2-1 MB of text)


class Chunk(NamedTuple):
    """Record lines, each ended by a line feed, and how many they are."""

    lines: int
    text: bytes


# The case's code lists, each read in order from its link table (both indexed by case).
_LIST_TABLES = {"categories": "case_category", "ilo_indicators": "case_ilo_indicator"}
# JSON texts up to this length are remembered, as many as this: one per event kind, ...
_SHORT_JSON, _SEEN_MAX = 256, 4096


def record_chunks(connection: Connection, entity: Entity, where: Any) -> Iterator[Chunk] | None:
    """The records of ``entity`` matching ``where`` as JSON lines, each ended by a line feed,
    read in the table's own order (rowid), ``CHUNK`` records at a time; or ``None`` when
    the connection or the entity needs the Python path."""
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
    quoted_table = connection.dialect.identifier_preparer.format_table(table)
    rowid: Any = literal_column(f"{quoted_table}.rowid")
    lines = (
        select(rowid.label("rid"), func.json_object(*arguments).label("line"))
        .where(where, rowid > bindparam("after"))
        .order_by(rowid)
        .limit(CHUNK)
        .subquery()
    )
    # SQLite joins the chunk's lines itself: no Python step per record. Their order inside
    # a chunk is whatever SQLite reads (rowid order today); nothing depends on it, and sorting
    # a megabyte of lines for it cost a third of the read.
    joined = func.group_concat(lines.c.line, "\n")
    query = select(func.count(), func.max(lines.c.rid), joined)
    functions.register()
    return _chunks(connection, query)


def _chunks(connection: Connection, query: Any) -> Iterator[Chunk]:
    after = -(2**63)  # below every rowid
    while True:
        count, last, text = connection.execute(query, {"after": after}).one()
        if not count:
            return
        yield Chunk(count, text.encode() + b"\n")
        after = last


def _value(column: Any, functions: _Functions) -> Any:
    """The SQL giving the column's record value, or ``None`` for a type not handled here."""
    kind = column.type
    if isinstance(kind, UtcDateTime):
        return _timestamp(column, functions)
    if isinstance(kind, JSON):
        text = type_coerce(column, String())
        return case(
            (text.is_(None), null()),
            (_written_alike(text), func.json(text)),  # most cells: no Python call for them
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
        money = functions.add(name, _numeric_text(column, functions.dialect))
        return case((column.is_(None), null()), else_=money(column))
    if isinstance(kind, Date | Integer | String | FreeText):  # stored as the record has them
        return column
    return None


# The stored shape, ``YYYY-MM-DD HH:MM:SS.ffffff``, digits where digits go: in it the only space
# is the date's end and ``.000000`` can only be zero microseconds.
_STORED_TIMESTAMP = (
    "-".join(["[0-9]" * 4, "[0-9]" * 2, "[0-9]" * 2])
    + " "
    + ":".join(["[0-9]" * 2] * 3)
    + "."
    + "[0-9]" * 6
)


# A character that may make SQLite's json() write an array otherwise than Python: an object
# (keys to sort), an escape, a number (``1.50``, ``1e5``), JSON5 that SQLite reads and Python
# refuses or reads otherwise (``'single'``, comments, ``Infinity``, ``NaN``).
_NOT_ALIKE = "*[{\\/'0-9IN]*"


def _written_alike(text: Any) -> Any:
    """JSON text that SQLite's ``json()`` writes as Python does: an empty object, or an array
    with none of ``_NOT_ALIKE``, such as ``["case_handling", "share_hq"]``."""
    return or_(
        text == "{}",
        and_(text.op("GLOB")("[[]*"), text.op("NOT GLOB")(_NOT_ALIKE)),
    )


def _timestamp(column: Any, functions: _Functions) -> Any:
    """``timestamp_text`` in SQL for the stored shape; any other shape goes to
    ``timestamp_text`` itself. (Two replaces cost SQLite half what four substrings did.)"""
    text = type_coerce(column, String())
    iso = func.replace(func.replace(text, " ", "T"), ".000000", "")  # isoformat drops zero µs
    return case(
        (text.is_(None), null()),
        (text.op("GLOB")(_STORED_TIMESTAMP), iso + "+00:00"),
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
    # In code order as the link table's key (case_id, code) holds them: an ORDER BY inside
    # the aggregate made SQLite sort every case's codes again. The array keeps its JSON
    # subtype out of the subquery (json() around it cost half its time).
    return literal_column(
        f"(SELECT json_group_array(code) FROM (SELECT code FROM {link}"
        f' WHERE {link}.case_id = "case".id ORDER BY code))'
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
