"""The Agreements area's "Briefing sheet…" action: the sheet of the country shown, written
off the GUI thread in the chosen language."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from app.services.workspace import Workspace
from ui.agreements.page import AgreementsPage

OpenWs = Callable[[str], Workspace]


def test_briefing_sheet_of_the_country_shown_is_written_in_the_chosen_language(
    qtbot: QtBot, open_ws: OpenWs, tmp_path: Path
) -> None:
    page = AgreementsPage(open_ws("aigul"))
    qtbot.addWidget(page)
    page.show()
    view = page.country_view
    page.tabs.setCurrentWidget(view)
    assert view.sheet_button.isVisible() and view.sheet_button.text() == "Briefing sheet…"
    view.country.set_code("RU")
    view.sheet_lang.setCurrentIndex(view.sheet_lang.findData("kk"))
    target = tmp_path / "sheet.pdf"
    with qtbot.waitSignal(view.sheet_written, timeout=30_000) as written:
        view.write_briefing_sheet(target, str(view.sheet_lang.currentData()))
    assert written.args == [str(target)]
    text = "".join(page.extract_text() or "" for page in PdfReader(target).pages)
    assert "Ресей" in text  # the country's name in Kazakh
    assert "Сізді қорғайтын келісімдер" in text
    assert str(target) in view.sheet_status.text()
    qtbot.waitUntil(lambda: view.sheet_button.isEnabled())
