"""HQ's dashboard: the missions' figures side by side, each cell listing that mission's cases."""

from __future__ import annotations

import os

from PySide6.QtWidgets import QScrollArea
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from tests.hq.test_consolidation import consolidated  # noqa: F401
from tests.integration.test_exchange import Site, dxb, hq, sel, sites  # noqa: F401
from tests.ui.press import click
from tests.ui.test_dashboard import listed, period_sql
from ui.i18n_bridge import LanguageBridge
from ui.reports.dashboard import DashboardPage

OPEN = "('new','in_progress','awaiting_response','referred')"


def test_missions_side_by_side_on_screen_and_each_cell_lists_its_cases(
    qtbot: QtBot,
    consolidated: Site,  # noqa: F811
    bridge: LanguageBridge,
) -> None:
    """The fault: at HQ the only per-mission figure on screen was "Cases opened by mission";
    resolved, closed, open, overdue and the median per mission were in the PDF, XLSX and CLI
    only. Counted here in plain SQL over the imported cases."""
    page = DashboardPage(consolidated.ws, bridge)
    qtbot.addWidget(page)
    page.resize(1166, 708)
    page.show()
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.refresh()
    table = page.missions_table
    assert table.isVisible()
    assert [table.cell(r, 0) for r in range(table.model.rowCount())] == ["DXB", "SEL"]
    with consolidated.ws.read() as session:

        def per_mission(condition: str) -> dict[str, int]:
            query = (
                f'SELECT origin_mission, count(*) FROM "case" WHERE deleted_at IS NULL'
                f" AND {condition} GROUP BY 1"
            )
            return {m: int(n) for m, n in session.execute(text(query)).all()}

        expected = {
            1: per_mission(period_sql(page, "received_at")),
            2: per_mission(period_sql(page, "resolved_at")),
            3: per_mission(period_sql(page, "closed_at")),
            4: per_mission(f"status IN {OPEN}"),
            5: per_mission(f"status IN {OPEN} AND due_date < date('now')"),
        }
    for row, mission in enumerate(("DXB", "SEL")):
        for column, counts in expected.items():
            assert table.cell(row, column) == str(counts.get(mission, 0)), (mission, column)
    assert expected[5].get("SEL"), "the consolidated site has an overdue case at SEL"
    page.findChild(QScrollArea).ensureWidgetVisible(table)
    view = table.view
    click(qtbot, view.viewport(), view.visualRect(table.model.index(1, 5)).center())
    dialog = listed(qtbot, page)
    assert dialog.model.rowCount() == expected[5]["SEL"]
    assert dialog.windowTitle() == "SEL: Overdue cases"  # named as its tile and the PDF
    if os.environ.get("QORGAU_SCREENSHOTS"):
        dialog.close()
        page.findChild(QScrollArea).ensureWidgetVisible(table)
        qtbot.wait(50)
        page.grab().save(os.environ["QORGAU_SCREENSHOTS"] + "/dashboard_hq.png")


def test_choosing_a_mission_counts_its_figures_without_refresh(
    qtbot: QtBot,
    consolidated: Site,  # noqa: F811
    bridge: LanguageBridge,
) -> None:
    """The fault: with a mission chosen, the tiles still counted every mission until Refresh
    was pressed; a filter changed is now counted again by itself."""
    page = DashboardPage(consolidated.ws, bridge)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.refresh()
    every = page.tiles["open"].text()
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.mission.setCurrentIndex(page.mission.findData("SEL"))  # chosen, nothing pressed
    with consolidated.ws.read() as session:
        at_sel = session.execute(
            text(
                f'SELECT count(*) FROM "case" WHERE deleted_at IS NULL AND status IN {OPEN}'
                " AND origin_mission = 'SEL'"
            )
        ).scalar_one()
    assert page.tiles["open"].text().endswith(f"\n{at_sel}") and page.tiles["open"].text() != every


def test_officers_are_chosen_within_a_mission(
    qtbot: QtBot,
    consolidated: Site,  # noqa: F811
    bridge: LanguageBridge,
) -> None:
    """The fault: HQ's officer list named each user name once for every mission, so "aigerim"
    counted the cases of Seoul's aigerim and Dubai's aigerim, two people, as one officer's. Now
    the officers are those of the mission chosen, and without a mission the list says why it is
    off."""
    with consolidated.ws.read() as session:
        pairs = session.execute(
            text(
                'SELECT DISTINCT origin_mission, assigned_to FROM "case"'
                " WHERE deleted_at IS NULL AND assigned_to IS NOT NULL"
            )
        ).all()
    officers = {m: sorted(o for code, o in pairs if code == m) for m in ("DXB", "SEL")}
    assert officers["SEL"] and set(officers["SEL"]) & set(officers["DXB"]), "a shared name"
    page = DashboardPage(consolidated.ws, bridge)
    qtbot.addWidget(page)
    page.show()
    assert not page.officer.isEnabled() and page.officer.count() == 1
    assert page.officer.toolTip().startswith("Choose a mission first")
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.mission.setCurrentIndex(page.mission.findData("SEL"))
    items = [page.officer.itemData(i) for i in range(1, page.officer.count())]
    assert page.officer.isEnabled() and items == officers["SEL"]
    only_dubai = sorted(set(officers["DXB"]) - set(officers["SEL"]))
    shared = sorted(set(officers["SEL"]) & set(officers["DXB"]))[0]
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.officer.setCurrentIndex(page.officer.findData(shared))
    assert (page.scope().mission, page.scope().officer) == ("SEL", shared)
    with consolidated.ws.read() as session:
        theirs = session.execute(
            text(
                'SELECT count(*) FROM "case" WHERE deleted_at IS NULL'
                " AND origin_mission = 'SEL' AND assigned_to = :o AND status IN " + OPEN
            ),
            {"o": shared},
        ).scalar_one()
    assert page.tiles["open"].text().endswith(f"\n{theirs}")
    # Dubai chosen: its officers; the one chosen stays if Dubai has an officer of that name.
    page.mission.setCurrentIndex(page.mission.findData("DXB"))
    items = [page.officer.itemData(i) for i in range(1, page.officer.count())]
    assert items == officers["DXB"] and page.officer.currentData() == shared
    assert not only_dubai or only_dubai[0] in items
    page.mission.setCurrentIndex(0)  # all missions: no officer
    assert not page.officer.isEnabled() and page.scope().officer is None


def test_hq_says_which_mission_each_figure_counts_at(
    qtbot: QtBot,
    consolidated: Site,  # noqa: F811
    bridge: LanguageBridge,
) -> None:
    """A transferred case is in two missions' figures: HQ's dashboard says which goes where."""
    page = DashboardPage(consolidated.ws, bridge)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.refresh()
    note = page.period_note.text()
    assert "open and overdue cases, and returnees, count at the mission handling the case" in note
    assert "opened, resolved and closed in the period at the mission that opened them" in note
