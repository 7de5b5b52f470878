"""The start page: what needs attention today.

Four short lists: my open cases, overdue cases, cases where life or liberty is at risk, and
the latest activity. A double click (or Enter) opens the case in the Cases area.

The lists and their counts are read off the GUI thread (``LatestOnly``): the window shows at
once after sign-in with the sections' counts shown as "…", and they fill in when the reads
return (on a 100,000-case mission the eight queries took about a quarter of a second).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import cast

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.codes import CaseStatus, label
from app.domain.roles import CASE_WORKERS, SENIOR_ROLES
from app.i18n import _, format_date, format_number, ngettext
from app.services.after_crash import Found, FoundAfterCrash, found_text
from app.services.cases import CaseService
from app.services.changes import DataChanged
from app.services.records import CaseFilter, CaseRow
from app.services.replies import ReplyWatch
from app.services.settings import reply_wait_days
from ui.changes import listen_to_changes
from ui.icons import icon
from ui.main_window import MainWindow
from ui.models.case_table_model import DEADLINE_SHAPES, anonymised_text, deadline_label
from ui.palette import DEADLINE_COLOURS, MUTED_TEXT, WARNING_STYLE
from ui.tasks import LatestOnly, show_error
from ui.widgets.common import STRETCH, widget_row, word_wrapped
from ui.widgets.flow import FlowLayout
from ui.widgets.plain import plain_label
from ui.widgets.text_size import (
    GREETING,
    SUBTITLE,
    application_font_watch,
    heading,
    sized_text,
    text_scale,
)

SECTION_LIMIT = 12
# A page narrower than this (layout pixels, at the usual text size: more as the text grows)
# lists its sections one under another.
TWO_COLUMNS_FROM = 900
# A list shows at least this many rows before its own scroll bar comes; the page grows (and
# scrolls) instead: squeezed into the window at 150 % text size a list showed a row or two.
ROWS_SHOWN = 3


class CaseSection(QGroupBox):
    """A titled short list of cases; "Show all" opens the case list with exactly them."""

    case_opened = Signal(str)
    show_all_requested = Signal(object)  # CaseFilter

    def __init__(self) -> None:
        super().__init__()
        self.tree = QTreeWidget()
        self.tree.setRootIsDecorated(False)
        self.tree.setColumnCount(4)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemDoubleClicked.connect(self._activated)
        self.empty = QLabel()
        self.empty.setStyleSheet(f"color: {MUTED_TEXT}; padding: 6px;")
        self.show_all = QPushButton()
        self.show_all.setObjectName("show_all")
        self.show_all.clicked.connect(lambda: self.show_all_requested.emit(self.filter))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(self.empty)
        layout.addWidget(self.show_all, 0, Qt.AlignmentFlag.AlignRight)
        self.rows: list[CaseRow] = []
        self.filter: CaseFilter = CaseFilter()
        self.total = 0

    def set_loading(self, title: str, flt: CaseFilter) -> None:
        """Before the first read returns: the title with an ellipsis for its count, and no
        rows, no empty note and no button yet."""
        self.filter = flt
        self.setTitle(f"{title} (…)")
        for part in (self.tree, self.empty, self.show_all):
            part.setVisible(False)

    def set_rows(
        self, rows: list[CaseRow], total: int, title: str, empty_text: str, flt: CaseFilter
    ) -> None:
        self.rows = rows
        self.filter = flt
        self.total = total
        self.setTitle(f"{title} ({format_number(total)})")
        self.show_all.setText(
            ngettext("Open the list: {n} case", "Open the list: all {n} cases", total).format(
                n=format_number(total)
            )
        )
        self.show_all.setToolTip(_("Show exactly these cases in the Cases area"))
        self.show_all.setEnabled(total > 0)
        self.tree.setHeaderLabels([_("Number"), _("Person"), _("Status"), _("Due")])
        self.tree.clear()
        for row in rows:
            item = QTreeWidgetItem(
                [
                    row.number,
                    anonymised_text() if row.anonymised else row.person_name,
                    label(CaseStatus(row.status)),
                    format_date(row.due_date) if row.due_date else "",
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, row.id)
            colour = DEADLINE_COLOURS.get(row.deadline)
            if colour:
                # Shape and words beside the colour (colour-blind safe).
                item.setForeground(3, QBrush(QColor(colour)))
                item.setIcon(3, icon(DEADLINE_SHAPES[row.deadline], colour))
                item.setToolTip(3, deadline_label(row.deadline) or "")
            self.tree.addTopLevelItem(item)
        self.empty.setText(empty_text)
        self.empty.setVisible(not rows)
        self.tree.setVisible(bool(rows))
        self.show_all.setVisible(True)
        self.fit_height()

    def fit_height(self) -> None:
        """At least ``ROWS_SHOWN`` rows (fewer if fewer) and the header tall, in the current
        font."""
        tree = self.tree
        rows = min(tree.topLevelItemCount(), ROWS_SHOWN)
        row = tree.sizeHintForRow(0) if rows else 0
        header = tree.header().sizeHint().height()
        tree.setMinimumHeight(header + rows * row + 2 * tree.frameWidth())

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        self.case_opened.emit(item.data(0, Qt.ItemDataRole.UserRole))


# The open cases no officer is assigned (held here: `_filtered` keeps open lists to them).
WAITING = CaseFilter(unassigned=True, open_only=True, sort="received_at", descending=False)
# The overdue cases escalated to the head of section and not acted on since (ui.escalation).
ESCALATED = CaseFilter(escalated=True, sort="due_date", descending=False)


class AfterCrashNotice(QFrame):
    """What this start found left by Qorgau stopped half-way and put right, said once: the
    repairs were silent, and someone who had seen Qorgau vanish mid-import did not know
    whether to import again. Hidden until something is found; "Got it" hides it for good."""

    def __init__(self, make_recovery_key: Callable[[], object] | None = None) -> None:
        super().__init__()
        self.found: list[FoundAfterCrash] = []
        self.setObjectName("after_crash")
        self.setStyleSheet(f"QFrame#after_crash {{ {WARNING_STYLE} }}")
        self.heading = plain_label()
        self.heading.setStyleSheet("font-weight: 600;")
        self.heading.setWordWrap(True)
        self.text = plain_label()
        self.text.setWordWrap(True)
        self.dismiss = QPushButton()
        self.dismiss.setObjectName("after_crash_seen")
        self.dismiss.clicked.connect(self.hide)
        # The setup's recovery key never shown: the offer to make a new one, at hand.
        self.make_recovery_key = QPushButton()
        self.make_recovery_key.setObjectName("after_crash_make_recovery_key")
        if make_recovery_key is not None:
            self.make_recovery_key.clicked.connect(make_recovery_key)
        self.make_recovery_key.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.text)
        layout.addLayout(widget_row(STRETCH, self.make_recovery_key, self.dismiss))
        self.hide()

    def add(self, found: list[FoundAfterCrash]) -> None:
        if not found:
            return
        self.found.extend(found)
        unseen = any(f.what is Found.RECOVERY_KEY_UNSEEN for f in self.found)
        self.make_recovery_key.setVisible(unseen)
        self.retranslate_ui()
        self.show()

    def retranslate_ui(self) -> None:
        self.heading.setText(_("Qorgau was stopped last time before its work was done"))
        self.text.setText("\n\n".join(found_text(found) for found in self.found))
        self.make_recovery_key.setText(_("&Make a new recovery key…"))
        self.dismiss.setText(_("&Got it"))


class StartPage(QWidget):
    loaded = Signal()  # the four lists are filled from the latest read

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window_ = window
        self.service = CaseService(window.workspace)
        self._stale = False
        db = window.workspace.db
        self._reader = LatestOnly(self, db.interrupt, resume=db.resume)
        self._reader.answered.connect(self._arrived)
        self._reader.refused.connect(self._read_failed)
        self.loading = False
        self._shown_once = False
        # Wrapped: on one line each, at 150 % text in Kazakh the greeting and the mission's
        # name were wider than a 1024-pixel window and the page scrolled sideways, the New
        # case button out of sight.
        self.greeting = word_wrapped(plain_label())
        heading(self.greeting, GREETING)
        self.mission = word_wrapped(plain_label())
        sized_text(self.mission, SUBTITLE)
        self.today = QLabel()
        self.today.setStyleSheet(f"color: {MUTED_TEXT};")
        self.new_button = QPushButton()
        self.new_button.setIcon(icon("plus"))
        self.new_button.clicked.connect(window.new_case)
        # HQ's analysts register no cases and are assigned none: no New case, and no "My open
        # cases (0)" in a quarter of their page (the other three, the recent activity across).
        self.reads_only = window.workspace.actor.role not in CASE_WORKERS
        if self.reads_only:
            self.new_button.hide()
        # The consul gives cases out: those waiting for an officer (new ones registered for
        # her, a revoked officer's, one HQ transferred here) are named in the header, a click
        # away from the list, and so are the overdue cases escalated to her. A mission's only:
        # HQ assigns none of the missions' cases.
        workspace = window.workspace
        self.gives_out = workspace.actor.role in SENIOR_ROLES and not workspace.mission.is_hq
        self.waiting = QPushButton()
        self.waiting.setObjectName("waiting_for_an_officer")
        self.waiting.clicked.connect(lambda: self.show_all(WAITING))
        self.waiting.hide()
        self.escalated = QPushButton()
        self.escalated.setObjectName("escalated_to_you")
        self.escalated.setIcon(icon(DEADLINE_SHAPES["red"], DEADLINE_COLOURS["red"]))
        self.escalated.clicked.connect(lambda: self.show_all(ESCALATED))
        self.escalated.hide()
        # Letters sent and not answered past the mission's wait: to chase, a click from the
        # register listing exactly them. For those who write letters at a mission.
        self.chases = not self.reads_only and not workspace.mission.is_hq
        self.unanswered = QPushButton()
        self.unanswered.setObjectName("letters_without_a_reply")
        self.unanswered.setIcon(icon("mail"))
        self.unanswered.clicked.connect(self.show_unanswered)
        self.unanswered.hide()
        self.mine = CaseSection()
        self.overdue = CaseSection()
        self.at_risk = CaseSection()
        self.recent = CaseSection()
        self.grid = grid = QGridLayout()
        grid.setSpacing(12)
        for section, _flt, _title, _empty in self._sections():
            section.case_opened.connect(self.open_case)
            section.show_all_requested.connect(self.show_all)
        # The date, and the notices beside it or, in a narrow page, under it: beside it at
        # 150 % text in Kazakh the consul's widest notice kept the page 90 pixels wider than
        # a 1024-pixel window.
        self.dated = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.one_column: bool | None = None
        self._arrange_sections(one_column=False)
        app = QCoreApplication.instance()
        if app is not None:  # the text size changed: the lists' rows and columns with it
            application_font_watch(app).changed.connect(self._text_size_changed)
        header = QGridLayout()
        header.addWidget(self.greeting, 0, 0)
        header.addWidget(self.new_button, 0, 1, Qt.AlignmentFlag.AlignRight)
        header.addWidget(self.mission, 1, 0, 1, 2)
        # The head of section's notices on the date's row across the page, wrapping under
        # each other when narrow: in the New case button's column they made that column as
        # wide as both, beside the greeting's, and at 150 % display scaling in Kazakh the
        # page scrolled sideways.
        for_the_head = FlowLayout(one_row=True)
        for_the_head.addWidget(self.escalated)
        for_the_head.addWidget(self.waiting)
        for_the_head.addWidget(self.unanswered)
        dated = self.dated
        dated.addWidget(self.today, 0, Qt.AlignmentFlag.AlignTop)
        dated.addStretch(1)
        dated.addLayout(for_the_head)
        header.addLayout(dated, 2, 0, 1, 2)
        self.after_crash = AfterCrashNotice(self._make_recovery_key)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addLayout(header)
        layout.addSpacing(8)
        layout.addWidget(self.after_crash)
        layout.addLayout(grid, 1)
        window.found_after_crash.connect(self.after_crash.add)
        self.after_crash.add(window.after_crash_found)  # found before this page was built
        window.bridge.language_changed.connect(self.retranslate_ui)
        window.area_changed.connect(self._area_changed)
        listen_to_changes(self, window.workspace, self._data_changed)
        self.retranslate_ui()

    def _make_recovery_key(self) -> None:
        """Settings' "Make a recovery key…", which asks first: the database gets a new key."""
        from ui.settings.page import SettingsPage

        page = self.window_.show_area("settings")
        if isinstance(page, SettingsPage):
            page.rotate_recovery_key()

    def retranslate_ui(self) -> None:
        actor = self.window_.workspace.actor
        self.greeting.setText(_("Welcome, {name}").format(name=actor.full_name or actor.username))
        self.mission.setText(self.window_.mission_name())
        self.today.setText(format_date(date.today(), "full"))
        self.new_button.setText(_("&New case"))
        self.after_crash.retranslate_ui()
        self.refresh()

    def _arrange_sections(self, one_column: bool) -> None:
        """The lists two by two, or one under another in a narrow page: two by two at 150 %
        display scaling, each list's person column had a few letters («Нұр…»)."""
        if one_column == self.one_column:
            return
        self.one_column = one_column
        self.dated.setDirection(
            QBoxLayout.Direction.TopToBottom if one_column else QBoxLayout.Direction.LeftToRight
        )
        shown = [self.overdue, self.at_risk, self.recent]
        if not self.reads_only:
            shown.insert(0, self.mine)
        for section in shown:
            self.grid.removeWidget(section)
        if one_column:
            for row, section in enumerate(shown):
                self.grid.addWidget(section, row, 0)
        elif self.reads_only:
            self.grid.addWidget(self.overdue, 0, 0)
            self.grid.addWidget(self.at_risk, 0, 1)
            self.grid.addWidget(self.recent, 1, 0, 1, 2)
        else:
            for i, section in enumerate(shown):
                self.grid.addWidget(section, i // 2, i % 2)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        self._arrange_sections(one_column=self._too_narrow(event.size().width()))

    @staticmethod
    def _too_narrow(width: int) -> bool:
        """Too narrow for the lists two by two: at 150 % text size two lists in 1366 pixels
        cut each person's name to its first letter («Қ…») and scrolled sideways."""
        return width < TWO_COLUMNS_FROM * text_scale()

    def _text_size_changed(self) -> None:
        self._arrange_sections(one_column=self._too_narrow(self.width()))
        for section, _flt, _title, _empty in self._sections():
            section.fit_height()

    def _area_changed(self, key: str) -> None:
        # Refresh on coming back, not on the first show (the constructor has just loaded).
        if key != "start":
            self._stale = True
            if self.loading:  # left before the lists came: their reads would only compete
                self._reader.cancel()
                self.loading = False
        elif self._stale:
            self._stale = False
            self.refresh()

    def _sections(self) -> tuple[tuple[CaseSection, CaseFilter, str, str], ...]:
        """Each section shown, its filter, its title and what it says when empty."""
        me = self.window_.workspace.actor.username
        mine = (
            self.mine,
            CaseFilter(assigned_to=me, open_only=True, sort="due_date", descending=False),
            _("My open cases"),
            _("No open cases are assigned to you."),
        )
        return (() if self.reads_only else (mine,)) + (
            (
                self.overdue,
                CaseFilter(overdue=True, sort="due_date", descending=False),
                _("Overdue"),
                _("Nothing is overdue."),
            ),
            (
                self.at_risk,
                CaseFilter(life_or_liberty=True, open_only=True, sort="urgency", descending=False),
                _("Life or liberty at risk"),
                _("No open case puts anyone's life or liberty at risk."),
            ),
            (
                self.recent,
                CaseFilter(sort="updated_at", descending=True),
                _("Recent activity"),
                _("No cases yet."),
            ),
        )

    def refresh(self) -> None:
        """Read the four lists again off the GUI thread; they fill in when the read returns."""
        sections = self._sections()
        if not self._shown_once:  # later refreshes keep the old rows until the new arrive
            for section, flt, title, _empty in sections:
                section.set_loading(title, flt)
        service, gives_out = self.service, self.gives_out
        filters = [flt for _section, flt, _title, _empty in sections]
        workspace, chases = self.window_.workspace, self.chases

        def read() -> tuple[list[tuple[list[CaseRow], int]], int, int, tuple[int, int]]:
            found = []
            for flt in filters:
                rows = service.list_cases(flt, 0, SECTION_LIMIT)
                total = service.count_cases(flt) if len(rows) == SECTION_LIMIT else len(rows)
                found.append((rows, total))
            unanswered = (0, 0)
            if chases:
                wait = reply_wait_days(workspace)
                unanswered = (ReplyWatch(workspace).count_unanswered(wait), wait)
            if not gives_out:
                return found, 0, 0, unanswered
            waiting, escalated = service.count_cases(WAITING), service.count_cases(ESCALATED)
            return found, waiting, escalated, unanswered

        self.loading = True
        self._reader.submit([read])

    def _arrived(self, _step: int, result: object) -> None:
        self.loading = False
        self._shown_once = True
        found, waiting, escalated, (unanswered, wait) = cast(
            tuple[list[tuple[list[CaseRow], int]], int, int, tuple[int, int]], result
        )
        for (section, flt, title, empty), (rows, total) in zip(
            self._sections(), found, strict=True
        ):
            section.set_rows(rows, total, title, empty, flt)
        self.waiting.setText(
            ngettext(
                "{n} open case waits for an officer",
                "{n} open cases wait for an officer",
                waiting,
            ).format(n=format_number(waiting))
        )
        self.waiting.setToolTip(_("List them, to give each to an officer"))
        self.waiting.setVisible(waiting > 0)
        self.escalated.setText(
            ngettext(
                "{n} overdue case escalated to you",
                "{n} overdue cases escalated to you",
                escalated,
            ).format(n=format_number(escalated))
        )
        self.escalated.setToolTip(
            _(
                "Overdue cases no one has acted on since their deadline passed. A new due "
                "date or a change of status takes a case off this list."
            )
        )
        self.escalated.setVisible(escalated > 0)
        self.unanswered.setText(
            ngettext("{n} letter awaits a reply", "{n} letters await a reply", unanswered).format(
                n=format_number(unanswered)
            )
        )
        self.unanswered.setToolTip(
            ngettext(
                "Letters of open cases sent {n} day ago or earlier with no reply recorded: "
                "list them in Letters",
                "Letters of open cases sent {n} days ago or earlier with no reply recorded: "
                "list them in Letters",
                wait,
            ).format(n=format_number(wait))
        )
        self.unanswered.setVisible(unanswered > 0)
        self.loaded.emit()

    def show_unanswered(self) -> None:
        """The letters register listing exactly the letters counted."""
        area = self.window_.show_area("letters")
        show = getattr(area, "show_unanswered", None)
        if show is not None:
            show()

    def _read_failed(self, exc: BaseException) -> None:
        self.loading = False
        show_error(self, exc)

    def show_all(self, flt: CaseFilter) -> None:
        """The case list filtered to exactly the cases a section counted."""
        area = self.window_.show_area("cases")
        show = getattr(area, "show_filtered", None)
        if show is not None:
            show(flt)

    def _data_changed(self, change: DataChanged) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def open_case(self, case_id: str) -> None:
        area = self.window_.show_area("cases")
        opener = getattr(area, "open_case", None)
        if opener is not None:
            opener(case_id)


def register(window: MainWindow) -> None:
    window.register_area(
        "start", lambda: _("Start"), StartPage, QStyle.StandardPixmap.SP_DirHomeIcon
    )
