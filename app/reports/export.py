"""CSV and XLSX files of report tables.

CSV is UTF-8 with a byte-order mark, so that Excel opens Kazakh and Russian text correctly,
and its cells are separated by ";": Excel set to Kazakh or Russian (the missions', HQ's and the
employment centres' computers) splits a CSV opened by a double click at ";", its list
separator, and read the commas of the files written before as text: every column in the first.
A CSV text cell that a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``...) is
written with a leading apostrophe: names typed into the app must never run in someone's Excel.
So is each part of a cell after a ";" or a ",": Excel splits at its list separator, quotes or
not, so ``Иванов;=cmd|' /C calc'!A0`` was two cells there, the second a formula (written
``Иванов;'=cmd|' /C calc'!A0`` now), and Excel set to English splits at ",".
With ";" between cells, amounts and days are written with the decimal comma ("1234,56", no
thousands separator), as those Excels read a number; "1234.56" was text there, or a date.
A workbook needs no such mark: its text cells are typed as strings, never formulas, so they
hold the value as typed ("+7 740 828 4905"). A workbook names its sheets by the tables'
titles, in the report's language, carries its title, language and creator ("Qorgau") in its
document properties, and holds months and dates as real dates.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from app.errors import QorgauError
from app.i18n import _
from app.os_errors import os_error_reason
from app.reports.disclosure import Coarse
from app.reports.tables import Cell, Month, ReportTable
from app.security.private_files import start_private_file

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_SHEET_TITLE = 31  # Excel's limit
# Characters Excel refuses in a sheet name.
SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})
CREATOR = "Qorgau"
MONTH_FORMAT = "yyyy-mm"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
AMOUNT_FORMAT = "#,##0"
CENTS_FORMAT = "#,##0.00"
# A table's sheet: its title in row 1, its headers in row 2. Frozen below them, so that the
# headers stay in sight as a partner scrolls a register of thousands of rows.
FROZEN_BELOW_HEADERS = "A3"


# The cells' separator: Excel's list separator in Kazakh and Russian.
DELIMITER = ";"
# A separator (";", or "," where Excel is set to English) that a spreadsheet splitting there
# would follow with a formula (after blanks or quotes); or a line break, which such a reader
# takes for the end of a row: quotes count only at a cell's start, so a name's line break
# inside a quoted cell begins a new row there, and what follows is a row's first cell.
_FORMULA_AFTER_SEPARATOR = re.compile(r'(\r\n|[;,\r\n])(?=(?:[^\S\r\n]|")*[=+\-@])')


def safe_text(value: str) -> str:
    value = _FORMULA_AFTER_SEPARATOR.sub(r"\1'", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def decimal_mark(delimiter: str) -> str:
    """The decimal mark of a CSV separated by ``delimiter``: Excel set to Kazakh or Russian,
    whose list separator is ";", reads "1234.56" as text (or a date) and takes "1234,56";
    a ","-separated file keeps the point."""
    return "," if delimiter == ";" else "."


def _csv_cell(value: Cell, mark: str = ".") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(" ", "minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, Decimal | float):
        # Plain digits, no thousands separator and no exponent ("1E+3"), which Excel would
        # not read back as the amount.
        exact = value if isinstance(value, Decimal) else Decimal(repr(value))
        return format(exact, "f").replace(".", mark)
    return str(value)


def _write_csv(handle: TextIO, headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> int:
    """The headers, then ``rows``, to ``handle``; how many rows."""
    writer = csv.writer(handle, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow([safe_text(h) for h in headers])
    mark = decimal_mark(DELIMITER)
    count = 0
    for row in rows:
        writer.writerow([_csv_cell(cell, mark) for cell in row])
        count += 1
    return count


def csv_bytes(table: ReportTable) -> bytes:
    buffer = io.StringIO()
    _write_csv(buffer, table.headers, table.rows)
    return buffer.getvalue().encode("utf-8-sig")


def stream_csv(target: Path, headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> int:
    """``rows`` written to ``target`` as they come (a list of 100,000 cases held every row
    and the whole text at once: +306 MB); how many. Written beside it and renamed, as
    ``write_bytes`` does: a failure leaves no half file."""

    def write(temporary: Path) -> int:
        with temporary.open("w", encoding="utf-8-sig", newline="") as handle:
            return _write_csv(handle, headers, rows)

    return _written_beside(target, write)


def stream_xlsx(
    target: Path,
    headers: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    title: str,
    lang: str,
) -> int:
    """``rows`` written to ``target`` as a workbook as they come (openpyxl's write-only
    mode holds no sheet in memory); how many. A workbook opens as it is in Excel set to any
    language, its dates as dates."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    def write(temporary: Path) -> int:
        book = Workbook(write_only=True)
        book.properties.title = title
        book.properties.creator = CREATOR
        book.properties.language = lang or None
        sheet = book.create_sheet(_sheet_title(title, set()))
        for column, header in enumerate(headers, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = min(
                40, max(12, len(header) + 2)
            )
        sheet.freeze_panes = FROZEN_BELOW_HEADERS
        bold = Font(bold=True)
        sheet.append([_bold_cell(sheet, title, bold, WriteOnlyCell)])
        sheet.append([_bold_cell(sheet, h, bold, WriteOnlyCell) for h in headers])
        count = 0
        for row in rows:
            sheet.append([_xlsx_cell(sheet, value, WriteOnlyCell) for value in row])
            count += 1
        book.save(temporary)
        return count

    return _written_beside(target, write)


def _bold_cell(sheet: Any, value: str, bold: Any, cell_type: Any) -> Any:
    cell = _text_cell(sheet, value, cell_type)
    cell.font = bold
    return cell


def _text_cell(sheet: Any, value: str, cell_type: Any) -> Any:
    """A cell holding ``value`` as text. openpyxl takes a string starting with "=" for a
    formula: typed as a string it is written as one, and Excel shows it, never runs it."""
    cell = cell_type(sheet, value=value)
    cell.data_type = "s"
    return cell


def _xlsx_cell(sheet: Any, value: Cell, cell_type: Any) -> Any:
    """What ``sheet.append`` takes for ``value``: text as a text cell, a date, time or month
    as a formatted date cell, a number as it is."""
    if isinstance(value, Coarse):
        published = value.value  # "<11" is text, a rounded count a number
        return _text_cell(sheet, published, cell_type) if isinstance(published, str) else published
    if isinstance(value, str):
        return _text_cell(sheet, value, cell_type)
    if isinstance(value, Month):
        cell = cell_type(sheet, value=date(value.year, value.month, 1))  # a plain date
        cell.number_format = MONTH_FORMAT
        return cell
    if isinstance(value, datetime):
        # Excel holds no time zone: the time as the reader's clock showed it, to the minute.
        cell = cell_type(sheet, value=value.replace(tzinfo=None, second=0, microsecond=0))
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = cell_type(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, Decimal):
        # An amount grouped in thousands, as Excel's language groups it ("908 600 000" in
        # Kazakh and Russian): 908600000 in a General cell was read digit by digit.
        cell = cell_type(sheet, value=float(value))
        cell.number_format = AMOUNT_FORMAT if value == value.to_integral() else CENTS_FORMAT
        return cell
    return value


def _written_beside(target: Path, write: Callable[[Path], int]) -> int:
    """``write`` to a file beside ``target``, then renamed to it: a failure (or a stop asked
    for) leaves no half file; an OSError in the user's words."""
    temporary = target.with_name(target.name + ".part")
    try:
        start_private_file(temporary)
        count = write(temporary)
        temporary.replace(target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise QorgauError(
            _("Cannot write {path}: {reason}").format(path=target, reason=os_error_reason(exc))
        ) from exc
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return count


def xlsx_bytes(
    tables: Sequence[ReportTable],
    *,
    title: str = "",
    lang: str = "",
    about: Sequence[str] = (),
    about_sheet: str = "",
) -> bytes:
    """One sheet per table, named by its title: a bold title row, the headers, then the rows.
    ``title`` (the whole workbook's; by default the only table's) and ``lang`` go into the
    document properties. With ``about`` (the report's period and selection, a line each), a
    first sheet (named ``about_sheet``, else by ``title``) says them: without it a workbook of
    one mission's or one officer's figures read as every case's, of no stated period."""
    from openpyxl import Workbook
    from openpyxl.cell import Cell as SheetCell
    from openpyxl.styles import Font

    if not tables:
        raise QorgauError(_("There is no table to export."))
    book = Workbook()
    book.remove(book.active)
    book.properties.title = title or (tables[0].title if len(tables) == 1 else None)
    book.properties.creator = CREATOR
    book.properties.lastModifiedBy = CREATOR
    book.properties.language = lang or None
    used: set[str] = set()
    bold = Font(bold=True)
    if about:
        sheet = book.create_sheet(_sheet_title(about_sheet or title or tables[0].title, used))
        sheet.append([_bold_cell(sheet, title, bold, SheetCell)])
        for line in about:
            sheet.append([_text_cell(sheet, line, SheetCell)])
        sheet.column_dimensions["A"].width = min(100, max(len(x) for x in [title, *about]) + 2)
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table.title or table.key, used))
        sheet.freeze_panes = FROZEN_BELOW_HEADERS
        sheet.append([_bold_cell(sheet, table.title, bold, SheetCell)])
        sheet.append([_bold_cell(sheet, h, bold, SheetCell) for h in table.headers])
        for row in table.rows:
            sheet.append([_xlsx_cell(sheet, value, SheetCell) for value in row])
        for index, header in enumerate(table.headers, start=1):
            width = max([len(header)] + [len(_csv_cell(r[index - 1])) for r in table.rows])
            sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = min(
                60, width + 2
            )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _shortened(name: str, limit: int) -> str:
    """``name`` within ``limit`` characters: without a parenthesis, else cut at a word where
    one is near the end, with an ellipsis to show the cut."""
    if len(name) <= limit:
        return name
    plain = re.sub(r"\s*\([^)]*\)?", "", name).strip()
    if plain and len(plain) <= limit:
        return plain
    cut = plain[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space >= limit // 2 else cut).rstrip(" ,;:") + "…"


def _sheet_title(name: str, used: set[str]) -> str:
    """A sheet name Excel accepts (no []:*?/\\, no apostrophe at either end, at most 31
    characters) and unique in the workbook, which Excel judges ignoring case."""
    base = " ".join(name.translate(SHEET_FORBIDDEN).split()).strip("'").strip() or "Sheet"
    title = _shortened(base, MAX_SHEET_TITLE)
    n = 2
    while title.casefold() in used:
        suffix = f" ({n})"
        title = _shortened(base, MAX_SHEET_TITLE - len(suffix)) + suffix
        n += 1
    used.add(title.casefold())
    return title


ABOUT_KEY = "about"


def about_file(target: Path) -> Path:
    """Where ``write_csv`` says the period and selection of the tables written to ``target``."""
    return target.with_name(f"{target.stem}-{ABOUT_KEY}{target.suffix or '.csv'}")


def write_csv(
    tables: Sequence[ReportTable],
    target: Path,
    *,
    title: str = "",
    about: Sequence[str] = (),
) -> list[Path]:
    """One table to ``target``; several to ``target``'s stem plus each table's key. With
    ``about`` (the period, the selection, how small counts are shown), a file named with the
    key ``about`` says them first, under ``title``, as the workbook's first sheet does: the
    files of one officer's figures, or of a year, read as every case's, of no stated period,
    and a partner met "<11" with nothing saying what it means."""
    if not tables:
        raise QorgauError(_("There is no table to export."))
    written = []
    if about:
        heading = title or tables[0].title
        said = ReportTable(ABOUT_KEY, heading, (heading,), tuple((line,) for line in about))
        path = about_file(target)
        write_bytes(path, csv_bytes(said))
        written.append(path)
    if len(tables) == 1:
        write_bytes(target, csv_bytes(tables[0]))
        return [*written, target]
    for table in tables:
        path = target.with_name(f"{target.stem}-{table.key}{target.suffix or '.csv'}")
        write_bytes(path, csv_bytes(table))
        written.append(path)
    return written


def write_xlsx(
    tables: Sequence[ReportTable],
    target: Path,
    *,
    title: str = "",
    lang: str = "",
    about: Sequence[str] = (),
    about_sheet: str = "",
) -> Path:
    data = xlsx_bytes(tables, title=title, lang=lang, about=about, about_sheet=about_sheet)
    write_bytes(target, data)
    return target


@dataclass(frozen=True)
class StreamedTable:
    """A table whose rows are read as they are written (HQ's overdue cases, hundreds of
    thousands at two million cases), not held first."""

    key: str
    title: str
    headers: tuple[str, ...]
    rows: Iterable[Sequence[Cell]]


def _streamed(table: ReportTable | StreamedTable) -> StreamedTable:
    if isinstance(table, StreamedTable):
        return table
    return StreamedTable(table.key, table.title, table.headers, table.rows)


def stream_csv_tables(tables: Sequence[ReportTable | StreamedTable], target: Path) -> list[Path]:
    """As ``write_csv``, each table's rows written as they come."""
    if not tables:
        raise QorgauError(_("There is no table to export."))
    written = []
    for table in map(_streamed, tables):
        path = (
            target
            if len(tables) == 1
            else target.with_name(f"{target.stem}-{table.key}{target.suffix or '.csv'}")
        )
        stream_csv(path, table.headers, table.rows)
        written.append(path)
    return written


def stream_xlsx_tables(
    tables: Sequence[ReportTable | StreamedTable],
    target: Path,
    *,
    title: str,
    lang: str,
    about: Sequence[str] = (),
) -> Path:
    """As ``write_xlsx``, in openpyxl's write-only mode: each table's rows written as they
    come, none held in a sheet. The columns' widths are set before the rows, from the
    headings (and a table's rows, where they are at hand)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    if not tables:
        raise QorgauError(_("There is no table to export."))

    def write(temporary: Path) -> int:
        book = Workbook(write_only=True)
        book.properties.title = title
        book.properties.creator = CREATOR
        book.properties.language = lang or None
        used: set[str] = set()
        bold = Font(bold=True)
        if about:
            sheet = book.create_sheet(_sheet_title(title, used))
            sheet.column_dimensions["A"].width = min(100, max(len(x) for x in [title, *about]) + 2)
            sheet.append([_bold_cell(sheet, title, bold, WriteOnlyCell)])
            for line in about:
                sheet.append([_text_cell(sheet, line, WriteOnlyCell)])
        count = 0
        for table in tables:
            sheet = book.create_sheet(_sheet_title(table.title or table.key, used))
            held = table.rows if isinstance(table, ReportTable) else ()
            for index, header in enumerate(table.headers, start=1):
                width = max([len(header), 10] + [len(_csv_cell(r[index - 1])) for r in held])
                sheet.column_dimensions[get_column_letter(index)].width = min(60, width + 2)
            sheet.freeze_panes = FROZEN_BELOW_HEADERS  # before the rows: a write-only sheet
            sheet.append([_bold_cell(sheet, table.title, bold, WriteOnlyCell)])
            sheet.append([_bold_cell(sheet, h, bold, WriteOnlyCell) for h in table.headers])
            for row in table.rows:
                sheet.append([_xlsx_cell(sheet, value, WriteOnlyCell) for value in row])
                count += 1
        book.save(temporary)
        return count

    _written_beside(target, write)
    return target


def replace_file(path: Path, data: bytes) -> None:
    """Written beside the target, then renamed: a failed write (its OSError raised) leaves no
    half file."""
    temporary = path.with_name(path.name + ".part")
    try:
        start_private_file(temporary)
        temporary.write_bytes(data)
        temporary.replace(path)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise


def write_bytes(path: Path, data: bytes) -> None:
    try:
        replace_file(path, data)
    except OSError as exc:
        raise QorgauError(
            _("Cannot write {path}: {reason}").format(path=path, reason=os_error_reason(exc))
        ) from exc
