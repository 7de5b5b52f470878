"""The Letters page: the outgoing register with filters, a preview, and the letter workflow.

Approving, issuing and discarding run ``LetterService`` on a pool thread (``ui/tasks.py``):
each is one short transaction, but it may wait for the database while another window or
command writes, so the page is disabled under "Saving…" meanwhile and the register refreshes
on the GUI thread once the write is done. Drafting is the letter dialog's (``dialog.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import cast

from PySide6.QtCore import QCoreApplication, QItemSelection, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.codes import LetterKind, LetterStatus, label
from app.errors import AccountChanged, QorgauError
from app.i18n import _, format_number, ngettext
from app.letters import LETTER_KINDS
from app.os_errors import os_error_reason
from app.reports.export import replace_file
from app.services import settings as domain_settings
from app.services.cases import CaseService
from app.services.changes import DataChanged
from app.services.letters import (
    APPROVERS,
    LETTER_STATUSES,
    WRITERS,
    LetterFilter,
    LetterInfo,
    LetterService,
)
from app.services.workspace import Workspace
from ui.changes import listen_to_changes
from ui.i18n_bridge import LanguageBridge
from ui.icons import icon
from ui.letters.check import LetterCheckDialog
from ui.letters.dialog import LetterDialog
from ui.letters.model import (
    ADDRESSEE,
    CASE,
    DATE,
    KIND,
    LANG,
    LETTER_ROLE,
    NUMBER,
    REPLY,
    STATUS,
    SUBJECT,
    LetterTableModel,
    status_label,
)
from ui.letters.preview import HAVE_QTPDF, ChecksPane, PdfPreview, show_checks
from ui.letters.printing import print_pdf
from ui.letters.reply import ReplyDialog
from ui.tasks import BackgroundTask, LatestOnly, OneWriteAtATime, show_error
from ui.widgets.busy import BusyIndicator
from ui.widgets.columns import ColumnFit
from ui.widgets.common import (
    delete_presses,
    fit_first_entry,
    name_clear_button,
    one_row_at_a_time,
    open_on_enter,
    push_button,
    word_wrapped,
)
from ui.widgets.dialogs import confirm
from ui.widgets.file_dialogs import save_path
from ui.widgets.flow import FlowLayout
from ui.widgets.plain import plain_label, plain_message
from ui.widgets.row_menu import row_menu
from ui.widgets.text_size import application_font_watch, heading, text_scale

FIRST_YEAR = 2020
# The status filter's last entry: issued letters still awaiting a reply past the mission's wait.
UNANSWERED = "unanswered"
REGISTER_ROWS = 1000  # the newest letters listed; the note says how many there are


def _checks_of(service: LetterService, letter_id: str) -> list[str]:
    """The checks before approval; none if they cannot be read now (a letter discarded
    meanwhile): the approval asks again, and says why it cannot."""
    try:
        return service.warnings(letter_id)
    except QorgauError:
        return []


# Below this width (a 1024-pixel screen at 150 % leaves the page some 610 pixels) the
# register takes the page's whole width and the preview folds away; more at a larger text.
PREVIEW_ROOM = 700


class LettersPage(QWidget):
    letter_issued = Signal(object)  # LetterInfo
    copy_recorded = Signal(str)  # the letter's id, once its copy's audit entry is written
    status_message = Signal(str)  # what a step did, for the window's status bar

    def __init__(self, workspace: Workspace, bridge: LanguageBridge | None = None) -> None:
        super().__init__()
        self.workspace = workspace
        self.service = LetterService(workspace)
        self.dialog: LetterDialog | None = None
        self.reply_dialog: ReplyDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self.approval_check: BackgroundTask[list[str]] | None = None
        self.busy = BusyIndicator()

        filters = self._build_filters()
        self._build_table()
        actions = self._build_actions()
        delete_presses(self.table, self.discard_button)  # a draft's Discard, asked first
        row_menu(self.table, *self.row_actions)
        self.preview = PdfPreview(
            empty_hint=lambda: _("Choose a letter in the register to see it here.")
        )
        self.checks = ChecksPane()
        # A draft's preview is rendered (130-170 ms) off the GUI thread, so the arrow keys
        # move through the register at once: the letter chosen last is the one shown.
        self._previews = LatestOnly(self, workspace.db.interrupt, resume=workspace.db.resume)
        self._previews.answered.connect(self._preview_rendered)
        self._previews.refused.connect(self._preview_refused)
        self.loading = False  # a preview is being rendered
        self._reloading = False
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(0)
        self._render_timer.timeout.connect(self._render_chosen)
        self.register = QWidget()  # filters, register and actions: disabled while a write runs
        self.writes: OneWriteAtATime[object] = OneWriteAtATime(
            self, self.register, indicator=self.busy
        )
        left_layout = QVBoxLayout(self.register)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.capped_note)
        left_layout.addWidget(self.empty_note)
        left_layout.addWidget(self.checks)  # above Approve, as wide as the register
        left_layout.addLayout(actions)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.register)
        splitter.addWidget(self.preview)
        # The register needs the width for its eight columns; the preview, a thumbnail of the
        # page at any of these widths, takes a sixth and scales.
        splitter.setSizes([500, 100])
        self.splitter = splitter
        self.preview_folded = False
        # Titled as the other areas are (Cases, Reports): the page began with a filter row.
        self.title = heading(QLabel())
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(splitter, 1)
        app = QCoreApplication.instance()
        if app is not None:  # the text size changed: the room the preview needs with it
            application_font_watch(app).changed.connect(self._fold_preview)

        if bridge is not None:
            bridge.language_changed.connect(self.retranslate_ui)
        self.retranslate_ui()
        listen_to_changes(self, workspace, self._data_changed)
        self.refresh()
        if self.model.rowCount():
            self.table.selectRow(0)  # the latest letter, so the preview is not empty

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        self._fold_preview()

    def _fold_preview(self) -> None:
        """The preview folded away (its splitter handle brings it back) while the page is
        narrower than ``PREVIEW_ROOM``: on a 1024-pixel screen at 150 % its thumbnail, too
        small to read, left the register's columns so little that in Russian the subject
        was out of sight. In step with the text size: at 150 % text a 1024-pixel window
        left the page 745 pixels, and the thumbnail kept a fifth of them."""
        folded = self.width() < PREVIEW_ROOM * text_scale()
        if folded == self.preview_folded:
            return
        self.preview_folded = folded
        self.splitter.setSizes([500, 0] if folded else [500, 100])

    def _build_filters(self) -> FlowLayout:
        """Kind, status, year and case number; each change reloads the register. They wrap
        onto more rows where the register is narrow: on one row beside the preview they made
        the page 801 pixels wide in Kazakh, and on a 1024-pixel screen at 150 % it scrolled
        192 pixels sideways."""
        self.kind_filter = QComboBox()
        self.kind_filter.addItem("", None)
        for code in LETTER_KINDS:
            self.kind_filter.addItem("", code)
        self.status_filter = QComboBox()
        self.status_filter.addItem("", None)
        for status in LETTER_STATUSES:
            self.status_filter.addItem("", status)
        self.status_filter.addItem("", UNANSWERED)
        self.year_filter = QComboBox()
        self.year_filter.addItem("", None)
        for year in range(self.service.today.year, FIRST_YEAR - 1, -1):
            self.year_filter.addItem(str(year), year)
        self.case_filter = QLineEdit()
        self.case_filter.setClearButtonEnabled(True)
        for combo in (self.kind_filter, self.status_filter, self.year_filter):
            combo.currentIndexChanged.connect(lambda _index: self.refresh())
        self.kind_filter.currentTextChanged.connect(self.kind_filter.setToolTip)
        self.case_filter.editingFinished.connect(lambda: self.refresh())
        self.filter_label = QLabel()
        row = FlowLayout()
        for widget in (
            self.filter_label,
            self.kind_filter,
            self.status_filter,
            self.year_filter,
            self.case_filter,
        ):
            row.addWidget(widget)
        return row

    def _build_table(self) -> None:
        self.model = LetterTableModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        one_row_at_a_time(self.table)
        self.table.verticalHeader().hide()
        # Eight columns beside the preview at 1366 pixels: kinds, subjects and addressees wrap
        # to two lines at most (the rest elided, whole in the tooltip), so that some twenty
        # letters are in view, not a dozen. The subject, less the case it names (its own
        # column), takes the rest of the width; the other columns fit their contents.
        self.columns = ColumnFit(
            self.table,
            "letters",
            stretch=SUBJECT,
            wrap=True,
            max_width=140,
            min_stretch=120,
            whole=(NUMBER, DATE, STATUS, CASE, LANG),
            max_lines=2,
            choosable=(DATE, STATUS, CASE, KIND, LANG, ADDRESSEE, REPLY),
            # Beside the preview at 1366 pixels the reply column goes first (the Start page
            # counts the letters awaiting a reply, and the status filter lists them); at 150 %
            # display scaling (some 680 pixels) the language, the date and the addressee go
            # too, in this order, each back from the header's menu.
            optional=(REPLY, LANG, DATE, ADDRESSEE),
            # Still too narrow (a 1024-pixel screen at 150 %), the kind wraps down to its
            # longest word before the subject goes under its header's width.
            yields=(KIND,),
        )
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(self.edit_letter)
        # Enter opens the draft as a double click does (and as in the case list).
        open_on_enter(self.table, lambda _index: self.edit_letter())
        # The register lists the newest REGISTER_ROWS; beyond that it says how many there are.
        self.capped_note = word_wrapped(plain_label())
        self.capped_note.hide()
        self._capped: tuple[int, int] | None = None
        # Filters that leave the register empty say so: an empty table, and a preview asking
        # to choose a letter in it, read as "the register is broken" (a case number typed in
        # part, "0125", finds nothing).
        self.empty_note = word_wrapped(plain_label())
        self.empty_note.setObjectName("register_empty")
        self.empty_note.hide()
        self._found_none: LetterFilter | None = None

    def _build_actions(self) -> FlowLayout:
        """The workflow buttons under the register and the busy indicator after them, on a
        second row where the register is narrower than they are: on one row they made the page
        at least their width (1,019 pixels in Russian, more while "Saving…" showed), and the
        window wider than a 1280-pixel screen."""
        self.new_button = push_button(self.ask_case_for_new_letter, icon("mail-plus"))
        self.edit_button = push_button(self.edit_letter, icon("pencil"))
        self.approve_button = push_button(self.approve, icon("check"))
        self.issue_button = push_button(self.ask_issue, icon("send"))
        self.save_button = push_button(self.ask_save, icon("download"))
        self.print_button = push_button(self.print_letter, icon("printer"))
        self.discard_button = push_button(self.ask_discard, icon("trash-2"))
        self.reply_button = push_button(self.record_reply, icon("mail"))
        self.correct_reply_button = push_button(self.correct_reply, icon("pencil"))
        # Anyone may check a letter that comes back on paper or as a file: a read.
        self.check_button = push_button(self.check_letter, icon("file-check"))
        # What a row offers, in the bar and in the row's menu (the Menu key, a right click).
        self.row_actions = (
            self.edit_button,
            self.approve_button,
            self.issue_button,
            self.save_button,
            self.print_button,
            self.discard_button,
            self.reply_button,
            self.correct_reply_button,
            self.check_button,
        )
        row = FlowLayout()
        for button in (self.new_button, *self.row_actions, self.busy):
            row.addWidget(button)
        # Its room kept while hidden, so that a write does not move the buttons to a new row.
        policy = self.busy.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.busy.setSizePolicy(policy)
        return row

    # -- text ------------------------------------------------------------------------------

    def focus_search(self) -> None:
        """Ctrl+F here finds a letter by its case, not a case in the Cases area."""
        self.case_filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.case_filter.selectAll()

    def retranslate_ui(self) -> None:
        self.title.setText(_("Letters"))
        self._say_capped()
        self._say_found_none()
        self.filter_label.setText(_("Show:"))
        name_clear_button(self.case_filter)
        self.kind_filter.setItemText(0, _("All kinds"))
        for index, code in enumerate(LETTER_KINDS, start=1):
            self.kind_filter.setItemText(index, label(LetterKind(code)))
        self.status_filter.setItemText(0, _("All statuses"))
        for index, status in enumerate(LETTER_STATUSES, start=1):
            self.status_filter.setItemText(index, status_label(status))
        self.status_filter.setItemText(
            len(LETTER_STATUSES) + 1,
            ngettext(
                "No reply for {n} day or more",
                "No reply for {n} days or more",
                self.model.reply_wait,
            ).format(n=format_number(self.model.reply_wait)),
        )
        self.year_filter.setItemText(0, _("All years"))
        # As wide as "All kinds" asks, not as the longest kind (358 pixels in Kazakh): the
        # open list shows each whole, a chosen one is elided in the box with its tooltip.
        fit_first_entry(self.kind_filter, 20)
        self.kind_filter.setToolTip(self.kind_filter.currentText())
        self.case_filter.setPlaceholderText(_("Case number"))
        self.new_button.setText(_("&New letter…"))
        self.edit_button.setText(_("&Edit…"))
        self.approve_button.setText(_("&Approve"))
        self.issue_button.setText(_("&Issue"))
        self.save_button.setText(_("&Save PDF…"))
        self.print_button.setText(_("&Print…"))
        self.discard_button.setText(_("&Discard"))
        self.reply_button.setText(_("Record a rep&ly…"))  # its tooltip: _update_buttons
        self.correct_reply_button.setText(_("Co&rrect the reply…"))
        self.correct_reply_button.setToolTip(
            _("A reply's date, sender or summary was mistyped: correct it")
        )
        self.check_button.setText(_("Check a le&tter…"))
        self.busy.label.setText(_("Saving…"))  # the room it keeps is the room it will need
        self.check_button.setToolTip(
            _("Is a letter brought back on paper or as a file one of the register's?")
        )
        self.model.retranslate()
        self.preview.retranslate_ui()
        self._update_buttons()  # their tooltips follow the language too

    # -- the register ----------------------------------------------------------------------

    def current_filter(self) -> LetterFilter:
        status = self.status_filter.currentData()
        unanswered = status == UNANSWERED
        return LetterFilter(
            kind=self.kind_filter.currentData(),
            status=None if unanswered else status,
            year=self.year_filter.currentData(),
            case_number=self.case_filter.text().strip() or None,
            unanswered_for=self.model.reply_wait if unanswered else None,
        )

    def show_unanswered(self) -> None:
        """The letters still awaiting a reply past the mission's wait (the Start page's notice)."""
        for combo in (self.kind_filter, self.year_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.case_filter.clear()
        self.status_filter.setCurrentIndex(self.status_filter.findData(UNANSWERED))
        self.refresh()

    def refresh(self, select_id: str | None = None) -> None:
        current = self.selected()
        keep = select_id or (current.id if current else None)
        self.model.today = self.service.today
        try:
            self._read_reply_wait()
        except QorgauError as exc:
            show_error(self, exc)
            return
        flt = self.current_filter()
        try:
            letters = self.service.list_letters(flt, limit=REGISTER_ROWS)
            total = self.service.count(flt) if len(letters) == REGISTER_ROWS else len(letters)
        except QorgauError as exc:
            show_error(self, exc)
            return
        self._capped = (len(letters), total) if total > len(letters) else None
        self._say_capped()
        self._found_none = flt if not letters and flt != LetterFilter() else None
        self._say_found_none()
        self._reloading = True  # the letter is chosen again below: its preview stays meanwhile
        try:
            self.model.set_letters(letters)
        finally:
            self._reloading = False
        row = self.model.row_of(keep) if keep else -1
        if row >= 0:
            self.table.selectRow(row)
        else:
            self._show_no_letter()
        self._update_buttons()

    def _read_reply_wait(self) -> None:
        """The mission's wait for a reply, read again: an administrator may have changed it."""
        wait = domain_settings.reply_wait_days(self.workspace)
        if wait != self.model.reply_wait:
            self.model.reply_wait = wait
            self.retranslate_ui()

    def _say_capped(self) -> None:
        if self._capped is not None:
            shown, total = self._capped
            self.capped_note.setText(
                _(
                    "The newest {shown} of {total} letters are listed: choose a year, a kind "
                    "or a case to find the others."
                ).format(shown=format_number(shown), total=format_number(total))
            )
        self.capped_note.setVisible(self._capped is not None)

    def _say_found_none(self) -> None:
        flt = self._found_none
        # The case number alone finds nothing: most likely it was typed in part.
        if flt is not None and flt == LetterFilter(case_number=flt.case_number):
            self.empty_note.setText(
                _(
                    "No letter in the register is for case {number}. Type the case's whole "
                    "number, as the Case column shows it."
                ).format(number=flt.case_number)
            )
        elif flt is not None:
            self.empty_note.setText(_("No letter in the register matches the filters above."))
        self.empty_note.setVisible(flt is not None)

    def open_letter(self, letter_id: str) -> None:
        """Show one letter, asked for by a case: the register filtered to its case, it chosen."""
        info = self.service.get(letter_id)
        for combo in (self.kind_filter, self.status_filter, self.year_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.case_filter.setText(info.case_number)
        self.refresh(letter_id)
        self.table.setFocus()

    def check_letter(self) -> LetterCheckDialog:
        """The check of a printed letter's code or a PDF file; a letter found is shown here."""
        dialog = LetterCheckDialog(self.service, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.letter_chosen.connect(self.open_letter)
        dialog.open()
        return dialog

    def _data_changed(self, change: DataChanged) -> None:
        if change.touches("letter"):
            self.refresh()

    def selected(self) -> LetterInfo | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        info = rows[0].data(LETTER_ROLE)
        return info if isinstance(info, LetterInfo) else None

    def select_letter(self, letter_id: str) -> None:
        row = self.model.row_of(letter_id)
        if row >= 0:
            self.table.selectRow(row)

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        info = self.selected()
        if info is None:
            if not self._reloading:
                self._show_no_letter()
            return
        # The letter shown until then stays for the 0.1-0.2 s the rendering takes, but cannot
        # be printed meanwhile: Print would print it, not the letter chosen.
        self.loading = True
        self._update_buttons()
        # Rendered once the register has repainted: begun at once, the renderer shared the
        # interpreter with the table's paint and slowed it (and the page's first showing).
        self._render_timer.start()

    def _show_no_letter(self) -> None:
        self.checks.hide()
        self._render_timer.stop()
        self._previews.cancel()
        self._preview_done()
        self.preview.clear()

    def _render_chosen(self) -> None:
        info = self.selected()
        self.checks.hide()
        if info is not None:
            letter_id, service = info.id, self.service
            steps: list[Callable[[], object]] = [lambda: service.render_preview(letter_id)]
            if info.status != LetterStatus.ISSUED:
                steps.append(lambda: _checks_of(service, letter_id))
            self._previews.submit(steps)

    def _preview_rendered(self, step: int, result: object) -> None:
        if step == 1:  # the checks before approval, after the letter itself
            show_checks(self.checks, cast(list[str], result))
            return
        self.preview.set_pdf(cast(bytes, result))
        self._preview_done()

    def _preview_refused(self, exc: object) -> None:
        """A letter that cannot be shown says why in the preview's place (an anonymised
        case's letter, whose PDF is no longer kept): a message box at each such letter the
        arrow keys passed would stop the officer at every one."""
        if isinstance(exc, QorgauError) and not isinstance(exc, AccountChanged):
            refusal = exc
            self.preview.clear(refusal=lambda: str(refusal))
        else:
            self.preview.clear()
            show_error(self, cast(BaseException, exc))
        self._preview_done()

    def _preview_done(self) -> None:
        self.loading = False
        self._update_buttons()

    def _update_buttons(self) -> None:
        info = self.selected()
        actor = self.workspace.actor
        writer = actor.role in WRITERS
        approver = actor.role in APPROVERS
        # An unissued letter of a case HQ handed away is a record only: nothing acts on it.
        status = info.status if info and not info.held_elsewhere else None
        self.new_button.setEnabled(writer)
        self.edit_button.setEnabled(
            writer and status in (LetterStatus.DRAFT, LetterStatus.APPROVED)
        )
        self.approve_button.setEnabled(approver and status == LetterStatus.DRAFT)
        # Greyed for an attaché's draft with no word why: say who approves (and signs) it.
        self.approve_button.setToolTip(
            _("A consul or head of section approves and signs this draft.")
            if writer and not approver and status == LetterStatus.DRAFT
            else ""
        )
        self.issue_button.setEnabled(
            status == LetterStatus.APPROVED
            and info is not None
            and (approver or (writer and info.drafted_by == actor.username))
        )
        self.save_button.setEnabled(info is not None and not info.held_elsewhere)
        # What the preview shows is what is printed: nothing while it renders or could not.
        self.print_button.setEnabled(
            HAVE_QTPDF and info is not None and not self.loading and bool(self.preview.content)
        )
        self.discard_button.setEnabled(
            writer and status in (LetterStatus.DRAFT, LetterStatus.APPROVED)
        )
        anonymised = info is not None and info.case_anonymised
        self.reply_button.setEnabled(writer and status == LetterStatus.ISSUED and not anonymised)
        # Greyed with no word why, it looked broken: retention took the case's personal data.
        self.reply_button.setToolTip(
            _("Its case was anonymised at the end of the retention period: no reply is recorded.")
            if anonymised
            else _("The addressee answered this letter: record when and what")
        )
        self.correct_reply_button.setEnabled(
            writer and status == LetterStatus.ISSUED and info is not None and info.reply is not None
        )

    # -- workflow --------------------------------------------------------------------------

    def new_letter_for_case(self, case_id: str, case_number: str) -> LetterDialog:
        """Open the editor for a new letter (the Cases area calls this from a case)."""
        self.dialog = LetterDialog(self.workspace, case_id, case_number, parent=self)
        self.dialog.letter_saved.connect(lambda info: self.refresh(info.id))
        self.dialog.open()
        return self.dialog

    def ask_case_for_new_letter(self) -> None:
        number, ok = QInputDialog.getText(self, _("New letter"), _("Case number:"))
        if not ok or not number.strip():
            return
        try:
            case = CaseService(self.workspace).get_by_number(number)
            refusal = self.service.new_letter_refusal(case.id)
        except QorgauError as exc:
            show_error(self, exc)
            return
        if refusal:  # a copy HQ transferred away: said before a form that could not be saved
            plain_message(self, _("New letter"), refusal)
            return
        self.new_letter_for_case(case.id, case.number)

    def edit_letter(self) -> LetterDialog | None:
        info = self.selected()
        if info is None or info.status == LetterStatus.ISSUED or info.case_id is None:
            return None
        if info.held_elsewhere:  # a double-click on a record only: say why it does not open
            plain_message(self, _("Qorgau"), self.service.new_letter_refusal(info.case_id))
            return None
        self.dialog = LetterDialog(
            self.workspace, info.case_id, info.case_number, letter=info, parent=self
        )
        self.dialog.letter_saved.connect(lambda saved: self.refresh(saved.id))
        self.dialog.open()
        return self.dialog

    def record_reply(self) -> ReplyDialog | None:
        """The reply to the selected issued letter; the register shows it once on file."""
        info = self.selected()
        if info is None or info.status != LetterStatus.ISSUED:
            return None
        self.reply_dialog = ReplyDialog(self.service, info, parent=self)
        self.reply_dialog.accepted.connect(lambda: self._reply_recorded(info))
        self.reply_dialog.open()
        return self.reply_dialog

    def _reply_recorded(self, info: LetterInfo) -> None:
        self.refresh(info.id)
        # The register's Reply column is the first to go when the window is narrow.
        self.status_message.emit(
            _("Reply recorded: letter {number}, on the timeline of case {case}.").format(
                number=info.outgoing_number, case=info.case_number
            )
        )

    def correct_reply(self) -> ReplyDialog | None:
        """The selected letter's reply, to correct; the register shows it once on file."""
        info = self.selected()
        if info is None or info.reply is None:
            return None
        self.reply_dialog = ReplyDialog(self.service, info, parent=self, correcting=info.reply)
        self.reply_dialog.accepted.connect(lambda: self.refresh(info.id))
        self.reply_dialog.open()
        return self.reply_dialog

    def approve(self) -> BackgroundTask[list[str]] | None:
        """Approve, after showing what the approver should know (script, consent, sex).

        The checks read the case, its citations and the legal tables (with their imports the
        first time, 0.1-0.4 s): on a pool thread, the register disabled meanwhile so that a
        second click or another letter chosen cannot cross them."""
        info = self.selected()
        if info is None or self.writing or self.checking_approval:
            return None
        service = self.service
        task: BackgroundTask[list[str]] = BackgroundTask(
            self, lambda _context: service.warnings(info.id)
        )
        task.while_busy(*self.writes.widgets, indicator=self.busy, text=_("Checking…"))
        self.approval_check = (
            task.success(lambda warnings: self._approve_checked(info, warnings))
            .failure(lambda exc: show_error(self, exc))
            .run_in_background()
        )
        return self.approval_check

    @property
    def checking_approval(self) -> bool:
        return self.approval_check is not None and self.approval_check.running

    def _approve_checked(self, info: LetterInfo, warnings: list[str]) -> None:
        if not warnings:
            self._approve_confirmed(info)
            return
        self.confirm_box = confirm(
            self,
            _("Approve the letter"),
            _("Before you approve and sign, check:")
            + "\n\n"
            + "\n".join(f"• {w}" for w in warnings)
            + "\n\n"
            + _("Approve it as it is?"),
            lambda: self._approve_confirmed(info),
            _("Approve"),
        )

    def _approve_confirmed(self, info: LetterInfo) -> None:
        service = self.service

        def approved(_approved: object) -> None:
            self.refresh(info.id)
            self.status_message.emit(
                _("Approved: {kind} on case {case}.").format(
                    kind=label(LetterKind(info.kind)), case=info.case_number
                )
            )

        self._write(
            lambda: service.approve(info.id, info.version), approved, refresh_after_failure=info.id
        )

    def _ask_about_selected(
        self, title: str, question: str, then: Callable[[str], None], button: str
    ) -> None:
        """Ask ``question`` about the selected letter; ``then`` gets its id once confirmed."""
        info = self.selected()
        if info is None:
            return
        self.confirm_box = confirm(self, title, question, lambda: then(info.id), button)

    def ask_issue(self) -> None:
        self._ask_about_selected(
            _("Issue the letter"),
            _(
                "Issuing gives the letter the next outgoing number and enters it in the "
                "register for good. Issue it now?"
            ),
            self._issue_confirmed,
            _("Issue"),
        )

    def _issue_confirmed(self, letter_id: str) -> None:
        self.issue(letter_id)

    def issue(self, letter_id: str) -> BackgroundTask[object] | None:
        """Issue on a pool thread; ``letter_issued`` follows on the GUI thread once written."""
        service = self.service
        return self._write(
            lambda: service.issue(letter_id), self._issued, refresh_after_failure=letter_id
        )

    def _issued(self, info: object) -> None:
        assert isinstance(info, LetterInfo)
        self.refresh(info.id)
        self.letter_issued.emit(info)
        # The number to write on the envelope: the register's row may be scrolled away.
        self.status_message.emit(
            _("Issued: letter {number} on case {case}.").format(
                number=info.outgoing_number, case=info.case_number
            )
        )

    def ask_discard(self) -> None:
        self._ask_about_selected(
            _("Discard the letter"),
            _("Discard this draft? It has no number and leaves no trace in the register."),
            self._discard,
            _("Discard"),
        )

    def _discard(self, letter_id: str) -> None:
        service = self.service

        def discarded(_gone: object) -> None:
            self.refresh()
            self.status_message.emit(_("The draft is discarded."))

        self._write(lambda: service.discard(letter_id), discarded, refresh_after_failure="")

    @property
    def writing(self) -> bool:
        return self.writes.running

    def _write(
        self,
        write: Callable[[], object],
        done: Callable[[object], None],
        refresh_after_failure: str,
    ) -> BackgroundTask[object] | None:
        """Run one workflow step on a pool thread, the register disabled under "Saving…".

        A refusal is shown and the register reloaded (``refresh_after_failure`` is the letter
        to keep selected, "" for none): another officer may have moved the letter on."""

        def failed(exc: BaseException) -> None:
            show_error(self, exc)
            self.refresh(refresh_after_failure or None)

        return self.writes.start(write, done, failed)

    def ask_save(self) -> None:
        info = self.selected()
        if info is None:
            return
        suggested = (info.outgoing_number or _("draft")).replace("/", "-") + ".pdf"
        path = save_path(self, _("Save the letter"), suggested, _("PDF files (*.pdf)"))
        if path:
            self.save_to(path)

    def save_to(self, path: Path) -> None:
        """Write the selected letter: an issued letter's registered PDF, else a draft."""
        info = self.selected()
        if info is None:
            return
        try:
            content = (
                self.service.pdf(info.id)
                if info.status == LetterStatus.ISSUED
                else self.service.render_preview(info.id)
            )
            replace_file(path, content)  # a full disk leaves no half PDF
        except QorgauError as exc:
            show_error(self, exc)
        except OSError as exc:
            plain_message(
                self,
                _("Qorgau"),
                _("{path} cannot be written: {error}").format(
                    path=path, error=os_error_reason(exc)
                ),
            )
        else:
            self._record_copy(info.id)

    def print_letter(self) -> None:
        """Print the letter shown: an issued letter as registered, a draft as its preview
        shows it, marked as a draft and without a number."""
        info = self.selected()
        content = self.preview.content  # as shown now, whatever arrives while the dialog is open
        if info is None or self.loading or not content:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(info.outgoing_number or _("draft"))  # the job in the printer's queue
        dialog = QPrintDialog(printer, self)
        dialog.setMinMax(1, max(self.preview.page_count(), 1))
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            print_pdf(content, printer)
        except QorgauError as exc:  # PrintFailed among them
            show_error(self, exc)
            return
        finally:
            QApplication.restoreOverrideCursor()
        self._record_copy(info.id, printed=True)

    def _record_copy(self, letter_id: str, printed: bool = False) -> None:
        """Audit the copy just made, off the GUI thread: another writer (an import's batch, a
        merge step) may hold the database's write lock for a second or more."""
        service = self.service
        task: BackgroundTask[None] = BackgroundTask(
            self, lambda _context: service.record_copy(letter_id, printed)
        )
        task.success(lambda _none: self.copy_recorded.emit(letter_id)).run_in_background()
