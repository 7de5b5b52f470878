"""The retention policy applied as the desktop starts: off the GUI thread, said, and shown."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.services import retention
from app.services.cases import CaseService
from app.services.records import PersonInput
from app.services.workspace import Workspace
from tests.builders import closed_days_ago
from tests.ui.quitting import quit_while_running
from ui.app import apply_retention
from ui.main_window import MainWindow


def closed_long_ago(ws: Workspace) -> str:
    days = 366 * (retention.DEFAULT_YEARS + 1)
    return closed_days_ago(ws, PersonInput(surname="Сейітқазы", given_names="Мейіржан"), days)


@pytest.fixture
def window(ws: Workspace, make_window: Callable[..., object]) -> MainWindow:
    made = make_window(ws)
    assert isinstance(made, MainWindow)
    return made


def test_the_policy_is_applied_off_the_gui_thread_once_the_window_shows(
    qtbot: QtBot, ws: Workspace, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = closed_long_ago(ws)
    release = threading.Event()
    run_on_start = retention.run_on_start

    def slow(workspace: Workspace, **given: Any) -> retention.RetentionReport:
        release.wait(10)
        return run_on_start(workspace, **given)

    monkeypatch.setattr(retention, "run_on_start", slow)
    task = apply_retention(window, ws)
    assert task.running  # returned at once: the window paints and answers meanwhile
    changed: list[object] = []
    ws.changes.subscribe(changed.append)
    release.set()
    qtbot.waitUntil(lambda: not task.running, timeout=10_000)
    message = window.statusBar().currentMessage()
    assert message == "Retention: the personal data of 1 closed case was anonymised."
    assert CaseService(ws).get_case(case_id).person.surname == ""
    assert changed  # the lists that show the case read it again


def test_a_busy_database_is_said_and_the_next_start_applies_it(
    qtbot: QtBot, ws: Workspace, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.errors import DatabaseBusy

    case_id = closed_long_ago(ws)

    def busy(_workspace: Workspace, **_given: Any) -> retention.RetentionReport:
        raise DatabaseBusy("The database is busy; try again in a moment.")

    monkeypatch.setattr(retention, "run_on_start", busy)
    task = apply_retention(window, ws)
    qtbot.waitUntil(lambda: not task.running, timeout=10_000)
    assert window.statusBar().currentMessage() == "The database is busy; try again in a moment."
    assert CaseService(ws).get_case(case_id).person.surname == "Сейітқазы"


def test_closing_the_app_stops_the_run_at_its_next_step(
    qtbot: QtBot, ws: Workspace, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app waits for its background tasks as it closes: a long run (a first one with
    thousands of cases, the index's merge at a large mission) would keep it open unseen."""
    case_id = closed_long_ago(ws)
    started = threading.Event()
    go_on = threading.Event()
    asked: list[bool] = []
    run_on_start = retention.run_on_start

    def watched(workspace: Workspace, **given: Any) -> retention.RetentionReport:
        stop = given["stop"]
        started.set()
        go_on.wait(10)
        asked.append(stop())
        return run_on_start(workspace, **given)

    monkeypatch.setattr(retention, "run_on_start", watched)
    task = apply_retention(window, ws)
    assert started.wait(10)
    quit_while_running(qtbot, task, go_on)

    assert asked == [True]
    assert CaseService(ws).get_case(case_id).person.surname == "Сейітқазы"  # the next start
    assert run_on_start(ws).anonymised_cases != []


def a_date_in_doubt(ws: Workspace) -> None:
    """The last run trusted a date long before today: today looks like a clock set ahead."""
    from app.db.models import Setting

    with ws.write() as session:
        long_ago = date.today() - timedelta(days=400)
        session.merge(Setting(key=retention.TRUSTED_ON, value=long_ago.isoformat()))


@pytest.mark.parametrize("answer", [True, False])
def test_an_administrator_is_asked_whether_the_date_is_right(
    qtbot: QtBot,
    ws: Workspace,
    window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    answer: bool,
) -> None:
    import ui.app

    case_id = closed_long_ago(ws)
    a_date_in_doubt(ws)
    asked: list[tuple[date, date]] = []
    monkeypatch.setattr(
        ui.app,
        "ask_date_is_right",
        lambda _p, today, trusted: asked.append((today, trusted)) or answer,
    )
    apply_retention(window, ws)
    qtbot.waitUntil(lambda: bool(window.statusBar().currentMessage()), timeout=10_000)

    assert asked == [(date.today(), date.today() - timedelta(days=400))]
    message = window.statusBar().currentMessage()
    if answer:
        assert message == "Retention: the personal data of 1 closed case was anonymised."
        assert CaseService(ws).get_case(case_id).person.surname == ""
    else:
        assert message == "Retention waits until the computer's date is corrected."
        assert CaseService(ws).get_case(case_id).person.surname == "Сейітқазы"


def test_someone_else_is_told_that_an_administrator_confirms_the_date(
    qtbot: QtBot, open_ws: Callable[[str], Workspace], make_window: Callable[..., object]
) -> None:
    case_id = closed_long_ago(open_ws("serik"))
    ws = open_ws("aigul")
    a_date_in_doubt(ws)
    made = make_window(ws)
    assert isinstance(made, MainWindow)
    task = apply_retention(made, ws)
    qtbot.waitUntil(lambda: not task.running, timeout=10_000)

    message = made.statusBar().currentMessage()
    assert message.startswith("Retention anonymised nothing. The date on this computer is ")
    assert message.endswith("an administrator confirms it.")
    assert CaseService(ws).get_case(case_id).person.surname == "Сейітқазы"
