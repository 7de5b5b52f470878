"""Records as they travel in bundles: one JSON object per row, built from the ORM columns.

A record carries every column of its table except the local ones (``change_seq``, the mission's
keys and flags) and the BLOBs, which travel as ``files/<sha256>``. Dates and timestamps are ISO
8601 strings (timestamps always with their UTC offset), money is a decimal string, and a case
carries its category and ILO-indicator codes as arrays. The JSON Schemas in
``docs/schemas`` are generated from the same table here, so they cannot drift from the models.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache, cached_property
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    type_coerce,
)

from app.db.models import (
    Agreement,
    AgreementProvision,
    Attachment,
    Case,
    CaseCitation,
    CaseEvent,
    ContractReview,
    Employer,
    FreeText,
    LegalTable,
    Letter,
    Mission,
    PartnerOrganisation,
    PartnerReferral,
    Person,
    RecruitmentAgency,
    Returnee,
    SyncMixin,
    UtcDateTime,
)
from app.domain.codes import (
    CaseStatus,
    Category,
    Channel,
    EventKind,
    IloIndicator,
    LetterKind,
    PartnerKind,
    Urgency,
)
from app.i18n import LANGUAGES

# Columns that never leave the installation.
LOCAL_COLUMNS = frozenset({"change_seq"})
MISSION_LOCAL_COLUMNS = frozenset(
    {"is_local", "is_hq", "signing_public_key", "age_recipient", "trusted_at"}
)
# Columns that stay with the installation, per model: a mission's own notes on an agreement
# must survive HQ's library updates.
MODEL_LOCAL_COLUMNS: dict[type[Any], frozenset[str]] = {
    Mission: MISSION_LOCAL_COLUMNS,
    Agreement: frozenset({"mission_notes"}),
    # Derived from the name by each installation's own rule: a sender's would be trusted.
    Employer: frozenset({"name_key"}),
    RecruitmentAgency: frozenset({"name_key"}),
}
# Fields compared to tell "the same version with the same content" from a conflict.
NOT_CONTENT = frozenset({"updated_at"})

# Years a record's dates may hold. Further out, 9999-12-31T23:59:59-12:00 overflowed Python's
# datetime on its way to UTC, and a date past 2262 the database's arithmetic, both as internal
# errors; no worker, treaty or letter of Qorgau's dates from before 1800 or after 2199.
FIRST_YEAR, LAST_YEAR = 1800, 2199
_YEAR = "(1[89][0-9]{2}|2[01][0-9]{2})"
DATE_PATTERN = rf"^{_YEAR}-[0-9]{{2}}-[0-9]{{2}}$"
DATETIME_PATTERN = (
    rf"^{_YEAR}-[0-9]{{2}}-[0-9]{{2}}T[0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}(\.[0-9]{{1,6}})?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})$"
)
DECIMAL_PATTERN = r"^-?[0-9]{1,12}(\.[0-9]{1,2})?$"
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
MISSION_CODE_PATTERN = r"^[A-Z]{2,8}$"
CASE_NUMBER_PATTERN = r"^[A-Z]{2,8}-[0-9]{4}-[0-9]{4,9}$"
COUNTRY_PATTERN = r"^[A-Z]{2}$"  # ISO 3166-1 alpha-2
CURRENCY_PATTERN = r"^[A-Z]{3}$"  # ISO 4217
IIN_PATTERN = r"^[0-9]{12}$"  # app/domain/iin.py checks the date and check digit on entry
# Columns holding an ISO 3166-1 alpha-2 country code, in whichever table they appear.
COUNTRY_COLUMNS = frozenset({"country", "host_country", "citizenship", "work_country"})
# Free text: line breaks and tabs are text, other control characters are not (NUL, ESC, DEL,
# C1). Written with \u escapes, which ECMA and Python regular expressions read alike;
# app/exchange/values.py names the offending character in its message.
TEXT_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"
MAX_TEXT = 1_000_000
LANGUAGE_PATTERN = r"^[a-z]{2}$"  # ISO 639-1
MAX_RETURNEE_ITEMS = 50  # certificates or languages of one returnee
# Columns holding a mission code, per entity (besides origin_mission, which every record has).
MISSION_CODE_COLUMNS: dict[str, frozenset[str]] = {
    "case": frozenset({"mission_code", "holder_mission", "transferred_from"}),
}


@dataclass(frozen=True)
class Entity:
    """One record type: its name in bundles, its model, and where its file content lives."""

    name: str
    model: type[SyncMixin]
    blob_column: str | None = None  # the BLOB that travels as files/<sha256>
    digest_column: str | None = None  # the column holding that BLOB's SHA-256

    @cached_property  # asked per record by checks; the model's columns never change
    def columns(self) -> list[Column[Any]]:
        skip = LOCAL_COLUMNS | MODEL_LOCAL_COLUMNS.get(self.model, frozenset())
        return [
            c
            for c in self.model.__table__.columns  # type: ignore[attr-defined]
            if c.name not in skip and not isinstance(c.type, LargeBinary)
        ]

    @cached_property
    def references(self) -> dict[str, str]:
        """Foreign-key column -> the entity name it points to."""
        result = {}
        for column in self.columns:
            for fk in column.foreign_keys:
                result[column.name] = TABLE_TO_ENTITY[fk.column.table.name]
        return result


# In dependency order: a record is inserted after everything it refers to.
ENTITIES: tuple[Entity, ...] = (
    Entity("mission", Mission),
    Entity("person", Person),
    Entity("employer", Employer),
    Entity("recruitment_agency", RecruitmentAgency),
    Entity("partner_organisation", PartnerOrganisation),
    Entity("agreement", Agreement),
    Entity("agreement_provision", AgreementProvision),
    # Legal reference tables (host-country standards) travel with the library (issue 16).
    Entity("legal_table", LegalTable),
    Entity("case", Case),
    Entity("case_event", CaseEvent),
    Entity("attachment", Attachment, "content", "sha256"),
    Entity("partner_referral", PartnerReferral),
    Entity("contract_review", ContractReview),
    Entity("case_citation", CaseCitation),
    Entity("letter", Letter, "pdf", "pdf_sha256"),
    # The returnees' skills register: started at a mission (from a closed case) or at HQ.
    Entity("returnee", Returnee),
)
BY_NAME: dict[str, Entity] = {e.name: e for e in ENTITIES}
TABLE_TO_ENTITY: dict[str, str] = {
    e.model.__table__.name: e.name  # type: ignore[attr-defined]
    for e in ENTITIES
}
CASE_LISTS = ("categories", "ilo_indicators")


@cache
def code_columns() -> dict[str, dict[str, tuple[str, ...]]]:
    """Entity -> column -> the codes it may hold, taken from the code sets the services check
    on entry, so that a schema names exactly what the application writes."""
    # Imported here: these modules sit above the exchange layer and import much of the app.
    from app.agreements.library import InstrumentGroup, InstrumentKind, InstrumentStatus
    from app.contracts.rules import RISKS
    from app.domain.occupations import regions, unit_groups
    from app.services.letters import LETTER_STATUSES
    from app.services.people import SEXES

    def codes(values: Iterable[str]) -> tuple[str, ...]:
        return tuple(str(v) for v in values)

    return {
        "person": {"sex": codes(SEXES)},
        "partner_organisation": {"kind": codes(PartnerKind)},
        "agreement": {
            "kind": codes(InstrumentKind),
            "status": codes(InstrumentStatus),
            "group": codes(InstrumentGroup),
        },
        "case": {"status": codes(CaseStatus), "urgency": codes(Urgency), "channel": codes(Channel)},
        "case_event": {
            "kind": codes(EventKind),
            "status_from": codes(CaseStatus),
            "status_to": codes(CaseStatus),
        },
        "contract_review": {"risk": codes(RISKS)},
        "letter": {"kind": codes(LetterKind), "status": codes(LETTER_STATUSES), "lang": LANGUAGES},
        "returnee": {
            "occupation": codes(o.code for o in unit_groups()),
            "region": codes(regions()),
        },
    }


# -- values -----------------------------------------------------------------------------------


def timestamp_text(value: Any) -> str | None:
    """A stored timestamp as a record carries it, exactly ``datetime.isoformat()`` in UTC.

    Export and merge read timestamp columns as the text SQLite stores
    (``YYYY-MM-DD HH:MM:SS.ffffff``, UTC) and reshape the string: parsing a million of them
    into datetimes only to print them again was a sixth of a 100k export. Anything else (a
    datetime from another driver, a value of another shape) takes the careful path.
    """
    if value is None:
        return None
    if type(value) is str and len(value) == 26 and value[10] == " " and value[19] == ".":
        if value.endswith(".000000"):  # isoformat leaves out zero microseconds
            return f"{value[:10]}T{value[11:19]}+00:00"
        return f"{value[:10]}T{value[11:]}+00:00"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return str(value.astimezone(UTC).isoformat())


_JSON_SEEN: dict[str, Any] = {}
_JSON_SEEN_MAX = 4096  # distinct short values kept: "{}", one per event kind, ...


def json_value(text: str | None) -> Any:
    """A JSON column's stored text, parsed; short values seen before are not parsed again
    (a 100k export reads 300,000 ``{}``). Callers only read the values they get."""
    if text is None:
        return None
    if type(text) is not str:  # another driver may hand the value already parsed
        return text
    value = _JSON_SEEN.get(text)
    if value is None:
        value = json.loads(text)
        if len(text) <= 256 and len(_JSON_SEEN) < _JSON_SEEN_MAX:
            _JSON_SEEN[text] = value
    return value


def out_converter(column: Column[Any]) -> Callable[[Any], Any] | None:
    kind = column.type
    if isinstance(kind, JSON):
        return json_value
    if isinstance(kind, UtcDateTime):
        return timestamp_text
    if isinstance(kind, Date):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(kind, Numeric):
        return lambda v: None if v is None else str(Decimal(v).quantize(Decimal("0.01")))
    return None


def _in_converter(column: Column[Any]) -> Callable[[Any], Any] | None:
    kind = column.type
    if isinstance(kind, UtcDateTime):
        return lambda v: None if v is None else datetime.fromisoformat(v)
    if isinstance(kind, Date):
        return lambda v: None if v is None else date.fromisoformat(v)
    if isinstance(kind, Numeric):
        return lambda v: None if v is None else Decimal(v)
    return None


class Codec:
    """Turns rows of one entity into records and back, with the converters worked out once."""

    def __init__(self, entity: Entity) -> None:
        self.entity = entity
        self.columns = entity.columns
        self.names = [c.name for c in self.columns]
        self._out = [(c.name, out_converter(c)) for c in self.columns]
        self._converted = [(name, convert) for name, convert in self._out if convert is not None]
        self._in = [(c.name, _in_converter(c)) for c in self.columns]

    def to_record(self, values: Any) -> dict[str, Any]:
        """A record from a row of ``select(*codec.select_columns())``. On SQLite the export
        has SQLite build the same line (``app.exchange.sqljson``): change both together."""
        # Built whole from the row, then only the few converted columns touched: a Python
        # step per column was a fifth of a large export.
        record = dict(zip(self.names, values, strict=True))
        for name, convert in self._converted:
            value = record[name]
            if value is not None:
                record[name] = convert(value)
        return record

    def select_columns(self) -> list[Any]:
        """Core columns of the table (no ORM rows): timestamps and JSON come as their stored
        text, which ``timestamp_text`` and ``json_value`` turn into record values."""
        table: Any = self.entity.model.__table__  # type: ignore[attr-defined]
        return [
            type_coerce(c, String()) if isinstance(c.type, UtcDateTime | JSON) else c
            for c in (table.c[name] for name in self.names)
        ]

    def to_values(self, record: dict[str, Any]) -> dict[str, Any]:
        """Column values (Python types) from a validated record; extra keys are left out."""
        values: dict[str, Any] = {}
        for name, convert in self._in:
            value = record[name]
            values[name] = convert(value) if convert is not None else value
        return values

    def to_text_values(self, record: dict[str, Any]) -> dict[str, Any]:
        """``to_values`` with timestamps, dates and amounts left as the record's text, for a
        COPY to PostgreSQL, which reads that text itself: the schema's patterns (a timestamp
        always with its offset) make it read the same value ``to_values`` would give."""
        return {name: record[name] for name in self.names}


def content_of(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in NOT_CONTENT}


# -- JSON Schema --------------------------------------------------------------------------------


def _column_schema(column: Column[Any]) -> dict[str, Any]:
    kind = column.type
    schema: dict[str, Any]
    entity = TABLE_TO_ENTITY[column.table.name]
    if isinstance(kind, UtcDateTime):
        schema = {"type": "string", "format": "date-time", "pattern": DATETIME_PATTERN}
    elif isinstance(kind, Date):
        schema = {"type": "string", "format": "date", "pattern": DATE_PATTERN}
    elif isinstance(kind, Numeric):
        schema = {"type": "string", "pattern": DECIMAL_PATTERN}
    elif isinstance(kind, Boolean):
        schema = {"type": "boolean"}
    elif isinstance(kind, Integer):
        schema = {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1}
    elif isinstance(kind, JSON):
        schema = {"type": "object"}  # record_schema tells arrays from objects
    elif isinstance(kind, Text | FreeText):
        schema = {"type": "string", "maxLength": MAX_TEXT, "pattern": TEXT_PATTERN}
    elif isinstance(kind, String):
        schema = {"type": "string", "maxLength": kind.length or MAX_TEXT, "pattern": TEXT_PATTERN}
    else:  # pragma: no cover - a new column type must be mapped here first
        raise TypeError(f"no schema for {column.table.name}.{column.name}: {kind!r}")
    if column.name == "id" or column.foreign_keys:
        schema = {"type": "string", "format": "uuid", "pattern": UUID_PATTERN}
    if column.name in ("sha256", "pdf_sha256"):
        schema = {"type": "string", "pattern": SHA256_PATTERN}
    if column.name in MISSION_CODE_COLUMNS.get(entity, ()):
        schema = {"type": "string", "pattern": MISSION_CODE_PATTERN}
    if entity == "case" and column.name == "number":
        schema = {"type": "string", "pattern": CASE_NUMBER_PATTERN}
    if column.name in COUNTRY_COLUMNS:
        schema = {"type": "string", "pattern": COUNTRY_PATTERN}
    if column.name.endswith("_currency"):
        schema = {"type": "string", "pattern": CURRENCY_PATTERN}
    if entity == "person" and column.name == "iin":
        schema = {"type": "string", "pattern": IIN_PATTERN}
    if column.name in code_columns().get(entity, {}):
        schema = {"enum": list(code_columns()[entity][column.name])}
    if column.nullable and not column.primary_key:
        schema = {"anyOf": [schema, {"type": "null"}]}
    return schema


def _json_python_type(entity: Entity, column: Column[Any]) -> type:
    annotation = entity.model.__annotations__.get(column.name, "")
    return list if "list[" in str(annotation) else dict


def record_schema(entity: Entity) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for column in entity.columns:
        schema = _column_schema(column)
        if isinstance(column.type, JSON):
            kind = "array" if _json_python_type(entity, column) is list else "object"
            schema = {"type": kind}
            if column.nullable:
                schema = {"anyOf": [schema, {"type": "null"}]}
        properties[column.name] = schema
    if entity.model is Case:
        properties["categories"] = {
            "type": "array",
            "items": {"enum": [c.value for c in Category]},
            "uniqueItems": True,
        }
        properties["ilo_indicators"] = {
            "type": "array",
            "items": {"enum": [i.value for i in IloIndicator]},
            "uniqueItems": True,
        }
    if entity.model is Returnee:
        properties["languages"] = {
            "type": "array",
            "items": {"type": "string", "pattern": LANGUAGE_PATTERN},
            "uniqueItems": True,
            "maxItems": MAX_RETURNEE_ITEMS,
        }
        properties["certificates"] = {
            "type": "array",
            "items": {"type": "string", "maxLength": 300, "pattern": TEXT_PATTERN},
            "maxItems": MAX_RETURNEE_ITEMS,
        }
        properties["years_abroad"] = {"type": "integer", "minimum": 0, "maximum": 70}
    properties["version"] = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
    properties["origin_mission"] = {"type": "string", "pattern": MISSION_CODE_PATTERN}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://qorgau.kz/schemas/bundle/v1/record.{entity.name}.schema.json",
        "title": f"Qorgau bundle record: {entity.name}",
        "type": "object",
        "properties": properties,
        "required": sorted(properties),
        "additionalProperties": False,
    }
