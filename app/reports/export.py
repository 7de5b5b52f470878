"""CSV and XLSX files of report tables.

CSV is UTF-8 with a byte-order mark, so that Excel opens Kazakh and Russian text correctly.
A text cell that a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``...) is
written with a leading apostrophe: names typed into the app must never run in someone's Excel.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from app.errors import QorgauError
from app.i18n import _
from app.reports.tables import Cell, ReportTable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_SHEET_TITLE = 31  # Excel's limit


def safe_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return safe_text(value)
    return str(value)


def csv_bytes(table: ReportTable) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_text(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(tables: Sequence[ReportTable]) -> bytes:
    """One sheet per table: a bold title row, the headers, then the rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    if not tables:
        raise QorgauError(_("There is no table to export."))
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table.key, used))
        sheet.append([safe_text(table.title)])
        sheet.cell(row=1, column=1).font = Font(bold=True)
        sheet.append([safe_text(h) for h in table.headers])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_xlsx_cell(cell) for cell in row])
        for index, header in enumerate(table.headers, start=1):
            width = max([len(header)] + [len(_csv_cell(r[index - 1])) for r in table.rows])
            sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = min(
                60, width + 2
            )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(value: Cell) -> str | int | float | date | None:
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def _sheet_title(key: str, used: set[str]) -> str:
    title = key[:MAX_SHEET_TITLE]
    n = 2
    while title in used:
        suffix = f"_{n}"
        title = key[: MAX_SHEET_TITLE - len(suffix)] + suffix
        n += 1
    used.add(title)
    return title


def write_csv(tables: Sequence[ReportTable], target: Path) -> list[Path]:
    """One table to ``target``; several to ``target``'s stem plus each table's key."""
    if not tables:
        raise QorgauError(_("There is no table to export."))
    if len(tables) == 1:
        write_bytes(target, csv_bytes(tables[0]))
        return [target]
    written = []
    for table in tables:
        path = target.with_name(f"{target.stem}-{table.key}{target.suffix or '.csv'}")
        write_bytes(path, csv_bytes(table))
        written.append(path)
    return written


def write_xlsx(tables: Sequence[ReportTable], target: Path) -> Path:
    write_bytes(target, xlsx_bytes(tables))
    return target


def write_bytes(path: Path, data: bytes) -> None:
    """Written beside the target, then renamed: a failed export leaves no half file."""
    temporary = path.with_name(path.name + ".part")
    try:
        temporary.write_bytes(data)
        temporary.replace(path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise QorgauError(
            _("Cannot write {path}: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from exc
