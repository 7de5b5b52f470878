"""The case list paints its cells from C++-side items: they hold what the rows show and what
code asks (tooltips, the case, the deadline), page after page, and a repaint calls no Python."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt
from PySide6.QtWidgets import QApplication, QTableView
from pytestqt.qtbot import QtBot

from app.services.cases import CaseService
from app.services.demo import fill_demo
from app.services.records import CaseFilter
from app.services.workspace import Workspace
from ui.models.case_table_model import (
    CASE_ID_ROLE,
    COLUMN_COUNT,
    DEADLINE_ROLE,
    DUE,
    NUMBER,
    URGENCY,
    CaseTableModel,
    display_texts,
    tooltips,
)


@pytest.fixture
def filled(ws: Workspace) -> Workspace:
    fill_demo(ws, 80, seed=7)
    return ws


def _icon_key(value: Any) -> Any:
    return None if value is None else value.cacheKey()


def _items_show_the_rows(model: CaseTableModel) -> int:
    """Every cell's item (what the delegate paints, and what code reads) against the row it
    shows, made afresh: texts, tooltips, the case's id, the deadline; returns the cells."""
    looks = model._looks
    compared = 0
    for position in range(model.rowCount()):
        row = model.row_at(position)
        texts = display_texts(row, model.officers)
        tips = tooltips(row, texts)
        for column in range(COLUMN_COUNT):
            index = model.index(position, column)
            assert index.data() == texts[column], (position, column)
            assert index.data(Qt.ItemDataRole.ToolTipRole) == tips[column], (position, column)
            assert not model.flags(index) & Qt.ItemFlag.ItemIsEditable
            compared += 1
        assert model.index(position, NUMBER).data(CASE_ID_ROLE) == row.id
        due = model.index(position, DUE)
        assert due.data(DEADLINE_ROLE) == row.deadline
        assert _icon_key(due.data(Qt.ItemDataRole.DecorationRole)) == _icon_key(
            looks.icons.get(row.deadline)
        )
        critical = model.index(position, URGENCY).data(Qt.ItemDataRole.ForegroundRole)
        assert (critical is not None) == (row.urgency == "critical")
    return compared


def test_painted_cells_follow_every_page_the_model_shows(
    qapp: QApplication, filled: Workspace
) -> None:
    from app.i18n import set_language

    service = CaseService(filled)
    model = CaseTableModel(service, page_size=30)
    model.reload()
    assert _items_show_the_rows(model) == 30 * COLUMN_COUNT
    # Deadline states, tooltips and a critical urgency are among them (the checks compare
    # something).
    states = {model.index(r, DUE).data(Qt.ItemDataRole.BackgroundRole) is None for r in range(30)}
    assert states == {True, False}
    assert any(model.index(r, DUE).data(Qt.ItemDataRole.ToolTipRole) for r in range(30))
    model.set_filter(CaseFilter(overdue=True))  # a shorter page: rows go, the rest rewritten
    assert 0 < model.rowCount() < 30
    _items_show_the_rows(model)
    model.set_filter(CaseFilter(text="zzzqqqxxx"))
    assert model.rowCount() == 0
    model.set_filter(CaseFilter())  # the rows taken out come back, with the new page's values
    assert _items_show_the_rows(model) == 30 * COLUMN_COUNT
    model.fetchMore(QModelIndex())
    assert _items_show_the_rows(model) == 60 * COLUMN_COUNT
    english = model.index(0, URGENCY).data()
    overdue = next(r for r in range(60) if model.row_at(r).deadline == "red")
    set_language("ru")
    model.retranslate()
    assert model.index(0, URGENCY).data() != english
    assert model.index(overdue, DUE).data(Qt.ItemDataRole.ToolTipRole) == "Просрочено"
    assert _items_show_the_rows(model) == 60 * COLUMN_COUNT
    assert model.headerData(URGENCY, Qt.Orientation.Horizontal) == "Срочность"


def _python_calls_during(work: Callable[[], object]) -> list[str]:
    """The Python functions ``work`` calls, from Qt or otherwise."""
    called: list[str] = []

    def note(frame: FrameType, event: str, _arg: object) -> None:
        if event == "call":
            called.append(frame.f_code.co_name)

    sys.setprofile(note)
    try:
        work()
    finally:
        sys.setprofile(None)
    return called


def test_a_repaint_calls_no_python_per_cell(qapp: QApplication, filled: Workspace) -> None:
    """Every cell's paint asked the model in Python (a ``multiData`` call, ``data()`` before
    it), and the country column's delegate too: now the items answer in C++, and a paint of
    dozens of cells calls the same Python as a paint of one or none (the application's and the
    column fit's event filters, once per event)."""
    from ui.cases.list_view import CaseListView

    model = CaseTableModel(CaseService(filled))
    model.reload()
    bare = QTableView()
    bare.setModel(model)
    listed = CaseListView(filled)
    while listed.model.loading:
        qapp.processEvents()
    for table in (bare, listed.table):
        window = table.window()
        window.resize(1366, 768)
        window.show()
        qapp.processEvents()
        assert table.rowAt(table.viewport().height() - 2) > 20  # rows fill the view
        table.viewport().repaint()  # the events a first paint brings along, out of the way
        many = _python_calls_during(table.viewport().repaint)
        window.resize(1366, 60)  # the table shows a row at most, or none
        qapp.processEvents()
        table.viewport().repaint()
        few = _python_calls_during(table.viewport().repaint)
        assert many == few
        assert not {"data", "multiData", "initStyleOption", "paint"} & set(many)
        window.close()


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
