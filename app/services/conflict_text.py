"""A conflict's values as the forms show them: "In progress", not ``in_progress``; 05.12.2026,
not ``2026-12-05``; the employer's name, not its id.

A conflict keeps both sides as bundle records (``app.exchange.records``); the column's type
says how a value reads, and a few columns hold a code or another record's id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Numeric, select
from sqlalchemy.orm import Session

from app.db.models import Employer, Person, RecruitmentAgency, UtcDateTime
from app.domain import labels
from app.domain.claims import parse_claims
from app.errors import ValidationError
from app.exchange.records import BY_NAME
from app.i18n import _, current_language, format_date, format_datetime, format_number
from app.letters.phrases import claim_text

NO_VALUE = "—"

# (record kind, column) → the label of the code it holds; a column of another kind keeps
# its text ("kind" of a timeline entry is not a letter's kind).
_CODES: dict[tuple[str, str], Callable[[str], str]] = {
    ("case", "status"): labels.case_status,
    ("case", "urgency"): labels.urgency,
    ("case", "channel"): labels.channel,
    ("case", "host_country"): labels.country,
    ("person", "sex"): labels.sex,
    ("person", "citizenship"): labels.country,
    ("employer", "country"): labels.country,
    ("recruitment_agency", "country"): labels.country,
    ("partner_organisation", "country"): labels.country,
    ("case_event", "kind"): labels.event_kind,
}

# Columns that hold another record's id, and how that record is named.
_REFERENCES: dict[str, Any] = {
    "person_id": Person,
    "employer_id": Employer,
    "agency_id": RecruitmentAgency,
}


def referenced_names(session: Session, values: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """The names of the people and organisations that ``(column, value)`` pairs refer to."""
    wanted: dict[Any, set[str]] = {}
    for column, value in values:
        if column in _REFERENCES and isinstance(value, str):
            wanted.setdefault(_REFERENCES[column], set()).add(value)
    names: dict[str, str] = {}
    for model, ids in wanted.items():
        if model is Person:
            people = session.execute(
                select(Person.id, Person.surname, Person.given_names).where(Person.id.in_(ids))
            )
            names.update((i, " ".join(p for p in (s, g) if p)) for i, s, g in people)
        else:
            organisations = session.execute(select(model.id, model.name).where(model.id.in_(ids)))
            names.update((i, n) for i, n in organisations)
    return names


def value_text(entity: str, column: str, value: Any, names: Mapping[str, str]) -> str:
    """``value`` of ``column`` in a record of ``entity``, in the interface's words."""
    if value is None or value == "":
        return NO_VALUE
    if column in _REFERENCES:
        return names.get(str(value), _("(a record not held here)"))
    code_label = _CODES.get((entity, column))
    if code_label is not None:
        return code_label(str(value))
    if (entity, column) == ("case", "claims"):
        return _claims_text(value) or NO_VALUE
    return _typed_text(_typed(entity, column, value))


def _typed(entity: str, column: str, value: Any) -> Any:
    """The record's value as the column's Python type (a date, a datetime, a Decimal)."""
    kind = BY_NAME.get(entity)
    types = {c.name: c.type for c in kind.columns} if kind is not None else {}
    try:
        if isinstance(types.get(column), UtcDateTime):
            return datetime.fromisoformat(value)
        if isinstance(types.get(column), Date):
            return date.fromisoformat(value)
        if isinstance(types.get(column), Numeric):
            return Decimal(value)
    except (TypeError, ValueError, ArithmeticError):
        pass  # a value of another shape reads as it came
    return value


def _claims_text(value: Any) -> str:
    try:
        claims = parse_claims(value)
    except ValidationError:
        return str(value)
    language = current_language()
    return "; ".join(
        claim_text(c, language, f"{format_number(c.amount)} {c.currency}", format_date)
        for c in claims
    )


def _typed_text(value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return format_datetime(value.astimezone())  # this computer's time, as the forms
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, Decimal):
        return format_number(value)
    return str(value)
