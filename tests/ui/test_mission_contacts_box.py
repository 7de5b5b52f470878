"""Settings: the hotline and opening hours of briefing sheets (administrator only)."""

from __future__ import annotations

from collections.abc import Callable
from unittest.mock import patch

from pytestqt.qtbot import QtBot

from app.services.briefing import mission_contacts
from app.services.workspace import Workspace
from ui.settings.contacts import MissionContactsBox

OpenWs = Callable[[str], Workspace]


def test_administrator_saves_the_contacts_and_bad_input_changes_nothing(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    ws = open_ws("admin")
    box = MissionContactsBox(ws)
    qtbot.addWidget(box)
    assert box.save_button.isVisibleTo(box) and not box.hotline.isReadOnly()
    box.hotline.setText("+82 10 1234 5678")
    box.hours["kk"].setText("Дс–Жм 9:00–18:00")
    assert box.save()
    saved = mission_contacts(ws)
    assert saved.hotline == "+82 10 1234 5678" and dict(saved.hours) == {"kk": "Дс–Жм 9:00–18:00"}
    box.hotline.setText("call me maybe")
    with patch("ui.settings.contacts.show_error") as shown:
        assert not box.save()
    assert "hotline" in str(shown.call_args.args[1]).lower()
    assert mission_contacts(ws).hotline == "+82 10 1234 5678"


def test_an_attache_sees_the_contacts_but_cannot_change_them(qtbot: QtBot, open_ws: OpenWs) -> None:
    box = MissionContactsBox(open_ws("aigul"))
    qtbot.addWidget(box)
    assert box.hotline.isReadOnly() and all(e.isReadOnly() for e in box.hours.values())
    assert not box.save_button.isVisibleTo(box)
