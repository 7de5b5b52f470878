"""The trend's month names and the period choice at 1366 and 1024 pixels in Russian and Kazakh.

The faults: at 1366 pixels in Russian the trend's axis ran its month names together
(«июньиюль», «февр.март»), and «Последние 12 месяцев» ran under the period choice's arrow
(sized to «Другой период»). Measured with QFontMetrics, as Qt draws them.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import date
from itertools import pairwise

import pytest
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QComboBox, QStyle, QStyleOptionComboBox
from pytestqt.qtbot import QtBot

from app.config import Paths
from app.reports.charts import month_names
from app.services.installation import unlock
from app.services.workspace import Workspace
from tests.conftest import PASSWORD, demo_paths_fixture
from ui.i18n_bridge import LanguageBridge
from ui.reports.dashboard import DashboardPage, label_width

pytestmark = pytest.mark.usefixtures("apps_look")  # every width is measured in the app's look

TODAY = date(2026, 11, 24)
# The page's width on a 1366- and a 1024-pixel screen, beside the areas' list.
WIDTHS = {"1366": 1166, "1024": 824}

demo_paths = demo_paths_fixture("dashboard_month_axis", 40, 3, TODAY)


@pytest.fixture
def demo(demo_paths: Paths) -> Iterator[Workspace]:
    ws = unlock(demo_paths, "aigul", PASSWORD)
    yield ws
    ws.close()


def shown_page(qtbot: QtBot, demo: Workspace, bridge: LanguageBridge, lang: str) -> DashboardPage:
    bridge.set_language(lang)
    page = DashboardPage(demo, bridge, today=TODAY)
    qtbot.addWidget(page)
    page.resize(WIDTHS["1366"], 900)
    page.show()
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.refresh()
    return page


def month_spans(page: DashboardPage) -> list[tuple[float, float, str]]:
    """Each month name on the trend's axis: its left and right edge as drawn, and its text."""
    axis, chart = page.month_axis, page.trend_chart.chart()
    assert axis is not None
    area, months = chart.plotArea(), len(page.trend_chart.segments)
    metrics = QFontMetrics(axis.labelsFont())
    spans = []
    for name in axis.categoriesLabels():
        centre = area.left() + (axis.endValue(name) + 0.5) * area.width() / months
        half = label_width(name, metrics) / 2
        spans.append((centre - half, centre + half, html.unescape(name)))
    return sorted(spans)


def run_together(page: DashboardPage) -> list[str]:
    return [
        f"{a}|{b}" for (_l, right, a), (left, _r, b) in pairwise(month_spans(page)) if right > left
    ]


def resized(qtbot: QtBot, page: DashboardPage, width: int) -> None:
    page.resize(width, 900)
    chart = page.trend_chart.chart()
    qtbot.waitUntil(lambda: abs(chart.size().width() - page.trend_chart.width()) < 2)


def combo_shortfall(combo: QComboBox) -> int:
    """How many pixels the combo's field lacks to show its current text whole: Qt draws the
    text a pixel in from each side of the field (``CE_ComboBoxLabel``)."""
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, combo
    )
    return max(0, combo.fontMetrics().horizontalAdvance(combo.currentText()) + 2 - field.width())


@pytest.mark.parametrize("screen", WIDTHS)
@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_month_names_never_run_together(
    qtbot: QtBot, demo: Workspace, bridge: LanguageBridge, lang: str, screen: str
) -> None:
    page = shown_page(qtbot, demo, bridge, lang)
    resized(qtbot, page, WIDTHS[screen])
    assert len(page.trend_chart.segments) == 13  # the last twelve months touch thirteen
    spans = month_spans(page)
    assert run_together(page) == [], spans
    assert len(spans) >= 4, spans  # thinned, not emptied
    assert spans[0][2].endswith("2025")  # the year under the first month named
    assert any(name.endswith("2026") for _l, _r, name in spans)


def test_month_names_follow_the_width(
    qtbot: QtBot, demo: Workspace, bridge: LanguageBridge
) -> None:
    """Narrowed, the axis names fewer months; widened again, every one."""
    page = shown_page(qtbot, demo, bridge, "ru")
    resized(qtbot, page, 1900)
    assert page.month_step == 1 and len(month_spans(page)) == 13
    assert run_together(page) == []
    resized(qtbot, page, 700)
    assert page.month_step > 1
    assert run_together(page) == []
    resized(qtbot, page, 1900)
    assert page.month_step == 1 and len(month_spans(page)) == 13


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_the_period_choice_shows_each_period_whole(
    qtbot: QtBot, demo: Workspace, bridge: LanguageBridge, lang: str
) -> None:
    page = shown_page(qtbot, demo, bridge, lang)
    resized(qtbot, page, WIDTHS["1024"])
    combo = page.period
    assert combo.currentData() == "last_12_months"  # «Последние 12 месяцев», «Соңғы 12 ай»
    cut = {}
    for index in range(combo.count()):
        combo.setCurrentIndex(index)
        cut[combo.currentText()] = combo_shortfall(combo)
    assert {text: px for text, px in cut.items() if px} == {}


def test_a_thinned_axis_names_the_year_under_its_first_month_of_each_year() -> None:
    months = [f"2025-{m:02}" for m in range(10, 13)] + [f"2026-{m:02}" for m in range(1, 11)]
    assert month_names(months, "ru", step=3) == [
        "окт.\n2025", "", "",
        "янв.\n2026", "", "",
        "апр.", "", "",
        "июль", "", "",
        "окт.",
    ]  # fmt: skip
    assert month_names(months, "kk", step=2)[:5] == ["қаз.\n2025", "", "жел.", "", "ақп.\n2026"]
    # Left to itself it still names every month of thirteen, the year under each January.
    assert month_names(months, "ru")[:4] == ["окт.\n2025", "нояб.", "дек.", "янв.\n2026"]
