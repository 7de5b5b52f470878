"""The start page: what needs attention today.

Four short lists: my open cases, overdue cases, cases where life or liberty is at risk, and
the latest activity. A double click (or Enter) opens the case in the Cases area.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
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
from app.i18n import _, format_date
from app.services.cases import CaseService
from app.services.records import CaseFilter, CaseRow
from ui.main_window import MainWindow
from ui.models.case_table_model import DEADLINE_COLOURS
from ui.widgets.plain import plain_label

SECTION_LIMIT = 12


class CaseSection(QGroupBox):
    """A titled short list of cases."""

    case_opened = Signal(str)

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
        self.empty.setStyleSheet("color: palette(mid); padding: 6px;")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(self.empty)
        self.rows: list[CaseRow] = []

    def set_rows(self, rows: list[CaseRow], total: int, title: str, empty_text: str) -> None:
        self.rows = rows
        self.setTitle(f"{title} ({total})")
        self.tree.setHeaderLabels([_("Number"), _("Person"), _("Status"), _("Due")])
        self.tree.clear()
        for row in rows:
            item = QTreeWidgetItem(
                [
                    row.number,
                    row.person_name,
                    label(CaseStatus(row.status)),
                    format_date(row.due_date) if row.due_date else "",
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, row.id)
            colour = DEADLINE_COLOURS.get(row.deadline)
            if colour:
                item.setForeground(3, QBrush(QColor(colour)))
            self.tree.addTopLevelItem(item)
        self.empty.setText(empty_text)
        self.empty.setVisible(not rows)
        self.tree.setVisible(bool(rows))

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        self.case_opened.emit(item.data(0, Qt.ItemDataRole.UserRole))


class StartPage(QWidget):
    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window_ = window
        self.service = CaseService(window.workspace)
        self._stale = False
        self.greeting = plain_label()
        self.greeting.setStyleSheet("font-size: 18pt; font-weight: 600;")
        self.mission = plain_label()
        self.mission.setStyleSheet("font-size: 11pt;")
        self.today = QLabel()
        self.today.setStyleSheet("color: palette(mid);")
        self.new_button = QPushButton()
        self.new_button.clicked.connect(window.new_case)
        self.mine = CaseSection()
        self.overdue = CaseSection()
        self.at_risk = CaseSection()
        self.recent = CaseSection()
        grid = QGridLayout()
        grid.setSpacing(12)
        for i, section in enumerate((self.mine, self.overdue, self.at_risk, self.recent)):
            grid.addWidget(section, i // 2, i % 2)
            section.case_opened.connect(self.open_case)
        header = QGridLayout()
        header.addWidget(self.greeting, 0, 0)
        header.addWidget(self.new_button, 0, 1, Qt.AlignmentFlag.AlignRight)
        header.addWidget(self.mission, 1, 0, 1, 2)
        header.addWidget(self.today, 2, 0, 1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addLayout(header)
        layout.addSpacing(8)
        layout.addLayout(grid, 1)
        window.bridge.language_changed.connect(self.retranslate_ui)
        window.area_changed.connect(self._area_changed)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        actor = self.window_.workspace.actor
        self.greeting.setText(_("Welcome, {name}").format(name=actor.full_name or actor.username))
        self.mission.setText(self.window_.mission_name())
        self.today.setText(format_date(date.today(), "full"))
        self.new_button.setText(_("&New case"))
        self.refresh()

    def _area_changed(self, key: str) -> None:
        # Refresh on coming back, not on the first show (the constructor has just loaded).
        if key != "start":
            self._stale = True
        elif self._stale:
            self._stale = False
            self.refresh()

    def refresh(self) -> None:
        me = self.window_.workspace.actor.username
        sections = (
            (
                self.mine,
                CaseFilter(assigned_to=me, open_only=True, sort="due_date", descending=False),
                _("My open cases"),
                _("No open cases are assigned to you."),
            ),
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
        for section, flt, title, empty in sections:
            rows = self.service.list_cases(flt, 0, SECTION_LIMIT)
            total = self.service.count_cases(flt) if len(rows) == SECTION_LIMIT else len(rows)
            section.set_rows(rows, total, title, empty)

    def open_case(self, case_id: str) -> None:
        area = self.window_.show_area("cases")
        opener = getattr(area, "open_case", None)
        if opener is not None:
            opener(case_id)


def register(window: MainWindow) -> None:
    window.register_area(
        "start", lambda: _("Start"), StartPage, QStyle.StandardPixmap.SP_DirHomeIcon
    )
