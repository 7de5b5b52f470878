"""The rows of a legacy register: an Excel workbook read as the sheet shows it, CSV text in the
encodings and separators Excel saves, and the files picked by mistake refused in words."""

from __future__ import annotations

import io
import itertools
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from app.errors import ValidationError
from app.services import table_file
from app.services.table_file import open_table


def workbook_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def register_2024() -> Workbook:
    """A register as missions keep them: a title above the header, dates as dates, an IIN
    typed as a number but shown with its leading zero, a phone as a number."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "2024"
    sheet.append(["Реестр обращений граждан РК, 2024 год"])
    sheet.append([])
    sheet.append(["ФИО", "ИИН", "Страна", "Дата обращения", "Телефон", None, None])
    sheet.append(["Әбенов Нұрлан", 10203500127, "Корея", datetime(2024, 3, 5), 821012345678.0])
    sheet["B4"].number_format = "000000000000"
    sheet.append(["Иванова Мария", None, "ОАЭ", datetime(2024, 4, 1, 10, 30)])
    sheet.append([])
    sheet.append(["Серікова Айгүл", "900504300127", "TR", date(2024, 5, 6), None, None, "лишнее"])
    book.create_sheet("2025").append(["Фамилия", "Имя"])
    return book


def test_a_workbook_is_read_as_its_sheet_shows_it() -> None:
    table = open_table(workbook_bytes(register_2024()))
    assert (table.encoding, table.sheet, table.sheets) == ("xlsx", "2024", ["2024", "2025"])
    assert table.headers == ["ФИО", "ИИН", "Страна", "Дата обращения", "Телефон"]
    rows = list(table.rows)
    # Numbered as Excel numbers the rows (the title and the blank line above the header too).
    assert [number for number, _cells in rows] == [4, 5, 6, 7]
    assert rows[0][1] == ["Әбенов Нұрлан", "010203500127", "Корея", "2024-03-05", "821012345678"]
    assert rows[1][1] == ["Иванова Мария", "", "ОАЭ", "2024-04-01 10:30", ""]
    assert rows[2][1] == ["", "", "", "", ""]
    # A cell beyond the header's last column keeps the row wider, to be refused as such.
    assert rows[3][1] == ["Серікова Айгүл", "900504300127", "TR", "2024-05-06", "", "", "лишнее"]


def test_another_sheet_is_read_by_its_name_and_an_unknown_one_is_refused() -> None:
    raw = workbook_bytes(register_2024())
    assert open_table(raw, "2025").headers == ["Фамилия", "Имя"]
    with pytest.raises(ValidationError, match="no sheet “2023”; its sheets: 2024, 2025"):
        open_table(raw, "2023")
    with pytest.raises(ValidationError, match="Only an Excel workbook has sheets"):
        open_table("Фамилия;Имя\n".encode(), "2024")


def test_a_sheet_declaring_the_whole_grid_is_read_cell_by_filled_cell(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A sheet whose columns were formatted whole declares A1:XFD1048576: every row was padded
    to 16,384 cells, each turned into text (a register of 10,000 rows: minutes per check)."""
    converted: list[object] = []
    cell_text = table_file._cell_text
    monkeypatch.setattr(
        table_file, "_cell_text", lambda cell: converted.append(cell) or cell_text(cell)
    )
    raw = workbook_bytes(register_2024())
    with zipfile.ZipFile(io.BytesIO(raw)) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"]
    start = sheet.index(b"<dimension ref=")
    end = sheet.index(b"/>", start) + 2
    members["xl/worksheets/sheet1.xml"] = (
        sheet[:start] + b'<dimension ref="A1:XFD1048576"/>' + sheet[end:]
    )
    table = open_table(zipped(members))
    rows = list(itertools.islice(table.rows, 50))
    assert [number for number, _cells in rows] == [4, 5, 6, 7]
    assert len(table.headers) == 5
    assert len(converted) < 60  # the cells the rows hold, not 7 × 16,384


def test_an_empty_sheet_is_refused_in_words() -> None:
    book = Workbook()
    assert book.active is not None
    book.active.append(["Только заголовок листа"])
    with pytest.raises(ValidationError, match="is empty"):
        open_table(workbook_bytes(book))


@pytest.mark.parametrize(
    ("raw", "encoding", "delimiter"),
    [
        ("Фамилия\tИмя, отчество\nӘбенов\tНұрлан\n".encode("utf-16"), "utf-16", "\t"),
        ("Фамилия;Имя\nИванова;Мария\n".encode("cp1251"), "cp1251", ";"),
        (b"\xef\xbb\xbf" + b"Surname,Given names\nA,B\n", "utf-8-sig", ","),
        ("Фамилия\nӘбенов\n".encode(), "utf-8", ","),  # one column: no separator
    ],
)
def test_csv_text_in_the_encodings_and_separators_excel_saves(
    raw: bytes, encoding: str, delimiter: str
) -> None:
    """Excel's "Unicode text" is UTF-16 with tabs: it was read as Windows-1251 (a NUL between
    every letter) and no column was recognised."""
    table = open_table(raw)
    assert (table.encoding, table.delimiter) == (encoding, delimiter)
    assert table.headers[0] in {"Фамилия", "Surname"}


def test_a_semicolon_register_with_commas_in_its_notes_and_amounts_keeps_its_columns() -> None:
    """The fault: the separator was the character the first lines held most of, so a ";"
    register (Excel in Russian or Kazakh) whose notes or amounts ("1234,56") held more commas
    than it has columns was split at its commas, and no column was recognised."""
    text = (
        "Фамилия;Имя;Страна;Категории;Дата обращения;Описание;Сумма\r\n"
        "Иванов;Иван;TR;unpaid_wages;12.03.2024;"
        "Не платил, угрожал, отобрал паспорт, запер, бил, не кормил, не лечил;1234,56\r\n"
        "Петрова;Анна;KR;other;13.03.2024;Нет;250000,00\r\n"
    )
    table = open_table(text.encode("cp1251"))
    assert table.delimiter == ";"
    assert table.headers[0] == "Фамилия" and len(table.headers) == 7
    rows = list(table.rows)
    assert [len(cells) for _line, cells in rows] == [7, 7]
    assert rows[0][1][6] == "1234,56" and rows[0][1][5].endswith("не лечил")


def test_a_csv_qorgau_wrote_is_read_back_in_its_columns() -> None:
    from decimal import Decimal

    from app.reports.export import csv_bytes
    from app.reports.tables import ReportTable

    written = ReportTable(
        "wages",
        "Wages",
        ("Валюта", "Сумма", "Дела, закрытые в срок, всего"),
        (("KRW", Decimal("4400000.50"), 12), ("TRY", Decimal("1.5"), 1)),
    )
    table = open_table(csv_bytes(written))
    assert table.delimiter == ";" and len(table.headers) == 3
    assert [cells for _line, cells in table.rows] == [
        ["KRW", "4400000,50", "12"],
        ["TRY", "1,5", "1"],
    ]


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "Excel 97–2003 workbook"),
        (
            zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
            "OpenDocument spreadsheet",
        ),
        (zipped({"word/document.xml": b"<w/>"}), "an archive, not an Excel workbook"),
        (b"PK\x03\x04 damaged", "cannot be read as an Excel workbook"),
        (b"%PDF-1.7\n\x00\x01\x02\xff" * 10, "neither an Excel workbook"),
        (b"\xff\xfe\x00\xd8", "neither an Excel workbook"),  # a BOM, then no UTF-16
    ],
)
def test_files_picked_by_mistake_are_refused_with_what_to_do(raw: bytes, words: str) -> None:
    """An .xls or a PDF was decoded as Windows-1251 and refused as "no column for Surname"."""
    with pytest.raises(ValidationError, match=words):
        open_table(raw)


def test_a_workbook_that_would_unpack_past_the_limit_is_refused_unread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A small file that unpacks to gigabytes: its declared sizes are summed before openpyxl
    reads a byte (a ZIP member never unpacks past its declared size)."""
    book = Workbook()
    assert book.active is not None
    book.active.append(["Фамилия", "Имя"])
    for n in range(2000):
        book.active.append(["Әбенов", f"Нұрлан {n}"])
    raw = workbook_bytes(book)
    monkeypatch.setattr(table_file, "MAX_UNPACKED_BYTES", 100_000)
    opened: list[bool] = []
    monkeypatch.setattr("openpyxl.load_workbook", lambda *_a, **_k: opened.append(True))
    with pytest.raises(ValidationError, match="unpacks to more than"):
        open_table(raw)
    assert not opened


def test_an_entity_bomb_in_a_sheet_is_refused() -> None:
    """Billion laughs in a sheet's XML: the parser's amplification limit refuses it at once,
    and the person reads that the file cannot be read."""
    raw = workbook_bytes(register_2024())
    levels = "".join(f'<!ENTITY e{n} "{("&e" + str(n - 1) + ";") * 10}">' for n in range(1, 10))
    cell = '<c r="{}1" t="inlineStr"><is><t>{}</t></is></c>'
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY e0 "lol">{levels}]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<sheetData><row r="1">{cell.format("A", "&e9;")}{cell.format("B", "x")}</row>'
        "</sheetData></worksheet>"
    ).encode()
    with zipfile.ZipFile(io.BytesIO(raw)) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    members["xl/worksheets/sheet1.xml"] = bomb
    with pytest.raises(ValidationError, match="cannot be read as an Excel workbook"):
        open_table(zipped(members))


def test_columns_without_a_name_or_with_one_name_twice_are_told_apart_by_their_letter() -> None:
    """Two «Дата» columns (received, closed) or a column with no header: a mapping by name took
    the first «Дата» for both, and only the first unnamed column could be chosen at all."""
    table = open_table("ФИО;;Дата;Дата\nӘбенов Нұрлан;x;05.03.2024;20.04.2024\n".encode())
    assert table.headers == ["ФИО", "[B]", "Дата [C]", "Дата [D]"]
    book = Workbook()
    assert book.active is not None
    book.active.append(["ФИО", None, "Дата", "Дата", "Страна"])
    assert open_table(workbook_bytes(book)).headers == [
        "ФИО",
        "[B]",
        "Дата [C]",
        "Дата [D]",
        "Страна",
    ]


def test_a_title_above_the_header_of_a_csv_is_skipped_and_lines_keep_their_numbers() -> None:
    """A register saved as CSV keeps its title line: the title was taken for the header and
    nothing was recognised ("No column for Surname")."""
    text = "Реестр обращений, 2024\n\nФамилия;Имя\nӘбенов;Нұрлан\n"
    table = open_table(text.encode())
    assert (table.delimiter, table.headers) == (";", ["Фамилия", "Имя"])
    assert list(table.rows) == [(4, ["Әбенов", "Нұрлан"])]
    with pytest.raises(ValidationError, match="The file is empty"):
        open_table("Реестр обращений 2024\n\n".encode())


def register_with_group_band() -> Workbook:
    """A register as missions lay it out: a merged title, then a band of merged group names
    («Сведения о заявителе» over the person's columns) above the real header."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Реестр обращений, 2024 г."])
    sheet.merge_cells("A1:E1")
    sheet.append(["Сведения о заявителе", None, None, "Сведения об обращении"])
    sheet.merge_cells("A2:C2")
    sheet.merge_cells("D2:E2")
    sheet.append(["№", "ФИО", "ИИН", "Дата обращения", "Страна"])
    sheet.append(["1", "Әбенов Нұрлан", "900504300127", "05.03.2024", "Корея"])
    return book


def test_a_band_of_group_names_above_the_header_is_not_taken_for_it() -> None:
    """The band («Сведения о заявителе», «Сведения об обращении») names two cells, so it was
    taken for the header and the file refused: "No column for Surname, Given names". The
    row below it naming the known fields is the header; the band is skipped."""
    known = {"№", "ФИО", "ИИН", "Дата обращения", "Страна"}
    table = open_table(
        workbook_bytes(register_with_group_band()),
        header_score=lambda cells: sum(cell in known for cell in cells),
    )
    assert table.headers == ["№", "ФИО", "ИИН", "Дата обращения", "Страна"]
    assert list(table.rows) == [(4, ["1", "Әбенов Нұрлан", "900504300127", "05.03.2024", "Корея"])]
    text = "Реестр;;\nЗаявитель;;Обращение\nФИО;Дата;Страна\nӘбенов Нұрлан;05.03.2024;KR\n"
    csv_table = open_table(text.encode(), header_score=lambda cells: sum(c in known for c in cells))
    assert csv_table.headers == ["ФИО", "Дата", "Страна"]
    assert list(csv_table.rows) == [(4, ["Әбенов Нұрлан", "05.03.2024", "KR"])]
    # Without a way to tell, the first row naming two columns stays the header.
    assert open_table(text.encode()).headers == ["Заявитель", "[B]", "Обращение"]


def register_with_two_header_rows() -> Workbook:
    """A journal as missions keep it: «№ п/п», «ФИО заявителя» and «Статус» merged over two
    header rows, «Сведения об обращении» over the three columns named in the second; a date
    and a country merged over the rows they are the same for."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = "Журнал регистрации обращений"
    sheet["A3"], sheet["B3"], sheet["C3"] = "№ п/п", "ФИО заявителя", "Сведения об обращении"
    sheet["F3"] = "Статус"
    sheet["C4"], sheet["D4"], sheet["E4"] = "Дата обращения", "Страна", "Суть жалобы"
    for merged in ("A3:A4", "B3:B4", "C3:E3", "F3:F4"):
        sheet.merge_cells(merged)
    sheet.append([1, "Әбенов Нұрлан", "05.03.2024", "Корея", "Не платят", "Закрыто"])
    sheet.append([2, "Оспанов Ерлан", "06.03.2024", "Корея", "Паспорт", "Закрыто"])
    sheet.append([3, "Сейтова Дана", None, None, "Избили", "Закрыто"])
    sheet.merge_cells("C6:C7")  # one day for two rows
    sheet.merge_cells("D5:D7")  # one country for three
    return book


def test_cells_merged_over_several_rows_fill_each_of_them() -> None:
    """openpyxl reads a merged cell's text in its first row only: the second header row lost
    «ФИО заявителя» (the file refused: "No column for Surname, Given names") and the rows
    under a merged date or country came in without them. Each row now reads it."""
    known = {"ФИО заявителя", "Дата обращения", "Страна", "Статус"}
    table = open_table(
        workbook_bytes(register_with_two_header_rows()),
        header_score=lambda cells: sum(cell in known for cell in cells),
    )
    assert table.headers == [
        "№ п/п",
        "ФИО заявителя",
        "Дата обращения",
        "Страна",
        "Суть жалобы",
        "Статус",
    ]
    assert list(table.rows) == [
        (5, ["1", "Әбенов Нұрлан", "05.03.2024", "Корея", "Не платят", "Закрыто"]),
        (6, ["2", "Оспанов Ерлан", "06.03.2024", "Корея", "Паспорт", "Закрыто"]),
        (7, ["3", "Сейтова Дана", "06.03.2024", "Корея", "Избили", "Закрыто"]),
    ]


def test_formulas_without_a_saved_value_are_counted() -> None:
    """A workbook a program wrote with formulas and Excel never saved holds no value for them:
    they read as empty, and a row was refused for an empty date the sheet shows in Excel,
    with no word of why. The table counts them (a saved value is read as it is)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["ФИО", "Дата обращения", "Страна"])
    sheet.append(["Әбенов Нұрлан", "=DATE(2024,3,7)", '="KR"'])
    sheet.append(["Оспанов Ерлан", "07.03.2024", "KR"])
    raw = workbook_bytes(book)
    table = open_table(raw)
    assert table.unsaved_formulas == 2
    assert next(table.rows) == (2, ["Әбенов Нұрлан", "", ""])
    # The same workbook as Excel saves it: each formula with its value.
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    path = "xl/worksheets/sheet1.xml"
    members[path] = members[path].replace(b"</f><v />", b"</f><v>45358</v>")
    saved_table = open_table(zipped(members))
    assert saved_table.unsaved_formulas == 0
    assert next(saved_table.rows) == (2, ["Әбенов Нұрлан", "45358", "45358"])


def test_a_block_merged_over_several_columns_and_rows_fills_each_column() -> None:
    """Only the block's first column was filled down: the second column of a block merged
    over «Страна» and «Город» for two rows came in empty in both rows, and so did the
    first row's «Город» under it."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["ФИО", "Страна", "Город", "Суть жалобы"])
    sheet.append(["Әбенов Нұрлан", "Корея", None, "Не платят"])
    sheet.append(["Оспанов Ерлан", None, None, "Паспорт"])
    sheet.append(["Сейтова Дана", "Турция", "Анталья", "Избили"])
    sheet.merge_cells("B2:C3")
    table = open_table(workbook_bytes(book))
    assert table.headers == ["ФИО", "Страна", "Город", "Суть жалобы"]
    assert list(table.rows) == [
        (2, ["Әбенов Нұрлан", "Корея", "Корея", "Не платят"]),
        (3, ["Оспанов Ерлан", "Корея", "Корея", "Паспорт"]),
        (4, ["Сейтова Дана", "Турция", "Анталья", "Избили"]),
    ]


def test_a_merge_wider_than_the_sheet_adds_no_columns() -> None:
    """A merge claiming columns past the sheet's last one (A2:XFD3) fills the columns the
    rows have, not sixteen thousand of them in each row."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["ФИО", "Страна", "Суть жалобы"])
    sheet.append(["Әбенов Нұрлан", None, "Не платят"])
    sheet.append([None, None, "Паспорт"])
    with zipfile.ZipFile(io.BytesIO(workbook_bytes(book))) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"]
    merge = b'</sheetData><mergeCells count="1"><mergeCell ref="A2:XFD3"/></mergeCells>'
    members["xl/worksheets/sheet1.xml"] = sheet.replace(b"</sheetData>", merge)
    table = open_table(zipped(members))
    assert list(table.rows) == [
        (2, ["Әбенов Нұрлан", "Әбенов Нұрлан", "Не платят"]),
        (3, ["Әбенов Нұрлан", "Әбенов Нұрлан", "Паспорт"]),
    ]
