"""The case list paints its cells from C++-side items: what is painted is what ``data()``
answers, page after page, and a repaint makes no Python ``data()`` call."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt
from PySide6.QtWidgets import QApplication, QTableView
from pytestqt.qtbot import QtBot

from app.services.cases import CaseService
from app.services.demo import fill_demo
from app.services.records import CaseFilter
from app.services.workspace import Workspace
from ui.models.case_table_model import COLUMN_COUNT, DUE, URGENCY, CaseTableModel

PAINTED_ROLES = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.DecorationRole,
    Qt.ItemDataRole.BackgroundRole,
    Qt.ItemDataRole.ForegroundRole,
)


@pytest.fixture
def filled(ws: Workspace) -> Workspace:
    fill_demo(ws, 80, seed=7)
    return ws


def _comparable(value: Any) -> Any:
    """A role's value as the eye sees it: an icon by its pixmaps, a brush by its colour."""
    if value is None:
        return None
    if hasattr(value, "cacheKey"):
        return ("icon", value.cacheKey())
    if hasattr(value, "color"):
        return ("brush", value.color().name())
    return value


def _painted_matches_data(model: CaseTableModel) -> int:
    """Every cell's item (what the delegate paints, through ``multiData``) against ``data()``
    (what code and tooltips read); returns how many cells were compared."""
    compared = 0
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            index = model.index(row, column)
            item = model.itemFromIndex(index)
            for role in PAINTED_ROLES:
                assert _comparable(item.data(role)) == _comparable(index.data(role)), (
                    row,
                    column,
                    role,
                )
            assert not model.flags(index) & Qt.ItemFlag.ItemIsEditable
            compared += 1
    return compared


def test_painted_cells_follow_every_page_the_model_shows(
    qapp: QApplication, filled: Workspace
) -> None:
    from app.i18n import set_language

    service = CaseService(filled)
    model = CaseTableModel(service, page_size=30)
    model.reload()
    assert _painted_matches_data(model) == 30 * COLUMN_COUNT
    # Deadline states and a critical urgency are among them (the checks compare something).
    states = {model.index(r, DUE).data(Qt.ItemDataRole.BackgroundRole) is None for r in range(30)}
    assert states == {True, False}
    model.set_filter(CaseFilter(overdue=True))  # a shorter page: rows go, the rest rewritten
    assert 0 < model.rowCount() < 30
    _painted_matches_data(model)
    model.set_filter(CaseFilter(text="zzzqqqxxx"))
    assert model.rowCount() == 0
    model.set_filter(CaseFilter())  # the rows taken out come back, with the new page's values
    assert _painted_matches_data(model) == 30 * COLUMN_COUNT
    model.fetchMore(QModelIndex())
    assert _painted_matches_data(model) == 60 * COLUMN_COUNT
    english = model.index(0, URGENCY).data()
    set_language("ru")
    model.retranslate()
    assert model.itemFromIndex(model.index(0, URGENCY)).text() != english
    assert _painted_matches_data(model) == 60 * COLUMN_COUNT
    assert model.headerData(URGENCY, Qt.Orientation.Horizontal) == "Срочность"


def test_a_repaint_makes_no_python_data_call(
    qapp: QApplication, filled: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[int] = []
    cells: list[int] = []
    answer, answer_many = CaseTableModel.data, CaseTableModel.multiData

    def data(self: CaseTableModel, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        asked.append(role)
        return answer(self, index, role)

    def multi_data(self: CaseTableModel, index: Any, span: Any) -> None:
        cells.append(index.row())
        answer_many(self, index, span)

    # Before the model is made: Qt's bindings look a Python override up once per object.
    monkeypatch.setattr(CaseTableModel, "data", data)
    monkeypatch.setattr(CaseTableModel, "multiData", multi_data)
    model = CaseTableModel(CaseService(filled))
    model.reload()
    view = QTableView()
    view.setModel(model)
    view.resize(1200, 700)
    view.show()
    qapp.processEvents()
    asked.clear()
    cells.clear()
    view.viewport().repaint()
    assert len(cells) >= 20 * COLUMN_COUNT  # every visible cell was painted ...
    assert asked == []  # ... and none asked data(), role by role
    assert model.index(0, 0).data() is not None and asked == [Qt.ItemDataRole.DisplayRole]
    view.close()


def test_an_overdue_case_is_painted_on_its_deadline_colour(
    qapp: QApplication, filled: Workspace
) -> None:
    model = CaseTableModel(CaseService(filled))
    model.set_filter(CaseFilter(overdue=True))
    assert model.rowCount() > 0
    view = QTableView()
    view.setModel(model)
    view.resize(1200, 400)
    view.show()
    qapp.processEvents()
    cell = view.visualRect(model.index(0, DUE))
    image = view.viewport().grab().toImage()
    assert image.pixelColor(cell.right() - 3, cell.center().y()).name() == "#ffebee"
    view.close()


class _PaintedWidths(QObject):
    """The column widths of each paint of a table's rows."""

    def __init__(self, table: QTableView) -> None:
        super().__init__()
        self.header = table.horizontalHeader()
        self.widths: list[list[int]] = []
        table.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if event.type() == QEvent.Type.Paint:
            self.widths.append([self.header.sectionSize(c) for c in range(COLUMN_COUNT)])
        return False


def test_a_search_is_painted_once_its_columns_are_fitted(qtbot: QtBot, filled: Workspace) -> None:
    """A new page's columns are fitted and its rows laid out before it is first painted:
    painted at the last page's widths, every search's rows jumped as the fit came after."""
    from ui.cases.list_view import CaseListView

    view = CaseListView(filled)
    qtbot.addWidget(view)
    view.resize(1366, 768)
    view.show()
    qtbot.waitUntil(lambda: not view.model.loading and view.model.total == 80, timeout=5000)
    qtbot.wait(100)
    name = view.model.index(0, 1).data()
    painted = _PaintedWidths(view.table)
    before = painted.header.sectionSize(1)
    view.filters.search.setText(name)
    qtbot.waitUntil(lambda: not view.model.loading and view.model.rowCount() < 80, timeout=5000)
    qtbot.wait(200)
    final = [painted.header.sectionSize(c) for c in range(COLUMN_COUNT)]
    assert final[1] != before  # one person's name: a narrower column than the widest of 80
    assert painted.widths and painted.widths[0] == final
