"""Several desktops on one database (an HQ on PostgreSQL): what one saves shows in the others'
open areas, and an edit in progress is never written over (issue 22)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from app.services.agreements import AgreementService
from app.services.cases import CaseService
from app.services.records import CaseChanges
from app.services.workspace import Workspace
from tests.builders import add_cases
from tests.conftest import OpenWs
from tests.ui.press import click, on_screen
from tests.ui.test_agreements import click_instrument
from ui.agreements.page import AgreementsPage
from ui.cases.area import CasesArea
from ui.changes import ELSEWHERE_MS
from ui.main_window import MainWindow

pytestmark = pytest.mark.both_engines

HEARD_MS = 10_000  # a notice takes milliseconds; a busy machine is slower


def desktop(ws: Workspace) -> Workspace:
    """``ws`` hearing the other desktops, its LISTEN in place before the test writes."""
    ws.hear_other_desktops()
    listening = getattr(ws._listening, "listening", None)
    if listening is not None:
        assert listening.wait(HEARD_MS / 1000)
    return ws


@pytest.fixture
def two_desktops(engine: str, open_ws: OpenWs) -> tuple[Workspace, Workspace]:
    if engine == "sqlite":
        pytest.skip("a mission's file has one desktop")
    return desktop(open_ws("aigul")), desktop(open_ws("serik"))


def cases_area(make_window: Callable[..., MainWindow], ws: Workspace) -> CasesArea:
    area = make_window(ws).show_area("cases")
    assert isinstance(area, CasesArea)
    return area


def test_a_case_added_elsewhere_appears_in_the_open_list_with_the_selection_kept(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    two_desktops: tuple[Workspace, Workspace],
    tmp_path: Path,
) -> None:
    aigul, serik = two_desktops
    first, second = add_cases(aigul, 2)
    view = cases_area(make_window, aigul).list_view
    qtbot.waitUntil(lambda: view.model.rowCount() == 2, timeout=HEARD_MS)
    view.select_case(second)
    assert view.current_case_id() == second
    (third,) = add_cases(serik, 1)  # the consul, at another desktop
    qtbot.waitUntil(lambda: view.model.row_of(third) >= 0, timeout=HEARD_MS)
    assert view.model.rowCount() == 3
    assert view.current_case_id() == second
    assert view.grab().save(str(tmp_path / "list-after-notice.png"))


def test_the_list_keeps_its_scroll_position_when_another_desktop_writes(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    two_desktops: tuple[Workspace, Workspace],
) -> None:
    aigul, serik = two_desktops
    add_cases(aigul, 40)
    view = cases_area(make_window, aigul).list_view
    view.model.page_size = 15  # three pages: the last one scrolled to
    view.refresh()
    qtbot.waitUntil(lambda: not view.model.loading, timeout=HEARD_MS)
    bar = view.table.verticalScrollBar()
    while view.model.canFetchMore():
        view.model.fetchMore()
    view.table.doItemsLayout()
    bar.setValue(bar.maximum())
    kept = bar.value()
    assert kept > 0 and view.model.loaded_count() == 40
    view.select_case(view.model.row_at(35).id)
    chosen = view.current_case_id()
    add_cases(serik, 1)
    qtbot.waitUntil(lambda: view.model.loaded_count() == 41, timeout=HEARD_MS)
    assert bar.value() == kept
    assert view.current_case_id() == chosen


def test_an_edit_in_progress_is_kept_and_offered_a_reload(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    two_desktops: tuple[Workspace, Workspace],
    tmp_path: Path,
) -> None:
    aigul, serik = two_desktops
    (case_id,) = add_cases(aigul, 1)
    area = cases_area(make_window, aigul)
    area.open_case(case_id)
    editor = area.editor
    editor.description.setPlainText("Typed by the attaché, not saved yet.")
    assert editor.dirty

    CaseService(serik).update_case(case_id, CaseChanges(description="Saved by the consul."))
    bar = editor.changed_meanwhile
    qtbot.waitUntil(bar.isVisible, timeout=HEARD_MS)
    assert "Changed by serik meanwhile" in bar.text.text()
    assert editor.description.toPlainText() == "Typed by the attaché, not saved yet."
    assert editor.dirty
    assert editor.grab().save(str(tmp_path / "changed-meanwhile.png"))

    # Saving as it is meets the version check: nothing of the consul's is written over.
    editor.save()
    QThreadPool.globalInstance().waitForDone(HEARD_MS)
    qtbot.waitUntil(lambda: not editor.saving, timeout=HEARD_MS)
    assert not editor.last_save_ok and editor.error.isVisible()
    assert CaseService(serik).get_case(case_id).description == "Saved by the consul."

    click(qtbot, bar.reload_button)
    assert not bar.isVisible()
    assert editor.description.toPlainText() == "Saved by the consul."
    assert not editor.dirty


def test_an_open_case_not_being_edited_shows_the_other_users_change(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    two_desktops: tuple[Workspace, Workspace],
) -> None:
    aigul, serik = two_desktops
    (case_id,) = add_cases(aigul, 1)
    area = cases_area(make_window, aigul)
    area.open_case(case_id)
    editor = area.editor
    CaseService(serik).update_case(case_id, CaseChanges(description="Saved by the consul."))
    qtbot.waitUntil(
        lambda: editor.description.toPlainText() == "Saved by the consul.", timeout=HEARD_MS
    )
    assert not editor.changed_meanwhile.isVisible() and not editor.dirty


def test_a_burst_of_notices_refreshes_the_list_once(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    two_desktops: tuple[Workspace, Workspace],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    aigul, serik = two_desktops
    view = cases_area(make_window, aigul).list_view
    qtbot.wait(ELSEWHERE_MS)
    reloads: list[int] = []
    reload = view.model.reload
    monkeypatch.setattr(view.model, "reload", lambda: (reloads.append(1), reload())[1])
    ids = add_cases(serik, 3)  # three commits, three notices, within the gathering time
    qtbot.waitUntil(lambda: all(view.model.row_of(i) >= 0 for i in ids), timeout=HEARD_MS)
    qtbot.wait(2 * ELSEWHERE_MS)
    assert len(reloads) == 1


def test_agreement_notes_being_typed_are_kept_and_others_shown_when_not(
    qtbot: QtBot, two_desktops: tuple[Workspace, Workspace], open_ws: OpenWs
) -> None:
    """The mission's notes on an instrument, saved by the administrator at another desktop:
    the consul's page shows them, unless the consul is typing notes of her own."""
    _aigul, serik = two_desktops
    admin = open_ws("admin")
    page = on_screen(qtbot, AgreementsPage(serik))
    instrument = AgreementService(serik).get("ilo-c029")
    click_instrument(qtbot, page, instrument.id)
    view = page.instrument_view

    saved = AgreementService(admin).set_mission_notes(
        instrument.id, "Hotline: 1-800-000.", expected_version=instrument.version
    )
    qtbot.waitUntil(lambda: view.notes.toPlainText() == "Hotline: 1-800-000.", timeout=HEARD_MS)
    assert not view.changed_meanwhile.isVisible()

    view.notes.setPlainText("The inspectorate answers in Russian too.")
    AgreementService(admin).set_mission_notes(
        instrument.id, "Hotline: 1-800-001.", expected_version=saved.version
    )
    qtbot.waitUntil(view.changed_meanwhile.isVisible, timeout=HEARD_MS)
    assert "Changed by admin meanwhile" in view.changed_meanwhile.text.text()
    assert view.notes.toPlainText() == "The inspectorate answers in Russian too."
    click(qtbot, view.changed_meanwhile.reload_button)
    assert view.notes.toPlainText() == "Hotline: 1-800-001."
    assert not view.changed_meanwhile.isVisible()
