"""The field list of IOM's Human Trafficking Case Data Standard 2.0, as published.

``resources/htcds/fields.csv`` is the standard's own table (CC BY 4.0, IOM), unchanged. This
module reads it so that the export takes its field names, column order and picklist values from
the standard itself, and refuses to write a value the standard does not have.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache

from app.domain.iso import country_codes
from app.resources import resource_path

FIELDS_FILE = resource_path("htcds", "fields.csv")
VERSION = "2.0"
ATTRIBUTION = "Human Trafficking Case Data Standard (HTCDS) 2.0 by IOM, licensed under CC BY 4.0"
# Salesforce, for which the standard is written, separates multiselect values with ";".
MULTI_SEPARATOR = ";"
CHECKBOX_VALUES = ("true", "false")
# ISO 8601 with reduced precision: the export writes years only ("2026").
DATE_PATTERN = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True)
class Field:
    name: str  # with its prefix, e.g. "prs_Gender"
    label: str
    type: str  # "Picklist", "Multiselect Picklist", "Checkbox", "Date", "Text", ...
    status: str  # "DRAFT" or "DEPRECATED"
    position: int  # order in the standard
    values: tuple[str, ...]  # picklist value names; empty for free or ISO-coded fields
    iso_countries: bool  # the standard asks for ISO 3166 country codes

    @property
    def multiselect(self) -> bool:
        return self.type.startswith("Multiselect")

    def accepts(self, value: str) -> bool:
        """True if ``value`` is a value this field can hold ("" means not recorded)."""
        if value == "":
            return True
        if self.multiselect:
            parts = value.split(MULTI_SEPARATOR)
            return len(set(parts)) == len(parts) and all(self._accepts_one(p) for p in parts)
        return self._accepts_one(value)

    def _accepts_one(self, value: str) -> bool:
        if self.iso_countries:
            return value in country_codes()
        if self.values:
            return value in self.values
        if self.type == "Checkbox":
            return value in CHECKBOX_VALUES
        if self.type == "Date":
            return DATE_PATTERN.match(value) is not None
        if self.type == "Number":
            return re.fullmatch(r"-?\d+(\.\d+)?", value) is not None
        return self.type in ("Text", "Long Text")


def _lines(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.splitlines() if part.strip())


@cache
def fields() -> dict[str, Field]:
    """Every field of the standard, by full name, in the standard's order."""
    found: dict[str, Field] = {}
    with FIELDS_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            name = row["Field Name including Prefix"].strip()
            if not name:
                continue  # a section heading or an example question
            names = row["Value Names (if picklist)"]
            iso = "ISO 3166" in names or "ISO 3166" in row["Value Labels (if picklist)"]
            coded = "Picklist" in row["Field Type"] and "ISO" not in names
            found[name] = Field(
                name=name,
                label=row["Field Label"].strip(),
                type=row["Field Type"].strip(),
                status=row["Status"].strip(),
                position=len(found),
                values=_lines(names) if coded else (),
                iso_countries=iso,
            )
    if not found:
        raise ValueError(f"{FIELDS_FILE} lists no HTCDS field")
    return found


def field(name: str) -> Field:
    """The field ``name``; KeyError names a field the standard does not have."""
    return fields()[name]


def in_standard_order(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(names, key=lambda name: field(name).position))
