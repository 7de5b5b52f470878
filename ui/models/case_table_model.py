"""The case list as a Qt table model, filled page by page from ``CaseService``.

Filtering and sorting happen in SQL (``CaseFilter``): ``sort()`` asks the service again instead
of sorting in a proxy, so a list of 100,000 cases costs one page of rows, not all of them.
Display texts are made once per row when a page arrives (and again after a language switch);
a background load makes its first page's texts on its own thread. The cells the table paints
(text, deadline icon and colour, a critical urgency's colour) are then written into the items of
a ``QStandardItemModel``, so that a repaint reads them in C++: the view's delegate asks seven
roles of every visible cell, about 1,600 Python calls per repaint of a Python ``data()``. The
items are kept and rewritten from page to page (only the values that differ), as creating and
freeing 1,800 Python-made items per page cost more than the paint saved. The items hold what
code asks too (the tooltips, made with the texts; the case's id on the row's first cell; the
deadline state on its due date's), so the model has no Python ``data()``: a paint calls no
Python at all (one call a cell before, some 0.9 ms of CPU per paint).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Protocol

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QIcon, QStandardItem, QStandardItemModel

from app.domain.codes import CaseStatus, Category, Urgency, label
from app.domain.labels import deadline as deadline_label
from app.i18n import (
    _,
    country_name,
    current_language,
    format_date,
    language_override,
    pseudo_locale_enabled,
)
from app.services.records import CaseFilter, CaseRow
from ui.icons import icon
from ui.palette import DEADLINE_BACKGROUNDS, DEADLINE_COLOURS
from ui.tasks import LatestOnly, show_error
from ui.widgets.plain import plain_tooltip

NUMBER, PERSON, HOST_COUNTRY, CATEGORIES, STATUS, URGENCY, RECEIVED, DUE, OFFICER = range(9)
COLUMN_COUNT = 9
PAGE_SIZE = 200

# Column → the service's sort key; columns without one are not sortable.
SORT_KEYS: dict[int, str] = {
    NUMBER: "number",
    PERSON: "person",
    HOST_COUNTRY: "host_country",
    STATUS: "status",
    URGENCY: "urgency",
    RECEIVED: "received_at",
    DUE: "due_date",
    OFFICER: "assigned_to",
}

CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1  # on the row's first cell (NUMBER)
DEADLINE_ROLE = Qt.ItemDataRole.UserRole + 3  # on the row's DUE cell
SORT_KEY_ROLE = Qt.ItemDataRole.UserRole + 4

Index = QModelIndex | QPersistentModelIndex
# Items are shown, chosen, never edited or dragged (a QStandardItem's default allows both).
_CELL_FLAGS = (
    Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemNeverHasChildren
)
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ACCESSIBLE_TEXT = Qt.ItemDataRole.AccessibleTextRole


class CaseSource(Protocol):
    """What the model needs from ``CaseService`` (a fake in tests is enough)."""

    def count_cases(self, flt: CaseFilter | None = None) -> int: ...

    def list_cases(
        self, flt: CaseFilter | None = None, offset: int = 0, limit: int = 100
    ) -> list[CaseRow]: ...


def headers() -> list[str]:
    return [
        _("Number"),
        _("Person"),
        _("Country"),  # the host country; as the CLI's list and the printed list name it
        _("Complaint"),
        _("Status"),
        _("Urgency"),
        _("Received"),
        _("Due"),
        _("Officer"),
    ]


# Colour-blind safe: each deadline state has its own shape as well as its colour.
DEADLINE_SHAPES = {"green": "circle", "amber": "triangle-alert", "red": "octagon-alert"}


def complaint_text(categories: tuple[str, ...], language: str) -> str:
    """The first category whole and how many more: at 1366 pixels a list of three categories
    cut in the middle read as nothing; the tooltip lists them all."""
    if not categories:
        return ""
    first = label(Category(categories[0]), language)
    return first if len(categories) == 1 else f"{first} (+{len(categories) - 1})"


def display_texts(
    row: CaseRow, officers: dict[str, str], language: str | None = None
) -> tuple[str, ...]:
    """The row's cells as the list shows them, in ``language`` (default: the interface's)."""
    lang = language or current_language()
    pseudo = pseudo_locale_enabled()
    return (
        row.number,
        anonymised_text() if row.anonymised else row.person_name,
        _country_text(row.host_country, lang),
        _complaint_text(row.categories, lang, pseudo),
        _status_text(row, lang, pseudo),
        _code_text(Urgency, row.urgency, lang, pseudo),
        _date_text(row.received_at, lang),
        _date_text(row.due_date, lang) if row.due_date else "",
        officers.get(row.assigned_to or "", row.assigned_to or ""),
    )


def anonymised_text() -> str:
    """What stands for the person of a case retention anonymised (their name may be on file)."""
    return _("(anonymised)")


# A page of 200 rows holds a few dozen distinct countries, category sets, statuses and dates;
# made each time they cost about 45 µs a row (Babel, the catalogues), a third of a search's
# time to the painted page at 100k. Keyed by language, and by the pseudo-locale for labels.
@lru_cache(maxsize=512)
def _country_text(iso2: str, language: str) -> str:
    return country_name(iso2, language)


@lru_cache(maxsize=2048)
def _complaint_text(categories: tuple[str, ...], language: str, _pseudo: bool) -> str:
    return complaint_text(categories, language)


@lru_cache(maxsize=256)
def _code_text(kind: type[StrEnum], code: str, language: str, _pseudo: bool) -> str:
    return label(kind(code), language)


def _status_text(row: CaseRow, language: str, pseudo: bool) -> str:
    """A copy HQ transferred away shows who handles it: its own status stopped there."""
    if not row.held_by:
        return _code_text(CaseStatus, row.status, language, pseudo)
    with language_override(language):
        return _("Handled by {code}").format(code=row.held_by)


@lru_cache(maxsize=8192)
def _date_text(value: date, language: str) -> str:
    return format_date(value, language=language)


Tips = tuple[str | None, ...]
_TIPPED_COLUMNS = (PERSON, HOST_COUNTRY, CATEGORIES, URGENCY, DUE)  # the others have none
# The host country's cell may show its code instead of the text (``_ItemRow.show_country``).
_PLAIN_TEXT_COLUMNS = tuple(c for c in range(COLUMN_COUNT) if c != HOST_COUNTRY)


def tooltips(row: CaseRow, texts: tuple[str, ...], language: str | None = None) -> Tips:
    """The row's cells' tooltips (None: none), in ``language`` (default: the interface's),
    each shown as plain text; ``texts``: the row's ``display_texts``."""
    lang = language or current_language()
    pseudo = pseudo_locale_enabled()
    tips: list[str | None] = [None] * COLUMN_COUNT
    tips[DUE] = _deadline_tip(row.deadline, row.escalated, lang, pseudo)
    tips[PERSON] = plain_tooltip(row.person_name_latin) if row.person_name_latin else None
    if row.life_or_liberty_at_risk:
        tips[URGENCY] = _risk_tip(lang, pseudo)
    tips[CATEGORIES] = _categories_tip(row.categories, lang, pseudo)
    # The cell may show only the code (``CaseTableModel.show_country_codes``).
    tips[HOST_COUNTRY] = plain_tooltip(texts[HOST_COUNTRY]) if texts[HOST_COUNTRY] else None
    return tuple(tips)


@lru_cache(maxsize=64)
def _deadline_tip(state: str, escalated: bool, language: str, _pseudo: bool) -> str | None:
    with language_override(language):
        tip = deadline_label(state)
        if tip and escalated:
            tip = _("{deadline}; escalated to the head of section").format(deadline=tip)
    return plain_tooltip(tip) if tip else None


@lru_cache(maxsize=16)
def _risk_tip(language: str, _pseudo: bool) -> str:
    with language_override(language):
        return plain_tooltip(_("Life or liberty at risk"))


@lru_cache(maxsize=2048)
def _categories_tip(categories: tuple[str, ...], language: str, _pseudo: bool) -> str | None:
    tip = "\n".join(label(Category(c), language) for c in categories)
    return plain_tooltip(tip) if tip else None


_PAGE, _COUNT = 0, 1  # the steps of a background load


class _CellLooks:
    """What a painted cell shows beside its text, made once on the GUI thread (icons are)."""

    def __init__(self) -> None:
        self.icons: dict[str, QIcon] = {
            state: icon(DEADLINE_SHAPES[state], colour)
            for state, colour in DEADLINE_COLOURS.items()
        }
        self.backgrounds = {state: QBrush(QColor(c)) for state, c in DEADLINE_BACKGROUNDS.items()}
        self.critical = QBrush(QColor(DEADLINE_COLOURS["red"]))


@dataclass
class _ItemRow:
    """One row of the model's items and what they show now, so that a new page rewrites only
    the values that differ (a mission's rows share their country, status and officer)."""

    items: list[QStandardItem]
    texts: tuple[str, ...] = ("",) * COLUMN_COUNT
    tips: Tips = (None,) * COLUMN_COUNT
    case_id: str | None = None
    deadline: str | None = None
    critical: bool = False
    painted_country: str = ""
    country_name: str | None = None  # a screen reader's name for a cell that shows the code

    @classmethod
    def new(cls) -> _ItemRow:
        items = [QStandardItem("") for _ in range(COLUMN_COUNT)]  # an empty cell reads ""
        for item in items:
            item.setFlags(_CELL_FLAGS)
        return cls(items)

    def show(
        self, texts: tuple[str, ...], tips: Tips, row: CaseRow, looks: _CellLooks, country: str
    ) -> None:
        """``country``: the host country's cell as painted (its code where the name does not
        fit)."""
        items = self.items
        if texts != self.texts:
            old = self.texts
            for column in _PLAIN_TEXT_COLUMNS:
                if old[column] != texts[column]:
                    items[column].setText(texts[column])
            self.texts = texts
        self.show_country(country)
        if tips != self.tips:
            old_tips = self.tips
            for column in _TIPPED_COLUMNS:
                if old_tips[column] != tips[column]:
                    items[column].setData(tips[column], _TOOLTIP)
            self.tips = tips
        if row.id != self.case_id:
            items[NUMBER].setData(row.id, CASE_ID_ROLE)
            self.case_id = row.id
        if row.deadline != self.deadline:
            due = items[DUE]
            due.setData(row.deadline, DEADLINE_ROLE)
            due.setData(looks.icons.get(row.deadline), Qt.ItemDataRole.DecorationRole)
            due.setData(looks.backgrounds.get(row.deadline), Qt.ItemDataRole.BackgroundRole)
            self.deadline = row.deadline
        critical = row.urgency == Urgency.CRITICAL
        if critical != self.critical:
            brush = looks.critical if critical else None
            items[URGENCY].setData(brush, Qt.ItemDataRole.ForegroundRole)
            self.critical = critical

    def show_country(self, painted: str) -> bool:
        """The host country's cell as painted; whether that changed. A cell that shows the
        code keeps the name for a screen reader (as in its tooltip)."""
        name = self.texts[HOST_COUNTRY]
        accessible = name if painted != name else None
        if accessible != self.country_name:
            self.items[HOST_COUNTRY].setData(accessible, _ACCESSIBLE_TEXT)
            self.country_name = accessible
        if painted == self.painted_country:
            return False
        self.items[HOST_COUNTRY].setText(painted)
        self.painted_country = painted
        return True


@dataclass(frozen=True)
class _FirstPage:
    """A background load's first page, with its display texts and tooltips and what they were
    made for."""

    rows: list[CaseRow]
    texts: list[tuple[str, ...]]
    tips: list[Tips]
    officers: dict[str, str]
    language: str


class CaseTableModel(QStandardItemModel):
    """Rows of the case list. With ``background=True`` (the list view) every load runs off the
    GUI thread: the first page arrives first, the count after it, and a newer load makes older
    ones moot, so typing in the search box never freezes the window on a large mission."""

    loading_changed = Signal(bool)
    total_changed = Signal()

    def __init__(
        self,
        source: CaseSource,
        page_size: int = PAGE_SIZE,
        background: bool = False,
        interrupt: Callable[[int], None] | None = None,
        resume: Callable[[int], None] | None = None,
    ) -> None:
        """``interrupt`` and ``resume``: ``Database.interrupt`` and ``Database.resume``, so a
        superseded load stops on the database instead of running to its end."""
        super().__init__(0, COLUMN_COUNT)
        self.source = source
        self.page_size = page_size
        self.filter = CaseFilter()
        self.officers: dict[str, str] = {}
        self.total = 0
        self.total_known = True
        self.loading = False
        self._loader: LatestOnly | None = None
        if background:
            self._loader = LatestOnly(self, interrupt, resume=resume)
            self._loader.answered.connect(self._arrived)
            self._loader.refused.connect(self._load_failed)
        self._rows: list[CaseRow] = []
        self._texts: list[tuple[str, ...]] = []
        self._tips: list[Tips] = []
        self._looks = _CellLooks()
        self._item_rows: list[_ItemRow] = []  # one per row shown, in order
        # The country column's room for a name, and how wide a text is (``show_country_codes``).
        self._country_room: tuple[int, Callable[[str], int]] | None = None
        self._spare_rows: list[_ItemRow] = []  # taken out by a shorter page, for the next one
        self.setHorizontalHeaderLabels(headers())
        for column, key in SORT_KEYS.items():
            header = self.horizontalHeaderItem(column)
            header.setData(key, SORT_KEY_ROLE)

    # Loading -----------------------------------------------------------------------------

    def set_filter(self, flt: CaseFilter) -> None:
        """Show the cases matching ``flt`` (keeps the current sort unless ``flt`` names one)."""
        self.filter = flt
        self.reload()

    def reload(self) -> None:
        if self._loader is not None:
            self._load_in_background()
            return
        total = self.source.count_cases(self.filter)
        self._reset(self.source.list_cases(self.filter, 0, self.page_size))
        self._set_total(total)

    def _reset(
        self,
        rows: list[CaseRow],
        texts: list[tuple[str, ...]] | None = None,
        tips: list[Tips] | None = None,
    ) -> None:
        """Show ``rows``; ``texts`` and ``tips``: their display texts and tooltips, when
        already made off the GUI thread."""
        self.beginResetModel()
        self._rows, self._texts, self._tips = [], [], []
        if texts is None or tips is None:
            self._append(rows)
        else:  # copies: the loader's count step still reads the length of its page
            self._rows, self._texts, self._tips = list(rows), list(texts), list(tips)
        self._show_rows(0)
        self.endResetModel()

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        """Item changes that announce nothing: the reset or insertion around them does, once
        (the items' own signals, one per cell, were each a Python call through the view)."""
        blocked = self.blockSignals(True)
        try:
            yield
        finally:
            self.blockSignals(blocked)

    def _show_rows(self, first: int) -> None:
        """Make the items match ``_rows``, ``_texts`` and ``_tips`` from row ``first`` on."""
        wanted = len(self._rows)
        with self._quiet():
            while len(self._item_rows) > wanted:
                self._spare_rows.append(self._item_rows.pop())
                self.takeRow(len(self._item_rows))
            while len(self._item_rows) < wanted:
                item_row = self._spare_rows.pop() if self._spare_rows else _ItemRow.new()
                self.appendRow(item_row.items)
                self._item_rows.append(item_row)
            for position in range(first, wanted):
                row, texts = self._rows[position], self._texts[position]
                self._item_rows[position].show(
                    texts,
                    self._tips[position],
                    row,
                    self._looks,
                    self._painted_country(texts, row),
                )

    def show_country_codes(self, room: int, advance: Callable[[str], int]) -> bool:
        """Paint the host country's code in the cells where its name is wider than ``room``
        pixels (``advance``: a text's width in the table's font), the name elsewhere; whether
        a cell changed. The list gives the country column way first at 1366 pixels, and a name
        cut to «О…я» said nothing where "KR" does; decided here once per page and width, the
        cells paint from their items (a delegate deciding it asked Python at every repaint).
        Such a cell keeps the name as its tooltip and its accessible text, and the column fit
        measures the name (``column_sample``)."""
        if self._country_room == (room, advance):
            return False  # the rows shown since were written for this width (_show_rows)
        self._country_room = (room, advance)
        changed = False
        with self._quiet():
            for item_row, texts, row in zip(self._item_rows, self._texts, self._rows, strict=False):
                changed |= item_row.show_country(self._painted_country(texts, row))
        return changed

    def _painted_country(self, texts: tuple[str, ...], row: CaseRow) -> str:
        name = texts[HOST_COUNTRY]
        if self._country_room is None:
            return name
        room, advance = self._country_room
        return row.host_country if advance(name) > room else name

    def _set_total(self, total: int) -> None:
        self.total = total
        self.total_known = True
        self.total_changed.emit()

    def _load_in_background(self) -> None:
        assert self._loader is not None
        flt, size, source = self.filter, self.page_size, self.source
        officers, language = dict(self.officers), current_language()
        page: list[CaseRow] = []

        def first_page() -> _FirstPage:
            page.extend(source.list_cases(flt, 0, size))
            # The texts too, so that the GUI thread only swaps them in; in the list's language,
            # whatever this thread would translate into.
            texts = [display_texts(row, officers, language) for row in page]
            tips = [tooltips(row, text, language) for row, text in zip(page, texts, strict=True)]
            return _FirstPage(page, texts, tips, officers, language)

        def count() -> int:
            # A short first page is the whole list: no need to ask the database again.
            return len(page) if len(page) < size else source.count_cases(flt)

        self._loader.submit([first_page, count])
        self._set_loading(True)

    def _set_loading(self, loading: bool) -> None:
        """``loading``: a new first page is on its way (the rows shown are the previous ones)."""
        if loading != self.loading:
            self.loading = loading
            self.loading_changed.emit(loading)

    def _arrived(self, step: int, result: object) -> None:
        if step == _PAGE:
            assert isinstance(result, _FirstPage)
            rows = result.rows
            # Made for a language or officers that have changed since: made again here.
            current = result.language == current_language() and result.officers == self.officers
            self._reset(rows, *((result.texts, result.tips) if current else (None, None)))
            # Until the count arrives the first page is all we know: more may follow.
            self.total = len(rows)
            self.total_known = len(rows) < self.page_size
            self._set_loading(False)
            self.total_changed.emit()
        else:
            self._set_total(int(result))  # type: ignore[call-overload]

    def _load_failed(self, exc: BaseException) -> None:
        self._set_loading(False)
        show_error(None, exc)

    def _append(self, rows: list[CaseRow]) -> None:
        texts = [display_texts(r, self.officers) for r in rows]
        self._rows.extend(rows)
        self._texts.extend(texts)
        self._tips.extend(tooltips(r, t) for r, t in zip(rows, texts, strict=True))

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: N802, B008
        # While the count is on its way, a full page may have more behind it.
        more = len(self._rows) < self.total or not self.total_known
        return not parent.isValid() and more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: N802, B008
        if parent.isValid():
            return
        rows = self.source.list_cases(self.filter, len(self._rows), self.page_size)
        if not rows:
            self._set_total(len(self._rows))  # the list shrank meanwhile
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._append(rows)
        self._show_rows(first)
        self.endInsertRows()
        if not self.total_known:
            self.total = max(self.total, len(self._rows))
            self.total_known = len(rows) < self.page_size
            self.total_changed.emit()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = SORT_KEYS.get(column)
        if key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if key == self.filter.sort and descending == self.filter.descending and self._rows:
            return
        self.filter = replace(self.filter, sort=key, descending=descending)
        self.reload()

    def sort_column(self) -> int:
        return next((c for c, k in SORT_KEYS.items() if k == self.filter.sort), RECEIVED)

    def retranslate(self) -> None:
        """Labels, country names and dates in the new language, for the rows already loaded."""
        self._texts = [display_texts(r, self.officers) for r in self._rows]
        self._tips = [tooltips(r, t) for r, t in zip(self._rows, self._texts, strict=True)]
        self._show_rows(0)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, COLUMN_COUNT - 1)
            )
        with self._quiet():
            self.setHorizontalHeaderLabels(headers())
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, COLUMN_COUNT - 1)

    # Access ------------------------------------------------------------------------------

    def row_at(self, row: int) -> CaseRow:
        return self._rows[row]

    def loaded_count(self) -> int:
        return len(self._rows)

    def row_of(self, case_id: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.id == case_id), -1)

    # What the fit reads ------------------------------------------------------------------

    def column_sample(self, column: int, rows: int) -> list[tuple[str, bool]]:
        """The first ``rows`` texts of ``column`` and whether each has an icon, for fitting
        the column (``ui.widgets.columns``) without a ``data()`` call per cell."""
        decorated = column == DUE
        return [
            (texts[column], decorated and row.deadline in DEADLINE_COLOURS)
            for texts, row in zip(self._texts[:rows], self._rows[:rows], strict=True)
        ]
