"""The returnee JSON of ``qorgau returnee add --json`` (docs/architecture.md, 'The command line').

Unknown fields are an error, never silently dropped, like the case JSON; each message names the
field. Example::

    {"case_number": "SEL-2026-0001", "occupation": "7212", "years_abroad": 3,
     "certificates": ["Welding, level 2 (HRD Korea)"], "languages": ["ko"],
     "work_country": "KR", "region": "KZ-71", "wants_referral": true,
     "consent_reference": "form 14/2026", "consent_date": "2026-11-20",
     "returned_on": "2026-11-28"}

At headquarters ``person`` (the case JSON's person object) replaces ``case_number``.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from app.errors import ValidationError
from app.i18n import _
from app.services.case_json import _codes, _date, _mapping, _text, _unknown, person_from_json
from app.services.returnees import ReturneeInput

# The JSON of a returnee holds the fields of the input, by the same names.
RETURNEE_FIELDS = {f.name for f in fields(ReturneeInput)}
REQUIRED = ("occupation", "work_country", "region", "consent_reference", "consent_date")


def returnee_from_json(raw: Any) -> ReturneeInput:
    data = _mapping(raw, "returnee")
    _unknown(data, RETURNEE_FIELDS, "returnee")
    for field in REQUIRED:
        if data.get(field) in (None, ""):
            raise ValidationError(_("The field “{field}” is required.").format(field=field), field)
    years = data.get("years_abroad", 0)
    if isinstance(years, bool) or not isinstance(years, int):
        raise ValidationError(
            _("“{field}” must be a whole number.").format(field="years_abroad"), "years_abroad"
        )
    referral = data.get("wants_referral", False)
    if not isinstance(referral, bool):
        raise ValidationError(
            _("“{field}” must be true or false.").format(field="wants_referral"),
            "wants_referral",
        )
    return ReturneeInput(
        occupation=_text(data, "occupation", "returnee"),
        work_country=_text(data, "work_country", "returnee"),
        region=_text(data, "region", "returnee"),
        consent_reference=_text(data, "consent_reference", "returnee"),
        consent_date=_date(data.get("consent_date"), "consent_date"),
        years_abroad=years,
        certificates=_codes(data.get("certificates"), "certificates"),
        languages=_codes(data.get("languages"), "languages"),
        wants_referral=referral,
        returned_on=_date(data.get("returned_on"), "returned_on"),
        note=_text(data, "note", "returnee"),
        case_number=_text(data, "case_number", "returnee"),
        person=person_from_json(data["person"]) if data.get("person") is not None else None,
        person_id=_text(data, "person_id", "returnee"),
    )
