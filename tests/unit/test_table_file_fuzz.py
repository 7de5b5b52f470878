"""A legacy register from outside, fuzzed: a workbook or a CSV file with flipped bytes, cut
short, with members replaced or added, in odd encodings, with huge cells and NUL bytes, is
read or refused in words (ValidationError), never with another exception and never slowly.

The plain tests below the fuzzing are the cases it found, each kept as the person met it."""

from __future__ import annotations

import csv
import io
import struct
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from app.errors import ValidationError
from app.services import table_file
from app.services.table_file import open_table
from tests.fuzz_json import FUZZ as SHARED_FUZZ
from tests.unit.test_table_file import workbook_bytes, zipped

# Each test reads at most some hundred small files: a few seconds at most, the suite stays fast.
FUZZ = settings(
    SHARED_FUZZ,
    max_examples=120,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def small_register() -> Workbook:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Фамилия", "Имя", "ИИН", "Дата обращения", "Страна"])
    sheet.append(["Әбенов", "Нұрлан", 10203500127, 45356, "Корея"])
    sheet["C2"].number_format = "000000000000"
    sheet.append(['=HYPERLINK("x")', "@SUM(A1)", "+7 701", "-", "KR"])
    return book


_XLSX = workbook_bytes(small_register())
with zipfile.ZipFile(io.BytesIO(_XLSX)) as _archive:
    _MEMBERS = {info.filename: _archive.read(info) for info in _archive.infolist()}
_CSV = "Фамилия;Имя;Дата\nӘбенов;Нұрлан;05.03.2024\n=1+1;@A1;+7\n".encode()


def read_or_refuse(raw: bytes) -> list[tuple[int, list[str]]] | None:
    """Every row of the file, or None when it is refused in words; any other exception fails."""
    try:
        table = open_table(raw)
        rows = list(table.rows)
    except ValidationError as exc:
        assert str(exc)
        return None
    assert all(isinstance(header, str) for header in table.headers)
    assert all(isinstance(cell, str) for _number, cells in rows for cell in cells)
    return rows


def mutated(base: bytes, position: int, value: int, cut: int | None) -> bytes:
    data = bytearray(base)
    data[position % len(data)] = value
    return bytes(data[:cut] if cut is not None else data)


@FUZZ
@given(
    base=st.sampled_from([_XLSX, _CSV]),
    position=st.integers(min_value=0, max_value=len(_XLSX) - 1),
    value=st.integers(min_value=0, max_value=255),
    cut=st.one_of(st.none(), st.integers(min_value=0, max_value=len(_XLSX))),
)
def test_a_file_with_a_flipped_byte_or_cut_short_is_read_or_refused(
    base: bytes, position: int, value: int, cut: int | None
) -> None:
    read_or_refuse(mutated(base, position, value, cut))


# What a sheet's XML may hold that openpyxl reads in its own ways: far cells and rows, odd
# types, numbers out of range, entities, a string index past the table.
_XML_PIECES = [
    b'<c r="XFD1" t="n"><v>1</v></c>',
    b'<row r="1048577"><c r="A1048577"><v>1</v></c></row>',
    b'<c r="A2" t="s"><v>999</v></c>',
    b'<c r="B2" t="d"><v>not a date</v></c>',
    b'<c r="B2" t="e"><v>#REF!</v></c>',
    b'<c r="C2" t="n"><v>1e999</v></c>',
    b'<c r="C2" s="99"><v>45356</v></c>',
    b'<c r="C2" t="inlineStr"><is><t>&amp;&lt;\xe2\x80\x8f</t></is></c>',
    b"<!DOCTYPE x [<!ENTITY e 'y'>]>",
    b"&e;",
    b"\x00",
    b"</sheetData>",
]


@st.composite
def damaged_members(draw: st.DrawFn) -> dict[str, bytes]:
    members = dict(_MEMBERS)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        name = draw(st.sampled_from(sorted(members)))
        action = draw(st.sampled_from(["bytes", "xml", "drop", "add", "cut"]))
        if action == "bytes":
            members[name] = draw(st.binary(max_size=200))
        elif action == "xml":
            at = draw(st.integers(min_value=0, max_value=len(members[name])))
            piece = draw(st.sampled_from(_XML_PIECES))
            members[name] = members[name][:at] + piece + members[name][at:]
        elif action == "drop":
            del members[name]
        elif action == "add":
            extra = draw(st.sampled_from(["xl/worksheets/sheet2.xml", "../outside", "mimetype"]))
            members[extra] = draw(st.binary(max_size=100))
        else:
            members[name] = members[name][: draw(st.integers(0, len(members[name])))]
    return members


@FUZZ
@given(damaged_members())
def test_a_workbook_with_damaged_missing_or_added_members_is_read_or_refused(
    members: dict[str, bytes],
) -> None:
    read_or_refuse(zipped(members))


_CELL_PIECES = ["&", "<b>", "\u200f", "\u0301", "\x00", "=1+1", "@A1", "+7", "-2", "\ufeff"]


@FUZZ
@given(
    text=st.lists(
        st.one_of(st.text(max_size=20), st.sampled_from(_CELL_PIECES + [";", ",", "\t", "\n"])),
        max_size=40,
    ).map("".join),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "cp1251", "koi8-r"]),
    prefix=st.sampled_from(
        [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00", b"PK\x03\x04"]
    ),
)
def test_text_in_any_encoding_with_any_characters_is_read_or_refused(
    text: str, encoding: str, prefix: bytes
) -> None:
    read_or_refuse(prefix + text.encode(encoding, errors="replace"))


_PLAIN_CELL = st.text(
    alphabet=st.characters(
        blacklist_categories=["Cs", "Cc", "Zl", "Zp"], blacklist_characters=';,\t"\r\n\u0085'
    ),
    max_size=30,
)


@FUZZ
@given(
    rows=st.lists(
        st.lists(
            st.one_of(_PLAIN_CELL, st.sampled_from(_CELL_PIECES[:-1])), min_size=3, max_size=3
        ),
        max_size=6,
    ),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_cells_written_as_csv_are_read_back_as_written(
    rows: list[list[str]], encoding: str
) -> None:
    """Names with ``&``, ``<``, a right-to-left mark, a combining accent, a formula-looking
    cell: the text that goes in comes out, cell for cell (no formula is evaluated)."""
    rows = [[cell.replace("\x00", "") for cell in row] for row in rows]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(
        [["Фамилия", "Имя", "Дата"], *rows]
    )
    table = open_table(buffer.getvalue().encode(encoding))
    assert table.headers == ["Фамилия", "Имя", "Дата"]
    assert [cells for _number, cells in table.rows] == rows


# -- what the fuzzing found -------------------------------------------------------------------


def _central_entries(raw: bytes) -> list[int]:
    at, found = 0, []
    while (at := raw.find(b"PK\x01\x02", at)) >= 0:
        found.append(at)
        at += 4
    return found


def test_a_workbook_whose_zip_asks_for_a_newer_zip_version_is_refused_in_words() -> None:
    """One changed byte (the version a ZIP reader needs, 6.4) raised NotImplementedError out
    of the import: "internal error" instead of a message."""
    raw = bytearray(_XLSX)
    raw[_central_entries(_XLSX)[0] + 6 : _central_entries(_XLSX)[0] + 8] = struct.pack("<H", 64)
    with pytest.raises(ValidationError, match="cannot be read as an Excel workbook"):
        open_table(bytes(raw))


def test_a_workbook_whose_mimetype_is_marked_encrypted_is_refused_in_words() -> None:
    """A member marked encrypted makes zipfile ask for a password (RuntimeError)."""
    raw = bytearray(zipped({"mimetype": b"application/x", **_MEMBERS}))
    flags = _central_entries(bytes(raw))[0] + 8
    raw[flags] |= 1
    with pytest.raises(ValidationError, match="cannot be read as an Excel workbook"):
        open_table(bytes(raw))


def _sheet_with(rows_xml: str) -> bytes:
    members = dict(_MEMBERS)
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    members["xl/worksheets/sheet1.xml"] = sheet.replace(
        "</sheetData>", rows_xml + "</sheetData>"
    ).encode()
    return zipped(members)


def _counting_cells(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    converted: list[object] = []
    cell_text: Callable[[Any], str] = table_file._cell_text
    monkeypatch.setattr(
        table_file, "_cell_text", lambda cell: converted.append(cell) or cell_text(cell)
    )
    return converted


def test_a_workbook_with_a_cell_in_the_last_column_of_every_row_is_refused_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A cell in column XFD of each row padded every row to 16,384 cells: a file of 100 KB
    kept the import busy for a minute, one of a megabyte for ten."""
    monkeypatch.setattr(table_file, "MAX_CELLS", 100_000)
    converted = _counting_cells(monkeypatch)
    far = "".join(f'<row r="{n}"><c r="XFD{n}"><v>1</v></c></row>' for n in range(4, 40))
    raw = _sheet_with(far)
    with pytest.raises(ValidationError, match="spans more than .* million cells"):
        list(open_table(raw).rows)
    assert len(converted) <= 100_000


def test_a_workbook_with_a_row_numbered_a_billion_is_refused_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """openpyxl yields every row a jump in row numbers skips: a billion empty rows, an hour.
    (Excel's own limit, 1,048,576 rows, is lowered here to keep the test short.)"""
    monkeypatch.setattr(table_file, "EXCEL_ROWS", 10_000)
    raw = _sheet_with('<row r="1000000000"><c r="A1000000000"><v>1</v></c></row>')
    with pytest.raises(ValidationError, match="rows numbered past 10,000, which Excel"):
        list(open_table(raw).rows)


def test_a_file_with_the_utf8_mark_before_other_bytes_is_refused_in_words() -> None:
    """A UTF-8 byte order mark, then bytes that are not UTF-8 (a file cut and pasted
    together): UnicodeDecodeError came out of the import."""
    with pytest.raises(ValidationError, match="neither an Excel workbook"):
        open_table(b"\xef\xbb\xbf\xff\xfeF\x00a\x00")


def test_a_csv_cell_past_the_field_limit_is_refused_with_its_row() -> None:
    """A quotation mark without its pair runs a cell on to the end of the file; the refusal
    was Python's own words ("field larger than field limit (131072)")."""
    raw = ('Фамилия;Имя\nӘбенов;Нұрлан\n"Иванова;Мария\n' + "x;y\n" * 40_000).encode()
    with pytest.raises(ValidationError, match=r"Row 3 has a cell longer than 131,072") as info:
        list(open_table(raw).rows)
    assert "quotation mark" in str(info.value)
