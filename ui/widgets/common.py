"""Small shared pieces, built one way everywhere: a button wired to its slot, a label that
wraps its text, a row of widgets, a list to open things from (Enter opens its current row),
unlabelled form rows, a combo sized by characters, an inline error label and a language
chooser."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QSize, Qt
from PySide6.QtGui import QFocusEvent, QGuiApplication, QIcon, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QToolButton,
    QWidget,
)

from app.errors import ValidationError
from app.i18n import LANGUAGES, _
from ui.i18n_bridge import LANGUAGE_NAMES, LanguageBridge
from ui.palette import ERROR_TEXT


def push_button(on_click: Callable[[], object], shown: QIcon | None = None) -> QPushButton:
    """A push button that calls ``on_click`` when pressed, with the icon ``shown``; its text is
    set in ``retranslate_ui`` with the rest of the page's words."""
    button = QPushButton()
    if shown is not None:
        button.setIcon(shown)
    button.clicked.connect(on_click)
    return button


def word_wrapped(label: QLabel) -> QLabel:
    """``label``, breaking its text into lines to fit the width its layout gives it."""
    label.setWordWrap(True)
    return label


class LinksLabel(QLabel):
    """A label whose links the keyboard reaches too: Tab steps from link to link, Enter
    follows the one marked. A plain QLabel takes link clicks from the mouse alone, and an
    officer at the counter could not pick a person it offered."""

    def __init__(self) -> None:
        super().__init__()
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt name
        super().focusInEvent(event)
        # Arrived at, the first link (the last from Shift+Tab) is marked at once: otherwise
        # Enter did nothing until a second Tab marked one.
        if event.reason() != Qt.FocusReason.MouseFocusReason and "<a " in self.text():
            self.focusNextPrevChild(event.reason() != Qt.FocusReason.BacktabFocusReason)


class CheckText(QLabel):
    """A check box's text on lines of its own: a long sentence (in Kazakh 590 pixels on one
    line) on the box itself made a whole form that wide. A click on it toggles the box, as a
    click on the box's own text does; the box keeps the text as its accessible name."""

    def __init__(self, box: QCheckBox) -> None:
        super().__init__()
        self.box = box
        self.setWordWrap(True)
        self.setBuddy(box)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt name
        super().setText(text)
        self.box.setAccessibleName(text)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt name
        if event.button() == Qt.MouseButton.LeftButton and self.box.isEnabled():
            self.box.toggle()
            self.box.setFocus(Qt.FocusReason.MouseFocusReason)
        super().mouseReleaseEvent(event)


QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's own, for a width left unbounded
FIELD_ROOM = 280  # a field beside its label is at least this wide, else labels go above


def labels_above_when_narrow(form: QFormLayout, holder: QWidget) -> None:
    """Put ``form``'s labels above their fields while ``holder`` (the widget the form lays out)
    is too narrow to give each field ``FIELD_ROOM`` beside the widest label; beside them when
    it is wide enough. Kazakh's labels are long: beside them in a 460-pixel pane the letter
    editor's fields were 85 pixels wide, or cut behind a sideways scroll bar."""
    _LabelsAbove(form, holder)


class _LabelsAbove(QObject):
    def __init__(self, form: QFormLayout, holder: QWidget) -> None:
        super().__init__(holder)
        self.form, self.holder = form, holder
        self.scroll: QScrollArea | None = None
        holder.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if event.type() == QEvent.Type.Resize:
            if self.scroll is None:
                self._watch_scroll_area()
            self._follow(self.holder.width())
        return False

    def _watch_scroll_area(self) -> None:
        """Hear the scroll area the holder sits in (found once the holder is placed) when it
        narrows: the holder, kept as wide as an unwrapped label, then hears nothing."""
        scroll = enclosing_scroll_area(self.holder)
        if scroll is not None:
            self.scroll = scroll
            scroll.viewport().installEventFilter(self)

    def _overflow(self) -> int:
        """How much wider than its scroll area's viewport the content holding the form is."""
        content = self.scroll.widget() if self.scroll is not None else None
        if self.scroll is None or content is None:
            return 0
        return max(0, content.width() - self.scroll.viewport().width())

    def _follow(self, width: int) -> None:
        labels, fields = [0], [FIELD_ROOM]
        for row in range(self.form.rowCount()):
            label = self.form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = self.form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label is not None:
                labels.append(_one_line_width(label))
            if field is not None:
                fields.append(field.minimumSize().width())
        beside = max(labels) + max(self.form.horizontalSpacing(), 0) + max(fields)
        outer = self.holder.layout()  # the form may sit in it, inside its margins
        margins = (outer or self.form).contentsMargins()
        # Less what lies out of the scroll area's sight: an unwrapped label kept the holder as
        # wide as itself, so the room never measured narrower than it and in Kazakh at 150 %
        # a 260-pixel pane with the contract review's longest label scrolled sideways.
        room = width - margins.left() - margins.right() - self._overflow()
        roomy = room >= beside
        policy = (
            QFormLayout.RowWrapPolicy.DontWrapRows
            if roomy
            else QFormLayout.RowWrapPolicy.WrapAllRows
        )
        if self.form.rowWrapPolicy() != policy:
            self.form.setRowWrapPolicy(policy)
        # Above its field a label too long for the pane takes more than one line: on one,
        # Russian's longest (450 pixels) pushed every field's right edge behind a sideways
        # scroll bar. The others, and all of them beside their fields, stay on one line.
        for row in range(self.form.rowCount()):
            item = self.form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            shown = item.widget() if item is not None else None
            if item is not None and isinstance(shown, QLabel):
                wrap = not roomy and _one_line_width(item) > room
                if shown.wordWrap() != wrap:
                    shown.setWordWrap(wrap)
                    if not wrap:
                        shown.setMaximumWidth(QWIDGETSIZE_MAX)
                if wrap:  # its own width, Qt's guess at a pleasing shape, could pass the edge
                    shown.setMaximumWidth(max(room, 1))


def enclosing_scroll_area(widget: QWidget) -> QScrollArea | None:
    """The nearest scroll area ``widget`` is shown in, if any."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


def _one_line_width(item: QLayoutItem) -> int:
    """The width ``item`` takes on one line: a label's even while it is word-wrapped (its
    size hint is then narrower)."""
    label = item.widget()
    if not isinstance(label, QLabel) or not label.wordWrap():
        return item.sizeHint().width()
    shown = label.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
    margins = label.contentsMargins()
    return (
        label.fontMetrics().horizontalAdvance(shown)
        + margins.left()
        + margins.right()
        + 2 * label.margin()
        + 1  # the advance rounds down; the size hint's width never does
    )


def check_row(box: QCheckBox, text: CheckText) -> QWidget:
    """``box`` and its wrapping ``text`` side by side, the box beside the first line."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(box, 0, Qt.AlignmentFlag.AlignTop)
    layout.addWidget(text, 1)
    return row


STRETCH = None
"""In ``widget_row``: the free space, where a stretch takes it."""


def widget_row(*items: QWidget | None) -> QHBoxLayout:
    """A horizontal row of ``items``, in order; ``STRETCH`` marks where the free space goes."""
    layout = QHBoxLayout()
    for item in items:
        if item is STRETCH:
            layout.addStretch(1)
        else:
            layout.addWidget(item)
    return layout


def fit_first_entry(combo: QComboBox, chars: int) -> None:
    """Size ``combo`` to show its first entry (an "Any …" or "All …" choice, in the interface's
    language) whole, and at least ``chars`` characters; never to its longest entry, which
    would widen the window (the open list widens to fit anyway). Call it after filling."""
    metrics = combo.fontMetrics()
    needed = metrics.horizontalAdvance(combo.itemText(0)) / metrics.horizontalAdvance("x")
    keep_narrow(combo, max(chars, math.ceil(needed) + 1))


def keep_whole_width(scroll: QScrollArea) -> None:
    """Keep ``scroll`` at least as wide as its widget needs beside a vertical scroll bar, so
    that its fields are never cut at the right edge behind a horizontal one; followed again
    whenever the widget's layout changes (it is polished when shown, a language switch)."""
    _WholeWidth(scroll)


class _WholeWidth(QObject):
    def __init__(self, scroll: QScrollArea) -> None:
        super().__init__(scroll)
        inner = scroll.widget()
        assert inner is not None, "set the scroll area's widget first"
        self.scroll, self.inner = scroll, inner
        inner.installEventFilter(self)
        self._follow()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if watched is self.inner and event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.Show):
            self._follow()
        return False

    def _follow(self) -> None:
        bar = self.scroll.verticalScrollBar().sizeHint().width()
        frame = 2 * self.scroll.frameWidth()
        self.scroll.setMinimumWidth(self.inner.minimumSizeHint().width() + bar + frame)


def read_only_table(columns: int, stretch: tuple[int, ...], wrap: bool = True) -> QTableWidget:
    """A table to read, not edit: no row numbers, the ``stretch`` columns sharing the width
    and the others as wide as their contents."""
    table = QTableWidget(0, columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.setWordWrap(wrap)
    header = table.horizontalHeader()
    for column in range(columns):
        fit = column in stretch
        mode = QHeaderView.ResizeMode.Stretch if fit else QHeaderView.ResizeMode.ResizeToContents
        header.setSectionResizeMode(column, mode)
    return table


def one_row_at_a_time(view: QAbstractItemView) -> None:
    """A list to open things from: a click chooses one whole row, nothing is edited in place."""
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)


class _EnterOpens(QObject):
    def __init__(self, view: QAbstractItemView, open_index: Callable[[QModelIndex], object]):
        super().__init__(view)
        self.view, self.open_index = view, open_index

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if (
            isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.view.currentIndex().isValid()
        ):
            self.open_index(self.view.currentIndex())
            return True
        return False


def open_on_enter(view: QAbstractItemView, open_index: Callable[[QModelIndex], object]) -> None:
    """Enter on the current row calls ``open_index`` with its index, as a double click does."""
    view.installEventFilter(_EnterOpens(view, open_index))


class _DeletePresses(QObject):
    def __init__(self, view: QAbstractItemView, button: QAbstractButton):
        super().__init__(view)
        self.view, self.button = view, button

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if (
            isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Delete
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
            and self.view.currentIndex().isValid()
            and self.button.isEnabled()
            and not self.button.isHidden()
        ):
            self.button.click()
            return True
        return False


def delete_presses(view: QAbstractItemView, button: QAbstractButton) -> None:
    """Delete on the current row presses ``button`` (discard, withdraw, revoke, remove): its
    own confirmation and rules apply, and where the button is disabled or hidden for this
    row or this user, Delete does nothing."""
    view.installEventFilter(_DeletePresses(view, button))


def name_clear_button(edit: QLineEdit) -> None:
    """Qt's clear button (``setClearButtonEnabled``) in the user's language: it had no tooltip
    and no accessible name, so a screen reader announced a nameless button (and Qt has no
    Kazakh catalog to lend one). Called again from the owner's ``retranslate_ui``."""
    for button in edit.findChildren(QToolButton, options=Qt.FindChildOption.FindDirectChildrenOnly):
        button.setToolTip(_("Clear the field"))
        button.setAccessibleName(_("Clear the field"))


def unlabelled_rows(form: QFormLayout, *fields: QWidget) -> None:
    """A row for each of ``fields``, in order, labelled later by ``set_label``."""
    for field in fields:
        form.addRow("", field)


def lines_tall(edit: QPlainTextEdit, lines: int, fixed: bool = True) -> None:
    """Make ``edit`` ``lines`` lines of its font tall, frame and margins included (at least,
    unless ``fixed``): a height in pixels cut the text of a larger font (a system text size of
    150 %) to a line and a half. Again whenever its font changes: measured once, a letter's
    enclosures showed two of their three lines when the text size grew while it was open."""
    _LinesTall(edit, lines, fixed).apply()


class _LinesTall(QObject):
    """Keeps its edit ``lines`` lines of its font tall (see ``lines_tall``)."""

    def __init__(self, edit: QPlainTextEdit, lines: int, fixed: bool) -> None:
        super().__init__(edit)
        self.edit = edit
        self.lines = lines
        self.fixed = fixed
        edit.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if watched is self.edit and event.type() == QEvent.Type.FontChange:
            self.apply()
        return False

    def apply(self) -> None:
        edit = self.edit
        margins = edit.contentsMargins()
        # One pixel more than the lines and margins: QPlainTextEdit counts a line as shown only
        # within the viewport less one pixel, and the field showed its three lines beside a
        # scroll bar for a fourth.
        height = math.ceil(
            self.lines * edit.fontMetrics().lineSpacing()
            + 2 * edit.document().documentMargin()
            + margins.top()
            + margins.bottom()
            + 1
        )
        if self.fixed:
            edit.setFixedHeight(height)
        else:
            edit.setMinimumHeight(height)


def lines_high(widget: QWidget, lines: float) -> int:
    """The height of ``lines`` lines of ``widget``'s font, with its frame if it has one: a
    height in pixels showed fewer lines of a larger font (a system text size of 150 %)."""
    frame = widget.frameWidth() if isinstance(widget, QFrame) else 0
    return math.ceil(lines * widget.fontMetrics().lineSpacing()) + 2 * frame


def chars_wide(widget: QWidget, chars: int) -> int:
    """The width of ``chars`` average characters of ``widget``'s font, in pixels."""
    return math.ceil(chars * widget.fontMetrics().averageCharWidth())


def keep_narrow(combo: QComboBox, chars: int) -> None:
    """Size ``combo`` by ``chars`` characters, not by its longest entry: Kazakh and Russian
    labels would otherwise widen the form."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)


def set_label(form: QFormLayout, field: QWidget, text: str) -> None:
    """Set the text of the label a form shows beside ``field``.

    Rows are added as ``addRow("", field)`` and labelled in ``retranslate_ui``; Qt makes no
    label for an empty text, so the first call creates it, with ``field`` as its buddy.
    """
    label = form.labelForField(field)
    if isinstance(label, QLabel):
        label.setText(text)
        return
    position: Any = form.getWidgetPosition(field)  # (row, role), typed "object" by PySide6
    row = int(position[0])
    if row < 0 or not text:
        return
    label = QLabel(text)
    label.setBuddy(field)
    form.setWidget(row, QFormLayout.ItemRole.LabelRole, label)


# Room left on the screen for a window's frame and title bar, which resize() excludes.
FRAME_ALLOWANCE = QSize(16, 48)


def screen_room(window: QWidget) -> QSize:
    """The largest size ``window`` may take on the screen it opens on, its frame left out."""
    # Not window.screen(): asked of a dialog still being built, it made a later widget's
    # construction crash (SIGSEGV, every run of the UI tests in one order). A dialog opens on
    # its parent's screen.
    parent = window.parentWidget()
    shown = parent.window() if parent is not None and parent.isVisible() else None
    screen = (shown.screen() if shown is not None else None) or QGuiApplication.primaryScreen()
    if screen is None:
        return QSize(QWIDGETSIZE_MAX, QWIDGETSIZE_MAX)  # no screen, no bound
    return screen.availableGeometry().size() - FRAME_ALLOWANCE


def open_at(window: QWidget, size: QSize, minimum: QSize | None = None) -> None:
    """Give ``window`` ``size`` (and ``minimum``, if any), each bounded by the screen it opens
    on: a letter editor of at least 1000×680 and a spreadsheet import of 760×660 put their
    buttons below an 800×600 laptop's screen, where they could not be pressed."""
    room = screen_room(window)
    if minimum is not None:
        window.setMinimumSize(minimum.boundedTo(room))
    window.resize(size.boundedTo(room))


def fit_to_contents(window: QWidget, to_hint: bool = False) -> None:
    """Grow ``window`` to what its contents need now (never shrink it).

    A top-level window keeps its size when a text gets longer (a language switch, a message
    of two lines), and its layout then squeezes fields and clips labels; a wrapped label's
    height depends on its width, which the layout's minimum size does not account for.
    """
    layout = window.layout()
    if layout is None:
        return
    layout.activate()
    width = max(window.width(), layout.totalMinimumSize().width())
    if to_hint:  # room for every label at its natural width (after a language switch)
        width = max(width, window.sizeHint().width())
    height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else -1
    height = max(height, layout.totalMinimumSize().height(), window.height())
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)


class ErrorLabel(QLabel):
    """A message shown beside the input it is about; hidden while there is nothing to say.

    Given as a function, the message is made again by ``retranslate()``, which the label
    runs itself on Qt's LanguageChange (``LanguageBridge`` has one sent on every switch): a
    refusal on screen follows a language switch whether or not its page re-says it.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        # A message quotes what was typed (an employer named "<b>…</b>"): shown as typed.
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setStyleSheet(f"color: {ERROR_TEXT};")
        self.setAccessibleName("error")
        self._message: Callable[[], str] | None = None
        self.hide()

    def show_message(self, message: str | Callable[[], str]) -> None:
        self._message = message if callable(message) else None
        text = message() if callable(message) else message
        self.setText(text)
        self.setVisible(bool(text))
        window = self.window()
        if text and isinstance(window, QDialog) and window.isVisible():
            fit_to_contents(window)  # a message of two lines must not squash the fields

    def retranslate(self) -> None:
        if self._message is not None:
            self.setText(self._message())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def clear_message(self) -> None:
        self._message = None
        self.setText("")
        self.hide()

    def passes(self, check: Callable[[], object]) -> bool:
        """Run ``check``: False with its ValidationError said here, or True with nothing said."""
        try:
            check()
        except ValidationError as exc:
            refusal = exc  # a message given as a function is said again after a switch
            self.show_message(lambda: str(refusal))
            return False
        self.clear_message()
        return True


class LanguageCombo(QComboBox):
    """Choose the interface language; the switch applies at once through the bridge."""

    def __init__(self, bridge: LanguageBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        for code in LANGUAGES:
            self.addItem(LANGUAGE_NAMES[code], code)
        self.setCurrentIndex(LANGUAGES.index(bridge.language))
        self.currentIndexChanged.connect(self._chosen)
        bridge.language_changed.connect(self._follow)

    def _chosen(self, index: int) -> None:
        code = self.itemData(index)
        if code != self._bridge.language:
            self._bridge.set_language(code)

    def _follow(self, language: str) -> None:
        index = LANGUAGES.index(language)
        if index != self.currentIndex():
            self.blockSignals(True)
            self.setCurrentIndex(index)
            self.blockSignals(False)


def ask_save_changes(parent: QWidget, title: str, text: str) -> QMessageBox.StandardButton:
    """Save, Discard or Cancel for work typed and not saved.

    Cancel is the default: Enter pressed without reading must neither write a change the
    officer may not have meant nor throw one away."""
    return QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )


class ShownPageStack(QStackedWidget):
    """A stack needing the room of the page it shows, not of its widest page: at 125 % display
    scaling the case list's filters (988 pixels in Kazakh) made the case editor and every
    other area as wide, and pushed the editor's Close button past the window's edge."""

    def __init__(self) -> None:
        super().__init__()
        layout = self.layout()
        assert layout is not None
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.currentChanged.connect(lambda _index: self.updateGeometry())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt name
        shown = self.currentWidget()
        return shown.minimumSizeHint().expandedTo(shown.minimumSize()) if shown else QSize()

    # And so its height: QStackedLayout asks every page for its size hint and its height for
    # a width, and a hidden page of wrapped text, tall when narrow, made the areas' scroll
    # area scroll down past the page shown.
    def sizeHint(self) -> QSize:  # noqa: N802 - Qt name
        shown = self.currentWidget()
        return shown.sizeHint().expandedTo(self.minimumSizeHint()) if shown else QSize()

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt name
        shown = self.currentWidget()
        return shown is not None and shown.hasHeightForWidth()

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt name
        """The least height the shown page needs at ``width``: the areas' scroll area keeps
        the stack at least this tall. The page's own answer is its preferred height (its
        lists' size hints): at 1024×768 the Start page, whose lists fit in 727 pixels, was
        made 1048 tall and scrolled."""
        shown = self.currentWidget()
        if shown is None or not shown.hasHeightForWidth():
            return -1
        layout = shown.layout()
        if layout is None:
            return shown.heightForWidth(width)
        least = layout.totalMinimumHeightForWidth(width)
        return max(least, shown.minimumHeight(), shown.minimumSizeHint().height())
