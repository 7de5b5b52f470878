"""The Letters tab of an open case: its letters (draft, approved, issued), opened in Letters."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QHeaderView,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import QorgauError
from app.i18n import _
from app.services.letters import LetterFilter, LetterInfo, LetterService
from app.services.workspace import Workspace
from ui.icons import icon
from ui.letters.model import ADDRESSEE, CASE, KIND, LETTER_ROLE, SUBJECT, LetterTableModel
from ui.tasks import refusal_text
from ui.widgets.common import (
    STRETCH,
    ErrorLabel,
    one_row_at_a_time,
    open_on_enter,
    push_button,
    widget_row,
)
from ui.widgets.plain import plain_label


class CaseLettersPanel(QWidget):
    """Emits ``letter_opened`` with a letter's id (a new letter: the editor's New letter)."""

    letter_opened = Signal(str)

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.service = LetterService(workspace)
        self.case_id: str | None = None
        self.model = LetterTableModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        one_row_at_a_time(self.table)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        # They are all this case's; the addressee is in the register. What is left fits the
        # tab's width: kind and subject share the rest, elided, the subject whole in its tip.
        self.table.setColumnHidden(CASE, True)
        self.table.setColumnHidden(ADDRESSEE, True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in (KIND, SUBJECT):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._open_index)
        open_on_enter(self.table, self._open_index)
        self.empty = plain_label()
        self.error = ErrorLabel()
        self.open_button = push_button(self.open_selected, icon("external-link"))
        buttons = widget_row(STRETCH, self.open_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.open_button.setText(_("&Open in Letters"))
        self.open_button.setToolTip(_("Show the letter in the register (Enter)"))
        self.empty.setText(_("No letters for this case yet."))
        self.model.retranslate()

    def set_case(self, case_id: str | None) -> None:
        self.case_id = case_id
        self.refresh()

    def refresh(self) -> None:
        letters: list[LetterInfo] = []
        if self.case_id is not None:
            try:
                letters = self.service.list_letters(LetterFilter(case_id=self.case_id))
            except QorgauError as exc:
                self.error.show_message(refusal_text(exc))
        self.model.set_letters(letters)
        self.empty.setVisible(self.case_id is not None and not letters)
        self.open_button.setEnabled(bool(letters))
        if letters:
            self.table.selectRow(0)

    def letter_ids(self) -> list[str]:
        return [info.id for info in self.model.letters]

    def open_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self._open_index(rows[0])

    def _open_index(self, index: QModelIndex) -> None:
        info = index.siblingAtColumn(0).data(LETTER_ROLE)
        if isinstance(info, LetterInfo):
            self.letter_opened.emit(info.id)
