"""A worker's name that runs as a formula in the spreadsheet of whoever opens the export.

Excel set to Kazakh or Russian (the mission's and HQ's computers) splits a CSV opened by a
double click at ";", its list separator, whatever the quotes say once a line's first cell was
not quoted its way. The apostrophe put before a cell starting with ``=`` guarded the cell's
start only: a surname ``Иванов;=cmd|' /C calc'!A0`` became two cells there, the second a DDE
formula. Each part after a ";" that would start a formula gets its apostrophe too; a reader
splitting at "," or at ";" finds no cell that starts one, and the rest reads back as typed.
The files are written with ";" between cells, as that Excel reads them; Excel set to English
splits them at ",", so a part after a "," is guarded as well.

The same reader ends a row at a line break inside such a mid-line quoted cell: a surname
``Иванов\n=cmd|' /C calc'!A0,`` (a line break is text, as a mission's bundle or a JSON file
may carry it) made a new row whose first cell was the DDE formula. A part after a line break
that would start a formula gets its apostrophe too.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from app.config import Paths
from app.reports.export import FORMULA_STARTS, csv_bytes, stream_csv
from app.reports.tables import ReportTable
from app.services.installation import init_installation
from tests.conftest import MISSION, PASSWORD
from tests.security.folder import CASE, cli_as

PAYLOADS = (
    "Иванов;=cmd|' /C calc'!A0",
    "Иванов;+cmd|' /C calc'!A0",
    "Иванов;@SUM(1+1)*cmd|' /C calc'!A0",
    "Иванов; x;-2+3",
    "Иванов,=cmd|' /C calc'!A0",
    "Иванов, x,-2+3",
    '=HYPERLINK("http://example.com/?"&A1;"Әсел")',
)


def _cells(text: str, delimiter: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]


def _no_formula_in_any_reading(text: str) -> None:
    for delimiter in (",", ";"):
        cells = _cells(text, delimiter)
        started = [c for c in cells if c.lstrip(' \t"').startswith(FORMULA_STARTS)]
        assert started == [], delimiter


def test_a_report_table_with_a_name_in_a_later_column() -> None:
    """As the case list has it: the name after other cells, so that a reader at ";" sees the
    line's quotes mid-cell and splits inside the quoted name."""
    table = ReportTable("cases", "Cases", ("Number", "Worker"), (("SEL-2026-0001", PAYLOADS[0]),))
    text = csv_bytes(table).decode("utf-8-sig")
    _no_formula_in_any_reading(text)
    assert _cells(text, ";")[3] == "Иванов;'=cmd|' /C calc'!A0"


# A line break, then a formula ended by the "," at which Excel set to English splits.
LINE_BREAK_PAYLOADS = (
    "Иванов\n=cmd|' /C calc'!A0,",
    "Иванов\r\n@SUM(1+1)*cmd|' /C calc'!A0,",
    "Иванов\n+cmd|' /C calc'!A0;",
    'Иванов\n \t"-2+3',
)


@pytest.mark.parametrize("name", LINE_BREAK_PAYLOADS)
def test_a_line_break_in_a_name_never_starts_a_row_with_a_formula(
    name: str, tmp_path: Path
) -> None:
    rows = (("SEL-2026-0001", name, "2026-12-01"),)
    table = ReportTable("cases", "Cases", ("Number", "Worker", "Due"), rows)
    text = csv_bytes(table).decode("utf-8-sig")
    _no_formula_in_any_reading(text)
    # Read at ";" the cell is whole: the name as typed, an apostrophe after its line break.
    assert _cells(text, ";")[4] == re.sub(r"(\r\n|\r|\n)", r"\1'", name)

    streamed = tmp_path / "list.csv"
    stream_csv(streamed, ("Number", "Worker", "Due"), rows)
    _no_formula_in_any_reading(streamed.read_text(encoding="utf-8-sig"))


def test_line_breaks_with_no_formula_after_them_are_left_alone() -> None:
    table = ReportTable("t", "T", ("N", "Worker"), (("1", "Ли\nКим"), ("2", "a;\r\nb")))
    assert _cells(csv_bytes(table).decode("utf-8-sig"), ";")[3:] == ["Ли\nКим", "2", "a;\r\nb"]


def test_names_with_a_semicolon_and_no_formula_are_left_alone() -> None:
    table = ReportTable("t", "T", ("Worker",), (("Ли; Ким",), ("a;b",)))
    assert _cells(csv_bytes(table).decode("utf-8-sig"), ";")[1:] == ["Ли; Ким", "a;b"]


@pytest.mark.parametrize("name", PAYLOADS)
def test_report_csv_cells_never_start_a_formula_at_either_separator(
    name: str, tmp_path: Path
) -> None:
    table = ReportTable("cases", "Cases", ("Worker", "Cases"), ((name, 3),))
    text = csv_bytes(table).decode("utf-8-sig")
    _no_formula_in_any_reading(text)
    # The name as typed, an apostrophe before each part that would start a formula.
    typed = _cells(text, ";")[2].replace(";'", ";").replace(",'", ",").removeprefix("'")
    assert typed == name

    streamed = tmp_path / "list.csv"
    stream_csv(streamed, ("Worker",), [(name,)])
    _no_formula_in_any_reading(streamed.read_text(encoding="utf-8-sig"))


def test_a_surname_carrying_a_formula_exported_by_stats_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The case list a partner or HQ receives, made by the command line from a real case."""
    data = tmp_path / "mission"
    init_installation(Paths(data), MISSION, "admin", PASSWORD)
    case = json.loads(json.dumps(CASE))
    case["person"]["surname"] = PAYLOADS[0]
    source = tmp_path / "case.json"
    source.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    added = cli_as(
        capsys, monkeypatch, data, "admin", PASSWORD, "case", "add", "--json", str(source)
    )
    assert added.code == 0, added.err

    out = tmp_path / "cases.csv"
    run = cli_as(
        capsys, monkeypatch, data, "admin", PASSWORD, "stats", "--cases", "open", "--csv", str(out)
    )
    assert run.code == 0, run.err
    text = out.read_text(encoding="utf-8-sig")
    # The worker's cell, in the list's English spelling, guarded after its ";".
    assert "Asel Ivanov;'=cmd|' /c Calc'!a0" in _cells(text, ";")
    _no_formula_in_any_reading(text)
