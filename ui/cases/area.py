"""The Cases area: the list, and the editor in its place while a case is open."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.domain.roles import CASE_WORKERS
from app.i18n import _
from app.services.records import CaseFilter
from app.services.users import UserService
from ui.cases.list_view import CaseListView
from ui.main_window import MainWindow
from ui.widgets.common import ShownPageStack

if TYPE_CHECKING:
    from ui.cases.editor import CaseEditor


class CasesArea(ShownPageStack):
    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        workspace = window.workspace
        officers = [
            (u.username, u.full_name or u.username)
            for u in UserService(workspace).list()
            if u.active and u.role in CASE_WORKERS
        ]
        self.list_view = CaseListView(workspace)
        self.list_view.case_opened.connect(self.open_case)
        self.list_view.new_case_requested.connect(self.new_case)
        self._officers = officers
        self._editor: CaseEditor | None = None
        self._main_window = window
        self.addWidget(self.list_view)
        window.bridge.language_changed.connect(self.retranslate_ui)

    @property
    def editor(self) -> CaseEditor:
        """Built on first use: the list shows at once, the editor's modules load later."""
        if self._editor is None:
            from ui.cases.editor import CaseEditor

            window = self._main_window
            editor = CaseEditor(window.workspace, self._officers, window.temp_folder)
            editor.closed.connect(self.show_list)
            editor.case_saved.connect(lambda _id: self.list_view.refresh())
            editor.review_requested.connect(self._review_contract)
            editor.letter_requested.connect(self._new_letter)
            editor.skills_requested.connect(self._record_skills)
            editor.letter_opened.connect(self._open_letter)
            editor.review_opened.connect(self._open_review)
            editor.case_requested.connect(self.open_case)
            editor.status_message.connect(lambda text: window.statusBar().showMessage(text, 5000))
            self.addWidget(editor)
            self._editor = editor
        return self._editor

    def retranslate_ui(self) -> None:
        self.list_view.retranslate_ui()
        if self._editor is not None:
            self._editor.retranslate_ui()

    def new_case(self) -> None:
        if self.currentWidget() is self._editor and not self.editor.confirm_close():
            return
        self.editor.new_case()
        self.setCurrentWidget(self.editor)

    def open_case(self, case_id: str) -> None:
        if self.currentWidget() is self._editor and not self.editor.confirm_close():
            return
        self.editor.open_case(case_id)
        self.setCurrentWidget(self.editor)
        self.editor.focus_form_start()

    def _review_contract(self, case_id: str) -> None:
        from ui.contracts import open_review_for_case  # areas load when first used

        open_review_for_case(self._main_window, case_id)

    def _record_skills(self, case_id: str) -> None:
        from ui.returnees import record_skills_for_case  # the dialog loads when first used

        if record_skills_for_case(self, self._main_window, case_id):
            self._main_window.statusBar().showMessage(_("Skills on return recorded."), 5000)

    def _new_letter(self, case_id: str, number: str) -> None:
        """The letter's editor over the register; saved, the register shows the draft,
        cancelled, the officer is back in the case where she was (not left in the Letters
        area, the focus on one of its filters)."""
        from ui.letters.page import LettersPage

        was = self.window().focusWidget()
        page = self._main_window.show_area("letters")
        assert isinstance(page, LettersPage)
        dialog = page.new_letter_for_case(case_id, number)
        dialog.letter_saved.connect(lambda info: page.open_letter(info.id))
        dialog.rejected.connect(lambda: self._back_to_case(was))

    def _back_to_case(self, focus: QWidget | None) -> None:
        editor = self._editor
        if editor is None or self.currentWidget() is not editor:
            return
        self._main_window.show_area("cases")
        if focus is None or not editor.isAncestorOf(focus) or not focus.isEnabled():
            focus = editor.letter_button
        focus.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_filtered(self, flt: CaseFilter) -> None:
        """The list with exactly the cases of ``flt`` (a count on the Start page)."""
        if self.currentWidget() is self._editor and not self.editor.confirm_close():
            return
        self.setCurrentWidget(self.list_view)
        self.list_view.show_filtered(flt)
        self.list_view.table.setFocus()

    def _open_letter(self, letter_id: str) -> None:
        from ui.letters.page import LettersPage

        page = self._main_window.show_area("letters")
        assert isinstance(page, LettersPage)
        page.open_letter(letter_id)

    def _open_review(self, review_id: str) -> None:
        from ui.contracts import open_saved_review

        open_saved_review(self._main_window, review_id)

    def show_list(self) -> None:
        if self._editor is not None and self._editor.case is not None:
            self.list_view.select_case(self._editor.case.id)
        self.setCurrentWidget(self.list_view)
        self.list_view.table.setFocus()

    def focus_search(self) -> None:
        if self._editor is not None and self.currentWidget() is self._editor:
            if not self.editor.confirm_close():
                return
            self.show_list()
        self.list_view.focus_search()

    def has_unsaved_work(self) -> bool:
        """What ``confirm_close`` would ask about, without asking."""
        editor = self._editor
        if editor is None or self.currentWidget() is not editor:
            return False
        return editor.dirty or editor.timeline.typed_entry()

    def confirm_close(self) -> bool:
        self.list_view.save_state()
        editor = self._editor
        return editor is None or self.currentWidget() is not editor or editor.confirm_close()
