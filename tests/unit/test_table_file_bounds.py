"""Oversized CSV text is refused early with memory bounded: the whole file was decoded into
one string and copied again for the reader, some four times its size, before a refusal."""

from __future__ import annotations

import threading
import tracemalloc
from collections.abc import Callable

import pytest
from openpyxl import Workbook
from openpyxl.styles import Border, Side
from sqlalchemy import func, select

from app.db.models import Case
from app.errors import ValidationError
from app.services import csv_import, table_file
from app.services.table_file import MAX_LINE_CHARS, open_table
from app.services.workspace import Workspace
from tests.unit.test_table_file import workbook_bytes

HEADER = "Фамилия;Имя;Страна;Дата обращения;Жалоба\n"
ROW = "Иванов;Иван;Турция;2024-01-05;невыплата з/п\n"


def peak_while(work: Callable[[], object]) -> int:
    """The most memory allocated while ``work`` ran, past what was held before."""
    tracemalloc.start()
    try:
        work()
    except ValidationError:
        pass
    finally:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


def test_an_unclosed_quote_in_a_large_csv_is_refused_in_bounded_memory() -> None:
    raw = (HEADER + '"Петров;Пётр;Турция;2024-01-05;x\n' + ROW * 200_000).encode()
    assert len(raw) > 10_000_000

    def read() -> None:
        list(open_table(raw).rows)

    with pytest.raises(ValidationError, match="quotation mark"):
        read()
    # Decoded whole, the Cyrillic text took twice its bytes, and as much again for the reader.
    assert peak_while(read) < len(raw) // 2


def test_a_file_of_one_endless_line_is_refused_by_its_length() -> None:
    raw = ("Фамилия;Имя " + "ж" * 8 * MAX_LINE_CHARS).encode("cp1251")

    def read() -> None:
        open_table(raw)

    with pytest.raises(ValidationError, match=r"Line 1 is longer than 1,048,576 characters"):
        read()
    assert peak_while(read) < len(raw)


def test_a_file_of_far_more_rows_than_the_import_takes_is_refused_before_any_is_checked(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A million rows were each checked as a case up to the ceiling (14 s) before the refusal;
    the ceiling is said at once, and nothing is written."""
    monkeypatch.setattr(csv_import, "MAX_ROWS", 1_000)
    checked: list[int] = []
    monkeypatch.setattr(csv_import, "row_to_case", lambda *a: checked.append(1) or None)
    raw = (HEADER + ROW * 1_200).encode()
    with ws.read() as session:
        before = session.execute(select(func.count(Case.id))).scalar_one()
    with pytest.raises(ValidationError, match="The file has more than 1,000 rows"):
        csv_import.import_csv(ws, raw, stop=threading.Event())
    assert checked == []
    with ws.read() as session:
        assert session.execute(select(func.count(Case.id))).scalar_one() == before


def test_a_file_at_the_ceiling_with_titles_and_totals_is_still_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(csv_import, "MAX_ROWS", 1_000)
    raw = ("Реестр обращений, 2024\n" + HEADER + ROW * 1_000 + "Итого: 1000\n").encode()
    table = csv_import.open_register(raw)
    assert sum(1 for _row in table.rows) == 1_001  # the cases and the totals under them


def register_workbook(cases: int, bordered_below: int = 0) -> bytes:
    """A register of ``cases`` rows, and as many empty rows below given borders in advance."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.strip().split(";"))
    for _case in range(cases):
        sheet.append(ROW.strip().split(";"))
    thin = Side(style="thin")
    for row in range(cases + 2, cases + 2 + bordered_below):
        sheet.cell(row=row, column=1).border = Border(left=thin, right=thin)
    return workbook_bytes(book)


def test_a_workbook_of_far_more_rows_than_the_import_takes_is_refused_before_any_is_read(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sheet of a million rows was read and checked row by row up to the ceiling (48 s)."""
    monkeypatch.setattr(csv_import, "MAX_ROWS", 1_000)
    read: list[int] = []
    monkeypatch.setattr(table_file, "_cell_text", lambda cell: read.append(1) or "")
    with pytest.raises(ValidationError, match="The file has more than 1,000 rows"):
        csv_import.import_csv(ws, register_workbook(1_200), stop=threading.Event())
    assert read == []


def test_empty_rows_given_borders_in_advance_are_not_counted_as_cases(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(csv_import, "MAX_ROWS", 1_000)
    table = csv_import.open_register(register_workbook(1_000, bordered_below=3_000))
    assert sum(1 for _number, cells in table.rows if any(cells)) == 1_000


def test_filled_rows_are_counted_alike_whatever_the_chunks_cut(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = register_workbook(50, bordered_below=20)
    member = "xl/worksheets/sheet1.xml"
    assert table_file._filled_rows(raw, member) == 51  # the header and the cases
    monkeypatch.setattr(table_file, "_XML_CHUNK", 7)
    assert table_file._filled_rows(raw, member) == 51
