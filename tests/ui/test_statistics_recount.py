"""The statistics page counts again now and then, not at every change heard (issue 22).

At an HQ on a server each desktop hears every other's writes; counting the figures takes
about 2 s at two million cases, and an import's stream of notices kept every analyst's page
counting. Changes heard while the page is shown are counted at most once a ``RECOUNT_S``,
once they have stopped for ``QUIET_S``; heard while it is hidden, once when it is shown."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.services.changes import DataChanged
from app.services.stats import Indicators, StatsFilter
from app.services.workspace import Workspace
from tests.builders import add_cases
from tests.conftest import OpenWs
from tests.ui.test_other_desktops import HEARD_MS, two_desktops  # noqa: F401
from ui.i18n_bridge import LanguageBridge
from ui.reports import dashboard
from ui.reports.dashboard import DashboardPage

QUIET_S = 0.8  # short for the test; the app waits seconds


def counting_page(
    qtbot: QtBot, ws: Workspace, bridge: LanguageBridge, monkeypatch: pytest.MonkeyPatch
) -> tuple[DashboardPage, list[int]]:
    """The page shown and its first figures drawn; the list grows by one at each count."""
    monkeypatch.setattr(dashboard, "QUIET_S", QUIET_S)
    monkeypatch.setattr(dashboard, "RECOUNT_S", 1.0)
    page = DashboardPage(ws, bridge)
    counts: list[int] = []
    indicators: Callable[[StatsFilter | None], Indicators] = page.service.indicators

    def counted(scope: StatsFilter | None = None) -> Indicators:
        counts.append(1)
        return indicators(scope)

    monkeypatch.setattr(page.service, "indicators", counted)
    qtbot.addWidget(page)
    page.resize(1300, 900)
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.show()
        page.refresh()
    counts.clear()
    return page, counts


def heard(ws: Workspace) -> None:
    """A notice from another desktop: a colleague's import wrote a batch of cases."""
    ws.changes.publish(DataChanged(frozenset({"case"}), frozenset(), by="serik"))


def test_a_burst_of_fifty_notices_is_counted_once_after_it(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = open_ws("admin")
    page, counts = counting_page(qtbot, ws, bridge, monkeypatch)
    assert page.as_of.text().startswith("Figures as of ")
    for _n in range(50):  # over two seconds: several gathered by the bridge, not one
        heard(ws)
        qtbot.wait(40)
    assert counts == []  # still coming: not counted yet
    assert "cases have changed since" in page.as_of.text()
    qtbot.waitUntil(lambda: len(counts) == 1, timeout=10_000)
    qtbot.wait(round(QUIET_S * 3000))
    assert len(counts) == 1
    qtbot.waitUntil(lambda: "changed since" not in page.as_of.text(), timeout=10_000)


def test_notices_heard_while_hidden_are_counted_once_when_shown(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = open_ws("admin")
    page, counts = counting_page(qtbot, ws, bridge, monkeypatch)
    page.hide()
    for _n in range(50):
        heard(ws)
    qtbot.wait(round(QUIET_S * 2000))
    assert counts == []
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.show()
    qtbot.wait(round(QUIET_S * 2000))
    assert len(counts) == 1


def test_the_link_counts_at_once(
    qtbot: QtBot,
    open_ws: OpenWs,
    bridge: LanguageBridge,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    ws = open_ws("admin")
    page, counts = counting_page(qtbot, ws, bridge, monkeypatch)
    heard(ws)
    qtbot.waitUntil(lambda: "changed since" in page.as_of.text(), timeout=HEARD_MS)
    assert page.grab().save(str(tmp_path / "as-of.png"))
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.as_of.linkActivated.emit("refresh")
    assert len(counts) == 1 and not page.recount.waiting
    assert page.as_of.text().endswith('— <a href="refresh">refresh</a>')


@pytest.mark.both_engines
def test_another_desktops_fifty_writes_are_counted_once(
    qtbot: QtBot,
    two_desktops: tuple[Workspace, Workspace],  # noqa: F811
    bridge: LanguageBridge,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Fifty cases saved one by one at the consul's desktop, each its own notice, while the
    attaché's statistics page is shown: one count, once they have stopped."""
    aigul, serik = two_desktops
    page, counts = counting_page(qtbot, aigul, bridge, monkeypatch)
    add_cases(serik, 50)
    qtbot.waitUntil(lambda: len(counts) == 1, timeout=HEARD_MS)
    qtbot.wait(round(QUIET_S * 3000))
    assert len(counts) == 1


def test_the_missions_area_reads_once_after_a_burst_from_another_desktop(
    qtbot: QtBot, open_ws: OpenWs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Missions area read its three lists (the repeats: 15 s at two million cases) at each
    other desktop's notice while shown; now once, after they stopped. Its own writes (an
    import in this window's Exchange area) are still read at once."""
    from app.services.consolidation import ConsolidationService
    from ui.hq import page as hq_page

    monkeypatch.setattr(hq_page, "OTHERS_QUIET_S", QUIET_S)
    monkeypatch.setattr(hq_page, "OTHERS_EVERY_S", 1.0)
    reads: list[int] = []
    missions = ConsolidationService.missions

    def counted(service: ConsolidationService) -> list:
        reads.append(1)
        return missions(service)

    monkeypatch.setattr(ConsolidationService, "missions", counted)
    ws = open_ws("admin")
    page = hq_page.HqPage(ws)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(page.refresh_button.isEnabled, timeout=10_000)
    reads.clear()
    for _n in range(50):
        heard(ws)
        qtbot.wait(40)
    assert reads == [] and page.others_wrote.waiting
    qtbot.waitUntil(lambda: len(reads) == 1, timeout=10_000)
    qtbot.waitUntil(page.refresh_button.isEnabled, timeout=10_000)
    qtbot.wait(round(QUIET_S * 3000))
    assert len(reads) == 1
    ws.changes.publish(DataChanged(frozenset({"case"}), frozenset()))  # this window's own
    qtbot.waitUntil(lambda: len(reads) == 2, timeout=10_000)
