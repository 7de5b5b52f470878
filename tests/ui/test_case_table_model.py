"""CaseTableModel without widgets: paging, SQL sorting and filtering, roles, deadline colours."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QIcon
from PySide6.QtWidgets import QApplication

from app.domain.codes import CaseStatus
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
    STATUS,
    CaseTableModel,
)

CASES = 450


@pytest.fixture
def filled(ws: Workspace) -> Workspace:
    fill_demo(ws, 80, seed=7)
    return ws


def test_pages_of_200_are_fetched_on_demand(qapp: QApplication, ws: Workspace) -> None:
    fill_demo(ws, CASES, seed=7)
    filled = ws
    model = CaseTableModel(CaseService(filled))
    model.reload()
    assert model.total == CASES
    assert model.rowCount() == 200
    assert model.columnCount() == COLUMN_COUNT
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 400
    model.fetchMore(QModelIndex())
    assert model.rowCount() == CASES
    assert not model.canFetchMore(QModelIndex())
    ids = [model.index(r, NUMBER).data(CASE_ID_ROLE) for r in range(model.rowCount())]
    assert len(set(ids)) == CASES  # pages neither overlap nor skip


def test_sort_asks_the_service_and_starts_again_from_the_first_page(
    qapp: QApplication, filled: Workspace
) -> None:
    model = CaseTableModel(CaseService(filled))
    model.reload()
    model.sort(NUMBER, Qt.SortOrder.AscendingOrder)
    assert model.filter.sort == "number" and not model.filter.descending
    assert model.rowCount() == 80
    numbers = [model.index(r, NUMBER).data() for r in range(model.rowCount())]
    assert numbers == sorted(numbers)
    assert numbers[0].endswith("-0001")
    assert model.sort_column() == NUMBER
    model.sort(NUMBER, Qt.SortOrder.DescendingOrder)
    descending = [model.index(r, NUMBER).data() for r in range(model.rowCount())]
    assert descending == numbers[::-1]


def test_filter_is_applied_in_sql_and_labels_are_translated(
    qapp: QApplication, filled: Workspace
) -> None:
    service = CaseService(filled)
    flt = CaseFilter(statuses=("closed",))
    model = CaseTableModel(service)
    model.set_filter(flt)
    assert model.total == service.count_cases(flt) > 0
    rows = [model.row_at(r) for r in range(model.rowCount())]
    assert {r.status for r in rows} == {CaseStatus.CLOSED}
    assert model.index(0, STATUS).data() == "Closed"
    assert model.headerData(STATUS, Qt.Orientation.Horizontal) == "Status"


def test_deadline_colour_is_a_decoration_and_a_background(
    qapp: QApplication, filled: Workspace
) -> None:
    model = CaseTableModel(CaseService(filled))
    model.set_filter(CaseFilter(overdue=True))
    assert model.total > 0
    index = model.index(0, DUE)
    assert index.data(DEADLINE_ROLE) == "red"
    assert isinstance(index.data(Qt.ItemDataRole.DecorationRole), QIcon)
    background = index.data(Qt.ItemDataRole.BackgroundRole)
    assert isinstance(background, QBrush)
    assert background.color().name() == "#ffebee"
    assert index.data(Qt.ItemDataRole.ToolTipRole) == "Overdue"
    closed = CaseTableModel(CaseService(filled))
    closed.set_filter(CaseFilter(statuses=("closed",)))
    assert closed.index(0, DUE).data(DEADLINE_ROLE) == "none"
    assert closed.index(0, DUE).data(Qt.ItemDataRole.DecorationRole) is None


def test_an_empty_search_result_has_no_rows(qapp: QApplication, filled: Workspace) -> None:
    model = CaseTableModel(CaseService(filled))
    model.set_filter(CaseFilter(text="zzzqqqxxx"))
    assert model.total == 0
    assert model.rowCount() == 0
    assert not model.canFetchMore(QModelIndex())


def test_dates_follow_the_interface_language(qapp: QApplication, filled: Workspace) -> None:
    from app.i18n import set_language

    model = CaseTableModel(CaseService(filled), page_size=5)
    model.reload()
    row = model.row_at(0)
    received: date = row.received_at
    english = model.index(0, 6).data()
    set_language("ru")
    model.retranslate()
    russian = model.index(0, 6).data()
    assert english != russian
    assert str(received.year) in russian
    assert model.index(0, STATUS).data() == {
        "new": "Новое",
    }.get(row.status, model.index(0, STATUS).data())


def test_remembered_texts_follow_the_language_and_the_pseudo_locale(
    qapp: QApplication, filled: Workspace
) -> None:
    """The labels, countries and dates a page shares are made once per language; a text
    remembered in one language, or before the pseudo-locale was switched on, is never shown
    in place of another's."""
    from app.i18n import set_pseudo_locale
    from ui.models.case_table_model import CATEGORIES, HOST_COUNTRY, display_texts

    rows = CaseService(filled).list_cases(CaseFilter(), 0, 80)
    row = next(r for r in rows if len(r.categories) > 1)
    english = display_texts(row, {}, "en")
    kazakh = display_texts(row, {}, "kk")
    assert display_texts(row, {}, "en") == english
    assert kazakh[STATUS] != english[STATUS]
    assert kazakh[HOST_COUNTRY] != english[HOST_COUNTRY]
    assert kazakh[6] != english[6]  # the received date: 01.12.2026 against 1 Dec 2026
    assert english[CATEGORIES].endswith(f"(+{len(row.categories) - 1})")
    set_pseudo_locale(True)
    try:
        pseudo = display_texts(row, {}, "en")
    finally:
        set_pseudo_locale(False)
    assert pseudo[STATUS] != english[STATUS]
    assert display_texts(row, {}, "en") == english


def test_the_officer_filter_lists_the_cases_nobody_is_assigned(
    qapp: QApplication, filled: Workspace
) -> None:
    """A case HQ transfers arrives unassigned, as does one registered for the consul to give
    out; the consul had no way to list them."""
    from sqlalchemy import func, select

    from app.db.models import Case
    from ui.cases.filter_bar import NOBODY, CaseFilterBar

    service = CaseService(filled)
    for row in service.list_cases(CaseFilter(open_only=True), 0, 3):
        service.assign(row.id, None)
    bar = CaseFilterBar("admin", [("aigerim", "Aigerim")])
    bar.officer.setCurrentIndex(bar.officer.findData(NOBODY))
    assert bar.officer.currentText() == "Not assigned"
    flt = bar.current_filter()
    assert flt.unassigned and flt.assigned_to is None
    model = CaseTableModel(service)
    model.set_filter(flt)
    with filled.read() as session:
        nobodys = session.execute(
            select(func.count()).select_from(Case).where(Case.assigned_to.is_(None))
        ).scalar_one()
    assert model.total == nobodys > 0
    rows = [model.row_at(r) for r in range(model.rowCount())]
    assert {r.assigned_to for r in rows} == {None}
    bar.set_state({"officer": NOBODY}, emit=False)  # kept between sessions
    assert bar.current_filter().unassigned
