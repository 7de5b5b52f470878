"""Values inside bundle records that a JSON Schema cannot judge or explain well: control
characters, and impossible dates (docs/bundle-format.md, "Text, codes and dates").

Text fields may hold line breaks and tabs (a description or an address has them); no text
may hold any other control character: NUL, the ESC that starts a terminal escape sequence,
DEL or the C1 controls (U+0080–U+009F, where U+009B is a one-character escape sequence).
Identifiers, codes, numbers and dates have exact patterns and hold no control character at all,
not even a trailing line break. A date that matches ``YYYY-MM-DD`` but does not exist
(``2026-02-30``) fails the schema's ``format: date``; the refusal names it here in words.

Each check returns a problem (a sentence for the user) or ``None``; ``package`` turns it into
the refusal of the bundle, naming the record and the field.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache, partial
from typing import Any

from app.db.models import UtcDateTime
from app.domain.text import (
    DIRECTION_CONTROLS,
    INVISIBLE,
    STRICT_FORBIDDEN,
    TEXT_FORBIDDEN,
    unseen_character,
)
from app.exchange.records import BY_NAME, FIRST_YEAR, LAST_YEAR, TEXT_PATTERN, record_schema
from app.i18n import Said, _

_TEXT_BAD = re.compile(f"[{TEXT_FORBIDDEN}]")
_STRICT_BAD = re.compile(f"[{STRICT_FORBIDDEN}]")
_DIRECTION = re.compile(f"[{DIRECTION_CONTROLS}]")
_INVISIBLE = re.compile(f"[{INVISIBLE}]")


# In a record's JSON text a control character can only be an escape (``\u0001``, ``\n``...),
# a raw DEL or a raw C1 character (UTF-8 ``C2 80``-``C2 9F``): raw C0 characters are not JSON
# and the parser refuses them. The soft hyphen (``C2 AD``) is looked for with C1.
_RAW_C1 = re.compile(rb"\xc2[\x80-\x9f\xad]")
# The other invisible characters and the direction controls (``app.domain.text``) written raw:
# U+200B-U+200F, U+202A-U+202E, U+2060-U+2064, U+2066-U+2069 (``E2 80``, ``E2 81``), the
# byte-order mark and the Arabic letter mark. ``E2`` also begins a dash or a quotation mark,
# frequent in Russian text: the expression, whose literal first byte it scans for, decides.
_RAW_E2 = re.compile(rb"\xe2(?:\x80[\x8b-\x8f\xaa-\xae]|\x81[\xa0-\xa4\xa6-\xa9])")


def may_hold_control_character(line: bytes) -> bool:
    """False when the JSON text ``line`` surely decodes to no control character, invisible
    character or direction control anywhere: most records, whose value-by-value check
    (``control_character_problem``) is then skipped."""
    # Byte searches first: one regular expression with the alternation scanned each record's
    # whole text at a cost of a tenth of an import's schema check; C1's lead byte is rare.
    return (
        b"\\" in line
        or b"\x7f" in line
        or (b"\xc2" in line and _RAW_C1.search(line) is not None)
        or (b"\xe2" in line and _RAW_E2.search(line) is not None)
        or (b"\xef" in line and b"\xef\xbb\xbf" in line)
        or (b"\xd8" in line and b"\xd8\x9c" in line)
    )


def _has_pattern(schema: dict[str, Any]) -> bool:
    if "anyOf" in schema:
        return any(_has_pattern(s) for s in schema["anyOf"])
    return "pattern" in schema and schema["pattern"] != TEXT_PATTERN


@cache
def _strict_fields(entity: str) -> frozenset[str]:
    """Fields with an exact pattern or a list of codes: ids, codes, dates, numbers."""
    properties = record_schema(BY_NAME[entity])["properties"]
    return frozenset(
        name
        for name, schema in properties.items()
        if _has_pattern(schema) or "enum" in schema or "items" in schema
    )


@cache
def _date_fields(entity: str) -> tuple[tuple[str, bool], ...]:
    """(field, is_timestamp) for every date and timestamp column of ``entity``."""
    from sqlalchemy import Date

    found = []
    for column in BY_NAME[entity].columns:
        if isinstance(column.type, UtcDateTime):
            found.append((column.name, True))
        elif isinstance(column.type, Date):
            found.append((column.name, False))
    return tuple(found)


def _describe(char: str) -> str:
    return f"U+{ord(char):04X}"


def _nested_control(value: Any) -> str | None:
    """The first forbidden character in a JSON value's strings (keys included), if any."""
    if isinstance(value, str):
        found = _TEXT_BAD.search(value)
        return found.group() if found else unseen_character(value)
    if isinstance(value, dict):
        for key, item in value.items():
            char = _nested_control(key) or _nested_control(item)
            if char:
                return char
    elif isinstance(value, list):
        for item in value:
            char = _nested_control(item)
            if char:
                return char
    return None


def control_character_problem(entity: str, record: dict[str, Any]) -> str | None:
    """Run before the schema check, so that no message ever echoes a control character.
    Said again in the reader's language when shown again (a refusal stays on screen)."""
    problem = _control_character_problem(entity, record)
    if problem is None:
        return None
    return Said(lambda: _control_character_problem(entity, record) or problem)


def _control_character_problem(entity: str, record: dict[str, Any]) -> str | None:
    strict = _strict_fields(entity) if entity in BY_NAME else frozenset()
    for name, value in record.items():
        if not isinstance(name, str) or _STRICT_BAD.search(name):
            return _("a field name holds a control character")
        if isinstance(value, str):
            found = (_STRICT_BAD if name in strict else _TEXT_BAD).search(value)
            char = found.group() if found else unseen_character(value)
        else:
            char = _nested_control(value)
        if char and _DIRECTION.match(char):
            # A disguise: the record would show at HQ (case list, letters, audit) otherwise
            # than it is written. Refused, not cleaned: the signed record is what it is.
            return _(
                "the field {field} holds the direction control {char}, which shows text "
                "reversed or reordered and which bundle text may not hold"
            ).format(field=name, char=_describe(char))
        if char and _INVISIBLE.match(char):
            return _(
                "the field {field} holds the invisible character {char}, which makes a name "
                "differ from the same name without it and which bundle text may not hold"
            ).format(field=name, char=_describe(char))
        if char:
            return _(
                "the field {field} holds the control character {char}, which bundle text may "
                "not hold"
            ).format(field=name, char=_describe(char))
    return None


def impossible_value_problem(entity: str, record: dict[str, Any]) -> str | None:
    """Names a date or timestamp that does not exist (``2026-02-30``) in a record the schema
    refused: the schema's ``format`` refuses it, this says why in words."""
    for name, is_timestamp in _date_fields(entity):
        value = record.get(name)
        if not isinstance(value, str):
            continue  # missing or not text: the schema's own message says so
        try:
            parsed = datetime.fromisoformat(value) if is_timestamp else date.fromisoformat(value)
        except ValueError:
            parsed = None
        # The value is not echoed: a birth date is personal data, and the refusal is shown
        # to the operator and kept in the exchange log. The field and record name it.
        if parsed is None or (isinstance(parsed, datetime) and parsed.tzinfo is None):
            return Said(partial(_impossible_date, name))
        if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
            return Said(partial(_date_out_of_range, name))
    return None


def _impossible_date(field: str) -> str:
    return _("the field {field} holds a date that does not exist").format(field=field)


def _date_out_of_range(field: str) -> str:
    return _(
        "the field {field} holds a date outside the years {first}–{last} a record's dates may hold"
    ).format(field=field, first=FIRST_YEAR, last=LAST_YEAR)
