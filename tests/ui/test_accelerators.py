"""No Alt+letter is used twice where it is live, in any language.

The fault: a keyboard-only walk found accelerators (the ``&`` letters) clashing in every
language. With a clash Qt only moves the focus between the items and presses nothing: Alt+S
did not save in Russian (“&Справка” and “&Сохранить”), Alt+C in English reached “&Cases”,
“Review &contract” and “&Close” in turn.

Live together are the accelerators of one window: the menu bar's titles and the visible
buttons, check boxes, group boxes, tabs and buddied labels; each menu's items are live among
themselves. The main window is walked area by area and with a case open on each of its tabs;
then the main dialogs a user opens in one step.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMenu,
    QTabBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.services.cases import CaseService
from app.services.workspace import Workspace
from tests.builders import new_case
from tests.conftest import OpenWs
from tests.integration.test_exchange import make_site
from tests.ui.new_case import cases_area_of, fill_new_case
from tests.ui.press import wait_for
from ui.i18n_bridge import LanguageBridge
from ui.main_window import MainWindow

MakeWindow = Callable[..., MainWindow]
LANGUAGES = ("en", "kk", "ru")


def accelerator(text: str) -> str | None:
    """The letter Alt presses for ``text`` (upper case), as Qt reads it: the character after
    the first single ``&`` (``&&`` is a literal ampersand)."""
    at = 0
    while (at := text.find("&", at)) != -1 and at + 1 < len(text):
        if text[at + 1] != "&":
            return text[at + 1].upper()
        at += 2
    return None


def window_texts(window: QWidget) -> Iterator[str]:
    """The texts whose accelerators are live in ``window`` now."""
    if isinstance(window, QMainWindow):
        yield from (a.text() for a in window.menuBar().actions() if a.isVisible())
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.window() is not window:
            continue
        if isinstance(widget, QAbstractButton):
            yield widget.text()
        elif isinstance(widget, QGroupBox):
            yield widget.title()
        elif isinstance(widget, QLabel) and widget.buddy() is not None:
            yield widget.text()
        elif isinstance(widget, QTabBar):
            yield from (widget.tabText(i) for i in range(widget.count()) if widget.isTabVisible(i))


def clashes(texts: Iterator[str] | list[str]) -> list[str]:
    """Each letter used more than once, with the texts that use it."""
    users: dict[str, list[str]] = defaultdict(list)
    for text in texts:
        letter = accelerator(text)
        if letter is not None:
            users[letter].append(text)
    return [f"{letter}: {' / '.join(sorted(set(t)))}" for letter, t in users.items() if len(t) > 1]


def menu_clashes(window: QWidget) -> list[str]:
    found = []
    for menu in window.findChildren(QMenu):
        items = [a.text() for a in menu.actions() if a.isVisible() and not a.isSeparator()]
        found += [f"menu {menu.title()!r}: {clash}" for clash in clashes(items)]
    return found


@pytest.fixture(params=LANGUAGES)
def language(request: pytest.FixtureRequest, bridge: LanguageBridge) -> str:
    bridge.set_language(request.param)
    return str(request.param)


def walk(window: MainWindow, case_id: str | None) -> list[str]:
    """The clashes in each area of ``window``, on a new case and on each tab of ``case_id``."""
    found = menu_clashes(window)

    def look(where: str) -> None:
        QApplication.processEvents()
        found.extend(f"{where}: {clash}" for clash in clashes(window_texts(window)))

    for key in window.area_keys():
        window.show_area(key)
        look(key)
    if case_id is None:
        return found
    area = cases_area_of(window)
    if window.new_case_action.isVisible():
        area.new_case()
        look("a new case")
    area.open_case(case_id)
    tabs = area.editor.tabs
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        look(f"case, tab {tabs.tabText(index)!r}")
    return found


@pytest.mark.parametrize("user", ["admin", "serik", "aigul"])  # administrator, consul, attaché
def test_the_main_window_has_no_clash_in_any_area_or_the_case_editor(
    language: str, user: str, make_window: MakeWindow, open_ws: OpenWs
) -> None:
    case = CaseService(open_ws("admin")).create_case(new_case())
    found = walk(make_window(open_ws(user)), case.id)
    assert not found, f"accelerators used twice ({language}):\n" + "\n".join(dict.fromkeys(found))


def test_an_hq_window_has_no_clash(language: str, tmp_path: Path, make_window: MakeWindow) -> None:
    hq = make_site(tmp_path / "sites", "AST", "KZ", "Astana", True)
    try:
        found = walk(make_window(hq.ws), None)
    finally:
        hq.ws.close()
    assert not found, f"accelerators used twice ({language}):\n" + "\n".join(dict.fromkeys(found))


def _dialogs(window: MainWindow, ws: Workspace, case_id: str, number: str) -> list[QDialog]:
    """The dialogs a user opens in one step from the window or a case."""
    from app.domain.roles import Role
    from app.services.keys import KeyService
    from app.services.organisations import OrganisationService
    from app.services.partners import PartnerInput, PartnerService
    from app.services.recovery_sheet import sheet_facts
    from app.services.stats import Drilldown, StatsFilter, StatsService
    from app.services.users import UserService
    from ui.cases.csv_import import CsvImportDialog
    from ui.cases.import_undo import ImportUndoDialog
    from ui.cases.org_picker import OrganisationDialog
    from ui.exchange.hq import TransferDialog
    from ui.exchange.keys import TrustKeyDialog
    from ui.help import AboutDialog, HelpDialog, ShortcutsDialog
    from ui.letters.dialog import LetterDialog
    from ui.partners.dialogs import OutcomeDialog, PartnerDialog, ReferralDialog
    from ui.recovery import RecoverDialog, RecoveryKeyDialog
    from ui.reports.case_list import CaseListDialog
    from ui.returnees.dialog import ReturneeDialog
    from ui.settings.users import AddUserDialog, SignatureDialog
    from ui.widgets.dialogs import PasswordDialog, ReasonDialog

    me = next(u for u in UserService(ws).list() if u.username == ws.actor.username)
    partners = PartnerService(ws)
    shelter = partners.create(
        PartnerInput(name="Shelter", kind="shelter", country="TR", city="Ankara")
    )
    partners.refer(case_id, shelter.id, "Nowhere to sleep")
    referral = partners.referrals(case_id)[0]
    return [
        LetterDialog(ws, case_id, number, parent=window),
        ReferralDialog(window, ws, case_id, number, "new"),
        OutcomeDialog(window, ws, referral),
        PartnerDialog(window, ws),
        OrganisationDialog(window, OrganisationService(ws), "TR"),
        ReturneeDialog(window, ws),
        AddUserDialog(window, set(), tuple(Role)),
        SignatureDialog(window, me),
        TrustKeyDialog(window, KeyService(ws)),
        TransferDialog(window, []),
        RecoveryKeyDialog(window, "ABCD-EFGH", lambda lang: sheet_facts(ws, lang)),
        RecoverDialog(window, window.workspace.paths, window.bridge),
        PasswordDialog(window, "Password"),
        ReasonDialog(window, "Reason"),
        CsvImportDialog(window, ws, Path("no-such-sheet.csv")),
        ImportUndoDialog(window, ws),
        CaseListDialog(
            StatsService(ws), Drilldown(StatsFilter(), "open", ""), "Open", False, window
        ),
        HelpDialog(window),
        ShortcutsDialog(window),
        AboutDialog(ws, window),
    ]


def test_no_dialog_has_a_clash(language: str, make_window: MakeWindow, ws: Workspace) -> None:
    case = CaseService(ws).create_case(new_case())
    window = make_window(ws)
    found = []
    for dialog in _dialogs(window, ws, case.id, case.number):
        dialog.show()
        QApplication.processEvents()
        name = type(dialog).__name__
        found += [f"{name}: {clash}" for clash in clashes(window_texts(dialog))]
        found += [f"{name}: {clash}" for clash in menu_clashes(dialog)]
        dialog.close()
    assert not found, f"accelerators used twice ({language}):\n" + "\n".join(found)


def test_a_clash_is_found_and_named() -> None:
    assert accelerator("Save && &close") == "C"
    assert accelerator("R&&D") is None
    assert accelerator("&жолдау") == "Ж"
    assert clashes(["&Cases", "Review &contract", "&Save"]) == ["C: &Cases / Review &contract"]


def test_alt_s_saves_a_case_in_russian(
    qtbot: QtBot, bridge: LanguageBridge, make_window: MakeWindow, ws: Workspace
) -> None:
    """The fault itself: Alt+С reached “&Справка” and “&Сохранить” in turn and saved nothing."""
    bridge.set_language("ru")
    area = cases_area_of(make_window(ws))
    fill_new_case(area)
    editor = area.editor
    assert editor.save_button.text() == "&Сохранить"
    pressed: list[bool] = []
    editor.save_button.clicked.connect(lambda: pressed.append(True))
    editor.person.edits["surname"].setFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key(ord("С")), Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: pressed == [True], timeout=2000)  # a mnemonic animates its click
    wait_for(qtbot, editor.save_task)
    assert editor.last_save_ok and CaseService(ws).count_cases() == 1


def test_every_frequent_button_of_a_case_has_a_letter_and_the_others_a_key(
    language: str, make_window: MakeWindow, ws: Workspace
) -> None:
    """The fault: in English the case form shows more controls than there are letters, and
    Save a copy… and Undo last status change had none. The host country (filled in with the
    mission's) gave its letter up; Close keeps Esc and Remove… the Delete key instead."""
    case = CaseService(ws).create_case(new_case())
    area = cases_area_of(make_window(ws))
    area.open_case(case.id)
    editor = area.editor
    lettered = [editor.attachments.save_button, editor.timeline.undo_button]
    assert [accelerator(b.text()) is not None for b in lettered] == [True, True]
    assert accelerator(editor.close_button.text()) is None
    assert "Esc" in editor.close_button.toolTip()
    assert accelerator(editor.attachments.remove_button.text()) is None
