"""Cases → Undo a spreadsheet import…: the imports listed, one undone on the officer's word.

An officer who saw after importing that a column was taken wrongly had to delete the cases one
by one (no window could delete a case at all). The menu's two import actions are triggered as
the menu triggers them (with Qt's ``checked`` argument).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from app.services import csv_import
from app.services.cases import CaseService
from tests.conftest import OpenWs
from tests.ui.new_case import cases_area_of
from tests.ui.press import click
from ui.cases.csv_import import CsvImportDialog
from ui.cases.import_undo import ImportUndoDialog

ROWS = (
    "Фамилия;Имя;Страна;Категория;Дата обращения\n"
    "Әбенов;Нұрлан;KR;unpaid_wages;20.10.2026\n"
    "Серікова;Айгүл;KR;violence;01.09.2026\n"
    "Оспанов;Ерлан;KR;other;02.09.2026\n"
)


def _idle(qtbot: QtBot, dialog: ImportUndoDialog) -> None:
    qtbot.waitUntil(lambda: dialog.task is not None and not dialog.task.running, timeout=10_000)


def _answer(qtbot: QtBot, dialog: ImportUndoDialog, button_text: str) -> None:
    qtbot.waitUntil(lambda: dialog.question is not None and dialog.question.isVisible())
    assert dialog.question is not None
    [button] = [b for b in dialog.question.buttons() if b.text() == button_text]
    click(qtbot, button)


def test_an_import_is_undone_from_the_menu(
    qtbot: QtBot,
    make_window: Callable[..., object],
    open_ws: OpenWs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws = open_ws("aigul")
    path = tmp_path / "register.csv"
    path.write_text(ROWS, encoding="utf-8")
    window = make_window(ws)
    listed = cases_area_of(window).list_view
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    window.import_cases_action.trigger()  # type: ignore[attr-defined]
    imported = window.import_dialog  # type: ignore[attr-defined]
    assert isinstance(imported, CsvImportDialog)
    qtbot.waitUntil(lambda: imported.report is not None, timeout=10_000)
    click(qtbot, imported.import_button)
    qtbot.waitUntil(lambda: imported.imported is not None, timeout=10_000)
    numbers = imported.imported.numbers
    service = CaseService(ws)
    service.add_event(service.get_by_number(numbers[0]).id, "note", "Called the employer.")
    imported.close()
    qtbot.waitUntil(lambda: listed.model.total == 3 and listed.model.total_known, timeout=5000)

    window.undo_import_action.trigger()  # type: ignore[attr-defined]
    dialog = window.undo_import_dialog  # type: ignore[attr-defined]
    assert isinstance(dialog, ImportUndoDialog)
    _idle(qtbot, dialog)
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 2).text() == "register.csv"
    assert dialog.table.item(0, 3).text() == "3"
    assert dialog.undo_button.isEnabled()

    click(qtbot, dialog.undo_button)
    _answer(qtbot, dialog, "Cancel")  # asked first: nothing removed on Cancel
    assert service.count_cases() == 3
    click(qtbot, dialog.undo_button)
    qtbot.waitUntil(lambda: dialog.question is not None and dialog.question.isVisible())
    assert dialog.question is not None
    assert dialog.question.text().startswith(
        "2 cases will be removed, with any person or organisation recorded for them alone. "
        f"1 case stays: {numbers[0]} (worked on since the import)."
    )
    _answer(qtbot, dialog, "Remove the cases")
    _idle(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.table.item(0, 4).text().startswith("Undone"))
    assert [c.number for c in service.list_cases()] == [numbers[0]]
    # The open list hears of it: the removed cases leave it without a refresh by hand.
    qtbot.waitUntil(lambda: listed.model.total == 1 and listed.model.total_known, timeout=5000)
    assert dialog.summary.text().startswith("2 cases removed; their numbers are not given again.")
    assert not dialog.undo_button.isEnabled()  # undone: once


def test_an_import_of_another_officer_is_refused_in_the_dialog(
    qtbot: QtBot, make_window: Callable[..., object], open_ws: OpenWs
) -> None:
    consul, attache = open_ws("serik"), open_ws("aigul")
    csv_import.import_csv(consul, ROWS.encode(), file_name="register.csv")
    window = make_window(attache)
    dialog = window.undo_spreadsheet_import()  # type: ignore[attr-defined]
    _idle(qtbot, dialog)
    click(qtbot, dialog.undo_button)
    _idle(qtbot, dialog)
    _answer(qtbot, dialog, "Remove the cases")
    _idle(qtbot, dialog)
    assert "Only serik, who made this import, or a consul can undo it." in dialog.error.text()
    assert CaseService(attache).count_cases() == 3


def test_the_menu_offers_it_to_the_mission_s_staff_only(
    make_window: Callable[..., object], open_ws: OpenWs
) -> None:
    window = make_window(open_ws("astana"))
    assert not window.undo_import_action.isVisible()  # type: ignore[attr-defined]
    assert window.undo_spreadsheet_import() is None  # type: ignore[attr-defined]


def test_the_import_dialog_offers_to_undo_what_it_imported(
    qtbot: QtBot, make_window: Callable[..., object], open_ws: OpenWs, tmp_path: Path
) -> None:
    path = tmp_path / "register.csv"
    path.write_text(ROWS, encoding="utf-8")
    window = make_window(open_ws("aigul"))
    imported = window.import_spreadsheet(path)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: imported.report is not None, timeout=10_000)
    assert not imported.undo_button.isVisible()  # nothing imported yet
    click(qtbot, imported.import_button)
    qtbot.waitUntil(lambda: imported.imported is not None, timeout=10_000)
    assert imported.undo_button.isVisible()
    later = ROWS.replace("2026", "2025")  # another import since: this one is listed second
    csv_import.import_csv(imported.workspace, later.encode(), file_name="other.csv")
    click(qtbot, imported.undo_button)
    dialog = imported.undo_dialog
    assert isinstance(dialog, ImportUndoDialog)
    _idle(qtbot, dialog)
    chosen = dialog.selected()
    assert chosen is not None and dialog.table.currentRow() == 1
    assert chosen.import_id == imported.imported.import_id
