"""A case's attachments: add (file dialog or drag and drop), open, remove with a reason.

Before a file that looks like a passport or ID card is stored, the officer is reminded that
Kazakh law restricts keeping copies of identity documents and must confirm it is needed.
Opening writes the file, under its cleaned name, to the app's private temporary folder
(``ui.private_temp``), which is emptied when the main window closes or the app quits.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QMessageBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.file_content import NotViewable, not_viewable
from app.domain.filenames import clean_filename, opens_in_viewer
from app.errors import QorgauError
from app.i18n import _, format_date, format_datetime, format_size
from app.os_errors import os_error_text
from app.reports.export import replace_file
from app.services.cases import (
    CaseService,
    identity_document_warning,
    looks_like_identity_document,
    not_attachable,
    read_attachment,
    web_link_not_attachable,
)
from app.services.records import AttachmentInfo, CaseDetail
from ui.private_temp import PrivateTempFolder
from ui.tasks import BackgroundTask, TaskContext, show_error
from ui.widgets.busy import BusyIndicator
from ui.widgets.columns import ColumnFit
from ui.widgets.common import delete_presses, open_on_enter, push_button
from ui.widgets.dialogs import ReasonDialog, confirm
from ui.widgets.file_dialogs import in_documents, save_path
from ui.widgets.flow import FlowLayout
from ui.widgets.plain import plain_tooltip
from ui.widgets.row_menu import row_menu

NAME, SIZE, ADDED_BY, ADDED_AT = range(4)


def open_with_system(url: QUrl) -> bool:
    """The desktop's viewer for the file (replaced in tests)."""
    return QDesktopServices.openUrl(url)


class AttachmentsPanel(QWidget):
    case_changed = Signal(object)

    def __init__(self, service: CaseService, temp_folder: PrivateTempFolder | None = None) -> None:
        super().__init__()
        self.service = service
        self._own_temp = temp_folder is None
        self.temp_folder = temp_folder or PrivateTempFolder()
        self.case: CaseDetail | None = None
        self.task: BackgroundTask[object] | None = None
        self.dialog: QWidget | None = None
        self.opened: list[Path] = []
        self.busy = BusyIndicator()
        self._queued: list[Callable[[object], CaseDetail]] = []
        self.writable = True
        self.setAcceptDrops(True)

        self.tree = QTreeWidget()
        self.tree.setRootIsDecorated(False)
        self.tree.setColumnCount(4)
        self.columns = ColumnFit(
            self.tree, "attachments", stretch=NAME, whole=(SIZE, ADDED_BY, ADDED_AT)
        )
        self.tree.itemDoubleClicked.connect(lambda _item, _col: self.open_selected())
        self.tree.currentItemChanged.connect(lambda *_a: self._update_buttons())
        self.add_button = push_button(self.choose_files)
        self.open_button = push_button(self.open_selected)
        self.save_button = push_button(self.save_selected)
        self.remove_button = push_button(self.remove_selected)
        open_on_enter(self.tree, lambda _index: self.open_selected())
        delete_presses(self.tree, self.remove_button)  # the reason is asked, as by the button
        row_menu(self.tree, self.open_button, self.save_button, self.remove_button)
        # On a second row where the tab is narrower than they are: on one row (511 pixels in
        # Kazakh at 150 % display scaling) they kept the editor's tabs that wide, and the
        # worker's form beside them scrolled sideways.
        buttons = FlowLayout()
        for item in (
            self.add_button,
            self.open_button,
            self.save_button,
            self.remove_button,
            self.busy,
        ):
            buttons.addWidget(item)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.tree.setHeaderLabels([_("File"), _("Size"), _("Added by"), _("Added")])
        self.tree.setToolTip(_("Drop files here to attach them to the case."))
        self.add_button.setText(_("&Attach files…"))
        self.open_button.setText(_("&Open"))
        self.save_button.setText(_("Sav&e a copy…"))
        self.remove_button.setText(_("Remove…"))
        self.set_case(self.case)

    def set_read_only(self, read_only: bool = True) -> None:
        """For a role that reads cases only, or a case held elsewhere: files are opened and
        copied, not added or removed."""
        self.writable = not read_only
        self.add_button.setVisible(not read_only)
        self.remove_button.setVisible(not read_only)
        self.setAcceptDrops(not read_only)

    def set_case(self, case: CaseDetail | None) -> None:
        self.case = case
        self.tree.clear()
        for info in case.attachments if case else ():
            added_at = info.added_at.astimezone()
            item = QTreeWidgetItem(
                [
                    info.filename + (" ⚠" if info.is_identity_document else ""),
                    format_size(info.size),
                    info.added_by,
                    # The day; the hour as its tooltip: with it the date took the file's room.
                    format_date(added_at.date()),
                ]
            )
            item.setToolTip(ADDED_AT, format_datetime(added_at))
            item.setData(NAME, Qt.ItemDataRole.UserRole, info.id)
            tip = "\n".join(
                t
                for t in (
                    info.filename,
                    info.description,
                    _("Kept because: {reason}").format(reason=info.identity_reason)
                    if info.identity_reason
                    else "",
                )
                if t
            )
            item.setToolTip(NAME, plain_tooltip(tip))
            self.tree.addTopLevelItem(item)
        self.add_button.setEnabled(case is not None)
        self._update_buttons()

    def selected(self) -> AttachmentInfo | None:
        item = self.tree.currentItem()
        if item is None or self.case is None:
            return None
        wanted = item.data(NAME, Qt.ItemDataRole.UserRole)
        return next((a for a in self.case.attachments if a.id == wanted), None)

    def _update_buttons(self) -> None:
        has = self.selected() is not None
        self.open_button.setEnabled(has)
        self.save_button.setEnabled(has)
        self.remove_button.setEnabled(has)

    # Adding ------------------------------------------------------------------------------

    def choose_files(self) -> None:
        files, _filter = QFileDialog.getOpenFileNames(
            self, _("Attach files to the case"), in_documents()
        )
        for name in files:
            self.add_file(Path(name))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt name
        if self.writable and self.case is not None and event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt name
        refusals = []
        for url in event.mimeData().urls():
            if not url.isLocalFile():
                refusals.append(web_link_not_attachable(url.toDisplayString()))
                continue
            path = Path(url.toLocalFile())
            # Said at once: a pipe or a device would hold the save queue on its endless read.
            refusal = not_attachable(path)
            if refusal:
                refusals.append(refusal)
            else:
                self.add_file(path)
        event.acceptProposedAction()
        if refusals:
            # After the drop returns: a modal box inside it would hold the file manager the
            # files came from until it is closed.
            refused = QorgauError("\n\n".join(refusals))
            QTimer.singleShot(0, self, lambda: show_error(self, refused))

    def add_file(self, path: Path) -> None:
        """Store ``path`` (after the identity-document warning when its name suggests one)."""
        if self.case is None or not self.writable:
            return
        if looks_like_identity_document(path.name):
            # The warning asks the officer to say why: the dialog has the field for it, and
            # the reason is stored with the file and in the audit log.
            dialog = ReasonDialog(
                self,
                _("An identity document?"),
                identity_document_warning()
                + "\n\n"
                + _("To store “{name}” anyway, say why it is indispensable for the case.").format(
                    name=path.name
                ),
                required=True,
            )
            dialog.set_ok_text(lambda: _("Store it, it is indispensable"))
            dialog.accepted.connect(lambda: self._store(path, True, dialog.text()))
            self.dialog = dialog
            dialog.open()
            return
        self._store(path, identity=False)

    def _store(self, path: Path, identity: bool, reason: str = "") -> None:
        case = self.case
        if case is None:
            return
        service = self.service

        def work(_ctx: object) -> CaseDetail:
            service.add_attachment(
                case.id,
                path.name,
                read_attachment(path),
                is_identity_document=identity,
                identity_document_acknowledged=identity,
                identity_reason=reason,
            )
            return service.get_case(case.id)

        self._run(work)

    def _run(self, work: Callable[[object], CaseDetail]) -> None:
        """Queue a write: one at a time on a pool thread, the buttons disabled and "Saving…"
        shown meanwhile (several files dropped at once are stored one after the other)."""
        self._queued.append(work)
        self._run_next()

    @property
    def writing(self) -> bool:
        """True while a write runs or waits its turn."""
        return bool(self._queued) or (self.task is not None and self.task.running)

    def _run_next(self) -> None:
        if (self.task is not None and self.task.running) or not self._queued:
            return
        task: BackgroundTask[object] = BackgroundTask(self, self._queued.pop(0))
        task.finished.connect(self._run_next, Qt.ConnectionType.QueuedConnection)
        task.while_busy(
            self.add_button,
            self.remove_button,
            indicator=self.busy,
            text=_("Saving…"),
        )
        self.task = task.success(self._changed).failure(self._failed).run_in_background()

    def _changed(self, detail: object) -> None:
        assert isinstance(detail, CaseDetail)
        self.set_case(detail)
        self.case_changed.emit(detail)

    def _failed(self, exc: BaseException) -> None:
        self._show_failure(exc, _("The file cannot be read: {error}"))

    def _show_failure(self, exc: BaseException, file_error: str) -> None:
        """``exc`` shown; a file's own error (a full disk, a locked file) in ``file_error``."""
        if isinstance(exc, OSError):
            exc = QorgauError(file_error.format(error=os_error_text(exc)))
        show_error(self, exc)

    # Opening and removing ----------------------------------------------------------------

    def temp_dir(self) -> Path:
        if self._own_temp and not self.temp_folder.exists:
            # A panel used on its own (no main window) still empties its folder on quit.
            app = QCoreApplication.instance()
            if app is not None:
                app.aboutToQuit.connect(self.temp_folder.empty)
        return self.temp_folder.path

    def open_selected(self) -> BackgroundTask[Path | NotViewable] | None:
        """Open the chosen attachment with the system's viewer: read (and audited) and
        written to the private temporary folder off the GUI thread (a 200-page scan is tens
        of megabytes); the viewer is asked once the file is there. A file whose content is not
        what its name says, or a PDF with scripts, is not written: a copy is offered."""
        info = self.selected()
        if info is None:
            return None
        if not opens_in_viewer(info.filename):
            self._offer_a_copy(info)
            return None
        service, folder = self.service, self.temp_folder
        self.temp_dir()  # here: it connects to the application as it quits

        def work(_context: TaskContext) -> Path | NotViewable:
            _info, content = service.attachment_content(info.id)
            refusal = not_viewable(clean_filename(info.filename), content)
            if refusal is not None:
                return refusal
            return folder.write(info.filename, content, subfolder=info.id[:8])

        def opened(result: Path | NotViewable) -> None:
            if isinstance(result, NotViewable):
                self._offer_a_copy(info, result)
            else:
                self._open_with_system(result)

        task: BackgroundTask[Path | NotViewable] = BackgroundTask(self, work)
        task.while_busy(self.open_button)
        return task.success(opened).failure(self._not_opened).run_in_background()

    def _open_with_system(self, target: Path) -> None:
        self.opened.append(target)
        open_with_system(QUrl.fromLocalFile(str(target)))

    def _offer_a_copy(self, info: AttachmentInfo, why: NotViewable | None = None) -> None:
        """A file that could run a program is never opened from here: a copy, if wanted."""
        box = confirm(
            self,
            _("Not opened from Qorgau"),
            _not_opened_text(why).format(name=clean_filename(info.filename)),
            lambda: self.save_copy(info),
            _("Save a copy…"),
        )
        box.setIcon(QMessageBox.Icon.Warning)
        self.dialog = box

    def save_selected(self) -> BackgroundTask[Path] | None:
        info = self.selected()
        return self.save_copy(info) if info is not None else None

    def save_copy(self, info: AttachmentInfo) -> BackgroundTask[Path] | None:
        """Write a copy of the file where the user chooses (read, and audited as a copy kept
        outside the database, off the GUI thread)."""
        name = clean_filename(info.filename)
        target = save_path(self, _("Save a copy of the attachment"), name, _("All files (*)"))
        if target is None:
            return None
        service = self.service

        def work(_context: TaskContext) -> Path:
            _info, content = service.attachment_content(info.id, saved_copy=True)
            replace_file(target, content)
            return target

        task: BackgroundTask[Path] = BackgroundTask(self, work)
        task.while_busy(self.save_button, self.open_button)
        return task.failure(self._not_written).run_in_background()

    def _not_written(self, exc: BaseException) -> None:
        self._show_failure(exc, _("The copy cannot be written: {error}"))

    def _not_opened(self, exc: BaseException) -> None:
        # Written to the temporary folder for the viewer: "cannot be read" misled there.
        self._show_failure(exc, _("The file cannot be opened: {error}"))

    def open_attachment(self, attachment_id: str) -> bool:
        """Select and open one attachment (a timeline entry links to it); False if gone."""
        for row in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(row)
            if item is not None and item.data(NAME, Qt.ItemDataRole.UserRole) == attachment_id:
                self.tree.setCurrentItem(item)
                self.open_selected()
                return True
        return False

    def remove_selected(self) -> None:
        info = self.selected()
        if info is None or self.case is None:
            return
        dialog = ReasonDialog(
            self,
            _("Remove an attachment"),
            _("Why is “{name}” removed? The reason stays on the timeline.").format(
                name=info.filename
            ),
        )
        dialog.set_ok_text(lambda: _("Remove"))
        dialog.accepted.connect(lambda: self._remove(info.id, dialog.text()))
        self.dialog = dialog
        dialog.open()

    def _remove(self, attachment_id: str, reason: str) -> None:
        case = self.case
        if case is None:
            return
        service = self.service

        def work(_ctx: object) -> CaseDetail:
            service.remove_attachment(attachment_id, reason)
            return service.get_case(case.id)

        self._run(work)


def _not_opened_text(why: NotViewable | None) -> str:
    """Why a file is not opened (its ``{name}`` still to fill), and what the officer may do."""
    if why is NotViewable.DISGUISED:
        return _(
            "“{name}” is not opened from Qorgau: what the file holds is not what its name "
            "says, and the program that opens it could run what it holds. Save a copy, and "
            "open it only if you trust where it came from."
        )
    if why is NotViewable.ACTIVE_PDF:
        return _(
            "“{name}” is not opened from Qorgau: this PDF holds a script or an action that a "
            "PDF reader could run on this computer. Save a copy, and open it only if you "
            "trust where it came from."
        )
    if why is NotViewable.ACTIVE_DOCUMENT:
        return _(
            "“{name}” is not opened from Qorgau: this document holds macros, or fetches or "
            "starts something from outside as it opens. Save a copy, and open it only if you "
            "trust where it came from."
        )
    return _(
        "“{name}” is not opened from Qorgau: a file of this type could run a program "
        "on this computer. Save a copy, and open it only if you trust where it came "
        "from."
    )
