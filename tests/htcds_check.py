"""An independent reading of the HTCDS 2.0 field list, to check exports against the standard.

Deliberately written apart from ``app.reports.htcds_standard``: a mistake in the product's
reading of the file must not hide the same mistake in the tests.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from babel import Locale

FIELDS_CSV = Path(__file__).resolve().parents[1] / "resources" / "htcds" / "fields.csv"
# Columns whose values are what the release is about, not what identifies someone: every other
# column of an export counts as a quasi-identifier when k is checked.
SENSITIVE = frozenset(
    {
        "vic_TraffickingStatus",
        "vic_TraffickingStatusDecisionMakingOrg",
        "vic_MethodsOfControl",
        "vic_TypeOfExploitation",
        "cas_Status",
        "con_Consent",
    }
)
ISO_COUNTRIES = frozenset(
    str(code) for code in Locale("en").territories if re.fullmatch(r"[A-Z]{2}", str(code))
)


def standard() -> dict[str, dict[str, object]]:
    """Field name -> {"type", "status", "values" (picklist names), "order"}."""
    found: dict[str, dict[str, object]] = {}
    with FIELDS_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    name_at = header.index("Field Name including Prefix")
    type_at = header.index("Field Type")
    status_at = header.index("Status")
    values_at = header.index("Value Names (if picklist)")
    for row in rows[1:]:
        name = row[name_at].strip()
        if not name:
            continue
        values = [v.strip() for v in row[values_at].split("\n") if v.strip()]
        found[name] = {
            "type": row[type_at].strip(),
            "status": row[status_at].strip(),
            "values": set() if any("ISO" in v for v in values) else set(values),
            "iso": "ISO 3166" in row[values_at] or "ISO 3166" in row[values_at + 1],
            "order": len(found),
        }
    return found


def value_problems(rows: Iterable[Mapping[str, str]]) -> list[str]:
    """Every cell the standard does not allow, as "field: value" (empty: all fine)."""
    fields = standard()
    problems = []
    for row in rows:
        for name, value in row.items():
            spec = fields[name]
            if value == "":
                continue
            kind = str(spec["type"])
            parts = value.split(";") if kind.startswith("Multiselect") else [value]
            for part in parts:
                if spec["iso"]:
                    ok = part in ISO_COUNTRIES
                elif spec["values"]:
                    ok = part in spec["values"]  # type: ignore[operator]
                elif kind == "Checkbox":
                    ok = part in ("true", "false")
                elif kind == "Date":
                    ok = re.fullmatch(r"\d{4}(-\d{2}-\d{2})?", part) is not None
                elif name == "hte_Country":
                    ok = part in ISO_COUNTRIES  # Text in the standard; we promise ISO codes
                else:
                    ok = kind == "Text"
                if not ok:
                    problems.append(f"{name}: {value}")
    return problems


def smallest_group(rows: Sequence[Mapping[str, str]], columns: Sequence[str]) -> int:
    quasi = [c for c in columns if c not in SENSITIVE]
    groups = Counter(tuple(row[c] for c in quasi) for row in rows)
    return min(groups.values())
