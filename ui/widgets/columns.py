"""Columns that fit their contents at 1366×768, and widths the user sets that are remembered.

Every column but one is as wide as its header and its widest cell (capped); the long text
column (a complaint, a title, a provision) takes the rest of the width and either wraps or is
elided in the middle, and a cell cut short shows its full text as a tooltip. When the columns
do not fit, the widest ones give way first, each keeping a recognisable part of its text; if
that is not enough, the columns a view names as yielding go down to their header. Once the
user drags or moves a column, the header's state is kept in QSettings under the view's own
key and restored next time instead of being fitted again.

``cell_shortfall`` measures with QFontMetrics what a cell or header hides, for the test that
fails when a key column is elided beyond recognition.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import cast

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QContextMenuEvent, QFont, QFontMetrics, QHelpEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionHeader,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
    QTreeView,
)

from app.i18n import _
from ui import ui_settings

MAX_WIDTH = 320  # no short column takes more than this, whatever one cell holds
MIN_STRETCH = 180  # the long text column keeps at least this much
SAMPLE_ROWS = 200  # the widest cell is looked for among the first rows only (paged lists)
CELL_PADDING = 14  # the delegate's margins on both sides and the focus frame
SLACK = 6  # fitted columns get a little more than they need: font metrics round
ICON_ROOM = 22  # a decoration (a status dot) before the text
# A wrapped table's one-line row: as tall as the case list's rows. Sized to its text alone,
# it was 18 pixels, its letters touching the grid.
ONE_LINE_ROW = 24
# A long text is recognisable when it shows this many characters, or this share of them.
RECOGNISABLE_CHARS = 20
RECOGNISABLE_SHARE = 0.7
GIVE_WAY = 0.85  # a wrapped column too wide for the view may lose this share of its width
# A wrapped table longer than this measures only the rows in and near its view (see
# ``ColumnFit._size_shown_rows``); ``ROWS_AROUND`` more on each side, and as samples.
EAGER_ROWS = 150
ROWS_AROUND = 30

View = QTableView | QTreeView


def _header(view: View) -> QHeaderView:
    return view.horizontalHeader() if isinstance(view, QTableView) else view.header()


def header_width(view: View, column: int) -> int:
    """What the header needs to show its text whole, with the sort arrow."""
    header = _header(view)
    model = view.model()
    text = str(model.headerData(column, Qt.Orientation.Horizontal) or "") if model else ""
    option = QStyleOptionHeader()
    option.initFrom(header)
    option.text = text
    option.section = column
    option.sortIndicator = QStyleOptionHeader.SortIndicator.SortDown
    size = header.style().sizeFromContents(
        QStyle.ContentsType.CT_HeaderSection, option, option.fontMetrics.size(0, text), header
    )
    return size.width()


def cell_text_width(view: View, index: QModelIndex) -> int:
    """What a cell needs to show its text whole on one line."""
    text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
    width = QFontMetrics(view.font()).horizontalAdvance(text) + CELL_PADDING
    if index.data(Qt.ItemDataRole.DecorationRole) is not None:
        width += ICON_ROOM
    return width


def _cells(view: View, column: int, rows: int) -> Iterable[tuple[str, bool]]:
    """The text of the column's first ``rows`` cells, and whether each has a decoration.

    A model may hand them over itself (``column_sample(column, rows)``, as the case list
    does from the texts it keeps): asking ``data()`` twice per cell through Qt cost about
    40 ms per fit of a 200-row page on the GUI thread, at every sign-in."""
    model = view.model()
    sample = getattr(model, "column_sample", None)
    if sample is not None:
        return cast(Iterable[tuple[str, bool]], sample(column, rows))
    if isinstance(view, QTreeView):
        indexes: Iterable[QModelIndex] = islice(_in_order(model, column, QModelIndex()), rows)
    else:
        indexes = (model.index(row, column) for row in range(min(model.rowCount(), rows)))
    return (
        (
            str(index.data(Qt.ItemDataRole.DisplayRole) or ""),
            index.data(Qt.ItemDataRole.DecorationRole) is not None,
        )
        for index in indexes
    )


def _in_order(model: QAbstractItemModel, column: int, parent: QModelIndex) -> Iterator[QModelIndex]:
    """The column's cells row by row, a tree's children after their parent (a tree's groups
    hold their rows: sampling the groups alone measured none of the rows' texts)."""
    for row in range(model.rowCount(parent)):
        yield model.index(row, column, parent)
        first = model.index(row, 0, parent)
        if model.rowCount(first):
            yield from _in_order(model, column, first)


class TextWidths:
    """The advance of each text in a font, kept from fit to fit: measuring a text is most of a
    fit's cost (about 2.6 µs each, some 450 a page of the case list), and a list's pages repeat
    their texts (statuses, dates, names, the same cases as a search is typed and corrected)."""

    LIMIT = 50_000  # texts kept per font before the cache starts afresh

    def __init__(self) -> None:
        self._by_font: dict[str, tuple[Callable[[str], int], dict[str, int]]] = {}

    def of(self, font: QFont) -> Callable[[str], int]:
        """A function giving each text's advance in ``font`` (measured once per text); the
        same function for the same font, until the cache starts afresh."""
        key = font.key()
        known = self._by_font.get(key)
        if known is None or len(known[1]) > self.LIMIT:
            known = self._by_font[key] = self._measure(QFontMetrics(font))
        return known[0]

    @staticmethod
    def _measure(metrics: QFontMetrics) -> tuple[Callable[[str], int], dict[str, int]]:
        widths: dict[str, int] = {}

        def advance(text: str) -> int:
            width = widths.get(text)
            if width is None:
                width = widths[text] = metrics.horizontalAdvance(text)
            return width

        return advance, widths


TEXT_WIDTHS = TextWidths()


def natural_width(
    view: View, column: int, rows: int = SAMPLE_ROWS, header: int | None = None
) -> int:
    """The width that shows the column's header and its first ``rows`` texts whole
    (``header``: the header's width, when the caller has it)."""
    widest = header_width(view, column) if header is None else header
    if view.model() is None:
        return widest
    advance = TEXT_WIDTHS.of(view.font())
    # A column repeats its texts (statuses, countries, dates): each looked at once.
    for text, decorated in set(_cells(view, column, rows)):
        needed = advance(text) + CELL_PADDING + SLACK + (ICON_ROOM if decorated else 0)
        if needed > widest:
            widest = needed
    return widest


def recognisable_width(view: View, column: int, rows: int = SAMPLE_ROWS) -> int:
    """The width that shows each of the column's first ``rows`` texts recognisably when
    elided in the middle (``recognisable``): its start and end either side of the ellipsis."""
    advance = TEXT_WIDTHS.of(view.font())
    widest = 0
    for text, decorated in set(_cells(view, column, rows)):
        keep = min(len(text), RECOGNISABLE_CHARS, math.ceil(RECOGNISABLE_SHARE * len(text)))
        head, tail = text[: (keep + 1) // 2], text[len(text) - keep // 2 :]
        shown = text if keep >= len(text) else f"{head}…{tail}"
        width = advance(shown) + CELL_PADDING + SLACK
        widest = max(widest, width + (ICON_ROOM if decorated else 0))
    return widest


def word_width(view: View, column: int, rows: int = SAMPLE_ROWS) -> int:
    """The width that shows the longest word of the column's first ``rows`` texts whole: a
    wrapped column narrower than that cuts the word («Келі…» for «Келісім»), wrapping or not."""
    advance = TEXT_WIDTHS.of(view.font())
    widest = 0
    for text, decorated in set(_cells(view, column, rows)):
        longest = max((advance(word) for word in text.split()), default=0)
        if longest:
            widest = max(widest, longest + CELL_PADDING + SLACK + (ICON_ROOM if decorated else 0))
    return widest


def _give_way(wanted: dict[int, int], floor: dict[int, int], excess: int) -> int:
    """Narrow the widest of ``wanted`` first, one pixel at a time in effect, never below
    ``floor``, until ``excess`` pixels are saved; returns what could not be saved."""
    while excess > 0:
        shrinkable = [c for c in wanted if wanted[c] > floor[c]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda c: wanted[c])
        others = [wanted[c] for c in shrinkable if c != widest]
        target = max(floor[widest], max(others, default=0), wanted[widest] - excess)
        if target >= wanted[widest]:
            target = wanted[widest] - 1
        excess -= wanted[widest] - target
        wanted[widest] = target
    return excess


def _content_width(view: View) -> int:
    width = view.viewport().width()
    return width if width > 0 else view.width() - 2 * view.frameWidth()


class WrapDelegate(QStyledItemDelegate):
    """Rows as tall as their text wrapped at the column's width, up to ``max_lines`` lines.

    Qt's item views ask a delegate for a row's height without telling it the column's width,
    so word-wrapped text got one line and was cut; this one tells the style the width. A text
    longer than ``max_lines`` ends its last line with an ellipsis (the style elides the last
    line that fits) and shows itself whole as a tooltip.
    """

    def __init__(self, view: View, max_lines: int | None = None) -> None:
        super().__init__(view)
        self.view = view
        self.max_lines = max_lines

    def sizeHint(  # noqa: N802 - Qt name
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.features |= QStyleOptionViewItem.ViewItemFeature.WrapText
        width = _header(self.view).sectionSize(index.column())
        if isinstance(self.view, QTreeView) and index.column() == 0:
            if self.view.isFirstColumnSpanned(index.row(), index.parent()):
                width = self.view.viewport().width()  # a heading across the row
            width -= self.view.indentation() * (_depth(index) + int(self.view.rootIsDecorated()))
        # The style wraps at the rect's width only when the rect is valid: a height is needed.
        opt.rect = QRect(0, 0, max(width, 1), 1)
        style = self.view.style()
        size = style.sizeFromContents(QStyle.ContentsType.CT_ItemViewItem, opt, QSize(), self.view)
        line = opt.fontMetrics.lineSpacing()
        if self.max_lines is not None and size.height() > self.max_lines * line:
            # max_lines lines, with the margins a one-line item has around its line.
            opt.text = " "
            one_line = style.sizeFromContents(
                QStyle.ContentsType.CT_ItemViewItem, opt, QSize(), self.view
            ).height()
            size.setHeight(min(size.height(), one_line + (self.max_lines - 1) * line))
        return size


def _depth(index: QModelIndex | QPersistentModelIndex) -> int:
    depth = 0
    parent = index.parent()
    while parent.isValid():
        depth += 1
        parent = parent.parent()
    return depth


class ColumnFit(QObject):
    """Keeps ``view``'s columns fitted (see the module's docstring) under the settings ``key``."""

    def __init__(
        self,
        view: View,
        key: str,
        stretch: int,
        wrap: bool = False,
        max_width: int = MAX_WIDTH,
        whole: tuple[int, ...] = (),
        min_stretch: int = MIN_STRETCH,
        yields: tuple[int, ...] = (),
        yield_until: int | None = None,
        max_lines: int | None = None,
        short_forms: tuple[int, ...] = (),
        choosable: tuple[int, ...] = (),
        optional: tuple[int, ...] = (),
    ) -> None:
        super().__init__(view)
        self.view = view
        self.key = f"columns/{key}"
        self.stretch = stretch
        self.wrap = wrap
        self.max_width = max_width
        self.whole = set(whole)  # short key columns (a status, a date): never cut
        self.min_stretch = min_stretch
        self.yields = yields  # in this order, down to their header, when nothing else fits
        self.yield_until = min_stretch if yield_until is None else min(yield_until, min_stretch)
        # Cells that show a short form (a country's code) when their text does not fit: any
        # width short of the whole text shows only that, so when the columns must give way
        # these go down to their header first, before another column's text is cut, and
        # what they leave goes to the long text column.
        self.short_forms = short_forms
        # Columns the user may show or hide from the header's context menu (their choice is
        # kept); of those, ``optional`` ones are hidden, in this order, while the view is too
        # narrow for them even after the others gave way: at 150 % display scaling the case
        # list kept nine columns in 820 pixels and scrolled sideways, the complaint 40 wide.
        self.choosable = tuple(dict.fromkeys((*choosable, *optional)))
        self.optional = optional
        self.chosen = self._load_choices()  # column → shown, as the user chose
        self.auto_hidden: set[int] = set()
        self._fitting = False
        self._sized_rows: set[int] = set()  # a long wrapped table's rows measured at this width
        header = _header(view)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        view.setWordWrap(wrap)
        if wrap:
            view.setTextElideMode(Qt.TextElideMode.ElideRight)
            view.setItemDelegate(WrapDelegate(view, max_lines))
        else:
            view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        if isinstance(view, QTreeView):
            view.setUniformRowHeights(not wrap)
        saved = ui_settings.load_state(self.key)
        self.user_set = saved is not None and header.restoreState(saved)
        header.sectionResized.connect(self._resized)
        header.sectionMoved.connect(lambda *_args: self._user_changed())
        if self.choosable:
            header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            header.customContextMenuRequested.connect(
                lambda pos: self._popup_column_menu(header.mapToGlobal(pos))
            )
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        model = view.model()
        if model is not None:
            for signal in (
                model.modelReset,
                model.rowsInserted,
                model.layoutChanged,
                model.dataChanged,
            ):
                signal.connect(self.schedule)
            model.headerDataChanged.connect(self.schedule)
        # Kept to compare with ``watched``: while the view is being destroyed its Python
        # wrapper may no longer reach the C++ object, and events still come.
        self._watched_view: QObject = view
        self._watched_viewport: QObject = view.viewport()
        view.installEventFilter(self)
        view.viewport().installEventFilter(self)
        if wrap and isinstance(view, QTableView):
            view.verticalScrollBar().valueChanged.connect(self._size_shown_rows)
        self.schedule()

    def schedule(self, *_args: object) -> None:
        """Fit again once the events now queued are handled (many rows come in one go)."""
        self._timer.start()

    def fit(self) -> None:
        """Size the columns to their contents; nothing when the user has set their own."""
        self._timer.stop()  # a fit scheduled before this one has nothing left to do
        view, header = self.view, _header(self.view)
        model = view.model()
        if model is None:
            return
        hidden = {c for c, shown in self.chosen.items() if not shown}
        if self.user_set:  # the header as the user left it, with the columns they chose
            self._show_columns(hidden, self.chosen)
            self._relayout_rows()
            return
        outside = {
            c
            for c in range(model.columnCount())
            if header.isSectionHidden(c) and c not in self.choosable
        }
        # The optional columns the user has not chosen go, one by one, while the rest do not
        # fit even narrowed as far as they may.
        auto: set[int] = set()
        columns = [c for c in range(model.columnCount()) if c not in hidden | outside]
        headers = {c: header_width(view, c) for c in columns}
        natural = {
            c: natural_width(view, c, header=headers[c]) for c in columns if c != self.stretch
        }
        while True:
            wanted, excess = self._planned(auto, headers, natural)
            left = [c for c in self.optional if c in wanted and c not in self.chosen]
            if excess <= 0 or not left:
                break
            auto.add(left[0])
        self.auto_hidden = auto
        self._fitting = True
        try:
            self._show_columns(hidden | auto)
            for column, width in wanted.items():
                header.resizeSection(column, width)
            # Still fitting: a tree's layout resizes a section again (one of a column hidden
            # for want of room), which counted as the user's, and the column hidden at 150 %
            # on a 1024 screen never came back with the room.
            self._relayout_rows()
        finally:
            self._fitting = False

    def _planned(
        self, hidden: set[int], headers: dict[int, int], natural: dict[int, int]
    ) -> tuple[dict[int, int], int]:
        """The widths of the columns measured (``headers``, ``natural``) but ``hidden``, and
        the pixels they still lack."""
        view = self.view
        columns = [c for c in headers if c != self.stretch and c not in hidden]
        wanted = {c: max(min(natural[c], self.max_width), headers[c]) for c in columns}
        stretch_header = headers.get(self.stretch) or header_width(view, self.stretch)
        room = _content_width(view) - max(self.min_stretch, stretch_header)
        excess = sum(wanted.values()) - room
        for column in self.short_forms:
            if excess > 0 and column in wanted:
                excess -= wanted[column] - headers[column]
                wanted[column] = headers[column]
        if excess > 0:  # the floors are measured only when some column must give way
            # Down to its header and to a recognisable part of each text (elided in the
            # middle, a name keeps its start and its end).
            floor = {c: self._floor(c, wanted[c], headers[c]) for c in columns}
            excess = _give_way(wanted, floor, excess)
        # Still too wide (a 1366-pixel screen in Kazakh or Russian, 1280 in any language): the
        # columns named to yield go down to their header, one after the other, until the long
        # text column has ``yield_until``. Their cells cut short show their text as a tooltip.
        excess -= max(self.min_stretch, stretch_header) - max(self.yield_until, stretch_header)
        for column in self.yields:
            if excess <= 0:
                break
            if column in wanted:
                # A wrapped column keeps its longest word: narrower, the word is cut mid-way.
                least = max(headers[column], word_width(view, column) if self.wrap else 0)
                cut = min(excess, max(wanted[column] - least, 0))
                wanted[column] -= cut
                excess -= cut
        return wanted, excess

    def _show_columns(self, hidden: set[int], columns: Iterable[int] | None = None) -> None:
        """The choosable ``columns`` (all of them by default) shown but ``hidden``."""
        header = _header(self.view)
        fitting, self._fitting = self._fitting, True  # not the user's resizing
        try:
            for column in self.choosable if columns is None else columns:
                if header.isSectionHidden(column) != (column in hidden):
                    header.setSectionHidden(column, column in hidden)
        finally:
            self._fitting = fitting

    def column_menu(self) -> QMenu:
        """The header's context menu: each choosable column, ticked when shown; choosing one
        shows or hides it, remembered."""
        header = _header(self.view)
        model = self.view.model()
        menu = QMenu(header)
        menu.setTitle(_("&Columns"))
        for column in self.choosable:
            title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            action = menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.toggled.connect(lambda shown, c=column: self.choose(c, shown))
        menu.addSeparator()
        menu.addAction(_("Default columns"), self.forget_choices)
        return menu

    def choose(self, column: int, shown: bool) -> None:
        """Show or hide ``column`` as the user chose, and keep the choice."""
        self.chosen[column] = shown
        self._save_choices()
        self.auto_hidden.discard(column)
        self._show_columns(set() if shown else {column}, (column,))
        if self.user_set:
            self._user_changed()  # the header's saved state shows it so too
        self.schedule()

    def forget_choices(self) -> None:
        """The columns as the view's width allows, the user's widths forgotten too."""
        self.chosen = {}
        self._save_choices()
        self.reset()

    def _load_choices(self) -> dict[int, bool]:
        text = ui_settings.load_value(f"{self.key}/chosen")
        chosen = {}
        for pair in filter(None, text.split(",")):
            column, _sep, shown = pair.partition("=")
            if column.isdigit() and int(column) in self.choosable:
                chosen[int(column)] = shown == "1"
        return chosen

    def _save_choices(self) -> None:
        text = ",".join(f"{c}={int(shown)}" for c, shown in sorted(self.chosen.items()))
        ui_settings.save_value(f"{self.key}/chosen", text)

    def _floor(self, column: int, wanted: int, header: int) -> int:
        """How far a fitted column may give way: a short key column not at all; an elided one
        down to what keeps each of its texts recognisable (its start and end either side of
        the ellipsis); a wrapped one by a share of its width."""
        if column in self.whole:
            return wanted
        if self.wrap:
            return min(wanted, max(header, int(wanted * GIVE_WAY), word_width(self.view, column)))
        return min(wanted, max(header, recognisable_width(self.view, column)))

    def _relayout_rows(self) -> None:
        if self.wrap and isinstance(self.view, QTableView):
            self._sized_rows.clear()
            if self.view.model().rowCount() <= EAGER_ROWS:
                self.view.resizeRowsToContents()
            else:
                self._size_shown_rows()
        elif self.wrap:
            self.view.doItemsLayout()  # wrapped rows take their height from the new width

    def _size_shown_rows(self, *_args: object) -> None:
        """A long wrapped table's rows in and near the view, each measured once per width:
        measuring every row of the Letters register's 1,000 took 0.5 s (8,000 cells through
        the wrapping delegate) as it opened and at every language switch. The others keep the
        ``max_lines`` height the default row has until they come near the view."""
        view = self.view
        assert isinstance(view, QTableView)
        rows = view.model().rowCount()
        if rows <= EAGER_ROWS:
            return
        vertical = view.verticalHeader()
        if not self._sized_rows:
            vertical.setDefaultSectionSize(self._tallest_row_height())
        first = max(vertical.logicalIndexAt(0), 0)
        last = vertical.logicalIndexAt(view.viewport().height())
        last = rows - 1 if last < 0 else last
        for row in range(max(first - ROWS_AROUND, 0), min(last + ROWS_AROUND, rows - 1) + 1):
            if row not in self._sized_rows:
                self._sized_rows.add(row)
                view.resizeRowToContents(row)

    def _tallest_row_height(self) -> int:
        """A row as tall as ``max_lines`` lines (or the tallest of the first rows)."""
        view = self.view
        assert isinstance(view, QTableView)
        sample = range(min(view.model().rowCount(), ROWS_AROUND))
        return max((view.sizeHintForRow(row) for row in sample), default=0)

    def _resized(self, column: int, _old: int, _new: int) -> None:
        # The stretching column follows the view's width by itself: only the others are the
        # user's doing when this class is not the one sizing them.
        if column != self.stretch and not self._fitting and _header(self.view).isVisible():
            self._user_changed()
        # A fit lays the rows out once, at its end; a fit still to come (the page shown for
        # the first time resizes its stretching column before its first fit) will too: laid
        # out twice, the Letters register's 40 rows took 60 ms more to show.
        if self.wrap and not self._fitting and not self._timer.isActive():
            self._relayout_rows()

    def _user_changed(self) -> None:
        if self._fitting:
            return
        self.user_set = True
        ui_settings.save_state(self.key, _header(self.view).saveState())

    def reset(self) -> None:
        """Forget the user's widths and fit again (a language switch changes every text)."""
        self.user_set = False
        self.schedule()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if (
            watched is self._watched_view
            and isinstance(event, QContextMenuEvent)
            and event.reason() != QContextMenuEvent.Reason.Mouse
        ):
            return self._keyboard_column_menu(event)
        if watched is self._watched_view and event.type() == QEvent.Type.Resize:
            if not self.user_set:
                self.schedule()
        elif watched is self._watched_viewport and event.type() == QEvent.Type.Resize:
            # The vertical scroll bar coming (or going) as rows arrive narrows the viewport,
            # not the view: fitted before it came, the long text column lost its width
            # (the case list's complaint 14 pixels below its minimum).
            resized = cast(QResizeEvent, event)
            if not self.user_set and resized.size().width() != resized.oldSize().width():
                self.schedule()
        elif watched is self._watched_viewport and event.type() == QEvent.Type.ToolTip:
            return self._elided_tooltip(event)  # type: ignore[arg-type]
        return False

    def _keyboard_column_menu(self, event: QContextMenuEvent) -> bool:
        """The Menu key (Shift+F10) on the view: the header's column menu, which a mouse
        reaches by a right click on the header and the keyboard could not (a header takes no
        focus). A view with a row menu shows it there instead, as a submenu."""
        from ui.widgets.row_menu import RowMenu  # which imports this module

        if not self.choosable:
            return False
        if self.view.currentIndex().isValid() and self.view.findChild(RowMenu) is not None:
            return False  # the row's menu, with the columns in it
        header = _header(self.view)
        column = self.view.currentIndex().column()
        x = header.sectionViewportPosition(column) if column >= 0 else 0
        self._popup_column_menu(header.mapToGlobal(QPoint(max(x, 0), header.height())))
        event.accept()
        return True

    def _popup_column_menu(self, at: QPoint) -> None:
        menu = self.column_menu()
        menu.aboutToHide.connect(menu.deleteLater)  # one is made each time
        menu.popup(at)

    def _elided_tooltip(self, event: QHelpEvent) -> bool:
        """The full text of a cell shown cut short, unless the model has its own tooltip."""
        index = self.view.indexAt(event.pos())
        if not index.isValid() or index.data(Qt.ItemDataRole.ToolTipRole):
            return False
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        if text and cell_shortfall(self.view, index) > 0:
            QToolTip.showText(event.globalPos(), text, self.view.viewport())
            return True
        return False


def cell_shortfall(view: QAbstractItemView, index: QModelIndex) -> int:
    """How many of the cell's characters are not shown (cut off by elision or a short row)."""
    text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
    if not text:
        return 0
    rect = view.visualRect(index)
    # As the style lays the text out: a focus-frame margin and one pixel on each side.
    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    width = rect.width() - 2 * margin
    if index.data(Qt.ItemDataRole.DecorationRole) is not None:
        width -= ICON_ROOM
    metrics = QFontMetrics(view.font())
    wraps = bool(getattr(view, "wordWrap", lambda: False)())  # table and tree views have it
    if wraps and rect.height() > 1.5 * metrics.lineSpacing():
        # A word wider than the cell is not broken but elided on its line: the lines' count
        # alone missed «Келі…» in a tall row.
        elide = Qt.TextElideMode.ElideRight
        words_cut = sum(
            len(word) - len(metrics.elidedText(word, elide, max(width, 0))) + 1
            for word in text.split()
            if metrics.horizontalAdvance(word) > width
        )
        needed = metrics.boundingRect(
            0, 0, max(width, 1), 10_000, Qt.TextFlag.TextWordWrap, text
        ).height()
        if needed <= rect.height():
            return words_cut
        shown_lines = max(rect.height() // metrics.lineSpacing(), 1)
        all_lines = max(needed // metrics.lineSpacing(), 1)
        return len(text) * max(all_lines - shown_lines, 0) // all_lines + words_cut
    shown = metrics.elidedText(text, view.textElideMode(), max(width, 0))
    return 0 if shown == text else len(text) - (len(shown) - shown.count("…"))


def header_shortfall(view: View, column: int) -> int:
    """How many pixels the header of ``column`` lacks to show its text whole."""
    return max(0, header_width(view, column) - _header(view).sectionSize(column))


def recognisable(view: QAbstractItemView, index: QModelIndex) -> bool:
    """A long text cell shows enough to tell it from its neighbours."""
    text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
    visible = len(text) - cell_shortfall(view, index)
    return visible >= min(len(text), RECOGNISABLE_CHARS) or visible >= RECOGNISABLE_SHARE * len(
        text
    )
