"""The Cases area: the list, and the editor in its place while a case is open."""

from __future__ import annotations

from PySide6.QtWidgets import QStackedWidget, QStyle

from app.i18n import _
from app.services.users import UserService
from ui.cases.editor import CaseEditor
from ui.cases.list_view import CASE_WORKER_ROLES, CaseListView
from ui.contracts import open_review_for_case
from ui.letters.page import LettersPage
from ui.main_window import MainWindow


class CasesArea(QStackedWidget):
    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        workspace = window.workspace
        officers = [
            (u.username, u.full_name or u.username)
            for u in UserService(workspace).list()
            if u.active and u.role in CASE_WORKER_ROLES
        ]
        self.list_view = CaseListView(workspace)
        self.list_view.case_opened.connect(self.open_case)
        self.list_view.new_case_requested.connect(self.new_case)
        self.editor = CaseEditor(workspace, officers)
        self.editor.closed.connect(self.show_list)
        self.editor.case_saved.connect(lambda _id: self.list_view.refresh())
        self.editor.review_requested.connect(lambda case_id: open_review_for_case(window, case_id))
        self.editor.letter_requested.connect(self._new_letter)
        self._main_window = window
        self.addWidget(self.list_view)
        self.addWidget(self.editor)
        window.bridge.language_changed.connect(self.retranslate_ui)

    def retranslate_ui(self) -> None:
        self.list_view.retranslate_ui()
        self.editor.retranslate_ui()

    def new_case(self) -> None:
        if self.currentWidget() is self.editor and not self.editor.confirm_close():
            return
        self.editor.new_case()
        self.setCurrentWidget(self.editor)

    def open_case(self, case_id: str) -> None:
        if self.currentWidget() is self.editor and not self.editor.confirm_close():
            return
        self.editor.open_case(case_id)
        self.setCurrentWidget(self.editor)

    def _new_letter(self, case_id: str, number: str) -> None:
        page = self._main_window.show_area("letters")
        assert isinstance(page, LettersPage)
        page.new_letter_for_case(case_id, number)

    def show_list(self) -> None:
        if self.editor.case is not None:
            self.list_view.select_case(self.editor.case.id)
        self.setCurrentWidget(self.list_view)
        self.list_view.table.setFocus()

    def focus_search(self) -> None:
        if self.currentWidget() is self.editor:
            if not self.editor.confirm_close():
                return
            self.show_list()
        self.list_view.focus_search()

    def confirm_close(self) -> bool:
        self.list_view.save_state()
        return self.currentWidget() is not self.editor or self.editor.confirm_close()


def register(window: MainWindow) -> None:
    window.register_area(
        "cases",
        lambda: _("Cases"),
        CasesArea,
        QStyle.StandardPixmap.SP_FileDialogDetailedView,
    )
