"""The case JSON of the command line and of other tools (docs/architecture.md, 'Stable codes').

Unknown fields are an error, never silently dropped; each message names the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import date
from typing import Any

from app.domain.claims import claims_json
from app.errors import ValidationError
from app.i18n import _
from app.services.records import CaseInput, OrganisationInput, PersonInput

CASE_FIELDS = {
    "person",
    "person_id",
    "employer",
    "employer_id",
    "agency",
    "agency_id",
    "host_country",
    "categories",
    "urgency",
    "life_or_liberty_at_risk",
    "channel",
    "description",
    "received_at",
    "due_date",
    "assigned_to",
    "ilo_indicators",
    "claims",
}
PERSON_FIELDS = {f.name for f in fields(PersonInput)}
# Short names other tools use (the documented example has "phone": the worker's phone abroad).
PERSON_ALIASES = {"phone": "phone_abroad"}
ORGANISATION_FIELDS = {f.name for f in fields(OrganisationInput)}


def _unknown(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        raise ValidationError(
            _("Unknown field “{field}” in {where}.").format(field=extra[0], where=where),
            field=f"{where}.{extra[0]}" if where != "case" else extra[0],
        )


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValidationError(_("“{field}” must be an object.").format(field=where), where)
    return value


def _text(data: Mapping[str, Any], key: str, where: str, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ValidationError(_("“{field}” must be text.").format(field=key), f"{where}.{key}")
    return value


def _date(value: Any, key: str) -> date | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValidationError(
            _("“{field}” must be a date such as 2026-11-20.").format(field=key), key
        )
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            _("“{value}” in “{field}” is not a date such as 2026-11-20.").format(
                value=value, field=key
            ),
            key,
        ) from None


def _codes(value: Any, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(_("“{field}” must be a list of codes.").format(field=key), key)
    return tuple(value)


def person_from_json(raw: Any) -> PersonInput:
    data = dict(_mapping(raw, "person"))
    for alias, name in PERSON_ALIASES.items():
        if alias in data:
            if name in data:
                raise ValidationError(
                    _("Give either “{a}” or “{b}”, not both.").format(a=alias, b=name), alias
                )
            data[name] = data.pop(alias)
    _unknown(data, PERSON_FIELDS, "person")
    texts = {
        k: _text(data, k, "person")
        for k in PERSON_FIELDS
        if k not in ("birth_date", "consent_date", "consent_scope", "iin", "passport_no", "sex")
    }
    return PersonInput(
        **texts,
        iin=_text(data, "iin", "person") or None,
        passport_no=_text(data, "passport_no", "person") or None,
        sex=_text(data, "sex", "person") or None,
        birth_date=_date(data.get("birth_date"), "birth_date"),
        consent_date=_date(data.get("consent_date"), "consent_date"),
        consent_scope=_codes(data.get("consent_scope"), "consent_scope"),
    )


def organisation_from_json(raw: Any, where: str) -> OrganisationInput:
    data = _mapping(raw, where)
    _unknown(data, ORGANISATION_FIELDS, where)
    return OrganisationInput(**{k: _text(data, k, where) for k in ORGANISATION_FIELDS})


def case_from_json(raw: Any, today: date | None = None) -> CaseInput:
    data = _mapping(raw, "case")
    _unknown(data, CASE_FIELDS, "case")
    for required in ("host_country", "categories"):
        if required not in data:
            raise ValidationError(
                _("The field “{field}” is required.").format(field=required), required
            )
    at_risk = data.get("life_or_liberty_at_risk")
    if at_risk is not None and not isinstance(at_risk, bool):
        raise ValidationError(
            _("“{field}” must be true or false.").format(field="life_or_liberty_at_risk"),
            "life_or_liberty_at_risk",
        )
    return CaseInput(
        host_country=_text(data, "host_country", "case"),
        categories=_codes(data.get("categories"), "categories"),
        received_at=_date(data.get("received_at"), "received_at") or today or date.today(),
        person=person_from_json(data["person"]) if data.get("person") is not None else None,
        person_id=_text(data, "person_id", "case") or None,
        employer=organisation_from_json(data["employer"], "employer")
        if data.get("employer") is not None
        else None,
        employer_id=_text(data, "employer_id", "case") or None,
        agency=organisation_from_json(data["agency"], "agency")
        if data.get("agency") is not None
        else None,
        agency_id=_text(data, "agency_id", "case") or None,
        urgency=_text(data, "urgency", "case", "normal") or "normal",
        life_or_liberty_at_risk=at_risk,
        channel=_text(data, "channel", "case", "walk_in") or "walk_in",
        description=_text(data, "description", "case"),
        due_date=_date(data.get("due_date"), "due_date"),
        assigned_to=_text(data, "assigned_to", "case") or None,
        ilo_indicators=_codes(data.get("ilo_indicators"), "ilo_indicators"),
        claims=tuple(claims_json(data.get("claims"))),
    )
