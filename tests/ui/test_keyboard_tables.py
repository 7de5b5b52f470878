"""Tables answer the keys a user tries on a row: Enter opens it as a double click does, and
Delete presses the row's own remove button (Discard, Consent withdrawn, Revoke), which asks
first. Before, Enter did nothing in the partners' and returnees' lists, and Delete nowhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QAbstractItemView, QApplication, QMenu, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.services.letters import LetterFields, LetterService
from app.services.partners import PartnerService
from app.services.workspace import Workspace
from tests.builders import hanil_steel_case
from tests.conftest import OpenWs
from tests.ui.new_case import fill_new_case
from tests.ui.press import click, modal_dialog, on_screen, press_save, wait_written
from tests.ui.test_partners import SHELTER
from tests.ui.test_returnees import hq_ws  # noqa: F401 - the fixture, at HQ
from ui.cases import attachments as attachments_module
from ui.cases.area import CasesArea
from ui.i18n_bridge import LanguageBridge
from ui.letters.page import LettersPage
from ui.partners.dialogs import PartnerDialog
from ui.returnees.dialog import ReturneeDialog
from ui.returnees.page import ReturneesPage
from ui.settings.users import UsersPanel
from ui.widgets.dialogs import ReasonDialog


def _active(qtbot: QtBot, widget: QWidget) -> None:
    widget.activateWindow()  # keys reach only the active window
    qtbot.waitUntil(widget.isActiveWindow, timeout=2000)


def _key_on(qtbot: QtBot, view: QWidget, key: Qt.Key) -> None:
    view.setFocus()
    qtbot.keyClick(view, key)


def test_delete_on_a_draft_asks_to_discard_it(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge
) -> None:
    ws = open_ws("aigul")
    case = hanil_steel_case(ws)
    LetterService(ws).draft(case.id, "employer_letter", "ru", LetterFields(subject="Зарплата"))
    page = on_screen(qtbot, LettersPage(ws, bridge))
    _active(qtbot, page)
    page.table.selectRow(0)
    assert page.discard_button.isEnabled()
    _key_on(qtbot, page.table, Qt.Key.Key_Delete)
    box = modal_dialog(qtbot)
    assert isinstance(box, QMessageBox) and "Discard this draft?" in box.text()
    box.close()
    assert page.model.rowCount() == 1  # asked, not discarded yet


def test_enter_opens_a_partner_for_a_consul(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge
) -> None:
    from ui.partners.page import PartnersPage

    ws = open_ws("serik")
    PartnerService(ws).create(SHELTER)
    page = on_screen(qtbot, PartnersPage(ws, bridge))
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    _active(qtbot, page)
    page.view.selectRow(0)
    _key_on(qtbot, page.view, Qt.Key.Key_Return)
    dialog = modal_dialog(qtbot)
    assert isinstance(dialog, PartnerDialog) and dialog.name.text() == SHELTER.name
    dialog.reject()


def test_enter_opens_a_returnee_and_delete_asks_about_the_consent(
    qtbot: QtBot,
    hq_ws: Workspace,  # noqa: F811 - the fixture imported above
    bridge: LanguageBridge,
) -> None:
    page = on_screen(qtbot, ReturneesPage(hq_ws, bridge))
    _active(qtbot, page)
    page.view.selectRow(0)
    first = page.model.rows[0]
    opened: list[QWidget] = []

    def cancel_what_opened() -> None:  # the dialog runs its own loop (exec)
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, cancel_what_opened)
            return
        opened.append(dialog)
        dialog.close()

    QTimer.singleShot(0, cancel_what_opened)
    _key_on(qtbot, page.view, Qt.Key.Key_Return)
    assert len(opened) == 1 and isinstance(opened[0], ReturneeDialog)
    _key_on(qtbot, page.view, Qt.Key.Key_Delete)
    box = modal_dialog(qtbot)
    assert isinstance(box, QMessageBox) and first.full_name in box.text()
    box.close()
    assert page.model.rowCount() == 4  # asked, not withdrawn yet


def test_delete_asks_to_revoke_a_user_but_never_oneself(
    qtbot: QtBot, ws: Workspace, bridge: LanguageBridge
) -> None:
    panel = on_screen(qtbot, UsersPanel(ws, bridge))
    _active(qtbot, panel)
    items = [panel.tree.topLevelItem(i) for i in range(panel.tree.topLevelItemCount())]
    me = next(i for i in items if i is not None and i.text(0) == ws.actor.username)
    other = next(i for i in items if i is not None and i.text(0) == "serik")
    panel.tree.setCurrentItem(me)
    _key_on(qtbot, panel.tree, Qt.Key.Key_Delete)
    assert panel.dialog is None and panel.notice is None  # nobody revokes their own account
    panel.tree.setCurrentItem(other)
    _key_on(qtbot, panel.tree, Qt.Key.Key_Delete)
    box = modal_dialog(qtbot)
    assert isinstance(box, QMessageBox) and "serik" in box.text()
    box.close()


def test_enter_opens_an_attachment_and_delete_asks_why_it_is_removed(
    qtbot: QtBot, cases_area: CasesArea, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(attachments_module, "open_with_system", opened.append)
    fill_new_case(cases_area)
    assert press_save(qtbot, cases_area.editor)
    panel = cases_area.editor.attachments
    contract = tmp_path / "contract.pdf"
    contract.write_bytes(b"%PDF-1.4 a contract")
    monkeypatch.setattr(
        attachments_module.QFileDialog, "getOpenFileNames", lambda *_args: ([str(contract)], "")
    )
    cases_area.editor.tabs.setCurrentWidget(panel)
    click(qtbot, panel.add_button)
    wait_written(qtbot, panel)
    panel.tree.setCurrentItem(panel.tree.topLevelItem(0))
    _key_on(qtbot, panel.tree, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=5000)  # read off the GUI thread
    _key_on(qtbot, panel.tree, Qt.Key.Key_Delete)
    dialog = modal_dialog(qtbot)
    assert isinstance(dialog, ReasonDialog)
    dialog.reject()
    assert panel.tree.topLevelItemCount() == 1  # asked, not removed


def _menu_key(view: QAbstractItemView) -> None:
    """The keyboard's Menu key, as Qt delivers it to the focused list: a context menu request
    at the list's middle, whatever row is current."""
    middle = view.rect().center()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, middle, view.mapToGlobal(middle))
    QApplication.sendEvent(view, event)


def _entries(menu: QMenu) -> dict[str, bool]:
    return {a.text().replace("&", ""): a.isEnabled() for a in menu.actions()}


def test_the_menu_key_offers_the_current_letters_actions_under_its_row(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge
) -> None:
    ws = open_ws("aigul")
    case = hanil_steel_case(ws)
    service = LetterService(ws)
    for subject in ("Зарплата", "Паспорт"):
        service.draft(case.id, "employer_letter", "ru", LetterFields(subject=subject))
    page = on_screen(qtbot, LettersPage(ws, bridge))
    _active(qtbot, page)
    page.table.selectRow(1)
    page.table.setFocus()
    _menu_key(page.table)
    menu = page.table.findChild(QMenu)
    assert menu is not None
    qtbot.waitUntil(menu.isVisible, timeout=2000)
    row = page.table.visualRect(page.model.index(1, 0))
    at = page.table.viewport().mapFromGlobal(menu.pos())
    assert row.top() <= at.y() <= row.bottom() + 2  # under the current row, not mid-list
    entries = _entries(menu)
    assert entries["Discard"] and not entries["Approve"]  # an attaché's draft
    discard = next(a for a in menu.actions() if a.text() == page.discard_button.text())
    menu.hide()
    discard.trigger()
    box = modal_dialog(qtbot)
    assert isinstance(box, QMessageBox) and "Discard this draft?" in box.text()
    box.close()


def test_a_right_click_acts_on_the_row_clicked(
    qtbot: QtBot, ws: Workspace, bridge: LanguageBridge
) -> None:
    panel = on_screen(qtbot, UsersPanel(ws, bridge))
    items = [panel.tree.topLevelItem(i) for i in range(panel.tree.topLevelItemCount())]
    serik = next(i for i in items if i is not None and i.text(0) == "serik")
    at = panel.tree.visualItemRect(serik).center()
    viewport = panel.tree.viewport()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, at, viewport.mapToGlobal(at))
    QApplication.sendEvent(viewport, event)
    assert panel.tree.currentItem() is serik
    menu = panel.tree.findChild(QMenu)
    assert menu is not None and menu.isVisible()
    assert _entries(menu)["Revoke…"]
    menu.hide()
