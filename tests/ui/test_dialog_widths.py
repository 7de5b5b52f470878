"""A dialog opens as wide as its form needs: Qt opens a window at most two thirds of the screen
wide, and the Kazakh reply dialog (record the employer's reply) was cut at the right, its
summary and its «Файлды алып тастау» button hidden, on a screen 910 pixels wide (1366 at 150 %).
The offscreen test screen is 800 wide: two thirds of it is 533."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.services.letters import LetterFields, LetterService
from tests.builders import hanil_steel_case
from tests.conftest import OpenWs
from tests.ui.press import on_screen
from ui.i18n_bridge import LanguageBridge
from ui.letters.page import LettersPage
from ui.widgets.dialogs import ShortScreenScroll


def test_the_kazakh_reply_dialog_shows_its_whole_form(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge
) -> None:
    case = hanil_steel_case(open_ws("aigul"))
    draft = LetterService(open_ws("aigul")).draft(case.id, "employer_letter", "en", LetterFields())
    LetterService(open_ws("serik")).approve(draft.id)
    LetterService(open_ws("aigul")).issue(draft.id)
    bridge.set_language("kk")
    page = on_screen(qtbot, LettersPage(open_ws("aigul"), bridge))
    page.select_letter(draft.id)
    dialog = page.record_reply()
    assert dialog is not None
    qtbot.waitExposed(dialog)

    form = dialog.findChild(ShortScreenScroll)
    assert form is not None and form.widget() is not None
    needed = form.widget().minimumSizeHint().width()
    assert needed > 2 * dialog.screen().availableGeometry().width() // 3  # the case at issue
    assert form.viewport().width() >= needed
    for button in (dialog.choose_button, dialog.clear_button):  # whole, inside the dialog
        right = button.mapTo(dialog, button.rect().topRight()).x()
        assert right < dialog.width()
    dialog.reject()


def test_the_reply_dialog_ends_a_company_name_with_one_full_stop(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    """«… to Hanil Steel Co., Ltd..» read the intro of every reply to a Korean employer."""
    from app.letters.context import Addressee
    from ui.letters.reply import ReplyDialog

    case = hanil_steel_case(open_ws("aigul"))
    company = Addressee("", "Hanil Steel Co., Ltd.", "12 Bangeojin-ro, Ulsan")
    fields = LetterFields(addressee=company)
    draft = LetterService(open_ws("aigul")).draft(case.id, "employer_letter", "en", fields)
    LetterService(open_ws("serik")).approve(draft.id)
    letters = LetterService(open_ws("aigul"))
    issued = letters.issue(draft.id)
    dialog = on_screen(qtbot, ReplyDialog(letters, issued))
    assert dialog.intro.text().endswith(" to Hanil Steel Co., Ltd.")
    assert dialog.from_field.text() == "Hanil Steel Co., Ltd."  # the sender as written
    dialog.reject()
