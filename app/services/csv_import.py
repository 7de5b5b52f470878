"""Legacy spreadsheets of cases: decode, map columns, check every row, import all or nothing.

Accepted files (``app.services.table_file``): an Excel workbook (.xlsx, any of its sheets), or
CSV text in UTF-8 with or without BOM, UTF-16 with BOM or Windows-1251 (what Excel in Russian
saves), with ``;``, ``,`` or a tab as the separator. Headers are matched to fields by a built-in
list of usual names in Kazakh, Russian and English, or by an explicit mapping; a «ФИО» column is
split into the names, and a country, a status, an urgency or the sex (М/Ж) may be written in
words (what legacy sheets hold, not codes). Every row is checked before anything is written; if
any row is rejected nothing is imported (unless the caller asks to skip the rejected rows), and
the report says which rows and why. The checked rows are then written in batches of
``BATCH_ROWS``, each in its own short transaction, with every case's timeline and audit entries.
A failure while writing (a full disk, a lock held too long, a defect) keeps the batches written
before it, and ``PartlyImported`` says up to which line; a row that repeats a case held here (or
an earlier row) is rejected, so importing the file again writes only the rest. A stop the person
asks for (``stop``, Ctrl+C at the command line) is obeyed between rows while checking and
between batches while writing, so a batch is never cut in two and the report names exactly the
cases written.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import cache, partial
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import delete

from app.db.models import Setting
from app.db.sync import current_change_seq
from app.domain import taxonomy
from app.domain.codes import CaseStatus, Category, Sex, Urgency, label
from app.domain.events import SystemEvent
from app.domain.field_labels import field_label as column_label
from app.domain.iin import iin_birth_date, is_valid_iin, validate_iin
from app.domain.iso import country_by_name
from app.domain.persons import IDENTITY_FIELDS, NAME_FIELDS, sex_from_names
from app.domain.roles import CASE_WORKERS
from app.domain.text import quoted
from app.domain.workflow import default_due_date, is_open
from app.domain.years import full_year
from app.errors import QorgauError, ValidationError
from app.i18n import (
    LANGUAGES,
    N_,
    Said,
    _,
    country_name,
    format_date,
    format_datetime,
    format_number,
    label_from,
    lazy,
    ngettext,
)
from app.security.private_files import hold_lock, storage_error
from app.services import retention, search
from app.services.after_crash import (
    CSV_UNDER_WAY,
    UNDER_WAY_ACTOR,
    UNDER_WAY_LINE,
    csv_import_lock,
)
from app.services.cases import CaseService, PreparedCase
from app.services.import_undo import ImportRecord, list_imports
from app.services.records import CaseInput, OrganisationInput, PersonInput
from app.services.table_file import Table, open_table
from app.services.workspace import Workspace

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 100_000
# The rejected rows whose reasons are said again after a language switch: as many as the
# import window lists. The others keep the text of the check (the command line prints them
# in one language): keeping each row's values to check it anew took ~1.5 KB a row.
LISTED_REJECTIONS = 1_000
# Each batch holds the write lock while it writes: 0.7 s on an empty mission, 1.3 s on one of
# 100,000 cases, where every case touches some 18 pages of indexes. 1,000 rows a batch imported
# a quarter faster there than 500 (each index page is written once for more rows).
BATCH_ROWS = 1000
PREVIEW_ROWS = 5
CHECKED_PER_REPORT = 1000  # rows read between two reports of how far the check is
# Not "/": registers abbreviate with it (невыплата з/п).
_CATEGORY_SEPARATORS = re.compile(r"[|;,\n]")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # the common case, parsed without strptime
_EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel's (Windows) date numbers
_EXCEL_DAYS = (18264, 73051)  # 1950-01-01 … 2099-12-31: no other five-digit number is a date
_EXCEL_DAY = re.compile(r"[0-9]{5}")  # ASCII digits only: "²".isdigit() holds, int("²") fails
# The longest dates written out («04 сентября 2026 года», «2026 жылғы 24 қараша») are some 20
# characters: a longer cell is no date, and is refused before the patterns try it.
_LONGEST_DATE = 40
_YEAR_WORD = re.compile(r"(?<=\d)\s*[гж]\.?$", re.IGNORECASE)
_WITH_TIME = re.compile(r"(\S+)[ T]\d{1,2}:\d{2}(?::\d{2})?")
FIELDS = (
    "legacy_number",
    "full_name",  # «ФИО» in one column: surname, given name, patronymic
    *NAME_FIELDS,
    *IDENTITY_FIELDS,
    "sex",
    "phone",
    "employer",
    "employer_city",
    "host_country",
    "categories",
    "urgency",
    "status",
    "received_at",
    "ended_on",
    "description",
)
NOTES = "description"  # the field several columns may fill
REQUIRED = ("surname", "given_names", "host_country", "categories", "received_at")
# The import's own fields as the forms would name them; the case's and the person's columns
# are named by ``app.domain.field_labels``.
_OWN_LABELS: dict[str, str] = {
    "legacy_number": N_("Legacy number"),
    "full_name": N_("Full name"),
    "phone": N_("Phone abroad"),
    "employer": N_("Employer"),
    "employer_city": N_("Employer's city"),
    "categories": N_("Complaint"),
    "ended_on": N_("Closed on"),
}


def field_label(name: str) -> str:
    return label_from(_OWN_LABELS, name) if name in _OWN_LABELS else column_label(name)


# Usual headers of legacy spreadsheets, compared case-insensitively without spaces/punctuation.
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    # A case's own number («№ дела», «Іс №», "Case No."); the number sign is read as "no" (see
    # ``header_key``). A bare «№» is the row's ordinal, not a case's number: ``_ORDINALS``.
    "legacy_number": (
        "legacynumber",
        "number",
        "номер",
        "нөмір",
        "casenumber",
        "caseno",
        "noдела",
        "номердела",
        "делоno",
        "noобращения",
        "номеробращения",
        "регno",
        "регистрационныйno",
        "регистрационныйномер",
        "існөмірі",
        "ісno",
        "тіркеунөмірі",
    ),
    "full_name": (
        "fullname",
        "фио",
        "фамилияимяотчество",
        "фамилияимя",
        "атыжөні",
        "тегіатыәкесініңаты",
        "толықаты",
    ),
    "surname": ("surname", "lastname", "фамилия", "тегі"),
    "given_names": ("givennames", "firstname", "name", "имя", "аты"),
    "patronymic": ("patronymic", "отчество", "әкесініңаты"),
    "surname_latin": ("surnamelatin", "lastnamelatin", "фамилиялат", "фамилиялатиницей"),
    "given_names_latin": ("givennameslatin", "firstnamelatin", "имялат", "имялатиницей"),
    "iin": ("iin", "иин", "жсн"),
    "passport_no": (
        "passport",
        "passportno",
        "passportnumber",
        "паспорт",
        "номерпаспорта",
        "төлқұжат",
    ),
    "birth_date": ("birthdate", "dateofbirth", "датарождения", "туғанкүні"),
    "sex": ("sex", "gender", "пол", "жынысы", "жыныс"),
    "phone": ("phone", "телефон"),
    "employer": ("employer", "работодатель", "жұмысберуші"),
    "employer_city": ("employercity", "city", "город", "қала"),
    "host_country": (
        "country",
        "hostcountry",
        "страна",
        "странапребывания",
        "странаработы",
        "ел",
        "болуелі",
    ),
    "categories": ("categories", "category", "complaint", "категория", "жалоба", "санат", "шағым"),
    "urgency": ("urgency", "срочность", "шұғылдық"),
    "status": ("status", "статус", "мәртебе"),
    "received_at": (
        "received",
        "receivedat",
        "date",
        "дата",
        "датаобращения",
        "датапоступления",
        "күні",
        "түскенкүні",
    ),
    "ended_on": (
        "endedon",  # the field's own code, as every other field's is
        "closed",
        "closedon",
        "dateclosed",
        "resolvedon",
        "датазакрытия",
        "датаисполнения",
        "датарешения",
        "закрыто",
        "исполнено",
        "жабылғанкүні",
        "орындалғанкүні",
        "шешілгенкүні",
    ),
    "description": (
        "description",
        "описание",
        "сипаттама",
        "суть",
        "сутьобращения",
        "сутьжалобы",
        "содержание",
        "содержаниеобращения",
        "краткоесодержание",
        "примечание",
        "примечания",
        "комментарий",
        "notes",
        "comment",
        "ескерту",
        "принятыемеры",
        "мерыпринятые",
        "қабылданғаншаралар",
        "мазмұны",
        "шағымныңмәні",
        "өтініштіңмазмұны",
    ),
}
# Headers that name whose name it is after the usual word: «ФИО заявителя», «ФИО гражданина»,
# «Өтініш берушінің аты-жөні».
_HEADER_STARTS = {"full_name": ("фио",)}
_HEADER_ENDS = {"full_name": ("атыжөні",)}
_HEADER_KEY = re.compile(r"[\W_]+", re.UNICODE)
# The number sign as registers write it («№», "#", "Nº"), read as "no" before the rest of the
# punctuation goes: «№ дела» and «№ п/п» were both read as bare words, «№» as nothing.
_NUMBER_SIGN = re.compile(r"[№#]|\bn[º°]", re.IGNORECASE)
# A register's own line numbers («№», «№ п/п», «Р/с», "No.", "#", "Nr"): a count of its rows,
# no field of a case. Left out quietly, as a column no field is chosen for; "No." was taken as
# the case's old number and wrote «[Legacy number: 1]» into every description.
_ORDINALS = frozenset(
    {
        "no",
        "nr",
        "пп",
        "noпп",
        "noпопорядку",
        "порядковыйномер",
        "рс",
        "рн",
        "реттікno",
        "реттікнөмірі",
        "sno",
        "slno",
        "sn",
    }
)


class CheckedRow(NamedTuple):
    """A row that passed every check: its line, the case as prepared, its status and, for a
    case the register says ended, the day it did."""

    line: int
    case: PreparedCase
    status: str
    ended_on: date | None = None
    took: frozenset[str] = frozenset()  # the fields the row left empty, taken as usual
    warnings: tuple[str, ...] = ()  # what the row comes in without, and why


@dataclass(frozen=True)
class RowWarning:
    """A row that comes in with a value left out (a mistyped IIN), and what was done."""

    line: int
    message: str
    field: str | None = None


@dataclass(frozen=True)
class RejectedRow:
    line: int
    reason: str
    field: str | None = None
    held_as: str = ""  # the number of the case held here that the row repeats


class ImportStopped(QorgauError):
    """The person stopped the import before any batch was written: nothing was imported."""


class MissingColumns(ValidationError):
    """No column holds some field a case needs; ``fields``: their labels. The message speaks
    the command line's words (``--map``); the import dialog says what to do there."""

    def __init__(self, fields: Sequence[str]) -> None:
        self.fields = tuple(fields)
        super().__init__(
            _("No column for {fields}; name the columns or give a mapping.").format(
                fields=", ".join(self.fields)
            )
        )


class PartlyImported(QorgauError):
    """Writing stopped after some batches were saved; ``report`` holds what was imported."""

    def __init__(self, message: str, report: ImportReport, last_line: int) -> None:
        super().__init__(message)
        self.report = report
        self.last_line = last_line


@dataclass
class ImportReport:
    encoding: str
    delimiter: str
    mapping: dict[str, str]
    rows: int = 0
    accepted: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    imported: int = 0
    numbers: list[str] = field(default_factory=list)
    dry_run: bool = False
    headers: list[str] = field(default_factory=list)  # the file's columns, as named
    sheet: str = ""  # a workbook's sheet read (its rows are numbered as in Excel) …
    sheets: list[str] = field(default_factory=list)  # … of these
    home_country: str = ""  # the mission's, taken for the rows that name no country …
    country_taken: int = 0  # … so many
    category_taken: int = 0  # rows that named no complaint, imported as "Other"
    default_status: str = CaseStatus.NEW.value  # the status of rows that name none …
    status_taken: int = 0  # … so many
    sex_taken: int = 0  # rows naming no sex (and no IIN) whose names said it
    open_overdue: int = 0  # of the cases coming in open, those already past their deadline
    sha256: str = ""  # of the file's bytes
    file_name: str = ""  # as the person chose it (no folder), for the list of imports
    # This import's id: in its audit entry and each case's timeline entry, so that the cases
    # it registered can be found again and removed (``app.services.import_undo``).
    import_id: str = ""
    changes_before: int = 0  # the change counter before its first batch
    # When this file (this sheet) was imported before, by whom, how many cases: the audit's.
    imported_earlier: list[ImportRecord] = field(default_factory=list)
    # The first rows that can be imported, as they will be registered (words, not codes):
    # a name order or a date column taken wrongly shows here before anything is written.
    preview: list[dict[str, str]] = field(default_factory=list)
    past_retention: int = 0  # cases closed longer ago than the retention period …
    retention_years: int = 0  # … of so many years
    # Complaints the file writes in words of its own, as written → how many rows name them.
    unknown_categories: dict[str, int] = field(default_factory=dict)
    totals: list[int] = field(default_factory=list)  # the lines of totals left out
    warnings: list[RowWarning] = field(default_factory=list)  # rows coming in with a change
    unsaved_formulas: int = 0  # a workbook's formula cells with no saved value (read as empty)

    @property
    def imported_before(self) -> bool:
        """Every row repeats a case held here: the file was imported before."""
        return self.accepted == 0 and bool(self.rejected) and all(r.held_as for r in self.rejected)


def header_key(name: str) -> str:
    return _HEADER_KEY.sub("", _NUMBER_SIGN.sub("no", name.strip().lower()))


def auto_mapping(headers: list[str]) -> dict[str, str]:
    """Column header → field, for the headers we recognise (each field once, but the
    description, which every column of notes adds to)."""
    mapping: dict[str, str] = {}
    for header in headers:
        key = header_key(header)
        if key in _ORDINALS:
            continue
        for fld, names in HEADER_NAMES.items():
            if fld in mapping.values() and fld != NOTES:
                continue
            if (
                key in names
                or key.startswith(_HEADER_STARTS.get(fld, ()))
                or key.endswith(_HEADER_ENDS.get(fld, ()))
            ):
                mapping[header] = fld
                break
    return mapping


# A register's line count is written "1", "2." or "3)"; a value with anything else and a digit
# («17/2024», "KR-015") is a case's number under a column headed only «№».
_LINE_COUNT = re.compile(r"\d+[.)]?")
_SAMPLED_ROWS = 50


def _case_numbers_under_a_line_count(table: Table, columns: dict[str, str]) -> None:
    """A column headed «№» or "No." that holds case numbers, not line counts, is taken as the
    case's old number (when no other column is): a register numbering its cases in a column
    named only «№» lost every old number. ``table.rows`` is read ahead and put back."""
    if "legacy_number" in columns.values():
        return
    counts = [
        i for i, h in enumerate(table.headers) if h not in columns and header_key(h) in _ORDINALS
    ]
    if not counts:
        return
    sample = list(itertools.islice(table.rows, _SAMPLED_ROWS))
    table.rows = itertools.chain(sample, table.rows)
    for i in counts:
        values = [
            cells[i].strip() for _line, cells in sample if i < len(cells) and cells[i].strip()
        ]
        numbers = [
            v for v in values if any(c.isdigit() for c in v) and not _LINE_COUNT.fullmatch(v)
        ]
        if values and 2 * len(numbers) >= len(values):
            columns[table.headers[i]] = "legacy_number"
            return


def open_register(raw: bytes, sheet: str | None = None) -> Table:
    """The file's table, its header the row among the first that names the most fields: a
    band of merged group names above the real header was taken for it."""
    return open_table(
        raw, sheet, header_score=lambda cells: len(auto_mapping(cells)), max_rows=MAX_ROWS
    )


def _mapped_twice(columns: Mapping[str, str]) -> tuple[str, list[str]] | None:
    """A field (other than the description) that two or more columns are taken as, with them:
    one of them would be dropped unsaid."""
    by_field: dict[str, list[str]] = {}
    for header, fld in columns.items():
        by_field.setdefault(fld, []).append(header)
    for fld, named in by_field.items():
        if fld != NOTES and len(named) > 1:
            return fld, named
    return None


def _joined_notes(cells: list[tuple[str, str]]) -> str:
    """The description from its columns: the first as written, each other after its name."""
    filled = [(header, text.strip()) for header, text in cells if text.strip()]
    if len(cells) == 1:
        return filled[0][1] if filled else ""
    first_header = cells[0][0]
    return "\n".join(
        text if header == first_header else f"{header}: {text}" for header, text in filled
    )


def _chosen_categories(chosen: Mapping[str, str]) -> dict[str, str]:
    """The categories a person named for a file's own words, checked."""
    known = {info.code.value for info in taxonomy.categories()}
    for written, code in chosen.items():
        if code not in known:
            raise ValidationError(
                _("Unknown complaint category “{value}”.").format(value=code), "categories"
            )
        if not written.strip():
            raise ValidationError(_("Name the complaint as the file writes it."), "categories")
    return {written.strip().casefold(): code for written, code in chosen.items()}


def _category_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for info in taxonomy.categories():
        lookup[info.code.value] = info.code.value
        for lang in LANGUAGES:
            lookup[info.label(lang).casefold()] = info.code.value
    return lookup


@cache
def _labels_of(kind: type[StrEnum]) -> dict[str, str]:
    """A status or an urgency by its code or its label in any of the three languages
    («Закрыто», «Жабылды», "Closed"): legacy sheets write words, not codes."""
    lookup: dict[str, str] = {}
    for member in kind:
        lookup[member.value] = member.value
        for language in LANGUAGES:
            lookup[label(member, language).casefold()] = member.value
    return lookup


# How registers write the sex besides the forms' labels: letters and short words.
_SEX_WORDS = {
    Sex.MALE.value: ("м", "муж", "мужчина", "m", "man", "е", "ер", "еркек"),
    Sex.FEMALE.value: ("ж", "жен", "женщина", "f", "w", "woman", "ә", "әйел"),
}


def _sex_of(written: str) -> str | None:
    """A sex by its label in any language («Мужской», «Ер», "Female") or a register's short
    form (М/Ж, муж./жен., Е/Ә); None for an empty cell, ValidationError for anything else."""
    text = written.strip().rstrip(".").casefold()
    if not text:
        return None
    for code, words in _SEX_WORDS.items():
        if text in words:
            return code
    found = _code_of(Sex, text)
    if found is None:
        raise ValidationError(
            _("Unknown sex “{value}”: write male or female (М, Ж, M, F).").format(
                value=quoted(written)
            ),
            "sex",
        )
    return found


# How registers write a status besides the forms' labels.
_STATUS_WORDS = {
    CaseStatus.IN_PROGRESS.value: ("на рассмотрении", "рассматривается", "в процессе", "қаралуда"),
    CaseStatus.RESOLVED.value: ("решено", "исполнено", "выполнено", "урегулирован", "орындалды"),
    CaseStatus.CLOSED.value: ("закрыт", "закрыта", "завершено", "завершен", "жабық"),
    CaseStatus.REJECTED.value: ("отказано", "отказ", "отклонено"),
}


def _status_of(written: str) -> str | None:
    text = written.strip().rstrip(".").casefold()
    for code, words in _STATUS_WORDS.items():
        if text in words:
            return code
    return _code_of(CaseStatus, text)


def _code_of(kind: type[StrEnum], written: str) -> str | None:
    return _labels_of(kind).get(written.strip().casefold())


def category_parts(value: str) -> list[str]:
    """The complaints a cell names, as written: «Невыплата з/п; паспорт» is two."""
    return [p.strip() for p in _CATEGORY_SEPARATORS.split(value) if p.strip()]


def parse_categories(value: str, lookup: Mapping[str, str]) -> tuple[str, ...]:
    parts = category_parts(value)
    codes = []
    for part in parts:
        found = lookup.get(part.casefold())
        if found is None:
            raise ValidationError(
                _("Unknown complaint category “{value}”.").format(value=quoted(part)), "categories"
            )
        codes.append(found)
    return tuple(codes)


def parse_date(value: str, fld: str) -> date | None:
    # Spaces in a run count as one: a long run made the written-date patterns below backtrack
    # for seconds on a single cell.
    text = " ".join(value.split())
    if not text:
        return None
    if len(text) > _LONGEST_DATE:
        raise _not_a_date(text, fld)
    text = _YEAR_WORD.sub("", text)  # «05.03.2024 г.», «05.03.2024 ж.»: the word for year
    if _EXCEL_DAY.fullmatch(text) and _EXCEL_DAYS[0] <= int(text) <= _EXCEL_DAYS[1]:
        # A date cell whose format was lost shows Excel's day number: 45356 is 2024-03-05.
        return _EXCEL_EPOCH + timedelta(days=int(text))
    timed = _WITH_TIME.fullmatch(text)
    if timed:
        text = timed.group(1)  # "20.11.2026 10:30", as Excel writes a date with a time
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass  # 2026-02-30: refused below in the same words
    for fmt in (
        "%Y-%m-%d",
        "%d.%m.%Y",
        "%d/%m/%Y",
        "%d-%m-%Y",
        "%Y%m%d",
        "%Y.%m.%d",
        "%Y/%m/%d",
    ):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    for fmt in _SHORT_YEAR_FORMATS:
        try:
            day = datetime.strptime(text, fmt).date()
            if fld == "birth_date":  # as the form reads it: the worker at least 14
                return day.replace(year=full_year(day.year % 100, birth=True))
            return _in_the_past(day)
        except ValueError:
            continue
    written = _written_date(text)
    if written is not None:
        return written
    raise _not_a_date(text, fld)


# A year of two digits, as registers typed dates as text (05.03.24, 5/3/24), day first.
_SHORT_YEAR_FORMATS = ("%d.%m.%y", "%d/%m/%y", "%d-%m-%y")


def _in_the_past(day: date) -> date:
    """A date of a two-digit year in the century that puts it no later than today (a case
    received, a job ended): strptime reads 62 as 2062."""
    if day > date.today():
        return day.replace(year=day.year - 100)
    return day


def _not_a_date(text: str, fld: str) -> ValidationError:
    return ValidationError(
        _("“{value}” is not a date (use 2026-11-20 or 20.11.2026).").format(value=quoted(text)),
        fld,
    )


# A month written out, as registers typed as text have it («5 марта 2024», «2024 жылғы
# 5 наурыз», «5 March 2024»): its names in Russian (both forms), Kazakh and English.
_MONTH_NAMES: tuple[tuple[str, ...], ...] = (
    ("январь", "января", "қаңтар", "january"),
    ("февраль", "февраля", "ақпан", "february"),
    ("март", "марта", "наурыз", "march"),
    ("апрель", "апреля", "сәуір", "april"),
    ("май", "мая", "мамыр", "may"),
    ("июнь", "июня", "маусым", "june"),
    ("июль", "июля", "шілде", "july"),
    ("август", "августа", "тамыз", "august"),
    ("сентябрь", "сентября", "қыркүйек", "september"),
    ("октябрь", "октября", "қазан", "october"),
    ("ноябрь", "ноября", "қараша", "november"),
    ("декабрь", "декабря", "желтоқсан", "december"),
)
_WRITTEN_DATE = re.compile(
    r"(?:(?P<year1>\d{4})\s*(?:жылғы|ж\.?)?\s+)?(?P<day>\d{1,2})\s+(?P<month>[^\W\d_]+)\.?"
    r"(?:,?\s+(?P<year2>\d{4}))?(?:\s*(?:года|год|г\.?|жылы|ж\.?))?"
)
_MONTH_FIRST = re.compile(r"(?P<month>[^\W\d_]+)\.?\s+(?P<day>\d{1,2}),?\s+(?P<year2>\d{4})")


def _month_of(word: str) -> int | None:
    """The month a written name means: the name itself with any ending («наурызда»), or its
    abbreviation of three letters or more («мар.», «сент»); None if none or several."""
    word = word.casefold().rstrip(".")
    if len(word) < 3:
        return None
    found = {
        number
        for number, names in enumerate(_MONTH_NAMES, start=1)
        for name in names
        if name.startswith(word) or word.startswith(name)
    }
    return found.pop() if len(found) == 1 else None


def _written_date(text: str) -> date | None:
    match = _WRITTEN_DATE.fullmatch(text) or _MONTH_FIRST.fullmatch(text)
    if match is None:
        return None
    parts = match.groupdict()
    year = parts.get("year1") or parts.get("year2")
    month = _month_of(parts["month"])
    if year is None or month is None:
        return None
    try:
        return date(int(year), month, int(parts["day"]))
    except ValueError:
        return None


_SPLIT_NAME = {"surname", "given_names"}


_ENDED = (CaseStatus.RESOLVED.value, CaseStatus.CLOSED.value)


def _ending(
    values: Mapping[str, str], status: str, received: date | None, today: date
) -> tuple[str, date | None]:
    """The status and the day a case ended, from a register's closing date: a row with one
    and no status is closed; a row whose status is still open cannot have one. Without it the
    statistics would never count a legacy case as resolved or closed, and retention would
    count its years from the import."""
    ended = parse_date(values.get("ended_on", ""), "ended_on")
    if ended is None:
        return status, None
    if not values.get("status", "").strip():
        status = CaseStatus.CLOSED.value
    if status not in _ENDED:
        raise ValidationError(
            _("The case has a closing date but its status is “{status}”.").format(
                status=label(CaseStatus(status))
            ),
            "ended_on",
        )
    if ended > today or (received is not None and ended < received):
        raise ValidationError(
            _("The closing date {date} is not between the date received and today.").format(
                date=format_date(ended)
            ),
            "ended_on",
        )
    return status, ended


def _iin_of(written: str) -> str | None:
    """The IIN as written, or with the leading zero a number cell drops: a worker born in
    2000–2009 has an IIN starting with 0, which Excel shows as 11 digits unless the column is
    text. Padded only when the twelve digits pass the IIN's check digit."""
    iin = written.strip()
    if len(iin) == 11 and iin.isdigit() and is_valid_iin("0" + iin):
        return "0" + iin
    return iin or None


def _iin_problem(iin: str, born: date | None) -> str:
    """What is wrong with a register's IIN ("" if nothing): it fails its checks, or says
    another birth date than the row's."""
    bare = re.sub(r"[\s-]", "", iin)  # as the person's own check reads it
    try:
        validate_iin(bare)
    except ValidationError as exc:
        return str(exc)
    if born is not None and born != iin_birth_date(bare):
        return _("The date of birth does not match the IIN ({date}).").format(
            date=format_date(iin_birth_date(bare))
        )
    return ""


def split_full_name(full: str) -> dict[str, str]:
    """«Әбенов Нұрлан Серікұлы» as surname, given name and patronymic: the order of a
    «ФИО» column (surname first), a patronymic of more than one word kept whole."""
    words = full.split()
    if len(words) < 2:
        raise ValidationError(
            _("“{value}” is not a full name: the surname and the given name are needed.").format(
                value=quoted(full)
            ),
            "full_name",
        )
    return {"surname": words[0], "given_names": words[1], "patronymic": " ".join(words[2:])}


# Kazakh patronymic words written apart from the father's name («Серік ұлы»): lower case.
_LETTER_RUN = re.compile(r"[^\W\d_]+")
_PATRONYMIC_WORDS = frozenset({"ұлы", "улы", "қызы", "кызы", "оглы", "гызы"})


def name_case(name: str) -> str:
    """A name as a register typed it in capitals (or in small letters), written as a name:
    «АБЕНОВ» → «Абенов», «абенова-сейтова» → «Абенова-Сейтова»; a name in mixed case is
    left as typed. The letters print the name as it is stored."""
    return " ".join(map(_word_case, name.split()))


def _word_case(word: str) -> str:
    if word.casefold() in _PATRONYMIC_WORDS:
        return word.lower()
    if not (word.isupper() or word.islower()):
        return word
    # Each run of letters as a name part: «абенова-сейтова», «О'КОННОР», «Н.С.».
    return _LETTER_RUN.sub(_name_part, word)


def _name_part(letters: re.Match[str]) -> str:
    return letters.group()[:1].upper() + letters.group()[1:].lower()


def row_to_case(
    values: Mapping[str, str], lookup: Mapping[str, str]
) -> tuple[CaseInput, str, tuple[str, ...]]:
    """One spreadsheet row as a case input, its status code and what it comes in without
    (ValidationError if bad). An IIN mistyped in the register (its check digit, its birth
    date) is left out and kept in the description as written: the row was refused whole, and
    the worker's complaint with it."""
    full = values.get("full_name", "")
    if full.strip() and not (
        values.get("surname", "").strip() or values.get("given_names", "").strip()
    ):
        values = {**values, **split_full_name(full)}
    for fld in REQUIRED:
        if not values.get(fld, "").strip():
            raise ValidationError(
                _("The column for “{field}” is empty.").format(field=field_label(fld)), fld
            )
    received = parse_date(values["received_at"], "received_at")
    assert received is not None
    written = values.get("status", "").strip()
    status = _status_of(written) if written else CaseStatus.NEW.value
    if status is None:
        raise ValidationError(
            _("Unknown status “{value}”.").format(value=quoted(written)), "status"
        )
    urgency = values.get("urgency", "").strip()
    urgency = (_code_of(Urgency, urgency) or urgency) if urgency else Urgency.NORMAL.value
    country = country_by_name(values["host_country"])
    if country is None:
        raise ValidationError(
            _(
                "“{value}” is not a country: write its name (Оңтүстік Корея, Республика Корея, "
                "South Korea) or its two-letter ISO code (KR)."
            ).format(value=quoted(values["host_country"])),
            "host_country",
        )
    employer = values.get("employer", "").strip()
    legacy = values.get("legacy_number", "").strip()
    description = values.get("description", "").strip()
    if legacy:
        description = f"{description}\n[{_('Legacy number')}: {legacy}]".strip()
    surname, patronymic = name_case(values["surname"]), name_case(values.get("patronymic", ""))
    iin = _iin_of(values.get("iin", ""))
    born = parse_date(values.get("birth_date", ""), "birth_date")
    warnings: tuple[str, ...] = ()
    if iin is not None and (problem := _iin_problem(iin, born)):
        typed = values["iin"].strip()
        label = _("IIN as written in the register")  # outside the f-string, where babel finds it
        description = f"{description}\n[{label}: {typed}]".strip()
        warnings = (
            _(
                "{problem} The case comes in without the IIN; “{iin}” is kept in its description."
            ).format(problem=problem, iin=quoted(typed)),
        )
        iin = None
    sex = _sex_of(values.get("sex", ""))
    if _sex_unsaid(values, iin):
        # As the names say it (the letters agree with it; the report counts such rows).
        sex = sex_from_names(surname, patronymic)
    case = CaseInput(
        host_country=country,
        categories=parse_categories(values["categories"], lookup),
        received_at=received,
        person=PersonInput(
            surname=surname,
            given_names=name_case(values["given_names"]),
            patronymic=patronymic,
            surname_latin=values.get("surname_latin", ""),
            given_names_latin=values.get("given_names_latin", ""),
            iin=iin,
            passport_no=values.get("passport_no", "").strip() or None,
            birth_date=born,
            sex=sex,
            phone_abroad=values.get("phone", ""),
        ),
        employer=OrganisationInput(
            name=employer, country=country, city=values.get("employer_city", "")
        )
        if employer
        else None,
        urgency=urgency,
        description=description,
    )
    return case, status, warnings


def import_csv(
    ws: Workspace,
    raw: bytes,
    dry_run: bool = False,
    mapping: Mapping[str, str] | None = None,
    skip_rejected: bool = False,
    stop: threading.Event | None = None,
    progress: Callable[[int, int], None] | None = None,
    sheet: str | None = None,
    categories: Mapping[str, str] | None = None,
    default_status: str = CaseStatus.NEW.value,
    checking: Callable[[int], None] | None = None,
    file_name: str = "",
    opened: Callable[[Table], None] | None = None,
) -> ImportReport:
    """Check every row, then write the accepted ones in batches (see the module's notes).
    ``stop``, once set, ends the import before the next row is checked or the next batch is
    written: ``ImportStopped`` if nothing was written yet, else ``PartlyImported``.
    ``progress(written, to_write)`` is called after each batch is committed. ``sheet`` names
    a workbook's sheet (its first one if None). ``categories`` names the category of a complaint
    the file writes otherwise (its text → a category code): legacy sheets write their own words.
    ``default_status``: the status of a row that names none (and no closing date).
    ``checking(rows)`` is called every ``CHECKED_PER_REPORT`` rows read. ``file_name``: the
    file's name (no folder), kept in the import's audit entry. ``opened(table)`` is called
    once the file is read: a caller shown a refusal keeps its columns without reading again."""
    ws.require_role(*CASE_WORKERS)
    stop = stop or threading.Event()
    if len(raw) > MAX_BYTES:
        raise ValidationError(_("The file is larger than {n} MB.").format(n=MAX_BYTES // 2**20))
    table = open_register(raw, sheet)
    if opened is not None:
        opened(table)
    digest = hashlib.sha256(raw).hexdigest()
    columns = dict(mapping) if mapping else auto_mapping(table.headers)
    if not mapping:
        _case_numbers_under_a_line_count(table, columns)
    home = _checked_mapping(ws, table.headers, columns)
    report = ImportReport(
        table.encoding,
        table.delimiter,
        columns,
        dry_run=dry_run,
        headers=table.headers,
        sheet=table.sheet,
        sheets=table.sheets,
        unsaved_formulas=table.unsaved_formulas,
        home_country=home,
        default_status=_status_code(default_status),
        sha256=digest,
        file_name=file_name,
        # Random throughout (not a record id, whose first characters are its time): the
        # command line names an import by its first eight characters.
        import_id=str(uuid.uuid4()),
        imported_earlier=_earlier_imports(ws, digest, table.sheet),
    )
    lookup = _category_lookup() | _chosen_categories(categories or {})
    service = CaseService(ws)
    prepared = _checked_rows(table, report, lookup, service, stop, checking)
    if prepared:
        prepared = _without_repeats(ws, prepared, report)
    _count_coming_in(ws, report, prepared, service.today)
    if dry_run or (report.rejected and not skip_rejected) or not prepared:
        return report
    _write_batches(ws, service, report, prepared, stop, progress)
    return report


def _checked_mapping(ws: Workspace, headers: Sequence[str], columns: Mapping[str, str]) -> str:
    """Refuse a column mapping that names an unknown field, maps one field twice, leaves a
    required field without a column or names a column the file lacks; return the country a row
    that names none is taken to be in ("" at HQ)."""
    unknown_fields = sorted(set(columns.values()) - set(FIELDS))
    if unknown_fields:
        raise ValidationError(
            _("Unknown field “{field}” in the column mapping.").format(field=unknown_fields[0])
        )
    twice = _mapped_twice(columns)
    if twice:
        fld, named = twice
        raise ValidationError(
            _("Two columns hold {field}: {columns}; choose one.").format(
                field=field_label(fld), columns=", ".join(f"“{h}”" for h in named)
            )
        )
    # A mission's register often has no country column (every case is in the host country):
    # its rows, and any row that leaves the country empty, are taken as the mission's country,
    # and the report says how many. HQ has no country of its own.
    mission = ws.mission
    home = "" if mission.is_hq else mission.country
    given = set(columns.values()) | (_SPLIT_NAME if "full_name" in columns.values() else set())
    if home:
        given.add("host_country")
    given.add("categories")  # a row naming no complaint is "Other", and the report says so
    missing = [f for f in REQUIRED if f not in given]
    if missing:
        raise MissingColumns([field_label(f) for f in missing])
    absent = [h for h in columns if h not in headers]
    if absent:
        raise ValidationError(_("The file has no column “{name}”.").format(name=absent[0]))
    return home


def _checked_rows(
    table: Table,
    report: ImportReport,
    lookup: Mapping[str, str],
    service: CaseService,
    stop: threading.Event,
    checking: Callable[[int], None] | None,
) -> list[CheckedRow]:
    """Every row of the file checked as a case, nothing written: the rows that would come in;
    the rejected ones and the categories not understood go to the report."""
    headers = table.headers
    columns = report.mapping
    index = {fld: headers.index(header) for header, fld in columns.items() if fld != NOTES}
    # A register's notes may fill several columns («Суть жалобы», «Принятые меры»,
    # «Примечание»): every column taken as the description comes in, each after its name.
    notes = [(header, headers.index(header)) for header, fld in columns.items() if fld == NOTES]
    prepared: list[CheckedRow] = []
    unknown_as: dict[str, str] = {}
    for line, cells in table.rows:
        if stop.is_set():
            raise _stopped_before_writing()
        if not any(c.strip() for c in cells):
            continue
        if _is_totals(cells):
            report.totals.append(line)
            continue
        report.rows += 1
        if checking is not None and report.rows % CHECKED_PER_REPORT == 0:
            checking(report.rows)
        if report.rows > MAX_ROWS:
            raise ValidationError(
                _("The file has more than {n} rows.").format(n=format_number(MAX_ROWS))
            )
        if len(cells) != len(headers):
            short = lazy(N_("{n} cells where the header has {m}."), n=len(cells), m=len(headers))
            report.rejected.append(RejectedRow(line, _reason(report, short)))
            continue
        values = {fld: cells[i] for fld, i in index.items()}
        if notes:
            values[NOTES] = _joined_notes([(header, cells[i]) for header, i in notes])
        took = _fill_unnamed(values, report.home_country, report.default_status)
        for part in category_parts(values.get("categories", "")):
            folded = part.casefold()
            if folded not in lookup:
                shown = unknown_as.setdefault(folded, part)  # as first written
                report.unknown_categories[shown] = report.unknown_categories.get(shown, 0) + 1
        try:
            prepared.append(_checked_row(line, values, took, lookup, service))
        except QorgauError as exc:
            said = str(exc)
            reason = _reason(report, partial(_refusal_now, values, lookup, service, said), said)
            report.rejected.append(RejectedRow(line, reason, getattr(exc, "field", None)))
    return prepared


def _reason(report: ImportReport, make: Callable[[], str], said: str | None = None) -> str:
    """A rejected row's reason (``said``: as composed already), said again after a language
    switch while within the rows listed (``LISTED_REJECTIONS``)."""
    if len(report.rejected) >= LISTED_REJECTIONS:
        return make() if said is None else said
    return Said(make, said)


def _checked_row(
    line: int,
    values: Mapping[str, str],
    took: frozenset[str],
    lookup: Mapping[str, str],
    service: CaseService,
) -> CheckedRow:
    """One row checked as a case, nothing written (a QorgauError says why it is refused)."""
    case, status, warnings = row_to_case(values, lookup)
    if case.person and case.person.sex and _sex_unsaid(values, case.person.iin):
        took = took | {"sex"}  # the names said it
    status, ended_on = _ending(values, status, case.received_at, service.today)
    return CheckedRow(line, service.prepare(case), status, ended_on, took, warnings)


def _refusal_now(
    values: Mapping[str, str], lookup: Mapping[str, str], service: CaseService, first: str
) -> str:
    """Why a row was rejected, in the language of the moment: the row checked again (the
    checks touch no database), since its refusal was composed deep in them in the language
    of the check. ``first``, as said then, should the row pass now."""
    try:
        _checked_row(0, values, frozenset(), lookup, service)
    except QorgauError as exc:
        return str(exc)
    return first


# The words a register's row of totals begins with: «Итого: 25», «Барлығы», "Total".
_TOTALS = re.compile(
    r"(?:итого|всего|итог|барлығы|барлыгы|жиыны|жиынтығы|total|totals|grand total)(?!\w)",
    re.IGNORECASE,
)


def _is_totals(cells: list[str]) -> bool:
    """A row of totals under the cases (its first or second filled cell says so, the second
    where the first is the row's number): it was rejected as a case with no date received,
    and so the whole file with it."""
    filled = [cell.strip() for cell in cells if cell.strip()][:2]
    return any(_TOTALS.match(cell) for cell in filled)


def encoding_message(report: ImportReport) -> str:
    """A CSV read as Windows-1251 (Excel in Russian saves so) cannot hold the Kazakh letters:
    «Бауыржанұлы» reached the file as «Бауыржанулы», and a worker held here under the right
    spelling is not recognised. Said, so that the person can save the register again."""
    if report.encoding != "cp1251":
        return ""
    return _(
        "This file is in the Windows-1251 encoding, which has no Kazakh letters (ә, ғ, қ, ң, "
        "ө, ұ, ү, һ, і): names written with them lost them when the file was saved. If the "
        "register holds Kazakh names, import the workbook itself, or save it from Excel as "
        '"CSV UTF-8".'
    )


def unsaved_formulas_message(report: ImportReport) -> str:
    """What the report says of formula cells whose value was never saved ("" if none): they
    read as empty, and a row was refused for an empty date the sheet shows in Excel."""
    if not report.unsaved_formulas:
        return ""
    return ngettext(
        "{n} cell of the sheet holds a formula whose value was never saved (a program wrote "
        "the workbook, Excel did not save it): it reads as empty. Open the workbook in Excel, "
        "save it, and import it again.",
        "{n} cells of the sheet hold formulas whose values were never saved (a program wrote "
        "the workbook, Excel did not save it): they read as empty. Open the workbook in "
        "Excel, save it, and import it again.",
        report.unsaved_formulas,
    ).format(n=format_number(report.unsaved_formulas))


def totals_message(report: ImportReport) -> str:
    """What the report says of the rows of totals left out ("" if none)."""
    if not report.totals:
        return ""
    lines = ", ".join(str(line) for line in report.totals)
    # One text for one number, another for a list: the list is not a count, and a plural
    # form picked by it (21 lines: Russian's "one") would speak of a list as of one row.
    several = len(report.totals) > 1
    if report.sheet:  # a workbook's rows by the numbers Excel shows beside them
        text = (
            _("Rows {rows} hold totals, not cases: they are left out.")
            if several
            else _("Row {rows} holds totals, not a case: it is left out.")
        )
    else:
        text = (
            _("Lines {rows} hold totals, not cases: they are left out.")
            if several
            else _("Line {rows} holds totals, not a case: it is left out.")
        )
    return text.format(rows=lines)


SHOWN_WARNED_LINES = 20  # of the rows coming in without their IIN, the lines named in the note


def iin_left_out_message(report: ImportReport) -> str:
    """What the report says of the rows coming in without their mistyped IIN ("" if none):
    their lines, each row's own reason in ``report.warnings``."""
    lines = sorted({warning.line for warning in report.warnings if warning.field == "iin"})
    if not lines:
        return ""
    named = ", ".join(str(line) for line in lines[:SHOWN_WARNED_LINES])
    if len(lines) > SHOWN_WARNED_LINES:
        named += ", …"
    several = len(lines) > 1  # a list of lines, not a count (see totals_message)
    if report.sheet:  # a workbook's rows by the numbers Excel shows beside them
        text = (
            _(
                "Rows {rows}: the IINs are mistyped (their check digits or birth dates are "
                "wrong); the cases come in without them, and each IIN as written is kept in "
                "its case's description."
            )
            if several
            else _(
                "Row {rows}: the IIN is mistyped (its check digit or birth date is wrong); the "
                "case comes in without it, and the IIN as written is kept in its description."
            )
        )
    else:
        text = (
            _(
                "Lines {rows}: the IINs are mistyped (their check digits or birth dates are "
                "wrong); the cases come in without them, and each IIN as written is kept in "
                "its case's description."
            )
            if several
            else _(
                "Line {rows}: the IIN is mistyped (its check digit or birth date is wrong); "
                "the case comes in without it, and the IIN as written is kept in its "
                "description."
            )
        )
    return text.format(rows=named)


def _count_coming_in(
    ws: Workspace, report: ImportReport, prepared: list[CheckedRow], today: date
) -> None:
    """The report's figures of the rows that come in (a rejected row comes in as nothing)."""
    report.accepted = len(prepared)
    report.warnings = [
        RowWarning(row.line, message, "iin") for row in prepared for message in row.warnings
    ]
    report.country_taken = sum("host_country" in row.took for row in prepared)
    report.category_taken = sum("categories" in row.took for row in prepared)
    report.status_taken = sum("status" in row.took for row in prepared)
    report.sex_taken = sum("sex" in row.took for row in prepared)
    report.preview = [_as_registered(row) for row in prepared[:PREVIEW_ROWS]]
    report.open_overdue = sum(1 for row in prepared if _overdue(row, today))
    _count_past_retention(ws, prepared, report, today)


def _write_batches(
    ws: Workspace,
    service: CaseService,
    report: ImportReport,
    prepared: list[CheckedRow],
    stop: threading.Event,
    progress: Callable[[int, int], None] | None,
) -> None:
    """Write the checked rows in bounded batches, each its own short transaction, so that
    other users (and the app's own reads) are not locked out for the whole file."""
    with ws.read() as session:
        report.changes_before = current_change_seq(session)  # for undoing it: what came after
    # Held while it writes: a start finding its mark with the lock free knows it was killed.
    try:
        held = None if ws.on_server else hold_lock(csv_import_lock(ws.paths, report.import_id))
    except OSError as exc:  # the data folder's disk full or read only: nothing was written
        raise storage_error(exc) from None
    try:
        _write_each_batch(ws, service, report, prepared, stop, progress)
    finally:
        if held is not None:
            os.close(held)
            csv_import_lock(ws.paths, report.import_id).unlink(missing_ok=True)


def _write_each_batch(
    ws: Workspace,
    service: CaseService,
    report: ImportReport,
    prepared: list[CheckedRow],
    stop: threading.Event,
    progress: Callable[[int, int], None] | None,
) -> None:
    for start in range(0, len(prepared), BATCH_ROWS):
        if stop.is_set():
            if not report.numbers:
                raise _stopped_before_writing()
            raise _stopped_midway(ws, report, prepared[start - 1].line)
        batch = prepared[start : start + BATCH_ROWS]
        try:
            # Counted once the batch is committed: a failed batch left nothing behind.
            report.numbers += _write_batch(
                ws, service, report, batch, last=start + BATCH_ROWS >= len(prepared)
            )
            if progress is not None:
                progress(len(report.numbers), len(prepared))
        except Exception as exc:
            if not report.numbers:
                raise  # nothing was written: the error's own words are true
            report.imported = len(report.numbers)
            _audit_written_part(ws, report, failed_after_line=prepared[start - 1].line)
            # A defect (not a QorgauError) too: the batches before it were committed.
            reason = (
                str(exc)
                if isinstance(exc, QorgauError)
                else _("An internal error occurred: {error}").format(error=str(exc).rstrip("."))
                + "."
            )
            raise _partly_imported(reason, report, prepared[start - 1].line) from exc
    report.imported = len(report.numbers)


# A case's key for finding the same row imported twice: the worker's names and the day
# received. Not the complaint: a register that writes it in notes comes in as "Other", which
# the officer then corrects in the case (and the country too), and the next import of the file
# missed every corrected case. The worker's numbers and birth date must not differ where both
# sides have them (two namesakes on one day are told apart by them).
_RepeatKey = tuple[str, str, date]
_Identity = tuple[date | None, str | None, str | None]  # birth date, passport, IIN
# What a case says beyond its worker and day: a held case saying the same is paired first.
_Content = tuple[str, frozenset[str]]  # the country, the complaints


class _HeldCase(NamedTuple):
    number: str
    identity: _Identity
    content: _Content


_NAMES_PER_QUERY = 400  # pairs of names per read (two parameters each, under SQLite's limit)
_DAYS_PER_QUERY = 1000


def country_taken_message(report: ImportReport) -> str:
    """What the report says of the rows that named no country ("" if none)."""
    if not report.country_taken:
        return ""
    return ngettext(
        "{n} row names no country: it is taken as {country}, the mission's host country.",
        "{n} rows name no country: they are taken as {country}, the mission's host country.",
        report.country_taken,
    ).format(
        n=format_number(report.country_taken),
        country=country_name(report.home_country),
    )


def _sex_unsaid(values: Mapping[str, str], iin: str | None) -> bool:
    """The row gives no sex: none written, and no IIN to read it from."""
    return not values.get("sex", "").strip() and not (iin and is_valid_iin(iin))


def sex_taken_message(report: ImportReport) -> str:
    """What the report says of the sexes taken from the names ("" if none)."""
    if not report.sex_taken:
        return ""
    return ngettext(
        "{n} row names no sex: it is taken from the patronymic or the surname, for the "
        "letters to agree with it.",
        "{n} rows name no sex: it is taken from the patronymic or the surname, for the "
        "letters to agree with it.",
        report.sex_taken,
    ).format(n=format_number(report.sex_taken))


def category_taken_message(report: ImportReport) -> str:
    """What the report says of the rows that named no complaint ("" if none)."""
    if not report.category_taken:
        return ""
    return ngettext(
        "{n} row names no complaint: its category is Other, to be chosen in the case later.",
        "{n} rows name no complaint: their category is Other, to be chosen in each case later.",
        report.category_taken,
    ).format(n=format_number(report.category_taken))


def _fill_unnamed(values: dict[str, str], home: str, status: str) -> frozenset[str]:
    """A row's empty country, complaint and status, filled as the report will say: the
    mission's country, Other, and the status chosen for such rows (a row with a closing date
    is closed instead); which of them were filled."""
    filled = {
        "host_country": home,
        "categories": Category.OTHER.value,
        "status": "" if values.get("ended_on", "").strip() else status,
    }
    took = set()
    for fld, usual in filled.items():
        if usual and not values.get(fld, "").strip():
            values[fld] = usual
            took.add(fld)
    return frozenset(took)


def _status_code(written: str) -> str:
    code = _status_of(written)
    if code is None:
        raise ValidationError(_("Unknown status “{value}”.").format(value=written), "status")
    return code


def _overdue(row: CheckedRow, today: date) -> bool:
    """An open case coming in already past its deadline (the Start page's overdue list)."""
    received = row.case.source.received_at
    if not is_open(CaseStatus(row.status)) or received is None:
        return False
    due = row.case.source.due_date or default_due_date(received, row.case.urgency)
    return due < today


def status_taken_message(report: ImportReport) -> str:
    """What the report says of the rows that named no status and of the cases coming in
    open past their deadline ("" if neither): a register without a status column made every
    legacy case a new one, all of them overdue on the Start page."""
    said = []
    if report.status_taken:
        said.append(
            ngettext(
                "{n} row names no status: it comes in as “{status}”.",
                "{n} rows name no status: they come in as “{status}”.",
                report.status_taken,
            ).format(
                n=format_number(report.status_taken),
                status=label(CaseStatus(report.default_status)),
            )
        )
    if report.open_overdue:
        said.append(
            ngettext(
                "{n} case comes in open and past its deadline: the Start page will list it "
                "as overdue.",
                "{n} cases come in open and past their deadline: the Start page will list "
                "them as overdue.",
                report.open_overdue,
            ).format(n=format_number(report.open_overdue))
        )
    return " ".join(said)


def _as_registered(row: CheckedRow) -> dict[str, str]:
    """A checked row as the case form will show it."""
    item, person = row.case, row.case.person
    assert person is not None  # every row names its worker
    born = person.birth_date
    return {
        "line": str(row.line),
        "name": " ".join(p for p in (person.surname, person.given_names, person.patronymic) if p),
        "born": format_date(born) if born else "",
        "iin": person.iin or "",
        "country": country_name(item.host_country),
        "received": format_date(item.source.received_at) if item.source.received_at else "",
        "complaint": ", ".join(label(c) for c in item.categories),
        "status": label(CaseStatus(row.status)),
        "ended": format_date(row.ended_on) if row.ended_on else "",
    }


def _count_past_retention(
    ws: Workspace, prepared: list[CheckedRow], report: ImportReport, today: date
) -> None:
    """How many cases the register says were closed longer ago than the retention period:
    the policy anonymises them at the next sign-in, which the officer is told before she
    imports (else she would find them anonymised the next day)."""
    years = retention.retention_years(ws)
    report.retention_years = years
    report.past_retention = sum(
        1
        for row in prepared
        if row.ended_on is not None
        and row.status == CaseStatus.CLOSED.value
        and retention.add_years(row.ended_on, years) <= today
    )


def past_retention_message(report: ImportReport) -> str:
    """What the report says of the cases closed before the retention period ("" if none)."""
    if not report.past_retention:
        return ""
    return ngettext(
        "{n} case was closed more than {years} years ago: the retention policy anonymises it "
        "at the next sign-in.",
        "{n} cases were closed more than {years} years ago: the retention policy anonymises "
        "them at the next sign-in.",
        report.past_retention,
    ).format(n=format_number(report.past_retention), years=report.retention_years)


def _earlier_imports(ws: Workspace, digest: str, sheet: str) -> list[ImportRecord]:
    """The imports of the same bytes (and sheet), oldest first, as the audit tells them (a
    mission makes a few hundred imports at most)."""
    return [
        record
        for record in reversed(list_imports(ws))
        if record.sha256 == digest and record.sheet == sheet
    ]


def earlier_imports_message(report: ImportReport) -> str:
    """When the file was imported before ("" if never): the same bytes, whatever was done to
    its cases since, and whether that import was undone."""
    if not report.imported_earlier:
        return ""
    said = []
    for earlier in report.imported_earlier:
        text = ngettext(
            "{when} by {who}, {n} case", "{when} by {who}, {n} cases", earlier.imported
        ).format(
            when=format_datetime(_local(earlier.at)),
            who=earlier.actor,
            n=format_number(earlier.imported),
        )
        if earlier.undone_at is not None:
            text += " " + _("(undone {when} by {who})").format(
                when=format_datetime(_local(earlier.undone_at)), who=earlier.undone_by
            )
        said.append(text)
    return _("This file was imported before: {imports}.").format(imports="; ".join(said))


def _local(moment: datetime) -> datetime:
    """An audit time (UTC; SQLite gives it back without its zone) in this computer's zone."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone()


def report_notes(report: ImportReport) -> list[str]:
    """What the report says beside its counts, in the order the window and the command say
    it: an earlier import of the file, then the rows taken as usual and the cases retention
    anonymises."""
    said = (
        earlier_imports_message(report),
        encoding_message(report),
        unsaved_formulas_message(report),
        country_taken_message(report),
        category_taken_message(report),
        iin_left_out_message(report),
        sex_taken_message(report),
        status_taken_message(report),
        past_retention_message(report),
        totals_message(report),
    )
    return [note for note in said if note]


def imported_before_message() -> str:
    return _("Every row is a case already in Qorgau: this file was imported before.")


def _repeat_key(item: PreparedCase) -> _RepeatKey | None:
    person = item.person
    if person is None or item.source.received_at is None:
        return None
    return (person.surname, person.given_names, item.source.received_at)


def _content(item: PreparedCase) -> _Content:
    return (item.host_country, frozenset(map(str, item.categories)))  # StrEnum: str() is the code


def _identity(item: PreparedCase) -> _Identity:
    person = item.person
    assert person is not None  # rows without a person have no key
    return (person.birth_date, person.passport_no, person.iin)


def _same_worker(one: _Identity, other: _Identity) -> bool:
    return all(not a or not b or a == b for a, b in zip(one, other, strict=True))


def _paired_with_held(
    keyed: list[tuple[CheckedRow, _RepeatKey | None]],
    held: Mapping[_RepeatKey, list[_HeldCase]],
) -> dict[int, str]:
    """Row index → the number of the held case it repeats. Each held case answers one row, so
    a worker's two complaints of one day, both in the file, find both cases and a third row
    comes in; a held case saying the same country and complaints is taken first, then any."""
    used: set[str] = set()
    paired: dict[int, str] = {}
    for same_content in (True, False):
        for index, (row, key) in enumerate(keyed):
            if key is None or index in paired:
                continue
            identity, content = _identity(row.case), _content(row.case)
            for case in held.get(key, ()):
                if case.number in used or not _same_worker(case.identity, identity):
                    continue
                if same_content and case.content != content:
                    continue
                used.add(case.number)
                paired[index] = case.number
                break
    return paired


def _without_repeats(
    ws: Workspace, prepared: list[CheckedRow], report: ImportReport
) -> list[CheckedRow]:
    """The rows that repeat a case already held, or an earlier row of the file, rejected:
    the same file imported twice (or again after a stop midway) would otherwise register
    every case again, with its own number, timeline and place in every list. Within the file
    a row repeats an earlier one only if it says the same throughout (country, complaints,
    notes): two rows of one worker and day that differ are two complaints."""
    keyed = [(row, _repeat_key(row.case)) for row in prepared]
    paired = _paired_with_held(keyed, _held_cases(ws, {key for _row, key in keyed if key}))
    earlier: dict[_RepeatKey, list[tuple[_Identity, _Content, str, int]]] = {}
    kept = []
    for index, (row, key) in enumerate(keyed):
        if key is None:
            kept.append(row)
            continue
        identity, content = _identity(row.case), _content(row.case)
        notes = row.case.description
        same_as = next(
            (
                line
                for known, said, known_notes, line in earlier.get(key, ())
                if said == content and known_notes == notes and _same_worker(known, identity)
            ),
            None,
        )
        earlier.setdefault(key, []).append((identity, content, notes, row.line))
        number = paired.get(index, "")
        if number:
            reason = _reason(
                report,
                lazy(
                    N_("Already in Qorgau as case {number}: the same person and date received."),
                    number=number,
                ),
            )
        elif same_as is not None:
            reason = _reason(
                report,
                lazy(
                    N_(
                        "The same case as line {line}: the same person, date received, country, "
                        "complaint and notes."
                    ),
                    line=same_as,
                ),
            )
        else:
            kept.append(row)
            continue
        report.rejected.append(RejectedRow(row.line, reason, held_as=number))
    report.rejected.sort(key=lambda rejected: rejected.line)
    return kept


def _held_cases(ws: Workspace, keys: set[_RepeatKey]) -> dict[_RepeatKey, list[_HeldCase]]:
    """Of ``keys``, those of cases held here, each with its worker's identity, the case's
    number, country and complaints: read by the workers' names (an index), a few hundred pairs
    at a time."""
    from sqlalchemy import select, tuple_

    from app.db.models import Case, CaseCategory, Person

    names = sorted({key[:2] for key in keys})
    days = {key[2] for key in keys}
    # The days in the query: a third of the time at 100k (a namesake's other cases are not
    # read); a register of many years as a range, to stay within the parameters allowed.
    on_days = (
        Case.received_at.in_(sorted(days))
        if len(days) <= _DAYS_PER_QUERY
        else Case.received_at.between(min(days), max(days))
    )
    candidates: dict[str, tuple[str, _RepeatKey, str, _Identity]] = {}
    with ws.read() as session:
        for start in range(0, len(names), _NAMES_PER_QUERY):
            rows = session.execute(
                select(
                    Case.id,
                    Case.number,
                    Person.surname,
                    Person.given_names,
                    Case.received_at,
                    Case.host_country,
                    Person.birth_date,
                    Person.passport_no,
                    Person.iin,
                )
                .join(Person, Person.id == Case.person_id)
                .where(
                    tuple_(Person.surname, Person.given_names).in_(
                        names[start : start + _NAMES_PER_QUERY]
                    ),
                    on_days,
                    Case.deleted_at.is_(None),
                )
                .order_by(Case.number)  # the first registered answers a repeat first
            )
            for case_id, number, surname, given, day, country, born, passport, iin in rows:
                if (surname, given, day) in keys:
                    candidates[case_id] = (
                        number,
                        (surname, given, day),
                        country,
                        (born, passport, iin),
                    )
        complaints: dict[str, set[str]] = {case_id: set() for case_id in candidates}
        ids = list(candidates)
        for start in range(0, len(ids), 2 * _NAMES_PER_QUERY):
            for case_id, category in session.execute(
                select(CaseCategory.case_id, CaseCategory.code).where(
                    CaseCategory.case_id.in_(ids[start : start + 2 * _NAMES_PER_QUERY])
                )
            ):
                complaints[case_id].add(category)
    held: dict[_RepeatKey, list[_HeldCase]] = {}
    for case_id, (number, key, country, identity) in candidates.items():
        content = (country, frozenset(complaints[case_id]))
        held.setdefault(key, []).append(_HeldCase(number, identity, content))
    return held


def _stopped_before_writing() -> ImportStopped:
    return ImportStopped(_("The import was stopped; nothing was imported."))


def _stopped_midway(ws: Workspace, report: ImportReport, last_line: int) -> PartlyImported:
    """The person's stop between two batches: the file's audit entry says what was written.
    Should that entry fail (the database busy), the message still does: each imported case
    has its own audit entry already."""
    report.imported = len(report.numbers)
    _audit_written_part(ws, report, stopped_after_line=last_line)
    return _partly_imported(_("It was stopped at your request."), report, last_line)


def _audit_written_part(ws: Workspace, report: ImportReport, **where: int) -> None:
    """The file's audit entry when writing ended before the last batch: the list of imports
    (and undoing one) finds a part import by it. Should it fail too (the database busy, the
    disk full), each imported case has its own audit entry already."""
    try:
        with ws.write() as session:
            _audit_file(ws, session, report, report.imported, **where)
            _clear_under_way(session, report)
    except Exception:  # noqa: BLE001 - the import's own error is the one to report
        pass


def _audit_file(
    ws: Workspace, session: Session, report: ImportReport, imported: int, **more: int
) -> None:
    """The file's own audit entry: its rows, how many were imported and rejected."""
    ws.audit(session, "import.csv", "case", "", {**_file_details(report, imported), **more})


def _file_details(report: ImportReport, imported: int) -> dict[str, Any]:
    return {
        "rows": report.rows,
        "imported": imported,
        "rejected": len(report.rejected),
        # Which file (and sheet) it was: an auditor traces the cases to it, and the next
        # check of the same file says it was imported before.
        "sha256": report.sha256,
        "sheet": report.sheet,
        "file": report.file_name,
        "import": report.import_id,
        "changes_before": report.changes_before,
    }


def _mark_under_way(
    ws: Workspace, session: Session, report: ImportReport, imported: int, last_line: int
) -> None:
    """What the file's audit entry would say now, kept in the batch's own transaction: killed
    before the last batch, the import left cases that no listed import named (nobody could
    undo them); the importer's next start writes the entry from it
    (``app.services.after_crash``)."""
    details = {**_file_details(report, imported), UNDER_WAY_ACTOR: ws.actor.username}
    details[UNDER_WAY_LINE] = last_line
    session.merge(Setting(key=CSV_UNDER_WAY + report.import_id, value=details))


def _clear_under_way(session: Session, report: ImportReport) -> None:
    session.execute(delete(Setting).where(Setting.key == CSV_UNDER_WAY + report.import_id))


def _partly_imported(reason: str, report: ImportReport, last_line: int) -> PartlyImported:
    return PartlyImported(
        _(
            "The import stopped after line {line}: {error} Cases imported from the rows up "
            "to that line: {n} ({first} to {last}). The rows after it were not imported: "
            "import the file again, leaving out the rows it finds already imported."
        ).format(
            line=last_line,
            error=reason,
            n=report.imported,
            first=report.numbers[0],
            last=report.numbers[-1],
        ),
        report,
        last_line,
    )


def _write_batch(
    ws: Workspace,
    service: CaseService,
    report: ImportReport,
    batch: list[CheckedRow],
    *,
    last: bool,
) -> list[str]:
    """One batch in one transaction, its cases' numbers returned; the file's audit entry comes
    with the last batch."""
    with ws.write() as session:
        rows = service.insert_cases(
            session,
            [(row.case, CaseStatus(row.status)) for row in batch],
            registered_event=SystemEvent.CASE_IMPORTED,
            ended_on=[row.ended_on for row in batch],
            event_extra={"import": report.import_id},
        )
        search.index_cases(session, [case_id for case_id, _number in rows])
        numbers = [number for _case_id, number in rows]
        written = len(report.numbers) + len(numbers)
        if last:
            _audit_file(ws, session, report, written)
            _clear_under_way(session, report)
        else:
            _mark_under_way(ws, session, report, written, batch[-1].line)
    return numbers
