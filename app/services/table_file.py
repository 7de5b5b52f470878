"""The rows of a legacy table of cases: CSV text or an Excel workbook (.xlsx), as cells of
text, for ``app.services.csv_import``.

Missions keep their old registers in Excel; asking an officer to save a workbook as CSV first
lost its dates to the computer's regional format and an IIN's leading zero to a number. A
workbook is read as it is: dates as dates, numbers as the sheet shows them (an IIN formatted
``000000000000`` keeps its zero), each row numbered as Excel numbers it. In a workbook and in
CSV alike, title lines above the header are skipped, and columns without a name or with a name
used twice are named by their letter. Files a person may pick by mistake (an Excel 97–2003 or
password-protected workbook, an OpenDocument sheet, any other archive or binary) are refused
with what to do.

A workbook is a ZIP of XML: its declared sizes are checked before it is opened (a small file
that would unpack to gigabytes is refused), and the XML parser's own limits refuse entity
expansion.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, NamedTuple

from app.errors import ValidationError
from app.i18n import _, format_number
from app.untrusted import MAX_ZIP_DIRECTORY_BYTES, UNREADABLE_MEMBER, zip_directory_size

# A workbook of 100,000 cases unpacks to some 60 MB of XML; four times that is no register.
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
# openpyxl pads each row to its last cell, and yields every row a jump in row numbers skips:
# a few bytes (a cell in column XFD, a row numbered 10^9) cost thousands of cells or a billion
# rows. A register of 100,000 cases of some 30 columns is 3 million cells.
EXCEL_ROWS = 1_048_576
MAX_CELLS = 10_000_000
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any workbook encrypted by a password
_ZIP = b"PK\x03\x04"
_ZERO_PADDED = re.compile(r"0{2,}")  # a number format that shows leading zeros: 000000000000
_SEPARATORS = ("\t", ";", ",")  # ties go to the first: a tab is never part of a header's text
_SNIFFED_LINES = 10
_DECODE_CHUNK = 1 << 20
# A register's line is one case, some thousands of characters; a file of one line (a binary
# read as Windows-1251, a text of any kind) was decoded whole, at four times its size.
MAX_LINE_CHARS = 1 << 20
# Rows of a CSV that are not cases (titles, header, a band of groups, totals), allowed over
# the import's ceiling by the count that refuses a file at once.
_NOT_CASES = 100
# Rows read past the first row naming two columns to find the header below it: a register's
# merged band of groups («Сведения о заявителе», «Сведения об обращении») sits a row or two
# above the real header.
_HEADER_LOOKAHEAD = 10
HeaderScore = Callable[[list[str]], int]  # how many of a row's cells name a known field
# A merged range as the sheet's XML names it (A3:A4); openpyxl's read-only sheets ignore them.
_MERGE_REF = re.compile(
    rb"<(?:\w+:)?mergeCell\s[^>]*?ref=\"([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})\""
)
# A formula's end («<f>DATE(2024,3,7)</f>») followed by no value, or an empty one, before its
# cell ends. Begun by a literal, which the scan looks for fast (0.14 s over a 72 MB sheet of
# formulas, 0.76 s with the shared formula's «<f …/>» as a second start: generators that write
# no values write no shared formulas).
_UNSAVED_FORMULA = re.compile(rb"f>(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?</(?:\w+:)?c>")
_XML_CHUNK = 1 << 20
# A row's start, and a cell's value (a number, a date, shared or inline text): a row with a
# value is a filled row; one of empty cells formatted in advance (borders for future rows) is not.
_ROW_OR_VALUE = re.compile(rb"<(?:\w+:)?(row|v|is)[\s>/]")
_CHUNK_OVERLAP = 256  # a tag cut between two chunks is found in the next one
MAX_MERGED = 100_000  # more merged ranges than a register of 100,000 rows has: the rest ignored
_PART_UNREADABLE: tuple[type[Exception], ...] = (KeyError, *UNREADABLE_MEMBER)  # KeyError: absent


@dataclass
class Table:
    """A header row and the rows under it, each with the line (CSV) or row (Excel) number a
    person finds it by; ``encoding`` and ``delimiter`` say how a CSV was read, ``sheet`` which
    of a workbook's ``sheets`` was."""

    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]
    encoding: str
    delimiter: str = ""
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)
    # A workbook's formula cells with no value saved (a program wrote it, Excel never saved
    # it): they read as empty.
    unsaved_formulas: int = 0


def open_table(
    raw: bytes,
    sheet: str | None = None,
    header_score: HeaderScore | None = None,
    max_rows: int | None = None,
) -> Table:
    """The file's table; ``sheet`` names a workbook's sheet (the first one if None);
    ``header_score`` tells the header among the first rows naming two columns or more (the
    one naming the most known fields; the first of them if None or none names any). A table of
    far more than ``max_rows`` rows is refused before its rows are read one by one."""
    if raw.startswith(_OLE2):
        raise ValidationError(
            _(
                "This is an Excel 97–2003 workbook or one protected by a password: open it in "
                "Excel and save it as an Excel workbook (.xlsx) without a password, or as "
                "CSV UTF-8."
            )
        )
    if raw.startswith(_ZIP):
        return _workbook_table(raw, sheet, header_score, max_rows)
    if sheet:
        raise ValidationError(_("Only an Excel workbook has sheets; this file is CSV text."))
    return _csv_table(raw, header_score, max_rows)


# -- CSV ---------------------------------------------------------------------------------


def text_encoding(raw: bytes) -> str:
    """The encoding the text is in: UTF-8 (with or without a BOM), UTF-16 with a BOM (Excel's
    "Unicode text"), or Windows-1251 (what Excel in Russian saves as CSV). Each is tried chunk
    by chunk, nothing kept: a 50 MB file decoded whole held four times its size."""
    if raw.startswith(b"\xef\xbb\xbf"):
        # A UTF-8 mark before what is not UTF-8 is refused like any other binary.
        tried: tuple[str, ...] = ("utf-8-sig",)
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        tried = ("utf-16",)
    elif b"\x00" not in raw[:65536]:  # text has no NUL; a PDF or a picture has many
        tried = ("utf-8", "cp1251")
    else:
        tried = ()
    for encoding in tried:
        if _decodes(raw, encoding):
            return encoding
    raise ValidationError(
        _(
            "The file is neither an Excel workbook (.xlsx) nor text saved as CSV (UTF-8 or "
            "Windows-1251): save it from Excel as one of them."
        )
    )


def _decodes(raw: bytes, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        for start in range(0, len(raw), _DECODE_CHUNK):
            decoder.decode(raw[start : start + _DECODE_CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _text_lines(raw: bytes, encoding: str) -> Iterator[str]:
    """The text's lines as read (line ends kept, for the CSV reader), decoded as they are
    read; a line past ``MAX_LINE_CHARS`` is refused before it is held whole."""
    stream = io.TextIOWrapper(io.BytesIO(raw), encoding=encoding, newline="")
    number = 0
    while line := stream.readline(MAX_LINE_CHARS):
        number += 1
        if len(line) == MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
            raise ValidationError(
                _(
                    "Line {line} is longer than {n} characters: the file is not a table of "
                    "cases. Save the register from Excel as CSV UTF-8."
                ).format(line=number, n=format_number(MAX_LINE_CHARS))
            )
        # A byte-order mark inside the text (two registers joined, each saved by Excel with
        # one) is no part of a name: left in, "\ufeffСидоров" passed for another person.
        yield line.replace("\ufeff", "")


def sniff_delimiter(text: str) -> str:
    """The separator that splits the most of the first lines into the same number of cells
    (more than one): a tab, ``;`` (Excel in Russian and Kazakh) or ``,``; a title line above
    the header ("Реестр обращений, 2024") does not decide it alone. Counted as cells, not
    characters: a ";" register whose notes or amounts ("1234,56") held more commas than it
    has columns was read split at its commas."""
    lines = [line for line in text.split("\n", _SNIFFED_LINES)[:_SNIFFED_LINES] if line.strip()]

    def agreement(separator: str) -> tuple[int, int]:
        """(how many lines have the commonest width, that width) over widths above one."""
        widths = Counter(len(next(csv.reader([line], delimiter=separator), [])) for line in lines)
        return max(((n, width) for width, n in widths.items() if width > 1), default=(0, 0))

    best = max(_SEPARATORS, key=agreement)  # ties go to the first
    return best if agreement(best)[0] else ","


def _csv_table(raw: bytes, header_score: HeaderScore | None, max_rows: int | None) -> Table:
    encoding = text_encoding(raw)
    delimiter = sniff_delimiter(
        "".join(itertools.islice(_text_lines(raw, encoding), _SNIFFED_LINES))
    )
    if max_rows is not None:
        _check_row_count(raw, encoding, delimiter, max_rows)
    rows = _csv_rows(csv.reader(_text_lines(raw, encoding), delimiter=delimiter))
    first: list[str] = []
    filled = 0
    for _number, cells in rows:
        if _is_header(cells):
            # Rows keep their own width: a row with more or fewer cells than the header is
            # refused as such (a separator inside a cell shifts every column after it).
            header, rows = _best_header(cells, rows, header_score)
            return Table(_distinct(header), rows, encoding, delimiter)
        first = first or [cell for cell in cells if cell.strip()]
        filled += any(cell.strip() for cell in cells)
    if filled < 2:  # nothing, or a title alone
        raise ValidationError(_("The file is empty."))
    return Table(first, iter(()), encoding, delimiter)  # one column: its fields are missing


def _check_row_count(raw: bytes, encoding: str, delimiter: str, max_rows: int) -> None:
    """Refuse at once a file with far more rows than the import takes: each row is checked as
    a case (a million rows took 14 s to reach the ceiling). Titles, the header and totals are
    not cases: the exact count, under the header, is the import's own."""
    reader = _csv_rows(csv.reader(_text_lines(raw, encoding), delimiter=delimiter))
    filled = sum(1 for _number, cells in reader if any(cell.strip() for cell in cells))
    if filled > max_rows + _NOT_CASES:
        raise _too_many_rows(max_rows)


def _too_many_rows(max_rows: int) -> ValidationError:
    return ValidationError(_("The file has more than {n} rows.").format(n=format_number(max_rows)))


def _is_header(cells: list[str]) -> bool:
    """Titles and blank lines above the header ("Register of complaints, 2024") fill one cell
    at most; the header row names two columns or more."""
    return sum(1 for cell in cells if cell.strip()) >= 2


def _best_header(
    first: list[str],
    rows: Iterator[tuple[int, list[str]]],
    header_score: HeaderScore | None,
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header (``first`` or a row a few below it naming more known fields) and the rows
    under it; the rows between them are a band of merged group names, not cases."""
    if header_score is None:
        return first, rows
    ahead = list(itertools.islice(rows, _HEADER_LOOKAHEAD))
    candidates = [first] + [cells for _number, cells in ahead]
    scores = [header_score(cells) if _is_header(cells) else 0 for cells in candidates]
    best = scores.index(max(scores))  # ties to the first: a data row never outnames it
    if best == 0:
        return first, itertools.chain(ahead, rows)
    return candidates[best], itertools.chain(ahead[best:], rows)


def _csv_rows(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except csv.Error:
        # The one error a lenient reader raises: a cell past the field limit. A register has
        # no such cell; a quotation mark without its pair runs the cell on over the lines after.
        raise ValidationError(
            _(
                "Row {row} has a cell longer than {n} characters; most often a quotation mark "
                '(") in that row lacks its pair. Correct the row and save the file again.'
            ).format(row=number + 1, n=format_number(csv.field_size_limit()))
        ) from None


# -- Excel workbooks ---------------------------------------------------------------------


def _workbook_table(
    raw: bytes, sheet: str | None, header_score: HeaderScore | None, max_rows: int | None
) -> Table:
    _check_archive(raw)
    from openpyxl import load_workbook  # loaded for a workbook only

    try:
        # read_only streams rows (a 100,000-row sheet is not held as cell objects);
        # data_only takes a formula's last computed value, the one the sheet shows.
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # a damaged part: zipfile, XML or openpyxl's own errors
        raise _unreadable(exc) from None
    names = [ws.title for ws in book.worksheets]
    if not names:
        raise ValidationError(_("The workbook has no sheet with cells."))
    chosen = sheet or names[0]
    if chosen not in names:
        raise ValidationError(
            _("The workbook has no sheet “{name}”; its sheets: {sheets}.").format(
                name=chosen, sheets=", ".join(names)
            )
        )
    worksheet = book[chosen]
    # The size the sheet declares is not trusted: one whose columns were formatted whole
    # declares A1:XFD1048576, and openpyxl would pad every row to 16,384 cells (minutes for
    # a register); without it, each row is as long as its last filled cell.
    worksheet.reset_dimensions()
    member = getattr(worksheet, "_worksheet_path", "")
    xml = _read_sheet_xml(raw, member)
    # A damaged part reads as no rows here (openpyxl's reading says what is wrong with it).
    if max_rows is not None and xml.row_tags > max_rows + _NOT_CASES:
        if _filled_rows(raw, member) > max_rows + _NOT_CASES:
            raise _too_many_rows(max_rows)
    rows = _sheet_rows(worksheet, xml.merged)
    first: list[str] = []
    filled = 0
    for _number, cells in rows:
        if _is_header(cells):
            header, rows = _best_header(cells, rows, header_score)
            headers = _distinct(_trimmed(header))
            fitted = _fitted(rows, len(headers))
            return Table(headers, fitted, "xlsx", "", chosen, names, xml.unsaved_formulas)
        first = first or [cell for cell in cells if cell.strip()]
        filled += any(cell.strip() for cell in cells)
    if filled < 2:  # nothing, or a title alone
        raise ValidationError(_("The sheet “{name}” is empty.").format(name=chosen))
    return Table(first, iter(()), "xlsx", "", chosen, names)  # one column: fields missing


def _check_archive(raw: bytes) -> None:
    if zip_directory_size(raw) > MAX_ZIP_DIRECTORY_BYTES:
        raise ValidationError(
            _(
                "The file holds far more parts than any Excel workbook: it is not a register "
                "of cases. Open it in Excel and save it again as a workbook (.xlsx), or as CSV "
                "UTF-8."
            )
        )
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            mimetype = b""
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    mimetype = member.read(100)
    except UNREADABLE_MEMBER as exc:
        raise _unreadable(exc) from None
    if b"opendocument" in mimetype:
        raise ValidationError(
            _(
                "This is an OpenDocument spreadsheet: save it as an Excel workbook (.xlsx) "
                "or as CSV UTF-8."
            )
        )
    if "xl/workbook.xml" not in names:
        raise ValidationError(_("The file is an archive, not an Excel workbook or CSV."))
    # A ZIP member unpacks to no more than its declared size (zipfile stops there), so the
    # declared sizes bound what reading the workbook can cost.
    if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        raise ValidationError(
            _(
                "The workbook unpacks to more than {n} MB: too large for a register of cases."
            ).format(n=MAX_UNPACKED_BYTES // 2**20)
        )


def _unreadable(exc: BaseException) -> ValidationError:
    # What to do comes first, in the reader's language; the reader's own (English) words
    # follow for whoever looks into the file.
    return ValidationError(
        _(
            "The file cannot be read as an Excel workbook: it is damaged, or it is not a "
            "workbook. Open it in Excel and save it again as a workbook (.xlsx). Details: "
            "{error}"
        ).format(error=str(exc) or type(exc).__name__)
    )


# A merged range's first row → (its first and last column, 0-based; its last row) for each
# range starting there.
MergedDown = dict[int, list[tuple[int, int, int]]]


class _SheetXml(NamedTuple):
    merged: MergedDown
    unsaved_formulas: int
    # At least as many as the sheet's rows (counted fast: every «<row», and more).
    row_tags: int


def _read_sheet_xml(raw: bytes, member: str) -> _SheetXml:
    """What openpyxl's read-only sheet does not tell, read from the sheet's XML in chunks:

    - the cells merged over several rows, whose text it shows in their first row only. A
      register merges «ФИО» over its two header rows (the second naming «Дата», «Страна» under
      a band), and a date or a country over the rows it is the same for; without them the
      header lost its names and the rows their dates;
    - the formula cells without a saved value, which read as empty («the column for Received
      is empty» under a date the sheet shows once Excel computes it);
    - about how many rows it has, to count the filled ones only in a sheet that may be far
      past the import's ceiling."""
    found: set[tuple[bytes, ...]] = set()
    unsaved = 0
    row_tags = 0
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive, archive.open(member) as xml:
            tail = b""
            while chunk := xml.read(_XML_CHUNK):
                text = tail + chunk
                # Scans of bytes first: the patterns run on the few chunks that need them.
                if b"mergeCell" in text and len(found) < MAX_MERGED:
                    found.update(match.groups() for match in _MERGE_REF.finditer(text))
                if b"f>" in text:
                    # A match ending in the overlap was counted with the chunk before.
                    unsaved += sum(
                        1 for m in _UNSAVED_FORMULA.finditer(text) if m.end() > len(tail)
                    )
                row_tags += text.count(b"<row") + text.count(b":row")
                tail = text[-_CHUNK_OVERLAP:]
    except _PART_UNREADABLE:
        return _SheetXml({}, 0, 0)  # no such part, or a damaged one: openpyxl's reading says so
    down: MergedDown = {}
    for first_col, first_row, last_col, last_row in found:
        start, end = int(first_row), int(last_row)
        if end > start:
            columns = (_column_index(first_col.decode()), _column_index(last_col.decode()))
            down.setdefault(start, []).append((*columns, end))
    return _SheetXml(down, unsaved, row_tags)


def _filled_rows(raw: bytes, member: str) -> int:
    """How many of the sheet's rows hold a value, read from its XML in chunks (4 s for a
    million rows; a million rows checked one by one took 48 s to reach the import's ceiling)."""
    filled = 0
    row_filled = True  # no row begun yet: nothing to count
    with zipfile.ZipFile(io.BytesIO(raw)) as archive, archive.open(member) as xml:
        tail = b""
        while chunk := xml.read(_XML_CHUNK):
            text = tail + chunk
            for match in _ROW_OR_VALUE.finditer(text, max(0, len(tail) - 16)):
                if match.end() <= len(tail):
                    continue  # counted with the chunk before
                if match.group(1) == b"row":
                    row_filled = False
                elif not row_filled:
                    row_filled = True
                    filled += 1
            tail = text[-_CHUNK_OVERLAP:]
    return filled


def _column_index(letters: str) -> int:
    """A column's letters as its index: A → 0, AA → 26 (``_letter`` the other way)."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def _filled_down(
    number: int, texts: list[str], merged: MergedDown, spread: dict[int, tuple[int, str]]
) -> list[str]:
    """The row with the text of each cell merged over it from a row above or from the block's
    first column; ``spread`` holds the ranges still open (column → last row, text) and is
    updated. A block over several columns fills each of them in each of its rows: «Корея»
    merged over the country and the city of three rows reads in both columns of each."""
    for first, last_column, last in merged.get(number, ()):
        text = texts[first] if first < len(texts) else ""
        # Within the row's width: a merge claiming every column of the sheet adds none.
        for column in range(first, max(first, min(last_column, len(texts) - 1)) + 1):
            spread[column] = (last, text)
    for column, (last, text) in list(spread.items()):
        if number > last:
            del spread[column]
        elif text and (column >= len(texts) or not texts[column].strip()):
            texts += [""] * (column + 1 - len(texts))
            texts[column] = text
    return texts


def _sheet_rows(worksheet: Any, merged: MergedDown) -> Iterator[tuple[int, list[str]]]:
    """Each row as text, numbered as in Excel (openpyxl yields the rows absent from the file,
    empty, so counting gives the row number), a cell merged over several rows in each."""
    cells = 0
    spread: dict[int, tuple[int, str]] = {}
    try:
        for number, row in enumerate(worksheet.iter_rows(), start=1):
            cells += len(row)
            if number > EXCEL_ROWS or cells > MAX_CELLS:
                raise _too_large(worksheet.title, number > EXCEL_ROWS)
            texts = [_cell_text(cell) for cell in row]
            yield number, _filled_down(number, texts, merged, spread) if merged else texts
    except ValidationError:
        raise
    except Exception as exc:  # the sheet's XML is damaged or refused by the parser's limits
        raise _unreadable(exc) from None


def _too_large(sheet: str, rows: bool) -> ValidationError:
    if rows:
        return ValidationError(
            _(
                "The sheet “{name}” has rows numbered past {n}, which Excel does not allow: "
                "the workbook is damaged."
            ).format(name=sheet, n=format_number(EXCEL_ROWS))
        )
    return ValidationError(
        _(
            "The sheet “{name}” spans more than {n} million cells, too many for a register of "
            "cases: delete the rows and columns outside the table and save the workbook again."
        ).format(name=sheet, n=format_number(MAX_CELLS // 1_000_000))
    )


def _cell_text(cell: Any) -> str:
    """A cell as the sheet shows it, in the forms ``csv_import`` reads."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone or an IIN typed as a number: 77011234567, not 7.7e10
    if isinstance(value, int):
        text = str(value)
        padded = cell.number_format
        if isinstance(padded, str) and _ZERO_PADDED.fullmatch(padded):
            return text.zfill(len(padded))
        return text
    return str(value)


def _distinct(headers: list[str]) -> list[str]:
    """Column names a person can tell apart and a mapping can name: a column without a name
    is called by its letter ("[C]"), and a name used twice gets its letter too ("Дата [E]",
    "Дата [F]"); a mapping by name took the first of them for both."""
    names = [header.strip() for header in headers]
    seen: dict[str, int] = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
    return [
        f"{name} [{_letter(i)}]".strip() if not name or seen[name] > 1 else name
        for i, name in enumerate(names)
    ]


def _letter(index: int) -> str:
    """A spreadsheet's column letter: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _trimmed(cells: list[str]) -> list[str]:
    """The header without the empty cells after its last column."""
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


def _fitted(rows: Iterator[tuple[int, list[str]]], width: int) -> Iterator[tuple[int, list[str]]]:
    """Rows as wide as the header: a sheet's rows end at their last filled cell (shorter
    ones are padded), and a cell filled beyond the header's last column is kept, so that the
    row is refused as CSV's would be rather than read without it."""
    for number, cells in rows:
        fitted = _trimmed(cells)
        yield number, (fitted + [""] * (width - len(fitted)) if len(fitted) <= width else fitted)
