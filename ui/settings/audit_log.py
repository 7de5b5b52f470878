"""The audit log, read: who did what and when, and whether the chain is intact.

Every act is audited (``app.security.audit``), and until now only ``qorgau audit verify`` read
the log: an administrator asked who opened a case, who exported the mission's data or who
signed in at night had nothing to look at. This dialog lists the entries, the latest first, a
page at a time (a mission's log holds millions), by user and by record, and checks the chain
off the GUI thread (16 s for a million entries).
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import QorgauError
from app.exchange.parts import PREFIX_CHARS
from app.i18n import _, format_datetime, format_number
from app.services.audit_log import (
    ENTRIES_PAGE,
    AuditCheck,
    AuditEntryInfo,
    AuditLogService,
    tampered_message,
)
from app.services.audit_text import details_in_words
from app.services.users import UserService
from app.services.workspace import Workspace
from ui.palette import outcome_style
from ui.tasks import BackgroundTask, show_error
from ui.widgets.columns import MIN_STRETCH, ONE_LINE_ROW, ColumnFit
from ui.widgets.common import name_clear_button, open_at, read_only_table, word_wrapped
from ui.widgets.plain import plain_label, plain_tooltip
from ui.widgets.text_size import text_scale

WHEN, USER, ACTION, RECORD, DETAILS = range(5)
DETAILS_SHOWN = 160  # characters of an entry's details in its cell; the tooltip has them all


def details_text(details: dict[str, Any]) -> str:
    """The details as stored, for an auditor: the tooltip of the words."""
    return json.dumps(details, ensure_ascii=False, sort_keys=True) if details else ""


def shortened(text: str) -> str:
    return text[:DETAILS_SHOWN] + ("…" if len(text) > DETAILS_SHOWN else "")


def _record_shown(entry: AuditEntryInfo) -> str:
    """A bundle by its id's first characters, as the exchange log names it: its whole id
    took a third of the dialog's width from the details."""
    if entry.entity == "bundle" and len(entry.record) > PREFIX_CHARS:
        return entry.record[:PREFIX_CHARS] + "…"
    return entry.record


class AuditLogDialog(QDialog):
    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = AuditLogService(workspace)
        self.entries: list[AuditEntryInfo] = []
        self.check_task: BackgroundTask[AuditCheck] | None = None
        self.setWindowTitle(_("Audit log"))
        open_at(self, QSize(1100, 620))
        self.user = QComboBox()
        self.user.addItem(_("All users"), "")
        for user in UserService(workspace).list():
            self.user.addItem(user.username, user.username)
        self.user.currentIndexChanged.connect(self.reload)
        self.record = QLineEdit()
        self.record.setPlaceholderText(_("Record: case or letter number, user name…"))
        self.record.setClearButtonEnabled(True)
        name_clear_button(self.record)  # the dialog is built in one language
        self.record.returnPressed.connect(self.reload)
        self.record.textChanged.connect(self._record_cleared)
        # The window's Ctrl+F does not reach a dialog: here it finds the record to filter by.
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.activated.connect(self.focus_search)
        self.check_button = QPushButton(_("&Check the chain"))
        self.check_button.clicked.connect(self.check_chain)
        filters = QHBoxLayout()
        filters.addWidget(QLabel(_("User:")))
        filters.addWidget(self.user)
        filters.addWidget(self.record, 1)
        filters.addWidget(self.check_button)
        self.table = read_only_table(5, stretch=(DETAILS,))
        self.table.setHorizontalHeaderLabels(
            [_("When"), _("User"), _("Action"), _("Record"), _("Details")]
        )
        # Rows as tall as their text: the style's default row, two lines tall, showed half
        # the entries a screen holds, their details cut at one line. Now the details wrap, to
        # two lines at most (the tooltip has them all); most entries take one line.
        # The action and the user give way to the details, which keep more at a larger
        # text: at 150 % text in a 1024-pixel screen's dialog, beside a user's name as the
        # record, they had 71 pixels in Kazakh and read «Рөлі: Еңбе…».
        self.columns = ColumnFit(
            self.table,
            "audit_log",
            stretch=DETAILS,
            wrap=True,
            whole=(WHEN, RECORD),
            max_lines=2,
            min_stretch=round(MIN_STRETCH * text_scale()),
            yields=(ACTION, USER),
        )
        self.table.verticalHeader().setMinimumSectionSize(ONE_LINE_ROW)
        self.count = plain_label()
        self.older_button = QPushButton(_("Show &older entries"))
        self.older_button.clicked.connect(self.show_older)
        self.verdict = word_wrapped(plain_label())
        self.verdict.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        below = QHBoxLayout()
        below.addWidget(self.count, 1)
        below.addWidget(self.older_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(below)
        layout.addWidget(self.verdict)
        layout.addWidget(buttons)
        self.reload()

    def focus_search(self) -> None:
        self.record.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.record.selectAll()

    # -- the entries ------------------------------------------------------------------------

    def reload(self) -> None:
        self.entries = []
        self.table.setRowCount(0)
        self._read(None)

    def _record_cleared(self, text: str) -> None:
        if not text:  # the clear button: every record again (a typed one waits for Enter)
            self.reload()

    def show_older(self) -> None:
        if self.entries:
            self._read(self.entries[-1].seq)

    def _read(self, before_seq: int | None) -> None:
        try:
            page = self.service.entries(
                self.user.currentData() or None,
                self.record.text().strip() or None,
                before_seq,
                ENTRIES_PAGE,
            )
        except QorgauError as exc:
            show_error(self, exc)
            return
        first = len(self.entries)
        self.entries.extend(page)
        self.table.setRowCount(len(self.entries))
        for row, entry in enumerate(page, start=first):
            words = details_in_words(entry.action, entry.details, entry.record)
            cells = (
                format_datetime(entry.at.astimezone()),
                entry.actor,
                entry.label,
                _record_shown(entry),
                shortened(words),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == DETAILS and entry.details:
                    # The words in full, then the entry as stored (`qorgau audit list --json`)
                    stored = details_text(entry.details)
                    item.setToolTip(plain_tooltip(f"{words}\n\n{stored}" if words else stored))
                if column == RECORD and entry.record != text:
                    item.setToolTip(entry.record)
                if column == ACTION:
                    item.setToolTip(entry.action)  # the code, as `qorgau audit list --json` has it
                self.table.setItem(row, column, item)
        self.older_button.setEnabled(len(page) == ENTRIES_PAGE)
        self.count.setText(
            _("{n} entries shown, the latest first").format(n=format_number(len(self.entries)))
        )

    # -- the chain --------------------------------------------------------------------------

    def check_chain(self) -> BackgroundTask[AuditCheck]:
        service = self.service
        task: BackgroundTask[AuditCheck] = BackgroundTask(self, lambda _ctx: service.verify())
        task.with_progress(_("Checking the audit log…"))
        self.check_task = task.success(self._checked).failure(self._check_failed)
        return self.check_task.run_in_background()

    def _checked(self, check: AuditCheck) -> None:
        if check.ok:
            self._say(
                _("The audit log is intact: {n} entries checked.").format(
                    n=format_number(check.entries)
                ),
                good=True,
            )
            return
        problems = "\n".join(problem.message for problem in check.problems[:20])
        self._say(
            tampered_message(len(check.problems)) + "\n" + problems,
            good=False,
        )

    def _check_failed(self, exc: BaseException) -> None:
        if isinstance(exc, QorgauError):
            self._say(str(exc), good=False)
        else:
            show_error(self, exc)

    def _say(self, text: str, good: bool) -> None:
        self.verdict.setText(text)
        self.verdict.setStyleSheet(outcome_style(good))
        self.verdict.show()


def open_audit_log(workspace: Workspace, parent: QWidget) -> AuditLogDialog:
    dialog = AuditLogDialog(workspace, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
