"""A fast, strict check of records against their JSON Schema.

``jsonschema`` takes about 0.4 ms a record, which is most of an import of 10,000 cases. The
record schemas use a small subset of JSON Schema (types, lengths, anchored patterns, enums,
the formats ``date``, ``date-time`` and ``uuid``, nullable ``anyOf``, closed objects with every
property required), so they compile here into
plain Python predicates. The compiled check is the gate; ``jsonschema`` only explains a record
that fails it (tests/unit/test_bundle_schema.py holds the two to the same verdicts). A schema
using anything outside the subset is refused at compile time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from functools import cache
from typing import Any, NamedTuple

from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError

from app.exchange.records import DATE_PATTERN, DATETIME_PATTERN, UUID_PATTERN

Check = Callable[[Any], bool]
_KNOWN = {"type", "maxLength", "pattern", "minimum", "maximum", "enum", "anyOf", "items"}
_KNOWN |= {"uniqueItems", "format", "maxItems"}

# RFC 3339 shapes; the parse below then refuses what has the shape but no calendar day
# (2026-13-45, 2026-02-30) or clock time (25:00).
_FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})\Z"
)
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")


def is_date(text: str) -> bool:
    """An RFC 3339 full-date that exists in the calendar."""
    if not _FULL_DATE.match(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def is_date_time(text: str) -> bool:
    """An RFC 3339 date-time with its UTC offset, naming a real day and time."""
    if not _DATE_TIME.match(text):
        return False
    try:
        # Python parses at most six fraction digits; RFC 3339 allows more.
        head, dot, rest = text.partition(".")
        if dot:
            digits = len(rest) - len(rest.lstrip("0123456789"))
            text = f"{head}.{rest[: min(digits, 6)]}{rest[digits:]}"
        datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def is_uuid(text: str) -> bool:
    """A UUID written in its hyphenated form (RFC 9562)."""
    return _UUID.match(text) is not None


def _calendar_date(text: str) -> bool:
    """``is_date`` for a text of the records' ``DATE_PATTERN`` shape: only the calendar is left.
    The few thousand days a bundle's dates fall on are parsed once each."""
    if text in _REAL_DAYS:
        return True
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    if len(_REAL_DAYS) < _REAL_DAYS_KEPT:
        _REAL_DAYS.add(text)
    return True


_REAL_DAYS: set[str] = set()
_REAL_DAYS_KEPT = 20_000  # the pattern's 400 years hold 146,097 days: kept well below


def _calendar_date_time(text: str) -> bool:
    """``is_date_time`` for a text of the records' ``DATETIME_PATTERN`` shape (upper-case,
    at most six fraction digits, an offset): only the calendar and the clock are left."""
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


FORMATS: dict[str, Callable[[str], bool]] = {
    "date": is_date,
    "date-time": is_date_time,
    "uuid": is_uuid,
}
# Format checking is on, for these three formats, without the optional packages jsonschema
# would need for date-time (and with the same verdicts as the compiled check).
FORMAT_CHECKER = FormatChecker(formats=())
for _name, _test in FORMATS.items():
    FORMAT_CHECKER.checks(_name)(
        lambda value, test=_test: not isinstance(value, str) or test(value)
    )


@cache
def _ecma_pattern(pattern: str) -> re.Pattern[str]:
    """A JSON Schema (ECMA-262) pattern for Python: there a final ``$`` matches only at the end
    of the text, while Python's also matches before a trailing line break, which would let
    ``"<uuid>\\n"`` pass as an id."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


def _ecma_pattern_keyword(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not _ecma_pattern(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


# jsonschema's validator with JSON Schema's own reading of ``pattern``: the manifest is checked
# with it, and it explains a record the compiled check refused, so both agree on "<uuid>\n".
EcmaValidator = validators.extend(Draft202012Validator, {"pattern": _ecma_pattern_keyword})


def compile_value(schema: dict[str, Any], assumed: frozenset[str] = frozenset()) -> Check:
    """A predicate for one value; a pattern in ``assumed`` is known to match every string the
    value may hold, and is not searched again (see ``compile_record``)."""
    unknown = set(schema) - _KNOWN
    if unknown:
        raise TypeError(f"fastcheck cannot compile {sorted(unknown)}")
    if "format" in schema:
        fmt = schema["format"]
        if fmt not in FORMATS or schema.get("type") != "string":
            raise TypeError(f"fastcheck cannot compile the format {fmt!r}")
        shape = compile_value({k: v for k, v in schema.items() if k != "format"}, assumed)
        test = FORMATS[fmt]
        return lambda v: shape(v) and test(v)
    if "anyOf" in schema:
        options = [compile_value(s, assumed) for s in schema["anyOf"]]
        return lambda v: any(check(v) for check in options)
    if "enum" in schema:
        allowed = _codes(schema)
        return lambda v: type(v) is str and v in allowed
    kind = schema.get("type")
    if kind == "null":
        return lambda v: v is None
    if kind == "boolean":
        return lambda v: type(v) is bool
    if kind == "integer":
        low, high = schema.get("minimum"), schema.get("maximum")
        return lambda v: (
            type(v) is int and (low is None or v >= low) and (high is None or v <= high)
        )
    if kind == "string":
        limit = schema.get("maxLength")
        pattern = schema.get("pattern")
        search = None if pattern is None or pattern in assumed else _ecma_pattern(pattern).search
        return lambda v: (
            type(v) is str
            and (limit is None or len(v) <= limit)
            and (search is None or search(v) is not None)
        )
    if kind == "object":
        return lambda v: type(v) is dict
    if kind == "array":
        item = compile_value(schema["items"], assumed) if "items" in schema else None
        unique = bool(schema.get("uniqueItems"))
        most = schema.get("maxItems")
        return lambda v: (
            type(v) is list
            and (most is None or len(v) <= most)
            and (item is None or all(item(x) for x in v))
            and (not unique or len(set(v)) == len(v))
        )
    raise TypeError(f"fastcheck cannot compile type {kind!r}")


def _codes(schema: dict[str, Any]) -> frozenset[str]:
    allowed = frozenset(schema["enum"])
    if not all(isinstance(a, str) for a in allowed):
        raise TypeError("fastcheck compiles enums of strings only")
    return allowed


def _nullable(schema: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """``schema`` without a ``{"anyOf": [X, {"type": "null"}]}`` around it, and whether it had
    one."""
    options: list[dict[str, Any]] = schema.get("anyOf") or []
    if set(schema) != {"anyOf"} or len(options) != 2 or {"type": "null"} not in options:
        return schema, False
    rest = [s for s in options if s != {"type": "null"}]
    return (rest[0], True) if len(rest) == 1 else (schema, False)


class _TextField(NamedTuple):
    """A field that holds a string (or null, if ``nullable``), checked inline by the record's
    check: most of a record's fields, where a predicate each cost several calls a field."""

    name: str
    nullable: bool
    limit: int | None
    search: Callable[[str], object] | None  # the pattern's; None: no pattern, or assumed
    test: Callable[[str], bool] | None  # the format's


class _CodeField(NamedTuple):
    """A field that holds one of a set of codes (or null, if ``nullable``)."""

    name: str
    nullable: bool
    allowed: frozenset[str]


# What is left of a format's test after a pattern of the record schemas whose every match
# has the format's shape (tests/unit/test_bundle_schema.py holds each to the full test): for a
# uuid nothing, for dates the calendar. Two regular expressions a value were a third of the
# schema check.
_AFTER_PATTERN: dict[tuple[str, str], Callable[[str], bool] | None] = {
    ("uuid", UUID_PATTERN): None,
    ("date", DATE_PATTERN): _calendar_date,
    ("date-time", DATETIME_PATTERN): _calendar_date_time,
}


def _text_field(name: str, schema: dict[str, Any], assumed: frozenset[str]) -> _TextField | None:
    inner, nullable = _nullable(schema)
    if inner.get("type") != "string" or set(inner) - {"type", "maxLength", "pattern", "format"}:
        return None
    fmt = inner.get("format")
    if fmt is not None and fmt not in FORMATS:
        raise TypeError(f"fastcheck cannot compile the format {fmt!r}")
    pattern: str | None = inner.get("pattern")
    search = None if pattern is None or pattern in assumed else _ecma_pattern(pattern).search
    test = FORMATS[fmt] if fmt is not None else None
    if fmt is not None and pattern is not None and search is not None:
        test = _AFTER_PATTERN.get((fmt, pattern), test)
    return _TextField(name, nullable, inner.get("maxLength"), search, test)


def _code_field(name: str, schema: dict[str, Any]) -> _CodeField | None:
    inner, nullable = _nullable(schema)
    if set(inner) != {"enum"}:
        return None
    return _CodeField(name, nullable, _codes(inner))


def compile_record(schema: dict[str, Any], assumed: frozenset[str] = frozenset()) -> Check:
    """A closed object whose properties are all required (what record_schema produces).

    ``assumed`` names patterns the caller knows every string of the record to match: the
    importer passes the free-text pattern (no control character) for a record whose JSON
    text cannot hold one (``app.exchange.values.may_hold_control_character``)."""
    if schema.get("additionalProperties") is not False or sorted(schema["required"]) != sorted(
        schema["properties"]
    ):
        raise TypeError("fastcheck compiles closed records with every property required")
    texts: list[_TextField] = []
    codes: list[_CodeField] = []
    others: list[tuple[str, Check]] = []
    for name, value_schema in schema["properties"].items():
        text = _text_field(name, value_schema, assumed)
        code = None if text else _code_field(name, value_schema)
        if text:
            texts.append(text)
        elif code:
            codes.append(code)
        else:
            others.append((name, compile_value(value_schema, assumed)))
    names = frozenset(schema["properties"])

    def check(record: Any) -> bool:
        if type(record) is not dict or record.keys() != names:
            return False
        # The fields' checks are inline in these loops, which test the same as compile_value
        # would: a call per field and per keyword was most of an import's schema check.
        for name, nullable, limit, search, test in texts:
            value = record[name]
            if value is None:
                if nullable:
                    continue
                return False
            if (
                type(value) is not str
                or (limit is not None and len(value) > limit)
                or (search is not None and search(value) is None)
                or (test is not None and not test(value))
            ):
                return False
        for name, nullable, allowed in codes:
            value = record[name]
            if value is None:
                if nullable:
                    continue
                return False
            if type(value) is not str or value not in allowed:
                return False
        for name, value_check in others:
            if not value_check(record[name]):
                return False
        return True

    return check
