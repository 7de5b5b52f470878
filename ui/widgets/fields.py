"""Form fields with their message beside them: dates typed as people write them, check lists."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, timedelta

from PySide6.QtCore import QDate, QEvent, QPoint, QRect, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QKeyEvent, QPainter, QPixmap
from PySide6.QtWidgets import (
    QCalendarWidget,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.years import full_year
from app.errors import ValidationError
from app.i18n import LANGUAGES, _, format_date, parsed_locale, ui_date_pattern
from ui import palette
from ui.widgets.common import ErrorLabel

# The keys that open a date field's calendar (listed in Help → Keyboard shortcuts).
CALENDAR_KEYS = ("Alt+Down", "F4")
# The example a message or a placeholder shows: a date no one reads the wrong way round. A
# birth date's is a birth date; every other field (received, returned, signed) shows a recent
# day instead: «e.g. 15 Mar 1994» under "Day of return" read as a birth date.
EXAMPLE_DATE = date(1994, 3, 15)


def recent_example(today: date | None = None) -> date:
    """Today, or the 20th of last month while today's day could be read as a month (the 12th
    or before): a day no one reads the wrong way round. The 20 November of last year it was
    looked out of date all year long (20.11.2025 under a case received in December 2026)."""
    today = today or date.today()
    if today.day > 12:
        return today
    last_month = today.replace(day=1) - timedelta(days=1)
    return last_month.replace(day=20)


_DIGITS_ONLY = re.compile(r"(\d{2})(\d{2})(\d{4}|\d{2})")  # 15031994, 150394
_ISO = re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})")
_DAY_FIRST = re.compile(r"(\d{1,2})[\s./-]+(\d{1,2})[\s./-]+(\d{4}|\d{2})")
_WITH_MONTH_NAME = re.compile(r"(\d{1,2})\s*([^\W\d_]+)\.?\s*(\d{4})")


def _month_names() -> dict[str, int]:
    """Month names and abbreviations of every interface language (casefolded) → number."""
    names: dict[str, int] = {}
    for language in ("en_GB", *LANGUAGES):
        months = parsed_locale(language).months
        for context in ("format", "stand-alone"):
            for width in ("abbreviated", "wide"):
                for number, name in months[context][width].items():
                    names[str(name).casefold().rstrip(".")] = int(number)
    return names


_MONTHS = _month_names()


def _full_year(year: str, birth: bool, today: date | None) -> int:
    return int(year) if len(year) == 4 else full_year(int(year), birth, today)


def parse_date(text: str, birth: bool = False, today: date | None = None) -> date | None:
    """None for an empty field; ValueError when the text is not a date.

    Accepts the interface's own format in any of its languages (01.12.2026, 1 Dec 2026,
    1 желтоқсан 2026), day-first dates with any separator or none (15031994, 15/3/94) and
    ISO (1994-03-15). ``birth``: a date of birth, whose two-digit year lies in the past.
    """
    text = " ".join(text.split())
    if not text:
        return None
    if match := _DIGITS_ONLY.fullmatch(text):
        day, month, year = int(match[1]), int(match[2]), _full_year(match[3], birth, today)
    elif match := _ISO.fullmatch(text):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    elif match := _DAY_FIRST.fullmatch(text):
        day, month, year = int(match[1]), int(match[2]), _full_year(match[3], birth, today)
    elif (match := _WITH_MONTH_NAME.fullmatch(text)) and match[2].casefold() in _MONTHS:
        day, month, year = int(match[1]), _MONTHS[match[2].casefold()], int(match[3])
    else:
        raise ValueError(text)
    return date(year, month, day)  # ValueError for 31.02.


def qt_date_format(language: str | None = None) -> str:
    """The interface's date format (``ui_date_pattern``) written for QDateEdit."""
    # CLDR and Qt agree on d, dd, M, MM, MMM and quoted text; CLDR's y is every digit.
    return re.sub(r"(?<!y)y(?!y)", "yyyy", ui_date_pattern(language))


CALENDAR_SIDE = 16  # the icon's size in the layout's pixels
# The screens' pixel ratios at 100, 125, 150 and 200 % display scaling.
PIXEL_RATIOS = (1.0, 1.25, 1.5, 2.0)


def _calendar_page(ratio: float) -> QPixmap:
    """The calendar page drawn at ``ratio`` screen pixels a layout pixel: one 16-pixel image
    enlarged at 125 % or 150 % display scaling showed blurred on every date field."""
    side = round(CALENDAR_SIDE * ratio)
    pixmap = QPixmap(side, side)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.scale(ratio, ratio)
    ink = QColor(palette.MUTED_TEXT)
    painter.setPen(ink)
    painter.drawRect(QRect(1, 2, 13, 12))
    painter.fillRect(QRect(1, 2, 14, 3), ink)
    for row in range(2):
        for column in range(3):
            painter.fillRect(QRect(3 + 4 * column, 7 + 3 * row, 2, 2), ink)
    painter.end()
    return pixmap


def _calendar_icon() -> QIcon:
    """A small calendar page drawn here, so the field needs no icon file."""
    shown = QIcon()
    for ratio in PIXEL_RATIOS:
        shown.addPixmap(_calendar_page(ratio))
    return shown


class HintedLineEdit(QLineEdit):
    """A line edit whose hint (placeholder) shows only while it takes input: in an empty,
    greyed or read-only field (an anonymised case, HQ's view of a mission's case, a copy held
    elsewhere) an example such as «e.g. 15 Mar 1994» read as what is on file."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._hint_text = ""

    def set_hint(self, hint: str) -> None:
        self._hint_text = hint
        self._show_hint()

    def _show_hint(self) -> None:
        editable = self.isEnabled() and not self.isReadOnly()
        self.setPlaceholderText(self._hint_text if editable else "")

    def setReadOnly(self, read_only: bool) -> None:  # noqa: N802 - Qt name
        super().setReadOnly(read_only)
        self._show_hint()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt name
        super().changeEvent(event)
        if event.type() == QEvent.Type.EnabledChange:  # its own or a parent's
            self._show_hint()


class DateField(HintedLineEdit):
    """A date typed as people write it, or picked from a calendar (the button, Alt+Down).

    Shown in the interface's format (``app.i18n.format_date``), the one format source; the
    text is rewritten in that format when the user leaves the field and when the language
    changes. ``date()`` raises ValidationError for text that is not a date.
    """

    def __init__(self, field: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.birth = field == "birth_date"  # a two-digit year lies in the past
        self.setMaxLength(32)
        self.calendar_action = self.addAction(
            _calendar_icon(), QLineEdit.ActionPosition.TrailingPosition
        )
        self.calendar_action.triggered.connect(self.open_calendar)
        self.calendar: QCalendarWidget | None = None
        self.editingFinished.connect(self._normalise)
        self.retranslate_ui()

    @property
    def example(self) -> date:
        """Shown in the hint and in the error: a birth date for a birth date, else a recent
        day (asked each time: the app stays open across a month's end)."""
        return EXAMPLE_DATE if self.birth else recent_example()

    def set_date(self, value: date | None) -> None:
        self.setText(format_date(value) if value else "")

    def date(self) -> date | None:
        try:
            return parse_date(self.text(), self.birth)
        except ValueError:
            raise ValidationError(
                _("“{text}” is not a date; write it like {example} or {digits}.").format(
                    text=self.text(),
                    example=format_date(self.example),
                    digits=self.example.strftime("%d%m%Y"),
                ),
                field=self.field,
            ) from None

    def retranslate_ui(self) -> None:
        hint = _("e.g. {date}").format(date=format_date(self.example))
        self.set_hint(hint)
        self.calendar_action.setToolTip(_("Choose from a calendar (Alt+Down)"))
        self.calendar_action.setText(_("Choose from a calendar (Alt+Down)"))
        self._normalise()  # a date shown in the old language's format
        # As wide as a long date or the hint, whichever is wider ("например, 15.03.19…"),
        # whether shown or not: the field keeps its width as it is made read-only.
        metrics = self.fontMetrics()
        longest = max(metrics.horizontalAdvance(t) for t in ("28 Sept 2026", hint))
        self.setMinimumWidth(longest + 48)
        self.setMaximumWidth(self.minimumWidth() + 40)

    def _normalise(self) -> None:
        try:
            value = parse_date(self.text(), self.birth)
        except ValueError:
            return  # the check beside the field says what is wrong; the text stays
        if value is not None and self.text() != format_date(value):
            self.setText(format_date(value))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt name
        opens = event.key() == Qt.Key.Key_F4 or (
            event.key() == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier
        )
        if opens and not self.isReadOnly():
            self.open_calendar()
            return
        super().keyPressEvent(event)

    def setReadOnly(self, read_only: bool) -> None:  # noqa: N802 - Qt name
        super().setReadOnly(read_only)
        self.calendar_action.setVisible(not read_only)  # no calendar where nothing is picked

    def open_calendar(self) -> None:
        """A calendar under the field on the date typed (or today); a click fills the field."""
        if not self.isEnabled() or self.isReadOnly():
            return
        calendar = QCalendarWidget(self)
        calendar.setWindowFlags(Qt.WindowType.Popup)
        calendar.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        calendar.setGridVisible(True)
        try:
            current = parse_date(self.text(), self.birth)
        except ValueError:
            current = None
        if current is not None:
            calendar.setSelectedDate(QDate(current.year, current.month, current.day))
        calendar.activated.connect(self._picked)
        calendar.clicked.connect(self._picked)
        calendar.move(self.mapToGlobal(QPoint(0, self.height())))
        self.calendar = calendar
        calendar.show()
        calendar.setFocus()

    def _picked(self, value: QDate) -> None:
        picked = date(value.year(), value.month(), value.day())
        if self.calendar is not None:
            self.calendar.close()
            self.calendar = None
        self.set_date(picked)
        self.textEdited.emit(self.text())  # as if typed: the form marks itself changed
        self.editingFinished.emit()  # and checks the field
        self.setFocus()


class FieldBox(QWidget):
    """A field with an error line under it; ``check`` runs when the user leaves the field."""

    def __init__(self, widget: QWidget, check: Callable[[], object] | None = None) -> None:
        super().__init__()
        self.widget = widget
        self.error = ErrorLabel()
        self._check = check
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(widget)
        layout.addWidget(self.error)
        self.setFocusProxy(widget)
        if check is not None and isinstance(widget, QLineEdit):
            widget.editingFinished.connect(self.run_check)

    def run_check(self) -> bool:
        return self._check is None or self.error.passes(self._check)


class CheckList(QListWidget):
    """Codes with labels, each with a check box; ``changed`` when a box is ticked."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.itemChanged.connect(lambda _item: self.changed.emit())
        # A long label goes on to a second line: on one line the case's categories and ILO
        # indicators at 1366 pixels (kk, ru) ran past the list's edge, a ticked one read
        # «Удержание документов, удостоверяющих лич» and the rest sat behind a sideways
        # scroll bar. Laid out again as the list is resized (the form beside the tabs).
        self.setWordWrap(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListView.ResizeMode.Adjust)

    def set_items(self, items: Iterable[tuple[str, str]]) -> None:
        chosen = set(self.checked())
        self.blockSignals(True)
        self.clear()
        for code, text in items:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if code in chosen else Qt.CheckState.Unchecked)
            self.addItem(item)
        self.blockSignals(False)

    def checked(self) -> tuple[str, ...]:
        return tuple(
            str(item.data(Qt.ItemDataRole.UserRole))
            for item in (self.item(i) for i in range(self.count()))
            if item is not None and item.checkState() == Qt.CheckState.Checked
        )

    def set_checked(self, codes: Iterable[str]) -> None:
        wanted = set(codes)
        first: QListWidgetItem | None = None
        self.blockSignals(True)
        for i in range(self.count()):
            item = self.item(i)
            if item is not None:
                code = item.data(Qt.ItemDataRole.UserRole)
                item.setCheckState(
                    Qt.CheckState.Checked if code in wanted else Qt.CheckState.Unchecked
                )
                if first is None and code in wanted:
                    first = item
        self.blockSignals(False)
        # Show what is ticked: a long list would otherwise hide it below the fold.
        self.scrollToItem(first) if first is not None else self.scrollToTop()
