"""docs/partner-exports.md lists every column a partner receives, as the code writes it."""

from __future__ import annotations

import re
from pathlib import Path

from app.i18n import translator
from app.reports.export import ABOUT_KEY
from app.reports.published import published
from app.reports.tables import indicator_tables
from app.services.returnees import EXPORT_FIELDS
from tests.unit.test_stats_reports import figures

DOC = Path(__file__).resolve().parents[2] / "docs" / "partner-exports.md"


def _table_rows(text: str, first_cell: str) -> list[list[str]]:
    """The cells of the Markdown table rows whose first cell matches ``first_cell``."""
    rows = []
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and re.fullmatch(first_cell, cells[0]):
            rows.append(cells)
    return rows


def test_the_registers_columns_are_documented_in_order_in_each_language() -> None:
    """The fault: the employment centres' file had its columns named nowhere but in the
    code; a centre reading a Kazakh file had no key to a Russian one."""
    rows = _table_rows(DOC.read_text(encoding="utf-8"), r"\d+")
    documented = [(row[1].strip("`"), row[2], row[3], row[4]) for row in rows]
    expected = [
        (key, *(translator("documents", lang).gettext(label) for lang in ("en", "ru", "kk")))
        for key, label in EXPORT_FIELDS
    ]
    assert documented == expected
    assert [int(row[0]) for row in rows] == list(range(1, len(EXPORT_FIELDS) + 1))


def test_every_statistics_table_is_documented_with_its_columns() -> None:
    rows = _table_rows(DOC.read_text(encoding="utf-8"), r"`\w+`")
    documented = {row[0].strip("`"): row[2] for row in rows}
    tables = indicator_tables(published(figures(by_mission=True)), "en")
    assert {t.key: "; ".join(t.headers) for t in tables}.items() <= documented.items()
    assert set(documented) == {ABOUT_KEY, *(t.key for t in tables)}
