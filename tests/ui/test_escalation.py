"""Overdue cases escalated to the head of section while Qorgau is in use (issue 3's deadlines).

The fault: ``CaseService.escalate_overdue`` existed and nothing called it, so no case was ever
escalated and the consul had no list of them; run by hand at the 300k demo mission it held
the write lock 29 s (the sync hooks asked ``session.new`` once per object).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select, update

from app.config import Paths
from app.db.models import AuditEntry, Case, CaseEvent
from app.i18n import format_date
from app.services import cases as cases_module
from app.services.cases import CaseService
from app.services.records import CaseChanges
from app.services.workspace import Workspace
from tests.builders import add_cases
from tests.conftest import PASSWORD, OpenWs
from tests.integration.cli_helpers import run_cli
from tests.ui.test_start_drilldown import listed_ids, loaded
from ui.cases.area import CasesArea
from ui.escalation import EVERY_MS, OverdueEscalation
from ui.main_window import MainWindow
from ui.models.case_table_model import CASE_ID_ROLE, DUE
from ui.start_page import StartPage


def escalated_ids(ws: Workspace) -> set[str]:
    with ws.read() as session:
        return set(session.scalars(select(Case.id).where(Case.escalated_at.is_not(None))))


def ran(qtbot: QtBot, escalation: OverdueEscalation) -> None:
    qtbot.waitUntil(
        lambda: escalation.task is not None and not escalation.task.running, timeout=10_000
    )


def test_overdue_cases_are_escalated_after_sign_in_and_the_consul_lists_them(
    qtbot: QtBot, open_ws: OpenWs, make_window: Callable[..., object]
) -> None:
    ws = open_ws("serik")  # the consul
    overdue = set(add_cases(ws, 3, overdue=True))
    add_cases(ws, 2)
    window = make_window(ws)
    assert isinstance(window, MainWindow)
    escalation = OverdueEscalation(window, ws)
    escalation.start()
    ran(qtbot, escalation)
    assert escalated_ids(ws) == overdue
    assert window.statusBar().currentMessage() == (
        "3 overdue cases were escalated to the head of section."
    )
    assert escalation.timer.isActive() and escalation.timer.interval() == EVERY_MS
    case = CaseService(ws).get_case(next(iter(overdue)))
    assert case.events[-1].kind == "escalation"

    start = window.show_area("start")
    assert isinstance(start, StartPage)
    start.refresh()
    qtbot.waitUntil(lambda: not start.loading, timeout=10_000)
    assert start.escalated.isVisibleTo(start)
    assert start.escalated.text() == "3 overdue cases escalated to you"

    qtbot.mouseClick(start.escalated, Qt.MouseButton.LeftButton)
    area = window.area_widget("cases")
    assert isinstance(area, CasesArea)
    qtbot.waitUntil(lambda: loaded(area) and listed_ids(area) == overdue, timeout=5000)
    view = area.list_view
    assert "escalated to the head of section" in view.preset_label.text()
    tip = view.model.index(0, DUE).data(Qt.ItemDataRole.ToolTipRole)
    assert "escalated to the head of section" in tip

    acted = view.model.index(0, 0).data(CASE_ID_ROLE)
    area.open_case(acted)  # the case's badge says it, and its tooltip when and what ends it
    qtbot.waitUntil(
        lambda: area.editor.case is not None and area.editor.case.id == acted, timeout=5000
    )
    assert area.editor.badge.text().endswith(" · escalated")
    assert area.editor.badge.toolTip().startswith("Escalated to the head of section on ")
    area.show_list()

    # Acted on (a new due date): off the list, and off the consul's button.
    detail = CaseService(ws).get_case(acted)
    CaseService(ws).update_case(
        acted, CaseChanges(due_date=date.today() + timedelta(days=10)), detail.version
    )
    qtbot.waitUntil(lambda: loaded(area) and listed_ids(area) == overdue - {acted}, timeout=5000)
    window.show_area("start")
    qtbot.waitUntil(
        lambda: not start.loading and start.escalated.text().startswith("2 "), timeout=10_000
    )
    qtbot.mouseClick(view.preset_clear, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: loaded(area) and len(listed_ids(area)) == 5, timeout=5000)

    # The attaché's start page has no such button: the consul gives the cases out.
    attache = make_window(open_ws("aigul")).show_area("start")  # type: ignore[attr-defined]
    assert isinstance(attache, StartPage) and not attache.gives_out
    attache.refresh()
    qtbot.waitUntil(lambda: not attache.loading, timeout=10_000)
    assert not attache.escalated.isVisibleTo(attache)


def test_the_hourly_run_flags_what_fell_due_since(
    qtbot: QtBot, ws: Workspace, make_window: Callable[..., object]
) -> None:
    window = make_window(ws)
    assert isinstance(window, MainWindow)
    escalation = OverdueEscalation(window, ws)
    escalation.start()
    ran(qtbot, escalation)
    assert escalated_ids(ws) == set() and window.statusBar().currentMessage() == ""

    (case_id,) = add_cases(ws, 1)
    with ws.write() as session:  # a day later, its deadline passed
        row = session.get(Case, case_id)
        assert row is not None
        row.due_date = date.today() - timedelta(days=1)
    escalation.timer.timeout.emit()
    assert escalation.run() is None  # one run at a time
    ran(qtbot, escalation)
    assert escalated_ids(ws) == {case_id}
    assert window.statusBar().currentMessage() == (
        "1 overdue case was escalated to the head of section."
    )


def test_headquarters_escalates_nothing(
    qtbot: QtBot, make_window: Callable[..., object], ws: Workspace
) -> None:
    window = make_window(ws)
    assert isinstance(window, MainWindow)
    at_hq = SimpleNamespace(mission=SimpleNamespace(is_hq=True), actor=ws.actor)
    escalation = OverdueEscalation(window, at_hq)  # type: ignore[arg-type]
    escalation.start()
    assert escalation.task is None and not escalation.timer.isActive()


def test_escalation_writes_in_short_transactions_once_per_deadline(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cases_module, "ESCALATION_BATCH", 2)
    overdue = add_cases(ws, 5, overdue=True)
    service = CaseService(ws)
    acted = overdue[-1]
    asked = []

    def stop() -> bool:
        if not asked:  # between the read of the overdue cases and the first write
            detail = service.get_case(acted)
            later = date.today() + timedelta(days=10)
            service.update_case(acted, CaseChanges(due_date=later), detail.version)
        asked.append(True)
        return len(asked) > 2  # stopped before the third transaction

    first = service.escalate_overdue(stop=stop)
    assert first in (3, 4)  # two transactions of two cases, less the one given a new date
    assert acted not in escalated_ids(ws)
    with ws.read() as session:
        audited = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "case.escalate")
        )
    assert audited == 2  # one entry per transaction

    # The next run flags what the stop left.
    assert service.escalate_overdue() == 4 - first
    assert escalated_ids(ws) == set(overdue) - {acted}

    # Acted on (a change of status) and still past the same date: not flagged again, or it
    # would be back on the consul's list within the hour.
    again = overdue[0]
    service.set_status(again, "in_progress", "", service.get_case(again).version)
    assert again not in escalated_ids(ws)
    assert service.escalate_overdue() == 0
    # Twenty days on, a new due date has passed too: flagged for it.
    with ws.write() as session:
        session.execute(
            update(CaseEvent)
            .where(CaseEvent.case_id == again, CaseEvent.kind == "escalation")
            .values(occurred_at=datetime.now(UTC) - timedelta(days=20))
        )
    new_date = date.today() - timedelta(days=1)
    service.update_case(again, CaseChanges(due_date=new_date), service.get_case(again).version)
    assert service.escalate_overdue() == 1
    assert again in escalated_ids(ws)


def test_case_list_escalated_on_the_command_line(
    open_ws: OpenWs, installation: Paths, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    ws = open_ws("serik")
    escalated = add_cases(ws, 2, overdue=True)
    CaseService(ws).escalate_overdue()
    add_cases(ws, 1, overdue=True)  # fell due after the last run: not escalated yet
    ws.close()
    monkeypatch.setenv("QORGAU_USER", "serik")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    data = ("--data-dir", str(installation.data_dir))
    listed = run_cli(capsys, *data, "case", "list", "--escalated", "--json")
    assert listed.code == 0, listed.err
    found = json.loads(listed.out)
    assert found["total"] == 2 and all(c["escalated"] for c in found["cases"])
    numbers = {CaseService(open_ws("serik")).get_case(i).number for i in escalated}
    assert {c["number"] for c in found["cases"]} == numbers
    overdue = json.loads(run_cli(capsys, *data, "case", "list", "--overdue", "--json").out)
    assert overdue["total"] == 3
    # `case show` said the due date alone: an overdue, escalated case read as any other.
    shown = run_cli(capsys, *data, "case", "show", sorted(numbers)[0])
    (due,) = [line for line in shown.out.splitlines() if line.startswith("Due: ")]
    today = format_date(date.today())
    assert due.endswith(f"(Overdue; escalated to the head of section on {today})"), due
