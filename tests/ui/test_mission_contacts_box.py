"""Settings: the hotline and opening hours of briefing sheets (administrator only)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.services.briefing import mission_contacts, set_mission_contacts
from tests.conftest import OpenWs
from tests.ui.press import answer_modal, click, on_screen, type_into
from ui.settings.contacts import MissionContactsBox


def test_administrator_saves_the_contacts_and_bad_input_changes_nothing(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    ws = open_ws("admin")
    box = on_screen(qtbot, MissionContactsBox(ws))
    assert box.save_button.isVisibleTo(box) and not box.hotline.isReadOnly()
    type_into(qtbot, box.hotline, "+82 10 1234 5678")
    type_into(qtbot, box.hours["kk"], "Дс–Жм 9:00–18:00")
    click(qtbot, box.save_button)
    assert box.busy.busy or not box.writes.running
    qtbot.waitUntil(lambda: not box.writes.running, timeout=5000)
    saved = mission_contacts(ws)
    assert saved.hotline == "+82 10 1234 5678" and dict(saved.hours) == {"kk": "Дс–Жм 9:00–18:00"}
    type_into(qtbot, box.hotline, "call me maybe")
    refusals: list[QMessageBox] = []
    answer_modal(qtbot, QMessageBox, seen=refusals)
    click(qtbot, box.save_button)
    qtbot.waitUntil(lambda: bool(refusals), timeout=5000)
    assert len(refusals) == 1 and "hotline" in refusals[0].text().lower()
    assert mission_contacts(ws).hotline == "+82 10 1234 5678"
    assert box.hotline.text() == "call me maybe"  # kept to be corrected, not thrown away


def test_an_attache_sees_the_contacts_but_cannot_change_them(qtbot: QtBot, open_ws: OpenWs) -> None:
    box = MissionContactsBox(open_ws("aigul"))
    qtbot.addWidget(box)
    assert box.hotline.isReadOnly() and all(e.isReadOnly() for e in box.hours.values())
    assert not box.save_button.isVisibleTo(box)


def test_opening_hours_longer_than_their_field_show_their_start(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    """The fault: at a text size of 150 % on a 1024-pixel screen the hours read «…ма,
    9:00–18:00 (түскі үзіліс 12:30–14:00)», scrolled to their end, the days out of sight."""
    hours = {
        "kk": "Дүйсенбі–жұма, 9:00–18:00 (түскі үзіліс 12:30–14:00)",
        "ru": "Понедельник–пятница, 9:00–18:00 (перерыв 12:30–14:00)",
    }
    set_mission_contacts(open_ws("admin"), "+82 10 9999 0112", hours)
    box = on_screen(qtbot, MissionContactsBox(open_ws("aigul")))
    box.resize(360, box.height())  # narrower than the hours
    qtbot.waitExposed(box)
    for lang in hours:
        edit = box.hours[lang]
        assert edit.fontMetrics().horizontalAdvance(edit.text()) > edit.width()
        assert edit.cursorPosition() == 0, lang
