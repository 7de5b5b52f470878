"""The dashboard: figures on a fixed demo, and a click on a chart shows the cases behind it."""

from __future__ import annotations

import dataclasses
import math
import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCharts import QBarCategoryAxis, QCategoryAxis, QPieSeries
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QScrollArea
from pytestqt.qtbot import QtBot
from sqlalchemy import select, text

from app.config import Paths
from app.db.models import AuditEntry
from app.i18n import country_name, format_number
from app.reports import csv_bytes, indicator_tables
from app.reports.pdf import render_stats_report
from app.reports.published import published
from app.reports.texts import text as report_text
from app.reports.texts import texts
from app.services.installation import unlock
from app.services.stats import Count, Drilldown, MissionFigures, StatsService, named_period
from app.services.workspace import Workspace
from tests.conftest import PASSWORD, demo_paths_fixture
from tests.ui.press import choose, click, save_as
from tests.ui.test_letter_printing import PrintDialogAnswer, answer_print_dialog
from tests.ui.test_one_vocabulary import pdf_text
from ui.i18n_bridge import LanguageBridge
from ui.reports import case_list, dashboard
from ui.reports.case_list import CaseListDialog
from ui.reports.dashboard import ChartPanel, DashboardPage, month_labels, wrapped

TODAY = date(2026, 11, 24)


demo_paths = demo_paths_fixture("dashboard", 300, 21, TODAY)


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
    refresh(qtbot, widget)
    return widget


def refresh(qtbot: QtBot, page: DashboardPage) -> None:
    """Press Refresh and wait for the figures to be drawn."""
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        click(qtbot, page.refresh_button)


def listed(qtbot: QtBot, page: DashboardPage) -> CaseListDialog:
    """The drill-down dialog the page opened, once its list has come (read off the GUI)."""
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible())
    dialog = page.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: not dialog.busy.busy, timeout=20_000)
    return dialog


def on_screen(view: ChartPanel, in_chart: QPointF) -> QPoint:
    chart = view.chart()
    return view.mapFromScene(chart.mapToScene(in_chart))


def bar_point(view: ChartPanel, index: int, value: float, horizontal: bool = False) -> QPoint:
    """Where the middle of bar ``index`` of the view's bar series is on the screen."""
    assert view.series is not None
    middle = QPointF(value / 2, index) if horizontal else QPointF(index, value / 2)
    return on_screen(view, view.chart().mapToPosition(middle, view.series))


def slice_point(view: ChartPanel, index: int) -> QPoint:
    """A point well inside slice ``index`` of the view's pie."""
    series = view.series
    assert isinstance(series, QPieSeries)
    piece = series.slices()[index]
    area = view.chart().plotArea()
    radius = series.pieSize() * min(area.width(), area.height()) / 2
    # Angles run clockwise from twelve o'clock, in degrees.
    angle = math.radians(piece.startAngle() + piece.angleSpan() / 2)
    centre = QPointF(
        area.left() + area.width() * series.horizontalPosition(),
        area.top() + area.height() * series.verticalPosition(),
    )
    inside = centre + QPointF(math.sin(angle), -math.cos(angle)) * radius * 0.6
    return on_screen(view, inside)


def count(ws: Workspace, sql: str) -> int:
    with ws.read() as session:
        return int(session.execute(text(sql)).scalar_one())


def test_tiles_show_the_figures(page: DashboardPage, demo: Workspace) -> None:
    open_now = count(
        demo,
        'SELECT count(*) FROM "case" WHERE status IN'
        " ('new','in_progress','awaiting_response','referred')",
    )
    assert page.tiles["open"].text() == f"Cases open now\n{open_now}"
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
    click(qtbot, view.viewport(), bar_point(view, 1, in_progress.count))
    dialog = listed(qtbot, page)
    assert requested == [Drilldown(page.figures.scope, "open", "in_progress")]
    assert dialog.model.rowCount() == in_progress.count
    with demo.read() as session:
        expected = set(
            session.execute(
                text("SELECT number FROM \"case\" WHERE status = 'in_progress'")
            ).scalars()
        )
    assert set(dialog.numbers()) == expected
    assert {dialog.text(i, 2) for i in range(dialog.model.rowCount())} == {"In progress"}
    assert dialog.count_label.text() == f"{in_progress.count} cases"


def test_the_list_of_a_figures_cases_follows_a_language_switch(
    qtbot: QtBot, page: DashboardPage, bridge: LanguageBridge
) -> None:
    """The fault: the list opens beside the window (not modal), and after a switch to
    Russian in Settings its title, statuses, headings, tooltip and Export… stayed English."""
    assert page.figures is not None
    in_progress = page.figures.open_by_status[1]
    view = page.status_chart
    click(qtbot, view.viewport(), bar_point(view, 1, in_progress.count))
    dialog = listed(qtbot, page)
    english_title = dialog.windowTitle()
    assert dialog.text(0, 2) == "In progress" and dialog.export_button.text() == "Export…"
    bridge.set_language("ru")
    qtbot.waitUntil(lambda: dialog.text(0, 2) == "В работе", timeout=2000)
    assert {dialog.text(i, 2) for i in range(dialog.model.rowCount())} == {"В работе"}
    assert dialog.model.headerData(2, Qt.Orientation.Horizontal) == "Статус"
    assert dialog.export_button.text() == "Экспорт…"
    assert dialog.table.toolTip().startswith("Чтобы открыть дело, щёлкните")
    assert dialog.count_label.text().endswith(("дело", "дела", "дел"))
    assert dialog.windowTitle() != english_title and "В работе" in dialog.windowTitle()
    bridge.set_language("en")
    qtbot.waitUntil(lambda: dialog.windowTitle() == english_title, timeout=2000)


def test_pie_slice_and_category_bar_list_their_cases(qtbot: QtBot, page: DashboardPage) -> None:
    assert page.figures is not None
    view = page.country_chart
    page.findChild(QScrollArea).ensureWidgetVisible(view)
    first = page.figures.host_countries[0]
    click(qtbot, view.viewport(), slice_point(view, 0))
    dialog = listed(qtbot, page)
    assert dialog.model.rowCount() == first.count
    assert {dialog.text(i, 3) for i in range(first.count)} == {first.key}
    top = page.figures.categories[0]
    bars = page.category_chart
    assert bars.segments[-1] == top.key  # drawn last = shown at the top
    page.findChild(QScrollArea).ensureWidgetVisible(bars)
    click(qtbot, bars.viewport(), bar_point(bars, len(bars.segments) - 1, top.count, True))
    qtbot.waitUntil(lambda: page.dialog is not dialog and page.dialog is not None)
    assert listed(qtbot, page).model.rowCount() == top.count


def test_hidden_names_and_exports(
    qtbot: QtBot, page: DashboardPage, demo: Workspace, tmp_path: Path
) -> None:
    click(qtbot, page.hide_names)
    assert page.hide_names.isChecked()
    click(qtbot, page.tiles["overdue"])
    dialog = listed(qtbot, page)
    assert dialog.model.rowCount() > 0
    assert {dialog.text(i, 4) for i in range(dialog.model.rowCount())} == {"(hidden)"}
    save_as(qtbot, tmp_path / "overdue.csv")
    with qtbot.waitSignal(dialog.exported, timeout=20_000):
        click(qtbot, dialog.export_button)
    assert "(hidden)" in (tmp_path / "overdue.csv").read_text(encoding="utf-8-sig")
    dialog.close()

    choose(qtbot, page.report_lang, "kk")
    save_as(qtbot, tmp_path / "report.pdf")
    with qtbot.waitSignal(page.exported, timeout=20_000):  # written off the GUI thread
        click(qtbot, page.pdf_button)
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    choose(qtbot, page.report_lang, "en")
    save_as(qtbot, tmp_path / "tables")  # the suffix is added when not typed
    with qtbot.waitSignal(page.exported, timeout=20_000) as written:
        click(qtbot, page.tables_button)
    assert written.args == [tmp_path / "tables.xlsx"]
    assert (tmp_path / "tables.xlsx").stat().st_size > 0
    # The workbook says its source, period and selection first, as the PDF's letterhead and
    # heading do.
    about = load_workbook(tmp_path / "tables.xlsx", read_only=True).worksheets[0]
    lines = [row[0] for row in about.iter_rows(values_only=True)]
    assert lines[1].startswith("Source: ") and "24 November 2026" in lines[1]
    assert lines[2].startswith("Reporting period: ") and lines[3] == "Selection: all cases."
    # The day "open now" stands at, as the PDF says it: the workbook did not.
    assert lines[4] == "Open and overdue cases are shown as of 24 November 2026."
    with demo.read() as session:
        logged = session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("stats.export.%"))
        ).all()
    assert sorted(logged) == ["stats.export.cases", "stats.export.pdf", "stats.export.tables"]


def test_an_export_is_written_off_the_gui_thread_one_at_a_time(
    qtbot: QtBot, page: DashboardPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    render = dashboard.render_stats_report

    def slow(*args: object, **kwargs: object) -> bytes:
        release.wait(10)
        return render(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(dashboard, "render_stats_report", slow)
    task = page.export_pdf(tmp_path / "report.pdf", "ru")
    # Returned at once; the window goes on, but no second export starts meanwhile.
    assert task.running and page.busy.busy
    assert not page.pdf_button.isEnabled() and not page.tables_button.isEnabled()
    with qtbot.waitSignal(page.exported, timeout=20_000):
        release.set()
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    assert page.pdf_button.isEnabled() and page.tables_button.isEnabled()
    assert not page.busy.busy


def test_an_export_to_a_folder_that_cannot_be_written_is_said(
    qtbot: QtBot, page: DashboardPage, tmp_path: Path
) -> None:
    nowhere = tmp_path / "no such folder" / "report.xlsx"
    task = page.export_tables(nowhere)
    qtbot.waitUntil(lambda: not task.running, timeout=20_000)
    assert "Cannot write" in page.error.text() and page.error.isVisible()
    assert not nowhere.parent.exists()
    assert page.tables_button.isEnabled()  # another folder may be chosen


def test_a_bad_period_is_shown_not_raised(qtbot: QtBot, page: DashboardPage) -> None:
    page.date_from.setDate(page.date_to.date().addDays(5))
    drawn = page.figures
    click(qtbot, page.refresh_button)
    assert "is after its end" in page.error.text()
    assert page.error.isVisible()
    assert page.figures is drawn  # the figures shown stay those of the last good period
    assert not page.pdf_button.isEnabled()  # but are not exported as the period asked for


def test_a_refused_period_follows_a_language_switch(
    qtbot: QtBot, page: DashboardPage, bridge: LanguageBridge
) -> None:
    """The fault: the refusal was translated when the filters were checked, so after a
    switch to Russian the line under the filters still said it in English, dates too."""
    page.date_from.setDate(page.date_to.date().addDays(5))
    click(qtbot, page.refresh_button)
    assert page.error.text().startswith("The start of the period (")
    bridge.set_language("ru")
    assert page.error.text().startswith("Начало периода (")
    assert "позже его окончания" in page.error.text() and page.error.isVisible()
    assert "after its end" not in page.error.text()
    bridge.set_language("en")


def a_country_besides_korea(page: DashboardPage) -> str:
    """One of the few host countries besides the Seoul mission's own that its cases name."""
    offered = [page.country.itemData(i) for i in range(page.country.count())]
    return next(code for code in offered if code and code != "KR")


def test_filters_narrow_the_figures(qtbot: QtBot, page: DashboardPage, demo: Workspace) -> None:
    everywhere = StatsService(demo, TODAY).indicators(page.scope())
    country = a_country_besides_korea(page)
    choose(qtbot, page.country, country)
    refresh(qtbot, page)
    assert page.figures is not None
    expected = StatsService(demo, TODAY).indicators(page.scope())
    assert page.figures.opened == expected.opened
    assert 0 < expected.opened < everywhere.opened
    assert {c.key for c in page.figures.host_countries} == {country}


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


def test_bar_and_trend_axes_show_whole_labels(qtbot: QtBot, page: DashboardPage) -> None:
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
    # The last twelve months from 25.11.2025: every month named, the first with its year.
    assert trend_axis.categoriesLabels()[:3] == ["Nov<br>2025", "Dec", "Jan<br>2026"]
    assert len(trend_axis.categoriesLabels()) == 13
    # Hovering a bar shows its whole label and its count.
    bars = page.category_chart
    assert page.figures is not None
    top = page.figures.categories[0]
    page.findChild(QScrollArea).ensureWidgetVisible(bars)
    qtbot.mouseMove(bars.viewport(), bar_point(bars, len(bars.labels) - 1, top.count, True))
    qtbot.waitUntil(lambda: bars.toolTip() == f"{bars.labels[-1]}: {top.count}")


def test_the_days_tile_keeps_its_bracket_beside_the_figures(page: DashboardPage) -> None:
    first, second = page.tiles["median"].text().split("\n")
    assert first == "Days to resolution"
    assert second.endswith("(median / 90%)")


def test_the_figures_are_counted_off_the_gui_thread_and_the_newest_wins(
    qtbot: QtBot, page: DashboardPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counted on the GUI thread, the window froze 0.8-3 s at 100k cases when Reports opened
    and at every refresh; now the page stays usable and a stale count is never drawn."""
    release = threading.Event()
    counted: list[str | None] = []
    indicators = page.service.indicators

    def slow(flt: object) -> object:
        release.wait(10)
        counted.append(getattr(flt, "host_country", None))
        return indicators(flt)  # type: ignore[arg-type]

    monkeypatch.setattr(page.service, "indicators", slow)
    before = page.figures
    choose(qtbot, page.country, a_country_besides_korea(page))
    page.refresh()
    assert page.loading and page.busy.busy  # returned at once: the count goes on meanwhile
    assert page.figures is before
    # The figures drawn are the previous filters': they are not exported as these.
    assert not page.pdf_button.isEnabled() and not page.tables_button.isEnabled()
    page.country.setCurrentIndex(0)  # any country, again: the newer refresh
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.refresh()
        release.set()
    qtbot.waitUntil(lambda: not page.loading, timeout=10_000)
    assert page.figures is not None and page.figures.scope.host_country is None
    assert not page.busy.busy
    assert page.pdf_button.isEnabled() and page.tables_button.isEnabled()


def test_a_segment_lists_all_its_cases_a_page_at_a_time_and_exports_all(
    qtbot: QtBot, page: DashboardPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It listed the newest 5,000 and said "5000 cases" (the tile said 82,664 at 100k), and
    its CSV held those 5,000 only."""
    monkeypatch.setattr(case_list, "PAGE", 40)
    assert page.figures is not None
    opened = page.figures.opened
    assert opened > 3 * 40
    click(qtbot, page.tiles["opened"])
    dialog = listed(qtbot, page)
    assert dialog.count_label.text() == f"{opened} cases"
    assert dialog.model.rowCount() == 40  # the first page; the rest as the list scrolls
    while dialog.model.canFetchMore():
        dialog.table.scrollToBottom()
        dialog.model.fetchMore()  # read off the GUI thread, the rows put in as they come
        qtbot.waitUntil(lambda: not dialog.model.reading, timeout=10_000)
    assert dialog.model.rowCount() == opened
    assert len(set(dialog.numbers())) == opened
    received = [row.received_at for row in dialog.rows]
    assert received == sorted(received, reverse=True)  # newest first, across the pages

    save_as(qtbot, tmp_path / "opened.csv")
    with qtbot.waitSignal(dialog.exported, timeout=20_000):
        click(qtbot, dialog.export_button)
    lines = (tmp_path / "opened.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == opened + 1  # and the header
    assert {line.split(";")[0] for line in lines[1:]} == set(dialog.numbers())

    # A workbook, the first choice: its dates are dates.
    save_as(qtbot, tmp_path / "opened.xlsx")
    with qtbot.waitSignal(dialog.exported, timeout=20_000):
        click(qtbot, dialog.export_button)
    sheet = load_workbook(tmp_path / "opened.xlsx", read_only=True).worksheets[0]
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[0][0] == dialog.windowTitle() and cells[1][0] == "Number"
    assert {row[0] for row in cells[2:]} == set(dialog.numbers())
    assert all(isinstance(row[1], datetime) for row in cells[2:])  # dates, not text


def test_the_cases_behind_a_segment_are_found_off_the_gui_thread(
    qtbot: QtBot, page: DashboardPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    ids_behind = page.service.ids_behind

    def slow(drill: Drilldown) -> list[str]:
        release.wait(10)
        return ids_behind(drill)

    monkeypatch.setattr(page.service, "ids_behind", slow)
    assert page.figures is not None
    page.show_cases(Drilldown(page.figures.scope, "opened"))
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()  # at once, the window goes on
    assert dialog.busy.busy and not dialog.export_button.isEnabled()
    with qtbot.waitSignal(dialog.loaded, timeout=20_000):
        release.set()
    assert dialog.total == page.figures.opened and dialog.export_button.isEnabled()


def line_point(view: ChartPanel, line: int, x: int) -> QPoint:
    """Where point ``x`` of trend line ``line`` (0 opened, 1 resolved, 2 closed) is drawn."""
    series = view.lines[line]
    return on_screen(view, view.chart().mapToPosition(series.at(x), series))


@pytest.mark.parametrize(
    ("line", "column", "title"),
    [
        (0, "received_at", "Cases opened"),
        (1, "resolved_at", "Cases resolved"),
        (2, "closed_at", "Cases closed"),
    ],
)
def test_a_trend_point_lists_the_cases_of_its_own_line(
    qtbot: QtBot, page: DashboardPage, demo: Workspace, line: int, column: str, title: str
) -> None:
    """The fault: every point of the three lines listed the month's *opened* cases, so a click
    on "Closed" in March showed the cases received in March, under the title "Cases opened"."""
    assert page.figures is not None
    monthly = page.figures.monthly
    counts = [(p.opened, p.resolved, p.closed) for p in monthly]
    # The month where the three lines lie furthest apart, so the click hits this line only.
    x = max(
        range(len(monthly)),
        key=lambda i: min(
            abs(a - b)
            for a, b in (
                (counts[i][0], counts[i][1]),
                (counts[i][1], counts[i][2]),
                (counts[i][0], counts[i][2]),
            )
        ),
    )
    month = monthly[x].month
    shown = counts[x][line]
    assert shown > 0 and len(set(counts[x])) == 3
    view = page.trend_chart
    page.findChild(QScrollArea).ensureWidgetVisible(view)
    click(qtbot, view.viewport(), line_point(view, line, x))
    dialog = listed(qtbot, page)
    year, number = month.split("-")
    named = f"{date(int(year), int(number), 1):%B %Y}"  # English: "March 2026"
    assert dialog.windowTitle() == f"{title}: {named}"
    assert dialog.model.rowCount() == shown
    with demo.read() as session:
        expected = set(
            session.execute(
                text(
                    f"SELECT number FROM \"case\" WHERE strftime('%Y-%m', {column}) = :month"
                    " AND deleted_at IS NULL"
                ),
                {"month": month},
            ).scalars()
        )
    assert set(dialog.numbers()) == expected


def test_the_tables_export_as_csv_too(
    qtbot: QtBot, page: DashboardPage, demo: Workspace, tmp_path: Path
) -> None:
    """The fault: the dashboard offered "Export tables (XLSX)…" only, though CSV of any table
    was asked for (and `stats --csv` writes them). A .csv name now writes one CSV per table,
    named as the command line names them."""
    assert page.tables_button.text() == "Export tables…"
    save_as(qtbot, tmp_path / "tables.csv")
    with qtbot.waitSignal(page.exported, timeout=20_000) as written:
        click(qtbot, page.tables_button)
    assert page.figures is not None
    tables = indicator_tables(published(page.figures), "en")  # a file: published counts
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["tables-about.csv", *(f"tables-{t.key}.csv" for t in tables)]
    )
    # The first file says the period, the selection and what "<11" means, as the
    # workbook's first sheet does.
    assert written.args == [tmp_path / "tables-about.csv"]
    about = (tmp_path / "tables-about.csv").read_text(encoding="utf-8-sig").splitlines()
    assert about[0] == "Statistical report on the protection of labour emigrants"
    assert about[1].startswith("Source: ") and about[2].startswith("Reporting period:")
    assert any("<11" in line for line in about)
    for table in tables:
        assert (tmp_path / f"tables-{table.key}.csv").read_bytes() == csv_bytes(table)
    with demo.read() as session:
        details = session.scalars(  # the newest: the demo is shared by this module's tests
            select(AuditEntry.details)
            .where(AuditEntry.action == "stats.export.tables")
            .order_by(AuditEntry.seq.desc())
        ).first()
    assert len(details["files"]) == len(tables) + 1


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_the_tables_are_written_in_the_report_language_chosen(
    qtbot: QtBot, page: DashboardPage, demo: Workspace, tmp_path: Path, lang: str
) -> None:
    """The fault: the report language beside the exports (kk, ru, en, as everywhere) set the
    PDF's only; the tables (CSV or workbook) came out in the interface's language, so the
    Russian copy for a partner had English or Kazakh columns."""
    assert [page.report_lang.itemData(i) for i in range(page.report_lang.count())] == [
        "kk",
        "ru",
        "en",
    ]
    choose(qtbot, page.report_lang, lang)
    offered: list[str] = []

    def answer(_parent: object, _title: str, name: str, _pattern: str) -> tuple[str, str]:
        offered.append(Path(name).name)
        return str(tmp_path / "tables.csv"), ""

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dashboard.QFileDialog, "getSaveFileName", answer)
        with qtbot.waitSignal(page.exported, timeout=20_000):
            click(qtbot, page.tables_button)
    assert offered and offered[0].endswith(f"-{lang}.xlsx")
    assert page.figures is not None
    tables = indicator_tables(published(page.figures), lang)
    key = tables[0]
    written = (tmp_path / f"tables-{key.key}.csv").read_bytes()
    assert written == csv_bytes(key)
    header = written.decode("utf-8-sig").splitlines()[0]
    assert header == f"{report_text('indicator', lang)};{report_text('value', lang)}"
    assert header != "Indicator;Value"
    with demo.read() as session:
        details = session.scalars(
            select(AuditEntry.details)
            .where(AuditEntry.action == "stats.export.tables")
            .order_by(AuditEntry.seq.desc())
        ).first()
    assert details["lang"] == lang


def period_sql(page: DashboardPage, column: str) -> str:
    """``column``'s day within the figures' period, as SQL."""
    assert page.figures is not None
    first, last = page.figures.date_from, page.figures.date_to
    return f"substr({column}, 1, 10) BETWEEN '{first.isoformat()}' AND '{last.isoformat()}'"


def test_the_outcome_tiles_show_their_figures_and_list_their_cases(
    qtbot: QtBot, page: DashboardPage, demo: Workspace
) -> None:
    """The fault: documents returned, repatriated and referred were in the PDF, XLSX and CLI
    only; the dashboard had no tile for them. Counted here in plain SQL."""
    resolved = f'FROM "case" WHERE deleted_at IS NULL AND {period_sql(page, "resolved_at")}'
    expected = {
        "documents_returned": count(demo, f"SELECT count(*) {resolved} AND documents_returned"),
        "repatriated": count(demo, f"SELECT count(*) {resolved} AND repatriated"),
    }
    assert all(expected.values())
    assert (
        page.tiles["documents_returned"].text()
        == f"Documents returned\n{expected['documents_returned']}"
    )
    assert page.tiles["repatriated"].text() == f"Repatriated\n{expected['repatriated']}"
    assert page.figures is not None
    assert (
        page.tiles["referred"].text()
        == f"Referred to support organisations\n{page.figures.referred}"
    )
    for key, n in expected.items():
        shown = page.dialog
        click(qtbot, page.tiles[key])
        qtbot.waitUntil(lambda shown=shown: page.dialog is not shown)
        dialog = listed(qtbot, page)
        assert dialog.model.rowCount() == n
        assert dialog.windowTitle().startswith(page.tiles[key].text().split("\n")[0])


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_screen_and_paper_name_each_figure_alike(
    page: DashboardPage, bridge: LanguageBridge, lang: str, tmp_path: Path
) -> None:
    """The fault: the ru tiles said «Репатриировано» and «Возвращено документов» where the
    PDF said «Возвращены на родину» and «Возвращены документы»; the kk trend's legend
    «Тіркелген» where the PDF's said «Тіркелді»."""
    bridge.set_language(lang)
    assert page.figures is not None
    pdf = published(page.figures)
    key_figures = indicator_tables(pdf, lang)[0]
    printed = pdf_text(render_stats_report(pdf, lang, page.service.mission_info()), tmp_path)
    named = {row[0] for row in key_figures.rows}
    for key in (
        "opened",
        "resolved",
        "closed",
        "open",
        "overdue",
        "referred",
        "documents_returned",
        "repatriated",
    ):
        name = page.tiles[key].text().split("\n")[0]
        assert name in named and name in printed, (key, name)
    legend = [line.name() for line in page.trend_chart.lines]
    assert legend == list(texts(lang, "opened_short", "resolved_short", "closed_short"))
    for chart in (page.trend_chart, page.status_chart, page.country_chart):
        assert chart.chart().title() in printed


def test_the_tables_say_what_the_report_says_and_list_their_cases(
    qtbot: QtBot, page: DashboardPage, demo: Workspace
) -> None:
    """The fault: wages recovered, employers and agencies with the most complaints, letters by
    kind and reviews by risk were in the PDF, XLSX and CLI only. The tables on screen are the
    report's own, and a counted cell lists its cases (counted here in plain SQL)."""
    assert page.figures is not None
    printed = {t.key: t for t in indicator_tables(page.figures, "en")}
    for widget, key in (
        (page.wages_table, "wages_recovered"),
        (page.letters_table, "letters_by_kind"),
        (page.reviews_table, "reviews_by_risk"),
        (page.employers_table, "top_employers"),
        (page.agencies_table, "top_agencies"),
    ):
        assert widget.isVisible()
        assert widget.title.text() == printed[key].title
        assert widget.model.rowCount() == len(printed[key].rows)
    with demo.read() as session:
        wages = session.execute(
            text(
                'SELECT wages_recovered_currency, count(*) FROM "case" WHERE deleted_at IS NULL'
                " AND wages_recovered_amount IS NOT NULL AND wages_recovered_currency IS NOT NULL"
                f" AND {period_sql(page, 'resolved_at')} GROUP BY 1 ORDER BY 1"
            )
        ).all()
    table = page.wages_table
    assert [(table.cell(r, 0), table.cell(r, 2)) for r in range(len(wages))] == [
        (currency, str(n)) for currency, n in wages
    ]
    currency, n = wages[0]
    page.findChild(QScrollArea).ensureWidgetVisible(table)
    view = table.view
    click(qtbot, view.viewport(), view.visualRect(table.model.index(0, 2)).center())
    dialog = listed(qtbot, page)
    assert dialog.model.rowCount() == n
    assert dialog.windowTitle() == f"Wages recovered: {currency}"

    employer = page.figures.top_employers[0]
    opened = count(
        demo,
        f"SELECT count(*) FROM \"case\" WHERE deleted_at IS NULL AND employer_id = '{employer.id}'"
        f" AND {period_sql(page, 'received_at')}",
    )
    table = page.employers_table
    assert (table.cell(0, 0), table.cell(0, 2)) == (employer.name, str(opened))
    page.findChild(QScrollArea).ensureWidgetVisible(table)
    view = table.view
    view.setCurrentIndex(table.model.index(0, 2))
    qtbot.keyClick(view, Qt.Key.Key_Return)  # the keyboard opens it too
    qtbot.waitUntil(lambda: page.dialog is not dialog)
    listed_now = listed(qtbot, page)
    assert listed_now.model.rowCount() == opened
    assert {listed_now.text(i, 5) for i in range(opened)} == {employer.name}
    assert listed_now.windowTitle() == employer.name


def test_a_zero_in_a_table_lists_nothing(qtbot: QtBot, page: DashboardPage) -> None:
    """A row counting nothing has no list behind it: a click opens no empty dialog."""
    assert page.figures is not None
    zero = next(i for i, c in enumerate(page.figures.reviews_by_risk) if not c.count)
    table = page.reviews_table
    page.findChild(QScrollArea).ensureWidgetVisible(table)
    view = table.view
    click(qtbot, view.viewport(), view.visualRect(table.model.index(zero, 1)).center())
    assert page.dialog is None


def test_the_returnees_who_came_home_are_on_the_dashboard(
    page: DashboardPage, demo: Workspace
) -> None:
    """The fault: the returnees' register (who came home in the period, the help they want)
    was in no table of the dashboard, so the screen and the report never showed it. The
    tables are the report's own, counted here from the register in plain SQL."""
    assert page.figures is not None
    in_period = (
        "FROM returnee r JOIN person p ON p.id = r.person_id WHERE r.deleted_at IS NULL"
        " AND r.anonymised_at IS NULL AND p.anonymised_at IS NULL"
        " AND p.consent_scope LIKE '%\"returnee_register\"%'"
        f" AND {period_sql(page, 'r.returned_on')}"
    )
    returned = count(demo, f"SELECT count(*) {in_period}")
    wanting = count(demo, f"SELECT count(*) {in_period} AND r.wants_referral")
    assert returned > 0  # the demo registers some, or this test proves nothing
    printed = {t.key: t for t in indicator_tables(page.figures, "en")}
    table = page.returnees_table
    page.findChild(QScrollArea).ensureWidgetVisible(table)
    assert table.isVisible() and table.title.text() == printed["returnees"].title
    assert (table.cell(0, 1), table.cell(1, 1)) == (str(returned), str(wanting))
    with demo.read() as session:
        by_region = session.execute(
            text(f"SELECT r.region, count(*) {in_period} GROUP BY 1 ORDER BY 2 DESC, 1")
        ).all()
    regions = page.returnee_tables["returnees_by_region"]
    assert regions.model.rowCount() == len(by_region)
    assert [regions.cell(r, 1) for r in range(len(by_region))] == [str(n) for _r, n in by_region]
    for key, widget in page.returnee_tables.items():
        assert widget.title.text() == printed[key].title
        assert widget.model.rowCount() == len(printed[key].rows)


def test_at_a_mission_the_returnee_cells_offer_no_list(
    qtbot: QtBot, page: DashboardPage, demo: Workspace
) -> None:
    """The register's list is HQ's Returnees area; a mission has none, so its cells neither
    say "click" nor answer one (HQ's are tested in tests/ui/test_returnees.py)."""
    assert not demo.mission.is_hq and page.figures is not None
    assert page.figures.returnees.total > 0
    table = page.returnees_table
    page.findChild(QScrollArea).ensureWidgetVisible(table)
    cell = table.model.index(0, 1)
    assert "Click" not in table.model.data(cell, Qt.ItemDataRole.ToolTipRole)
    asked: list[object] = []
    page.returnees_requested.connect(asked.append)
    click(qtbot, table.view.viewport(), table.view.visualRect(cell).center())
    assert asked == [] and page.dialog is None


def test_a_quarter_is_chosen_by_name_and_named_in_the_file_offered(
    qtbot: QtBot, page: DashboardPage
) -> None:
    """The fault: the quarterly report took four date fields typed by hand, and every export
    was offered as "qorgau-stats", so the next quarter's report replaced the last."""
    assert page.period.currentData() == "last_12_months"  # the dates the page opens with
    choose(qtbot, page.period, "last_quarter")
    assert (page.date_from.date().toPython(), page.date_to.date().toPython()) == (
        date(2026, 7, 1),
        date(2026, 9, 30),
    )
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        pass  # counted again by itself once the filters settle
    assert page.figures is not None
    assert (page.figures.date_from, page.figures.date_to) == (date(2026, 7, 1), date(2026, 9, 30))
    assert page.file_stem() == "qorgau-stats-2026-07-01_2026-09-30"
    page.date_to.setDate(page.date_to.date().addDays(-1))
    assert page.period.currentData() == ""  # dates set by hand name no period
    assert page.period.currentText() == "Other period"
    page.date_to.setDate(page.date_to.date().addDays(1))
    assert page.period.currentData() == "last_quarter"


@pytest.mark.parametrize(
    ("today", "name", "first", "last"),
    [
        (date(2026, 11, 24), "this_month", date(2026, 11, 1), date(2026, 11, 24)),
        (date(2026, 11, 24), "this_quarter", date(2026, 10, 1), date(2026, 11, 24)),
        (date(2026, 11, 24), "last_quarter", date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 1, 15), "last_quarter", date(2025, 10, 1), date(2025, 12, 31)),
        (date(2026, 1, 15), "last_month", date(2025, 12, 1), date(2025, 12, 31)),
        (date(2026, 3, 31), "last_month", date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 11, 24), "this_year", date(2026, 1, 1), date(2026, 11, 24)),
        (date(2026, 11, 24), "last_year", date(2025, 1, 1), date(2025, 12, 31)),
        (date(2026, 11, 24), "last_12_months", date(2025, 11, 25), date(2026, 11, 24)),
        (date(2026, 12, 7), "last_12_months", date(2025, 12, 8), date(2026, 12, 7)),
        (date(2026, 12, 7), "this_year", date(2026, 1, 1), date(2026, 12, 7)),
        (date(2026, 12, 7), "last_month", date(2026, 11, 1), date(2026, 11, 30)),
        (date(2026, 12, 7), "this_quarter", date(2026, 10, 1), date(2026, 12, 7)),
        (date(2026, 2, 10), "last_quarter", date(2025, 10, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), "last_year", date(2025, 1, 1), date(2025, 12, 31)),
    ],
)
def test_named_periods(today: date, name: str, first: date, last: date) -> None:
    assert named_period(name, today) == (first, last)


def test_the_last_12_months_span_a_year_on_every_day() -> None:
    """The fault: in December "Last 12 months" gave this year so far, 01.01–07.12."""
    for offset in range(366 * 2):
        today = date(2026, 1, 1) + timedelta(days=offset)
        first, last = named_period("last_12_months", today)
        assert last == today
        assert 365 <= (last - first).days + 1 <= 366


def test_the_report_is_printed_in_the_language_chosen(
    qtbot: QtBot,
    page: DashboardPage,
    demo: Workspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fault: Reports had no Print; the consul saved the PDF and printed it elsewhere."""
    answer = PrintDialogAnswer(tmp_path / "printed.pdf")
    answer_print_dialog(monkeypatch, answer)
    choose(qtbot, page.report_lang, "kk")
    assert page.print_button.text() == "&Print…" and page.print_button.isEnabled()
    with qtbot.waitSignal(page.printed, timeout=20_000):
        click(qtbot, page.print_button)
    assert answer.offered and answer.offered[0][2] == page.file_stem()  # the job's name
    printed = pdf_text(answer.path.read_bytes(), tmp_path)
    assert "Еңбек эмигранттарын қорғау жөніндегі статистикалық есеп" in printed
    assert StatsService(demo).recorded_exports("print")[-1][1] == {
        "lang": "kk",
        "hide_names": False,
    }


@pytest.mark.parametrize(
    ("lang", "opened", "closed"),
    [
        ("kk", "Тіркелген істер: 2026 жылғы қараша", "Жабылған істер: 2026 жылғы мамыр"),
        ("ru", "Заведено дел: ноябрь 2026 г.", "Закрыто дел: май 2026 г."),
        ("en", "Cases opened: November 2026", "Cases closed: May 2026"),
    ],
)
def test_a_months_case_list_is_titled_with_the_months_name(
    page: DashboardPage, bridge: LanguageBridge, lang: str, opened: str, closed: str
) -> None:
    """The fault: a month of the trend (or of HQ's chart) listed its cases under the title
    "Тіркелген істер: 2026-11", and the workbook exported from the list was headed so."""
    assert page.figures is not None
    bridge.set_language(lang)
    scope = page.figures.scope
    assert page.describe(Drilldown(scope, "month", "2026-11")) == opened
    assert page.describe(Drilldown(scope, "closed", "2026-05")) == closed


def test_the_countries_legend_keeps_each_count_in_view(page: DashboardPage) -> None:
    """The fault: HQ's legend of host countries read "Біріккен Араб Әмірлі…": Qt gives a
    legend on the right at most 40 % of the chart and cuts a label at its end, and the
    country's count went with it. The count now comes first; the whole label shows under
    the mouse."""
    assert page.figures is not None
    legend = page.country_chart.chart().legend()
    shown = [c for c in page.figures.host_countries if c.count]
    labels = [marker.label() for marker in legend.markers()]
    assert labels == [f"{format_number(c.count)} · {country_name(c.key)}" for c in shown]
    assert legend.showToolTips()


# HQ's host countries, long names among them: at HQ the legend shared a row with the
# missions' bars and read "126 · Оңтү…", "124 · Бірік…" in a 1024-pixel window.
# Twenty-six of them, more than a 300-pixel legend holds: past it Qt clipped the last ones.
HQ_COUNTRIES = tuple(
    "KR AE US GB DE RU IL KG TR SA PL CZ FR IT ES JP CN IN TH MY VN ID QA KW BH OM".split()
)


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_every_country_of_hqs_legend_reads_whole_in_a_small_window(
    qtbot: QtBot, page: DashboardPage, bridge: LanguageBridge, lang: str
) -> None:
    assert page.figures is not None
    missions = tuple(MissionFigures(code, 120, 60, 30, 40, 3, 20.0) for code in ("SEL", "DXB"))
    countries = tuple(Count(key, 126 - n) for n, key in enumerate(HQ_COUNTRIES))
    at_hq = dataclasses.replace(page.figures, host_countries=countries, by_mission=missions)
    bridge.set_language(lang)
    page.resize(810, 620)  # the page of a 1024×768 window
    page._shown(at_hq)
    qtbot.waitUntil(lambda: page.country_chart.chart().legend().markers() != [])
    QApplication.processEvents()
    legend = page.country_chart.chart().legend()
    metrics = QFontMetrics(legend.font())
    room = legend.geometry().width() - 2 * metrics.height()  # less its marker and margins
    labels = [marker.label() for marker in legend.markers()]
    assert len(labels) == len(HQ_COUNTRIES)
    assert [text for text in labels if metrics.horizontalAdvance(text) > room] == []
    assert legend.geometry().height() >= len(labels) * metrics.height()
