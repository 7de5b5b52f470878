"""A renamed employer's cases are found by the new name without the dialog waiting for them.

The fault: the organisation dialog wrote the search rows of every case of a renamed employer
before it closed, under "Saving…": at 300,000 cases the demo's largest employer has 44,000
cases, 29 s of batches. Now the rename closes the dialog once it is on file, and the rows
follow on a pool thread, said in the status bar, stopped when the app closes and finished at
the next sign-in, by whoever edits cases there (not only an importer).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import pytest
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from app.services import index_later
from app.services.cases import CaseService
from app.services.organisations import OrganisationService
from app.services.records import CaseFilter, OrganisationInput
from app.services.workspace import Workspace
from tests.conftest import OpenWs
from tests.ui.press import WAIT_MS, click, modal_dialog
from tests.ui.quitting import quit_while_running
from tests.unit.test_organisation_names import employer_case
from ui.cases.org_picker import OrganisationDialog, OrganisationPicker


def found(ws: Workspace, text: str) -> set[str]:
    return {r.number for r in CaseService(ws).list_cases(CaseFilter(text=text))}


@dataclass
class Setting:
    ws: Workspace
    service: OrganisationService
    employer_id: str
    numbers: set[str]  # its cases'
    window: QMainWindow
    picker: OrganisationPicker


def employer_in_picker(qtbot: QtBot, open_ws: OpenWs, cases: int) -> Setting:
    """An attaché's employer picker, in a window with a status bar, on "Daesung Metl" of
    Korea, which has ``cases`` cases."""
    ws = open_ws("aigul")
    service = OrganisationService(ws, "employer")
    employer = service.create(OrganisationInput("Daesung Metl", "KR", "Ansan"))
    numbers = {employer_case(ws, employer.id) for _ in range(cases)}
    window = QMainWindow()
    qtbot.addWidget(window)
    picker = OrganisationPicker(service, "Employer")
    window.setCentralWidget(picker)
    picker.load("KR", employer.id)
    window.show()
    return Setting(ws, service, employer.id, numbers, window, picker)


def rename(qtbot: QtBot, picker: OrganisationPicker, name: str) -> None:
    """Details…, a new name typed, OK: returns once the dialog has closed."""
    click(qtbot, picker.edit_button)
    dialog = modal_dialog(qtbot)
    assert isinstance(dialog, OrganisationDialog)
    dialog.name.selectAll()
    QTest.keyClicks(dialog.name, name)
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        click(qtbot, dialog.ok_button())


def held_index(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """Search rows written only once ``go_on`` is set; ``started`` when the first batch is."""
    started, go_on = threading.Event(), threading.Event()
    index_cases = index_later.index_cases

    def held(session: Any, case_ids: Any) -> None:
        started.set()
        assert go_on.wait(10)
        index_cases(session, case_ids)

    monkeypatch.setattr(index_later, "index_cases", held)
    return started, go_on


def test_a_rename_closes_the_dialog_and_its_cases_follow_in_the_background(
    qtbot: QtBot, open_ws: OpenWs, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = employer_in_picker(qtbot, open_ws, cases=3)
    started, go_on = held_index(monkeypatch)
    monkeypatch.setattr(index_later, "INDEX_BATCH", 2)

    rename(qtbot, at.picker, "Hanbit Metal")  # closed while no search row is written yet
    assert started.wait(10) and not go_on.is_set()
    assert at.service.get(at.employer_id).name == "Hanbit Metal"
    assert at.picker.selected_id() == at.employer_id
    status = at.window.statusBar()
    assert status.currentMessage() == "The search index is catching up with the change…"
    assert not found(at.ws, "Hanbit")

    go_on.set()
    qtbot.waitUntil(
        lambda: status.currentMessage() == "Search index updated: 3 cases.", timeout=10_000
    )
    assert found(at.ws, "Hanbit") == at.numbers
    assert not found(at.ws, "Daesung")


def test_a_details_change_without_a_new_name_writes_no_search_rows(
    qtbot: QtBot, open_ws: OpenWs, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = employer_in_picker(qtbot, open_ws, cases=1)
    started, _go_on = held_index(monkeypatch)
    click(qtbot, at.picker.edit_button)
    dialog = modal_dialog(qtbot)
    assert isinstance(dialog, OrganisationDialog)
    QTest.keyClicks(dialog.postcode, "15588")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        click(qtbot, dialog.ok_button())
    assert at.service.get(at.employer_id).postcode == "15588"
    assert not started.wait(0.3)
    assert at.window.statusBar().currentMessage() == ""


def test_closing_the_app_stops_a_renames_rows_and_the_next_sign_in_writes_them(
    qtbot: QtBot, open_ws: OpenWs, monkeypatch: pytest.MonkeyPatch, make_window: Any
) -> None:
    """An attaché renames, then closes the app while the rows are written: the batches stop,
    the rest stays pending, and the attaché's own next sign-in writes it (before, only an
    importer's sign-in did: at a mission, the administrator)."""
    from ui.app import catch_up_search_index
    from ui.search_rows import write_search_rows_later

    ws = open_ws("aigul")
    service = OrganisationService(ws, "employer")
    employer = service.create(OrganisationInput("Daesung Metl", "KR", "Ansan"))
    numbers = {employer_case(ws, employer.id) for _ in range(3)}
    monkeypatch.setattr(index_later, "INDEX_BATCH", 2)
    service.update(employer.id, OrganisationInput("Hanbit Metal", "KR"), search_rows_later=True)
    started, go_on = held_index(monkeypatch)
    window = make_window(ws)
    task = write_search_rows_later(window, ws)
    assert task is not None and started.wait(10)
    quit_while_running(qtbot, task, go_on)  # the first batch of two written, then stopped
    assert len(found(ws, "Hanbit")) == 2
    with ws.read() as session:
        assert index_later.pending_range(session) is not None

    catch_up = catch_up_search_index(window, ws)  # what the next sign-in runs
    assert catch_up is not None
    qtbot.waitUntil(lambda: not catch_up.running, timeout=10_000)
    assert found(ws, "Hanbit") == numbers
    assert window.statusBar().currentMessage() == "Search index updated: 3 cases."
    with ws.read() as session:
        assert index_later.pending_range(session) is None


@pytest.mark.parametrize(
    ("language", "grouped"), [("kk", "44\u00a0000"), ("ru", "44\u00a0000"), ("en", "44,000")]
)
def test_the_status_bar_groups_the_digits_of_thousands_of_cases(
    language: str, grouped: str
) -> None:
    """A renamed employer's 44,000 cases were said as «44000» in every language."""
    from app.i18n import language_override
    from ui.search_rows import index_updated_message

    with language_override(language):
        said = index_updated_message(44_000)
    assert grouped in said and "44000" not in said
