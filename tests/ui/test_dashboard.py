"""The dashboard: figures on a fixed demo, and a click on a chart shows the cases behind it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCharts import QBarCategoryAxis, QCategoryAxis
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from app.config import Paths
from app.services.installation import unlock
from app.services.stats import Drilldown, StatsService
from app.services.workspace import Workspace
from tests.conftest import PASSWORD, demo_mission
from ui.i18n_bridge import LanguageBridge
from ui.reports.dashboard import ChartPanel, DashboardPage, month_labels, wrapped

TODAY = date(2026, 11, 24)


@pytest.fixture(scope="module")
def demo_paths(template_installation: Paths, tmp_path_factory: pytest.TempPathFactory) -> Paths:
    return demo_mission(template_installation, tmp_path_factory, "dashboard", 300, 21, TODAY)


@pytest.fixture
def demo(demo_paths: Paths) -> Iterator[Workspace]:
    ws = unlock(demo_paths, "aigul", PASSWORD)
    yield ws
    ws.close()


@pytest.fixture
def page(qtbot: QtBot, demo: Workspace, bridge: LanguageBridge) -> DashboardPage:
    widget = DashboardPage(demo, bridge, today=TODAY)
    qtbot.addWidget(widget)
    widget.resize(1300, 1000)
    widget.show()
    assert widget.refresh()
    return widget


def bar_point(view: ChartPanel, index: int, value: float) -> QPoint:
    """Where bar ``index`` of the view's (vertical) bar series is on the screen."""
    chart = view.chart()
    assert view.series is not None
    in_chart = chart.mapToPosition(QPointF(index, value / 2), view.series)
    return view.mapFromScene(chart.mapToScene(in_chart))


def count(ws: Workspace, sql: str) -> int:
    with ws.read() as session:
        return int(session.execute(text(sql)).scalar_one())


def test_tiles_show_the_figures(page: DashboardPage, demo: Workspace) -> None:
    open_now = count(
        demo,
        'SELECT count(*) FROM "case" WHERE status IN'
        " ('new','in_progress','awaiting_response','referred')",
    )
    assert page.tiles["open"].text() == f"Open now\n{open_now}"
    assert page.figures is not None
    assert page.tiles["opened"].text().endswith(str(page.figures.opened))
    assert page.status_chart.chart().title() == "Open cases by status"
    assert page.status_chart.segments == ["new", "in_progress", "awaiting_response", "referred"]
    assert not page.mission_chart.isVisible()  # one mission, not HQ


def test_clicking_a_status_bar_lists_its_cases(
    qtbot: QtBot, page: DashboardPage, demo: Workspace
) -> None:
    requested: list[Drilldown] = []
    page.cases_requested.connect(requested.append)
    assert page.figures is not None
    in_progress = page.figures.open_by_status[1]
    assert in_progress.key == "in_progress" and in_progress.count > 0
    view = page.status_chart
    QTest.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=bar_point(view, 1, in_progress.count)
    )
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible())
    assert requested == [Drilldown(page.figures.scope, "open", "in_progress")]
    dialog = page.dialog
    assert dialog is not None
    assert dialog.table.rowCount() == in_progress.count
    with demo.read() as session:
        expected = set(
            session.execute(
                text("SELECT number FROM \"case\" WHERE status = 'in_progress'")
            ).scalars()
        )
    assert set(dialog.numbers()) == expected
    assert {dialog.table.item(i, 2).text() for i in range(dialog.table.rowCount())} == {
        "In progress"
    }
    assert dialog.count_label.text() == f"{in_progress.count} cases"


def test_pie_slice_and_category_bar_list_their_cases(qtbot: QtBot, page: DashboardPage) -> None:
    assert page.figures is not None
    series = page.country_chart.series
    assert series is not None
    first = page.figures.host_countries[0]
    series.clicked.emit(series.slices()[0])  # type: ignore[union-attr]
    dialog = page.dialog
    assert dialog is not None and dialog.table.rowCount() == first.count
    assert {dialog.table.item(i, 3).text() for i in range(first.count)} == {first.key}
    top = page.figures.categories[0]
    assert page.category_chart.segments[-1] == top.key  # drawn last = shown at the top
    page._segment_clicked(page.category_chart, len(page.category_chart.segments) - 1)
    assert page.dialog is not None and page.dialog.table.rowCount() == top.count


def test_hidden_names_and_exports(page: DashboardPage, demo: Workspace, tmp_path: Path) -> None:
    page.hide_names.setChecked(True)
    page._tile_clicked("overdue")
    dialog = page.dialog
    assert dialog is not None and dialog.table.rowCount() > 0
    assert {dialog.table.item(i, 4).text() for i in range(dialog.table.rowCount())} == {"(hidden)"}
    written = dialog.export_csv(tmp_path / "overdue.csv")
    assert "(hidden)" in written.read_text(encoding="utf-8-sig")
    pdf = page.export_pdf(tmp_path / "report.pdf", "kk")
    assert pdf.read_bytes().startswith(b"%PDF")
    xlsx = page.export_xlsx(tmp_path / "tables.xlsx")
    assert xlsx.stat().st_size > 0


def test_a_bad_period_is_shown_not_raised(page: DashboardPage) -> None:
    page.date_from.setDate(page.date_to.date().addDays(5))
    assert page.refresh() is False
    assert "is after its end" in page.error.text()
    assert page.error.isVisible()


def test_filters_narrow_the_figures(page: DashboardPage, demo: Workspace) -> None:
    page.country.set_code("TR")
    assert page.refresh()
    assert page.figures is not None
    expected = StatsService(demo, TODAY).indicators(page.scope())
    assert page.figures.opened == expected.opened
    assert {c.key for c in page.figures.host_countries} <= {"TR"}


def test_language_switch_redraws(page: DashboardPage, bridge: LanguageBridge) -> None:
    bridge.set_language("ru")
    # Untranslated strings stay English until the catalog has them; the category names come
    # from the taxonomy, written in each language.
    assert page.category.itemText(1) != "Unpaid or underpaid wages"
    bridge.set_language("en")
    assert page.category.itemText(1) == "Unpaid or underpaid wages"


def test_month_labels_are_short_names_in_the_language() -> None:
    months = ["2025-12", "2026-01", "2026-02"]
    assert month_labels(months, "en") == ["Dec<br>2025", "Jan<br>2026", "Feb"]
    assert month_labels(months, "ru") == ["дек.<br>2025", "янв.<br>2026", "февр."]
    assert month_labels(months, "kk") == ["жел.<br>2025", "қаң.<br>2026", "ақп."]
    # Over two years only every third month is named, each with its year, none twice.
    long = [f"{2024 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}" for m in range(1, 26)]
    named = [text for text in month_labels(long, "en") if text]
    assert named[:3] == ["Jan<br>2024", "Apr<br>2024", "Jul<br>2024"]
    assert len(named) == 9 and len(set(named)) == 9


def test_long_labels_wrap_instead_of_being_elided() -> None:
    assert wrapped("Passport or documents withheld", 26) == "Passport or documents<br>withheld"
    assert wrapped("Short", 26) == "Short"
    assert wrapped("A & B", 26) == "A &amp; B"
    three_lines = wrapped("one two three four five six seven eight nine ten", 10)
    assert three_lines == "one two<br>three fou…"


def test_bar_and_trend_axes_show_whole_labels(page: DashboardPage) -> None:
    category_axis = page.category_chart.chart().axes(Qt.Orientation.Vertical)[0]
    assert isinstance(category_axis, QBarCategoryAxis)
    assert not category_axis.truncateLabels()
    assert "Unpaid or underpaid wages" in category_axis.categories()
    ilo_axis = page.ilo_chart.chart().axes(Qt.Orientation.Vertical)[0]
    assert isinstance(ilo_axis, QBarCategoryAxis)
    assert ilo_axis.categories()[-1] == "1. Abuse of vulnerability"  # drawn bottom-up
    assert page.ilo_chart.labels[-1] == "1. Abuse of vulnerability"
    status_axis = page.status_chart.chart().axes(Qt.Orientation.Horizontal)[0]
    assert isinstance(status_axis, QBarCategoryAxis)
    assert "Awaiting<br>response" in status_axis.categories()
    trend_axis = page.trend_chart.chart().axes(Qt.Orientation.Horizontal)[0]
    assert isinstance(trend_axis, QCategoryAxis)
    assert trend_axis.categoriesLabels()[:2] == ["Dec<br>2025", "Jan<br>2026"]
    assert len(trend_axis.categoriesLabels()) == 12
    page.category_chart.show_tip(len(page.category_chart.labels) - 1, [7] * 10, True)
    assert page.category_chart.toolTip() == f"{page.category_chart.labels[-1]}: 7"


def test_the_days_tile_keeps_its_bracket_beside_the_figures(page: DashboardPage) -> None:
    first, second = page.tiles["median"].text().split("\n")
    assert first == "Days to resolution"
    assert second.endswith("(median / 90%)")
