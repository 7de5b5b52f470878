"""Settings → Users names an account written into the database outside Qorgau
(tests/security/test_user_rows_written_directly.py replays the attack itself)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.config import Paths
from app.db.raw import open_raw
from app.security.keyslots import KeySlotStore
from app.services.workspace import Workspace
from tests.conftest import PASSWORD
from tests.ui.press import on_screen
from ui.i18n_bridge import LanguageBridge
from ui.settings.users import UsersPanel


def test_the_list_says_which_account_was_written_outside_qorgau(
    qtbot: QtBot, installation: Paths, ws: Workspace, bridge: LanguageBridge
) -> None:
    conn = open_raw(installation.db, KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD))
    try:
        conn.execute("UPDATE user SET role = 'consul' WHERE username = 'aigul'")
    finally:
        conn.close()

    panel = on_screen(qtbot, UsersPanel(ws, bridge))
    rows = {
        item.text(0): item
        for item in (panel.tree.topLevelItem(i) for i in range(panel.tree.topLevelItemCount()))
        if item is not None
    }
    said = (
        "The account aigul has the role “Consul / head of section”, but the audit log gives "
        "it “Labour attaché”: the role was changed in the database directly. It cannot sign "
        "in until an administrator gives it a role again, or revokes it."
    )
    assert panel.findings.isVisible() and panel.findings.text() == said
    assert rows["aigul"].text(3) == "written outside Qorgau"
    assert rows["aigul"].toolTip(0) == said
    assert rows["serik"].text(3) == "active" and rows["serik"].toolTip(0) == ""

    bridge.set_language("ru")  # said again in the reader's language, the roles' labels too
    assert "Консул / руководитель отдела" in panel.findings.text()
