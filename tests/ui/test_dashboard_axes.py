"""The dashboard's and the PDF's count axes: whole numbers, each once, at any count."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCharts import QValueAxis
from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from app.config import Paths
from app.reports import charts
from app.services.installation import unlock
from app.services.workspace import Workspace
from tests.conftest import PASSWORD, demo_paths_fixture
from ui.i18n_bridge import LanguageBridge
from ui.reports.dashboard import ChartPanel, DashboardPage, count_axis

TODAY = date(2026, 11, 24)

demo_paths = demo_paths_fixture("dashboard_axes", 40, 5, TODAY)


@pytest.fixture
def demo(demo_paths: Paths) -> Iterator[Workspace]:
    ws = unlock(demo_paths, "aigul", PASSWORD)
    yield ws
    ws.close()


def lone_day(ws: Workspace) -> date:
    """A day on which exactly one case was opened."""
    with ws.read() as session:
        day = session.execute(
            text(
                'SELECT received_at FROM "case" GROUP BY received_at'
                " HAVING count(*) = 1 ORDER BY received_at DESC LIMIT 1"
            )
        ).scalar_one()
    return day if isinstance(day, date) else date.fromisoformat(str(day)[:10])


def tick_labels(axis: QValueAxis) -> list[str]:
    """The labels Qt draws along a value axis: its tick values in its label format."""
    n = axis.tickCount()
    low, high = axis.min(), axis.max()
    return [axis.labelFormat() % (low + i * (high - low) / (n - 1)) for i in range(n)]


def counting_axes(panel: ChartPanel) -> list[QValueAxis]:
    """The chart's axes of counts (a month axis is a QCategoryAxis, a kind of value axis)."""
    return [a for a in panel.chart().axes() if type(a) is QValueAxis]


def whole_and_distinct(axis: QValueAxis) -> bool:
    n = axis.tickCount()
    low, high = axis.min(), axis.max()
    values = [low + i * (high - low) / (n - 1) for i in range(n)]
    labels = tick_labels(axis)
    return all(v == int(v) for v in values) and len(set(labels)) == len(labels)


@pytest.mark.parametrize("top", [0, 1, 2, 3, 4, 7, 11, 48, 333, 12_345])
def test_a_count_axis_has_whole_ticks_each_once(qtbot: QtBot, top: int) -> None:
    axis = count_axis(top)
    assert whole_and_distinct(axis), tick_labels(axis)
    assert top * 1.1 <= axis.max()  # room above the longest bar for its count
    if top <= 3:  # a handful of cases: one tick a case, one to spare
        assert tick_labels(axis) == [str(n) for n in range(top + 2)]


def test_the_pdf_axis_steps_alike() -> None:
    assert charts.count_axis(1) == (2, 1)
    assert charts.count_axis(3) == (4, 1)
    assert charts.count_axis(7) == (8, 2)  # was 9: a top that no tick labelled
    assert charts.count_axis(48) == (60, 10)
    assert charts.count_axis(118) == (140, 20)  # 120 left no room for the bar's count


def test_every_chart_of_a_small_selection_counts_in_whole_cases(
    qtbot: QtBot, demo: Workspace, bridge: LanguageBridge
) -> None:
    """The fault: one case in a month drew the trend's axis "0, 0, 0, 1, 1"."""
    page = DashboardPage(demo, bridge, today=TODAY)
    qtbot.addWidget(page)
    page.resize(1300, 1000)
    page.show()
    day = lone_day(demo)
    page.date_from.setDate(QDate(day.year, day.month, day.day))
    page.date_to.setDate(QDate(day.year, day.month, day.day))
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.refresh()
    assert page.figures is not None and page.figures.opened == 1
    panels: list[ChartPanel] = [
        page.trend_chart,
        page.status_chart,
        page.category_chart,
        page.ilo_chart,
    ]
    for panel in panels:
        axes = counting_axes(panel)
        assert len(axes) == 1, panel.objectName()
        assert whole_and_distinct(axes[0]), (panel.objectName(), tick_labels(axes[0]))
    trend = counting_axes(page.trend_chart)[0]
    assert trend.max() <= 4
