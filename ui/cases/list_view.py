"""The case list: filters, search as you type, a count of matches, a sortable paged table."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_number, ngettext
from app.services.cases import CaseService
from app.services.records import CaseFilter
from app.services.users import UserService
from app.services.workspace import Workspace
from ui import ui_settings
from ui.cases.filter_bar import CaseFilterBar
from ui.models.case_table_model import (
    CASE_ID_ROLE,
    CATEGORIES,
    DUE,
    NUMBER,
    RECEIVED,
    STATUS,
    URGENCY,
    CaseTableModel,
)
from ui.widgets.columns import ColumnFit

CASE_WORKER_ROLES = ("attache", "consul", "admin")
FILTER_KEY = "cases/filter"
COLUMNS_KEY = "cases"  # the user's column widths, under "columns/cases"


class CaseTable(QTableView):
    """Enter opens the current case, as a double click does."""

    activated_case = Signal(str)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt name
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_case.emit(self.currentIndex().data(CASE_ID_ROLE))
            return
        super().keyPressEvent(event)


class CaseListView(QWidget):
    case_opened = Signal(str)
    new_case_requested = Signal()

    def __init__(self, workspace: Workspace, service: CaseService | None = None) -> None:
        super().__init__()
        self.workspace = workspace
        self.service = service or CaseService(workspace)
        officers = [
            (u.username, u.full_name or u.username)
            for u in UserService(workspace).list()
            if u.active and u.role in CASE_WORKER_ROLES
        ]
        self.filters = CaseFilterBar(workspace.actor.username, officers)
        self.filters.set_state_json(ui_settings.load_value(FILTER_KEY))
        # Rewritten at once: erases search text an older version left in the settings file.
        ui_settings.save_value(FILTER_KEY, self.filters.state_json())
        self.filters.filter_changed.connect(self.apply_filter)

        self.model = CaseTableModel(self.service, background=True, interrupt=workspace.db.interrupt)
        self.model.total_changed.connect(self._show_count)
        self.model.loading_changed.connect(self._show_count)
        self.model.modelReset.connect(self._reselect)
        self._keep_selected: str | None = None
        self.model.officers = dict(officers)
        self.table = CaseTable()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        # Sized to what they hold; the complaint takes the rest, elided in the middle.
        self.columns = ColumnFit(
            self.table,
            COLUMNS_KEY,
            stretch=CATEGORIES,
            whole=(NUMBER, STATUS, URGENCY, RECEIVED, DUE),
            min_stretch=230,  # the complaint is what an officer scans the list for
        )
        self.table.doubleClicked.connect(self._open_index)
        self.table.activated_case.connect(self.case_opened)

        self.title = QLabel()
        self.title.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.count = QLabel()
        self.count.setObjectName("match_count")
        self.new_button = QPushButton()
        self.new_button.clicked.connect(self.new_case_requested)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addSpacing(12)
        top.addWidget(self.count, 1)
        top.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 12, 8, 12)  # at 1366 pixels every column needs the room
        layout.addLayout(top)
        layout.addWidget(self.filters)
        layout.addWidget(self.table, 1)
        self.setTabOrder(self.filters.search, self.table)

        flt = self.filters.current_filter()
        self.model.filter = flt
        self.model.reload()
        self.table.horizontalHeader().setSortIndicator(
            self.model.sort_column(),
            Qt.SortOrder.DescendingOrder if flt.descending else Qt.SortOrder.AscendingOrder,
        )
        # Enabled after the first load, so that setting the indicator does not load twice.
        self.table.setSortingEnabled(True)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.title.setText(_("Cases"))
        self.new_button.setText(_("&New case"))
        self.new_button.setToolTip(_("Register a new case (Ctrl+N)"))
        self.filters.retranslate_ui()
        self.model.retranslate()
        self._show_count()

    def apply_filter(self, flt: CaseFilter) -> None:
        current = self.model.filter
        self.model.set_filter(replace(flt, sort=current.sort, descending=current.descending))
        ui_settings.save_value(FILTER_KEY, self.filters.state_json())

    def refresh(self) -> None:
        """Reload after a case changed elsewhere (the editor saved); the selection stays."""
        self._keep_selected = self.current_case_id() or self._keep_selected
        self.model.reload()

    def _reselect(self) -> None:
        if self._keep_selected and (row := self.model.row_of(self._keep_selected)) >= 0:
            self.table.selectRow(row)

    def _show_count(self) -> None:
        total = self.model.total
        if self.model.loading:
            text = _("Searching…")
        elif not self.model.total_known:
            # The first page is shown; the count follows it from the background.
            text = _("{n}+ cases, counting…").format(n=format_number(total))
        else:
            text = ngettext("{n} case", "{n} cases", total).format(n=format_number(total))
        self.count.setText(text)

    def current_case_id(self) -> str | None:
        index = self.table.currentIndex()
        return index.data(CASE_ID_ROLE) if index.isValid() else None

    def select_case(self, case_id: str) -> None:
        """Select the case now, and again when a load on its way arrives."""
        self._keep_selected = case_id
        row = self.model.row_of(case_id)
        if row >= 0:
            self.table.selectRow(row)

    def focus_search(self) -> None:
        self.filters.search.setFocus()
        self.filters.search.selectAll()

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.case_opened.emit(index.data(CASE_ID_ROLE))

    def save_state(self) -> None:
        ui_settings.save_value(FILTER_KEY, self.filters.state_json())

    def hideEvent(self, event: object) -> None:  # noqa: N802 - Qt name
        self.save_state()
        super().hideEvent(event)  # type: ignore[arg-type]
