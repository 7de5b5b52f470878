"""The main window: a navigation list of areas, the current area, a status bar, the lock.

Areas register themselves: each module in ``AREA_MODULES`` has ``register(window)`` which calls
``window.register_area(key, title_fn, widget_factory, icon)``. An area's widget is built the
first time it is shown, and may offer ``new_case()``, ``focus_search()``,
``confirm_close() -> bool``, ``has_unsaved_work() -> bool`` and ``retranslate_ui()``; the window
calls what exists.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QGuiApplication,
    QIcon,
    QKeySequence,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QFrame,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QSplitterHandle,
    QStackedWidget,
    QStyle,
    QWidget,
)

from app.domain.codes import Role, label
from app.domain.mission_record import mission_name_in
from app.domain.roles import CASE_WORKERS
from app.errors import AccountChanged
from app.i18n import _, country_name, current_language
from app.services import settings as domain_settings
from app.services.sign_in import unlock_again
from app.services.workspace import Workspace
from ui import ui_settings
from ui.clipboard_guard import ClipboardGuard
from ui.help import AboutDialog, HelpDialog, ShortcutsDialog
from ui.i18n_bridge import LanguageBridge
from ui.icons import AREA_ICONS, area_icon, icon
from ui.lock import IdleLock, LockScreen
from ui.look import NAV_ITEM_MARGIN, NAV_ITEM_PADDING
from ui.private_temp import PrivateTempFolder
from ui.widgets.common import FRAME_ALLOWANCE, ShownPageStack
from ui.widgets.file_dialogs import in_documents
from ui.widgets.plain import plain_label
from ui.widgets.text_size import NAVIGATION, application_font_watch, sized_text, text_scale

if TYPE_CHECKING:
    from app.services.after_crash import FoundAfterCrash
    from ui.restore import RestoreRequest

AREA_MODULES = (
    "ui.start_page",
    "ui.cases",
    "ui.contracts",
    "ui.agreements",
    "ui.letters",
    "ui.partners",
    "ui.reports",
    "ui.returnees",
    "ui.exchange",
    "ui.hq",
    "ui.settings",
)
WidgetFactory = Callable[["MainWindow"], QWidget]
DEFAULT_SIZE = QSize(1280, 800)
NAV_WIDTH = 170
NAV_LIMITS = (150, 260)  # the titled navigation's least and greatest widths at 100 % text
# Below this window width (layout pixels) the navigation shows its icons only, titles in
# their tooltips: at 150 % display scaling a 1366-pixel laptop leaves 910, and a navigation
# of titles (182) left the case editor's worker form 160 beside its tabs, Partners and
# Reports scrolling sideways. At 100 % and 125 % (1366, 1093) the titles stay.
COMPACT_NAVIGATION_BELOW = 1000


class _NavigationHandle(QSplitterHandle):
    """Hidden while its splitter's first pane has one width: the splitter shows its handles
    again whenever it lays itself out."""

    def setVisible(self, visible: bool) -> None:  # noqa: N802 - Qt name
        splitter = self.splitter()
        fixed = isinstance(splitter, NavigationSplitter) and splitter.fixed_first
        super().setVisible(visible and not fixed)


class NavigationSplitter(QSplitter):
    """The navigation beside the areas; ``fixed_first`` hides the handle between them."""

    def __init__(self) -> None:
        super().__init__()
        self._fixed_first = False

    @property
    def fixed_first(self) -> bool:
        return self._fixed_first

    @fixed_first.setter
    def fixed_first(self, fixed: bool) -> None:
        self._fixed_first = fixed
        for index in range(1, self.count()):
            self.handle(index).setVisible(not fixed)

    def createHandle(self) -> QSplitterHandle:  # noqa: N802 - Qt name
        return _NavigationHandle(self.orientation(), self)


def fit_to_screen(window: QWidget) -> None:
    """Shrink ``window`` to the screen it opens on and move it fully onto that screen.

    1280×800 does not fit a 1366×768 laptop; a size saved on a larger monitor does not fit
    a smaller one.
    """
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    available = screen.availableGeometry()
    room = available.size() - FRAME_ALLOWANCE
    if window.width() > room.width() or window.height() > room.height():
        window.resize(window.size().boundedTo(room))
    frame = window.frameGeometry()
    if not available.contains(frame):
        left = min(max(frame.left(), available.left()), available.right() - frame.width())
        top = min(max(frame.top(), available.top()), available.bottom() - frame.height())
        window.move(max(left, available.left()), max(top, available.top()))


def fallback_scroll(pages: QWidget) -> QScrollArea:
    """``pages`` in a frameless scroll area that scrolls only below their minimum size.

    At 125 % or 150 % display scaling a 1366×768 screen leaves the window 1093×614 or 911×512
    pixels; an area needing more (the case list's filters in Kazakh, a contract review,
    Exchange) made the window wider than the screen, its Save and Close buttons past the
    edge. There the area now scrolls; wherever it fits it fills the window as before."""
    scroll = QScrollArea()
    scroll.setObjectName("areas")
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidgetResizable(True)
    scroll.setWidget(pages)
    return scroll


@dataclass
class Area:
    key: str
    title_fn: Callable[[], str]
    widget_factory: WidgetFactory
    icon: QStyle.StandardPixmap
    item: QListWidgetItem
    widget: QWidget | None = field(default=None)


class MainWindow(QMainWindow):
    locked = Signal()
    unlocked = Signal()
    account_changed = Signal(object)  # AccountChanged, emitted on whichever thread found it
    area_changed = Signal(str)
    found_after_crash = Signal(object)  # list[FoundAfterCrash]: the start page says them

    def __init__(
        self,
        workspace: Workspace,
        bridge: LanguageBridge,
        idle_timeout_ms: int | None = None,
        area_modules: tuple[str, ...] = AREA_MODULES,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.bridge = bridge
        # A restore the administrator confirmed in Settings: done once this window has closed
        # and the workspace with it (ui/app.py), never under open connections.
        self.restore_request: RestoreRequest | None = None
        # What the start's repairs found (``app.services.after_crash``), said on the start page.
        self.after_crash_found: list[FoundAfterCrash] = []
        self.found_after_crash.connect(self.after_crash_found.extend)
        self._areas: dict[str, Area] = {}
        # Where attachments are written to be opened; emptied when this window closes. What a
        # run that crashed left in the system's temp folder goes now, not at the first opening.
        self.temp_folder = PrivateTempFolder()
        self.temp_folder.remove_left_behind()
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.temp_folder.empty)
        # A name or an IIN copied here is taken off the clipboard at a lock and at the end.
        self.clipboard_guard = ClipboardGuard(self)

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        sized_text(self.nav, NAVIGATION)
        self.nav.setIconSize(QSize(22, 22))
        self._limit_navigation()
        self.nav.setSpacing(2)
        # A long area name in kk or ru is elided (full in the tooltip), never scrolled sideways.
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.currentRowChanged.connect(self._show_row)
        self.pages = ShownPageStack()
        self.splitter = NavigationSplitter()
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(fallback_scroll(self.pages))
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([NAV_WIDTH, 1000])

        # Set when this session found its account revoked or given another role: the window
        # closes and the sign-in window says why (ui/app.py).
        self.signed_out: AccountChanged | None = None
        self._focus_before_lock: QWidget | None = None
        self.account_changed.connect(self._end_session, Qt.ConnectionType.QueuedConnection)
        workspace.watch_account(self._account_changed_elsewhere)
        self.lock_screen = LockScreen(
            workspace.paths,
            workspace.actor.username,
            bridge,
            lambda password: unlock_again(workspace, password),
        )
        self.lock_screen.unlocked.connect(self.unlock)
        self.outer = QStackedWidget()
        self.outer.addWidget(self.splitter)
        self.outer.addWidget(self.lock_screen)
        self.setCentralWidget(self.outer)

        self.status_user = plain_label()
        self.statusBar().addPermanentWidget(self.status_user)
        self.statusBar().messageChanged.connect(self._make_room_for_message)
        self._build_actions()

        timeout = idle_timeout_ms or domain_settings.idle_lock_minutes(workspace) * 60_000
        self.idle_lock = IdleLock(timeout, self)
        self.idle_lock.timed_out.connect(self.lock)

        for name in area_modules:
            importlib.import_module(name).register(self)
        if self.nav.count():
            self.nav.setCurrentRow(0)
        self._shown_once = False
        self.compact_navigation = False
        self._titled_width = NAV_WIDTH
        self._fit_navigation()
        self._restore_state()
        bridge.language_changed.connect(self.retranslate_ui)
        self.retranslate_ui()
        self.idle_lock.start()

    # Areas -------------------------------------------------------------------------------

    def register_area(
        self,
        key: str,
        title_fn: Callable[[], str],
        widget_factory: WidgetFactory,
        icon: QStyle.StandardPixmap = QStyle.StandardPixmap.SP_FileIcon,
    ) -> None:
        if key in self._areas:
            raise ValueError(f"area {key!r} is already registered")
        # The app's own icon set (resources/icons); Qt's stock icon for an area it lacks.
        shown = area_icon(key) if key in AREA_ICONS else self.style().standardIcon(icon)
        item = QListWidgetItem(shown, title_fn())
        item.setData(Qt.ItemDataRole.UserRole, key)
        self.nav.addItem(item)
        self.pages.addWidget(QWidget())  # placeholder until the area is first shown
        self._areas[key] = Area(key, title_fn, widget_factory, icon, item)

    def _limit_navigation(self) -> None:
        """The titled navigation's least and greatest widths, in step with the text size:
        at a system text size of 150 % its 260 pixels cut «Проверка договоров» to
        «Проверка дого…»."""
        scale = text_scale()
        self.nav.setMinimumWidth(round(NAV_LIMITS[0] * scale))
        self.nav.setMaximumWidth(round(NAV_LIMITS[1] * scale))

    def _fit_navigation(self, widen_only: bool = False) -> None:
        """The navigation as wide as its longest title, so the areas keep the rest."""
        if self.compact_navigation:
            return
        self._limit_navigation()  # the text size may have changed
        needed = self.nav.sizeHintForColumn(0) + 2 * self.nav.frameWidth() + 8
        sizes = self.splitter.sizes()
        width = min(max(needed, self.nav.minimumWidth()), self._widest_navigation())
        if widen_only and sizes[0] >= width:
            return
        self.splitter.setSizes([width, max(sum(sizes) - width, 1)])

    def _show_compact_navigation(self, compact: bool) -> None:
        """Icons only (each title in its tooltip and accessible name) or icons and titles."""
        if compact == self.compact_navigation:
            return
        self.compact_navigation = compact
        for area in self._areas.values():
            self._show_area_title(area)
        # The icons-only navigation has one width: a handle beside it showed a resize cursor
        # and moved nothing. Hidden, it also leaves the areas its pixels.
        self.splitter.fixed_first = compact
        if compact:
            # The user's width (or the one restored), back when the window widens.
            self._titled_width = self.splitter.sizes()[0]
            # An icon with its item's padding and margin (the items' own size hint keeps room
            # for a title, 24 pixels more).
            item = self.nav.iconSize().width() + 2 * (NAV_ITEM_PADDING + NAV_ITEM_MARGIN)
            frame = self.nav.contentsMargins()
            width = item + 2 * self.nav.spacing() + frame.left() + frame.right()
            self.nav.setFixedWidth(width)
            # The area takes what the titles left (the splitter keeps a pane's old share).
            total = sum(self.splitter.sizes())
            self.splitter.setSizes([width, max(total - width, 1)])
        else:
            self._limit_navigation()
            total = sum(self.splitter.sizes())
            self.splitter.setSizes([self._titled_width, max(total - self._titled_width, 1)])
            self._fit_navigation(widen_only=True)

    def _show_area_title(self, area: Area) -> None:
        title = area.title_fn()
        area.item.setText("" if self.compact_navigation else title)
        area.item.setToolTip(title)
        area.item.setData(Qt.ItemDataRole.AccessibleTextRole, title)

    def _widest_navigation(self) -> int:
        """At most a fifth of the window (more at a larger text size, as the titles are
        longer): at 150 % display scaling a 1366-pixel screen leaves
        the window 895 pixels, and a navigation of 235 (its longest Russian title) left the
        case editor too little, its Close button scrolled out of sight. A longer title is
        elided there, whole in its tooltip. The screen's width, not the window's: measured
        before the window takes its size, a fifth of its first 780 pixels cut every title."""
        screen = self.screen()
        room = screen.availableGeometry().width() if screen is not None else self.width()
        fifth = round(max(self.width(), room) / 5 * text_scale())
        return min(self.nav.maximumWidth(), max(self.nav.minimumWidth(), fifth))

    def area_keys(self) -> list[str]:
        return list(self._areas)

    def area_widget(self, key: str) -> QWidget:
        """The area's widget, built on first use."""
        area = self._areas[key]
        if area.widget is None:
            index = self.nav.row(area.item)
            placeholder = self.pages.widget(index)
            area.widget = area.widget_factory(self)
            self.pages.insertWidget(index, area.widget)
            if placeholder is not None:
                self.pages.removeWidget(placeholder)
                placeholder.deleteLater()
        return area.widget

    def show_area(self, key: str) -> QWidget:
        widget = self.area_widget(key)
        self.nav.setCurrentItem(self._areas[key].item)
        return widget

    def current_area(self) -> str | None:
        item = self.nav.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _show_row(self, row: int) -> None:
        if row < 0:
            return
        key = self.nav.item(row).data(Qt.ItemDataRole.UserRole)
        self.pages.setCurrentWidget(self.area_widget(key))
        self.area_changed.emit(key)

    # Actions -----------------------------------------------------------------------------

    def _build_actions(self) -> None:
        def action(
            shortcut: QKeySequence | str, slot: Callable[[], object], shown: QIcon | None = None
        ) -> QAction:
            act = QAction(self)
            if shown is not None:
                act.setIcon(shown)
            act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            # Not ``connect(slot)``: Qt passes ``checked`` (False) to a slot that takes an
            # argument, and Cases → Import a spreadsheet… opened the file False.
            act.triggered.connect(lambda _checked=False: slot())
            return act

        self.new_case_action = action("Ctrl+N", self.new_case, icon("plus"))
        self.import_cases_action = action("", self.import_spreadsheet, icon("upload"))
        self.undo_import_action = action("", self.undo_spreadsheet_import)
        self.find_action = action("Ctrl+F", self.focus_search, icon("search"))
        self.lock_action = action("Ctrl+L", self.lock, icon("lock"))
        self.quit_action = action("Ctrl+Q", self.close, icon("log-out"))
        self.manual_action = action(
            QKeySequence(QKeySequence.StandardKey.HelpContents), self.show_manual
        )
        self.shortcuts_action = action("", self.show_shortcuts)
        self.about_action = action("", self.show_about)
        self.file_menu = self.menuBar().addMenu("")
        self.file_menu.addAction(self.lock_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.case_menu = self.menuBar().addMenu("")
        self.case_menu.addAction(self.new_case_action)
        self.case_menu.addAction(self.find_action)
        self.case_menu.addSeparator()
        self.case_menu.addAction(self.import_cases_action)
        self.case_menu.addAction(self.undo_import_action)
        self.help_menu = self.menuBar().addMenu("")
        self.help_menu.addAction(self.manual_action)
        self.help_menu.addAction(self.shortcuts_action)
        self.help_menu.addSeparator()
        self.help_menu.addAction(self.about_action)
        self.help_dialog: QDialog | None = None
        # Disabled while locked: the Cases menu stays in reach above the lock screen, and an
        # import's undo (it deletes cases) opened there without the password.
        self._guarded_actions = (
            self.new_case_action,
            self.find_action,
            self.lock_action,
            self.import_cases_action,
            self.undo_import_action,
        )
        # Only the mission's staff register cases (an HQ analyst's form was refused on Save).
        self.new_case_action.setVisible(self.workspace.actor.role in CASE_WORKERS)
        self.import_cases_action.setVisible(self.workspace.actor.role in CASE_WORKERS)
        self.undo_import_action.setVisible(self.workspace.actor.role in CASE_WORKERS)
        self.import_dialog: QDialog | None = None
        self.undo_import_dialog: QDialog | None = None

    def _show_cases(self) -> QWidget | None:
        """The cases area, now shown; None for a user who has none."""
        return self.show_area("cases") if "cases" in self._areas else None

    def new_case(self) -> None:
        if self.workspace.actor.role not in CASE_WORKERS:
            return
        widget = self._show_cases()
        if widget is not None and hasattr(widget, "new_case"):
            widget.new_case()

    def import_spreadsheet(self, path: Path | None = None) -> QDialog | None:
        """Cases → Import a spreadsheet…: the file chosen, checked, then imported on the
        officer's word (``ui.cases.csv_import``)."""
        if self.workspace.actor.role not in CASE_WORKERS:
            return None
        if path is None:
            name, _filter = QFileDialog.getOpenFileName(
                self,
                _("Import a spreadsheet of cases"),
                in_documents(),
                _("Spreadsheets (*.xlsx *.xlsm *.csv *.txt);;All files (*)"),
            )
            if not name:
                return None
            path = Path(name)
        from ui.cases.csv_import import CsvImportDialog  # loaded when first used

        self.import_dialog = CsvImportDialog(self, self.workspace, path)
        self.import_dialog.open()
        return self.import_dialog

    def undo_spreadsheet_import(self, import_id: str = "") -> QDialog | None:
        """Cases → Undo a spreadsheet import…: the imports made here, one undone on the
        officer's word (``ui.cases.import_undo``); ``import_id`` selected first."""
        if self.workspace.actor.role not in CASE_WORKERS:
            return None
        from ui.cases.import_undo import ImportUndoDialog  # loaded when first used

        self.undo_import_dialog = ImportUndoDialog(self, self.workspace, import_id)
        self.undo_import_dialog.open()
        return self.undo_import_dialog

    def focus_search(self) -> None:
        key = self.current_area()
        widget = self.area_widget(key) if key else None
        if widget is None or not hasattr(widget, "focus_search"):
            widget = self._show_cases()
        if widget is not None and hasattr(widget, "focus_search"):
            widget.focus_search()

    def show_manual(self) -> None:
        if self.help_dialog is None:
            self.help_dialog = HelpDialog(self)
            self.bridge.language_changed.connect(self.help_dialog.retranslate_ui)
        self.help_dialog.show()
        self.help_dialog.raise_()

    def show_shortcuts(self) -> None:
        # An area's shortcuts exist once it is built, and the case editor's once it is.
        for key in self.area_keys():
            getattr(self.area_widget(key), "editor", None)
        ShortcutsDialog(self).open()

    def show_about(self) -> None:
        AboutDialog(self.workspace, self).open()

    # Lock --------------------------------------------------------------------------------

    @property
    def is_locked(self) -> bool:
        return self.outer.currentWidget() is self.lock_screen

    def lock(self) -> None:
        if self.is_locked:
            return
        self.idle_lock.stop()
        # The window's own focus, not a dialog's: dialogs close now and the focus goes back
        # there on unlock (hidden behind the lock screen, it was lost, and the officer had to
        # click before typing on).
        focused = self.focusWidget()
        inside = focused is not None and self.splitter.isAncestorOf(focused)
        self._focus_before_lock = focused if inside else None
        in_use = QApplication.activeWindow() is not None  # not locked in the background
        self._close_dialogs()
        self._leave_nothing_readable()
        for act in self._guarded_actions:
            act.setEnabled(False)
        self.outer.setCurrentWidget(self.lock_screen)
        self.lock_screen.prepare()
        if in_use:
            self.activateWindow()  # a dialog closed above had the keys: the password gets them
        self.locked.emit()

    def _leave_nothing_readable(self) -> None:
        # Away from the desk, the plain copies of opened attachments and what was copied here
        # would be readable without a password: a viewer keeps what it shows, the file goes.
        self.temp_folder.empty()
        self.clipboard_guard.clear_ours()

    def _close_dialogs(self) -> None:
        # Dialogs float above the window and could show personal data: close them first.
        while (modal := QApplication.activeModalWidget()) is not None and modal is not self:
            if isinstance(modal, QDialog):
                modal.reject()
            else:
                modal.close()
            if QApplication.activeModalWidget() is modal:
                break

    def _account_changed_elsewhere(self, exc: AccountChanged) -> None:
        try:
            self.account_changed.emit(exc)
        except RuntimeError:  # the window is gone already
            pass

    def _end_session(self, exc: AccountChanged) -> None:
        """The account was revoked or given another role: nothing more can be read or saved
        here, so the window closes without asking about unsaved work, and the sign-in window
        says why."""
        if self.signed_out is not None:
            return
        self.signed_out = exc
        self.idle_lock.stop()
        self._close_dialogs()
        self.close()

    def unlock(self) -> None:
        if not self.is_locked:
            return
        self.outer.setCurrentWidget(self.splitter)
        for act in self._guarded_actions:
            act.setEnabled(True)
        self.idle_lock.start()
        self._give_back_focus()
        self.unlocked.emit()

    def _give_back_focus(self) -> None:
        widget, self._focus_before_lock = self._focus_before_lock, None
        try:
            if widget is not None and widget.isVisible() and widget.isEnabled():
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
                return
        except RuntimeError:  # deleted while locked (a tab closed, an editor rebuilt)
            pass
        self.nav.setFocus(Qt.FocusReason.OtherFocusReason)

    # Text --------------------------------------------------------------------------------

    def retranslate_ui(self) -> None:
        mission = self.workspace.mission
        self.setWindowTitle(
            _("Qorgau — {mission}").format(mission=self.mission_name() or mission.code)
        )
        for area in self._areas.values():
            self._show_area_title(area)
        if ui_settings.load_state("main_window/splitter") is None:
            self._fit_navigation()  # titles differ in length from language to language
        self.file_menu.setTitle(_("&Qorgau"))
        self.case_menu.setTitle(_("&Cases"))
        self.help_menu.setTitle(_("&Help"))
        self.new_case_action.setText(_("&New case"))
        self.find_action.setText(_("&Find"))
        self.import_cases_action.setText(_("&Import a spreadsheet of cases…"))
        self.undo_import_action.setText(_("&Undo a spreadsheet import…"))
        self.lock_action.setText(_("&Lock"))
        self.quit_action.setText(_("&Quit"))
        self.about_action.setText(_("&About Qorgau"))
        self.manual_action.setText(_("&Manual"))
        self.shortcuts_action.setText(_("&Keyboard shortcuts"))
        self.status_user.setText(self.status_text())

    def _make_room_for_message(self, message: str) -> None:
        """Who is signed in steps aside while a message needs its room: beside it, at 150 %
        text on a 1024-pixel screen, «Saved: case SEL-2026-0193.» was cut after «SEL-2026-»."""
        bar = self.statusBar()
        needed = bar.fontMetrics().horizontalAdvance(message) + self.status_user.sizeHint().width()
        # The bar's margins and the gap between the message and the label, with some to spare.
        self.status_user.setVisible(
            not message or needed + 4 * bar.fontMetrics().height() <= bar.width()
        )

    def mission_name(self) -> str:
        return mission_name_in(self.workspace.mission, current_language())

    def status_text(self) -> str:
        actor = self.workspace.actor
        mission = self.workspace.mission
        return _("{user} · {role} · {mission}, {city}, {country}").format(
            user=actor.full_name or actor.username,
            role=label(Role(actor.role)),
            mission=mission.code,
            city=mission.city_in(current_language()),
            country=country_name(mission.country),
        )

    # State -------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt name
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            # Measured again once shown (after the style's polish event), with its padding and
            # font: measured before, it fell short and was kept so with the window's state, and
            # at HQ in Kazakh "Returnees" read «Оралған жұмыск…». Only ever widened here: a
            # wider navigation the user chose stays.
            QTimer.singleShot(0, self, lambda: self._fit_navigation(widen_only=True))

    def event(self, event: QEvent) -> bool:
        # The system's text size changed: the navigation's titles grew with it (its font
        # follows the application's), so it widens to keep them whole.
        if event.type() == QEvent.Type.ApplicationFontChange:
            # Said to the sized titles too, should a platform change the font without the
            # application's fontChanged signal (their watch listens to that signal).
            app = QApplication.instance()
            if app is not None:
                application_font_watch(app).changed.emit()
            if self._shown_once:
                QTimer.singleShot(0, self, lambda: self._fit_navigation(widen_only=True))
        return super().event(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        self._show_compact_navigation(event.size().width() < COMPACT_NAVIGATION_BELOW)
        # Titles cut to a fifth of a small first size get their room once the window grows
        # (the navigation is only ever widened here, to its titles' width).
        if self._shown_once and event.size().width() > event.oldSize().width():
            self._fit_navigation(widen_only=True)

    def _restore_state(self) -> None:
        geometry = ui_settings.load_state("main_window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(DEFAULT_SIZE)
        fit_to_screen(self)
        splitter = ui_settings.load_state("main_window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def save_state(self) -> None:
        ui_settings.save_state("main_window/geometry", self.saveGeometry())
        if self.compact_navigation:  # the width with titles is the one to remember
            total = sum(self.splitter.sizes())
            self.splitter.setSizes([self._titled_width, max(total - self._titled_width, 1)])
        ui_settings.save_state("main_window/splitter", self.splitter.saveState())

    def close_for_restore(self, request: RestoreRequest) -> bool:
        """Close with ``request`` to be done after; False (and no restore) when an area kept
        the window open (unsaved work the user chose to keep)."""
        self.restore_request = request
        if not self.close():
            self.restore_request = None
            return False
        return True

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt name
        if self.signed_out is None and self.is_locked and self._unsaved_work():
            # Asked over the lock screen, anyone at the desk could save or discard the
            # officer's work without her password: she signs in first.
            event.ignore()
            self.lock_screen.say_sign_in_to_close()
            return
        for area in self._areas.values() if self.signed_out is None else ():
            confirm = getattr(area.widget, "confirm_close", None)
            if confirm is not None and not confirm():
                event.ignore()
                return
        self.idle_lock.stop()
        self.save_state()
        self._leave_nothing_readable()
        event.accept()

    def _unsaved_work(self) -> bool:
        for area in self._areas.values():
            unsaved = getattr(area.widget, "has_unsaved_work", None)
            if unsaved is not None and unsaved():
                return True
        return False
