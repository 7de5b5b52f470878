"""The Agreements area's "Briefing sheet…" action: the sheet of the country shown, written
off the GUI thread in the chosen language."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from tests.conftest import OpenWs
from tests.ui.press import choose, click, on_screen, save_as, show_tab
from ui.agreements.page import AgreementsPage


def test_briefing_sheet_of_the_country_shown_is_written_in_the_chosen_language(
    qtbot: QtBot, open_ws: OpenWs, tmp_path: Path
) -> None:
    page = on_screen(qtbot, AgreementsPage(open_ws("aigul")))
    view = page.country_view
    show_tab(qtbot, page.tabs, view)
    assert view.sheet_button.isVisible() and view.sheet_button.text() == "Briefing sheet…"
    choose(qtbot, view.country, "RU")
    choose(qtbot, view.sheet_lang, "kk")
    target = tmp_path / "sheet.pdf"
    save_as(qtbot, target)
    with qtbot.waitSignal(view.sheet_written, timeout=30_000) as written:
        click(qtbot, view.sheet_button)
    assert written.args == [str(target)]
    text = "".join(page.extract_text() or "" for page in PdfReader(target).pages)
    assert "Ресей" in text  # the country's name in Kazakh
    assert "Сізді қорғайтын келісімдер" in text
    assert str(target) in view.sheet_status.text()
    qtbot.waitUntil(lambda: view.sheet_button.isEnabled())
