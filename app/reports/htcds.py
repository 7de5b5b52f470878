"""An anonymised case-level export in the shape of IOM's Human Trafficking Case Data Standard.

Field names follow the Counter Trafficking Data Collaborative (CTDC) codebook as the taxonomy
records them (``htcds`` of each category in ``resources/taxonomy/categories.json``). That
mapping was not checked against HTCDS 2.0, so every export says ``mapping_verified: false``
and carries the taxonomy's note, until someone confirms it against the standard.

Nothing in a record names, contacts or locates the person: no name, IIN, passport, phone,
address, employer, dates more precise than the year, nor the case number (a pseudonym instead).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from app.domain import taxonomy
from app.domain.codes import Category
from app.services.stats import AnonymisedCase, StatsFilter

STANDARD = "IOM Human Trafficking Case Data Standard (HTCDS), CTDC field names"
FORMAT = "qorgau-htcds-export"
VERSION = 1
DATA_SOURCE = "Case Management"
NOT_SPECIFIED = "meansOfControlNotSpecified"
# CTDC's broad age groups.
AGE_GROUPS = (
    (0, 8, "0--8"),
    (9, 17, "9--17"),
    (18, 20, "18--20"),
    (21, 23, "21--23"),
    (24, 26, "24--26"),
    (27, 29, "27--29"),
    (30, 38, "30--38"),
    (39, 47, "39--47"),
)
GENDERS = {"female": "Female", "male": "Male"}
BASE_FIELDS = (
    "caseId",
    "yearOfRegistration",
    "Datasource",
    "gender",
    "ageBroad",
    "majorityStatus",
    "citizenship",
    "CountryOfExploitation",
)


@dataclass(frozen=True)
class Mapping:
    fields: tuple[str, ...]  # the flag columns, in taxonomy order
    by_category: dict[str, str]  # category code -> HTCDS field
    unmapped: tuple[str, ...]  # categories with no HTCDS field
    verified: bool
    note: str


@cache
def mapping() -> Mapping:
    raw = json.loads((taxonomy.TAXONOMY_DIR / "categories.json").read_text(encoding="utf-8"))
    by_category: dict[str, str] = {c.code.value: c.htcds for c in taxonomy.categories() if c.htcds}
    flags: list[str] = []
    for field in by_category.values():
        if field not in flags:
            flags.append(field)
    if NOT_SPECIFIED not in flags:
        flags.append(NOT_SPECIFIED)
    unmapped = tuple(c.value for c in Category if c.value not in by_category)
    return Mapping(
        fields=tuple(flags),
        by_category=by_category,
        unmapped=unmapped,
        verified=bool(raw.get("htcds_verified", False)),
        note=str(raw.get("htcds_note", "")),
    )


def age_broad(age: int | None) -> str:
    if age is None:
        return ""
    for low, high, name in AGE_GROUPS:
        if low <= age <= high:
            return name
    return "48+"


def record(case: AnonymisedCase) -> dict[str, Any]:
    m = mapping()
    flags = {field: 0 for field in m.fields}
    for code in case.categories:
        field = m.by_category.get(code)
        if field:
            flags[field] = 1
    if not any(v for k, v in flags.items() if k.startswith("meansOfControl")):
        flags[NOT_SPECIFIED] = 1
    majority = "" if case.age is None else ("Minor" if case.age < 18 else "Adult")
    return {
        "caseId": case.pseudonym,
        "yearOfRegistration": case.year,
        "Datasource": DATA_SOURCE,
        "gender": GENDERS.get(case.sex or "", ""),
        "ageBroad": age_broad(case.age),
        "majorityStatus": majority,
        "citizenship": case.citizenship,
        "CountryOfExploitation": case.host_country,
        **flags,
    }


def columns() -> tuple[str, ...]:
    return BASE_FIELDS + mapping().fields


def htcds_csv(cases: Sequence[AnonymisedCase]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns()), lineterminator="\r\n")
    writer.writeheader()
    for case in cases:
        writer.writerow(record(case))
    return buffer.getvalue().encode("utf-8")


def htcds_json(
    cases: Sequence[AnonymisedCase], scope: StatsFilter, source_mission: str, made_on: date
) -> bytes:
    """The records with what a partner needs to read them, including the caveat."""
    m = mapping()
    document = {
        "format": FORMAT,
        "version": VERSION,
        "standard": STANDARD,
        "mapping_verified": m.verified,
        "mapping_note": m.note,
        "unmapped_categories": list(m.unmapped),
        "source": source_mission,
        "made_on": made_on.isoformat(),
        "period": {
            "from": scope.date_from.isoformat() if scope.date_from else None,
            "to": scope.date_to.isoformat() if scope.date_to else None,
        },
        "count": len(cases),
        "fields": list(columns()),
        "records": [record(c) for c in cases],
    }
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
