"""Settings → Backups and Escrow at headquarters, pressed as the administrator presses them.

The fault: an administrator could back up, restore and handle HQ's escrow only
from the command line (issues 11 and 25); Settings offered none of it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.config import Paths
from app.db.models import AuditEntry, Case
from app.security.keyslots import KeySlotStore
from app.services.backup import create_backup
from app.services.installation import MissionSetup, init_installation, unlock
from app.services.recovery import RecoveryService, recover, sign_policy
from app.services.workspace import Workspace
from tests.builders import add_cases
from tests.conftest import MISSION, PASSWORD, OpenWs, count, snapshot
from tests.integration.test_exchange import Site, link, make_site
from tests.ui.press import (
    click,
    modal_dialog,
    open_area,
    open_file,
    press_dialog_button,
    save_as,
    type_into,
    when_modal,
)
from ui import app as ui_app
from ui.main_window import MainWindow
from ui.restore import RestoreRequest, restore_after_close
from ui.settings.backups import BackupsBox, RestoreDialog
from ui.settings.escrow import EscrowBox, EscrowPolicyDialog, RecoveryCodeDialog
from ui.settings.page import SettingsPage

MakeWindow = Callable[..., MainWindow]
WAIT_MS = 20_000


def _page(qtbot: QtBot, window: MainWindow) -> SettingsPage:
    page = open_area(qtbot, window, "settings")
    assert isinstance(page, SettingsPage)
    return page


def _backups(qtbot: QtBot, window: MainWindow) -> BackupsBox:
    box = _page(qtbot, window).backups
    assert box is not None and box.isVisible()
    return box


def _wait(qtbot: QtBot, holder: BackupsBox | EscrowBox) -> None:
    qtbot.waitUntil(lambda: holder.task is not None and not holder.task.running, timeout=WAIT_MS)


def _data(folder: Path) -> dict[str, bytes]:
    """The data folder's bytes, but the shared-memory index an open reader may touch."""
    return {k: v for k, v in snapshot(folder).items() if not k.endswith("-shm")}


def _refusal(qtbot: QtBot, act: Callable[[], object]) -> str:
    """The text of the message box ``act`` opened (a refusal), closed once read."""
    seen: list[str] = []

    def read(box: QMessageBox) -> None:
        seen.append(box.text())
        box.close()

    when_modal(QMessageBox, read)
    act()
    qtbot.waitUntil(lambda: bool(seen), timeout=WAIT_MS)
    return seen[0]


def _audit(ws: Workspace, action: str) -> list[AuditEntry]:
    with ws.read() as session:
        return list(
            session.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars()
        )


def _foreign_backup(tmp_path: Path) -> Path:
    """A backup of another installation of the same mission (a second laptop's)."""
    other = Paths(tmp_path / "other")
    init_installation(other, MISSION, "admin", PASSWORD)
    foreign_ws = unlock(other, "admin", PASSWORD)
    try:
        return create_backup(foreign_ws, tmp_path / "foreign.qbackup").path
    finally:
        foreign_ws.close()


# -- backups -----------------------------------------------------------------------------


def test_backups_are_for_the_administrator_only(
    qtbot: QtBot, make_window: MakeWindow, open_ws: OpenWs
) -> None:
    for user in ("aigul", "serik"):
        page = _page(qtbot, make_window(open_ws(user)))
        assert page.backups is None and page.escrow is None


def test_back_up_now_to_the_backups_folder_and_to_a_usb_stick(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace, installation: Paths, tmp_path: Path
) -> None:
    box = _backups(qtbot, make_window(ws))
    assert box.empty.isVisible() and not box.table.isVisible()
    assert str(installation.backups) in box.folder.text()

    kept = installation.backups / "before-the-move.qbackup"
    save_as(qtbot, kept)
    click(qtbot, box.backup_button)
    _wait(qtbot, box)
    assert kept.is_file() and box.table.rowCount() == 1
    assert box.table.item(0, 1).text() == "made by hand"
    assert "before-the-move.qbackup" in box.table.item(0, 0).toolTip()
    assert box.done_box is not None and str(kept) in box.done_box.text()
    box.done_box.close()

    usb = tmp_path / "usb"
    usb.mkdir()
    save_as(qtbot, usb / "mission")  # typed without the extension
    click(qtbot, box.backup_button)
    _wait(qtbot, box)
    assert (usb / "mission.qbackup").is_file()
    assert box.table.rowCount() == 1  # a copy elsewhere is not listed as kept here
    assert [e.details["file"] for e in _audit(ws, "backup.create")] == [
        "before-the-move.qbackup",
        "mission.qbackup",
    ]


def test_back_up_now_over_an_existing_file_is_refused_and_the_file_kept(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace, tmp_path: Path
) -> None:
    box = _backups(qtbot, make_window(ws))
    taken = tmp_path / "taken.qbackup"
    taken.write_bytes(b"someone's file")
    save_as(qtbot, taken)
    assert "already exists" in _refusal(qtbot, lambda: click(qtbot, box.backup_button))
    assert taken.read_bytes() == b"someone's file"


def _ask_restore(qtbot: QtBot, box: BackupsBox, file: Path) -> None:
    open_file(qtbot, file)
    click(qtbot, box.restore_button)


def test_restore_closes_the_window_then_replaces_the_data_and_asks_to_sign_in(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace, installation: Paths
) -> None:
    backup = create_backup(ws, installation.backups / "monday.qbackup").path
    add_cases(ws, 1)  # entered after the backup: the restore takes it away
    window = make_window(ws)
    box = _backups(qtbot, window)
    _ask_restore(qtbot, box, backup)
    qtbot.waitUntil(lambda: box.restore_dialog is not None, timeout=WAIT_MS)
    dialog = box.restore_dialog
    assert isinstance(dialog, RestoreDialog) and dialog.isVisible()
    if os.environ.get("QORGAU_SCREENSHOTS"):
        window.grab().save(os.environ["QORGAU_SCREENSHOTS"] + "/settings_backups.png")
        dialog.grab().save(os.environ["QORGAU_SCREENSHOTS"] + "/restore_dialog.png")
    intro = dialog.intro.text()
    assert "monday.qbackup" in intro and "everything entered since is lost" in intro
    assert str(installation.backups) in intro
    type_into(qtbot, dialog.password, PASSWORD)
    press_dialog_button(qtbot, dialog)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT_MS)
    request = window.restore_request
    assert request == RestoreRequest(backup, "admin", PASSWORD)
    assert count(ws, Case) == 1  # nothing is replaced while the window has it open

    ws.close()
    when_modal(QMessageBox, lambda done: done.close())
    result = restore_after_close(installation, request)
    assert result is not None and result.deactivated == []
    again = unlock(installation, "admin", PASSWORD)
    try:
        assert count(again, Case) == 0
        assert len(_audit(again, "backup.restore")) == 1
    finally:
        again.close()
    assert list(installation.backups.glob("replaced-by-restore-*/qorgau.db"))


@pytest.mark.parametrize("which", ["another installation's", "damaged"])
def test_a_refused_backup_changes_nothing_and_the_window_stays(
    qtbot: QtBot,
    make_window: MakeWindow,
    ws: Workspace,
    installation: Paths,
    tmp_path: Path,
    which: str,
) -> None:
    if which == "damaged":
        good = create_backup(ws, tmp_path / "good.qbackup").path
        file = tmp_path / "damaged.qbackup"
        data = bytearray(good.read_bytes())
        data[len(data) // 2] ^= 0xFF  # one flipped byte inside the database copy
        file.write_bytes(bytes(data))
        expected = "is not a Qorgau backup, or it is damaged"
    else:
        file = _foreign_backup(tmp_path)
        expected = "belongs to another installation"
    window = make_window(ws)
    box = _backups(qtbot, window)
    before = _data(installation.data_dir)
    assert expected in _refusal(qtbot, lambda: _ask_restore(qtbot, box, file))
    assert box.restore_dialog is None and window.isVisible()
    assert window.restore_request is None
    assert _data(installation.data_dir) == before


def test_a_wrong_password_keeps_the_dialog_and_the_window_open(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace, installation: Paths
) -> None:
    backup = create_backup(ws, installation.backups / "monday.qbackup").path
    window = make_window(ws)
    box = _backups(qtbot, window)
    _ask_restore(qtbot, box, backup)
    qtbot.waitUntil(lambda: box.restore_dialog is not None, timeout=WAIT_MS)
    dialog = box.restore_dialog
    assert dialog is not None
    type_into(qtbot, dialog.password, "not the password")
    press_dialog_button(qtbot, dialog)
    # The dialog asks for a password only: no user name to be wrong about.
    assert dialog.error.text() == "Wrong password: the backup was not restored."
    assert dialog.isVisible() and window.isVisible() and window.restore_request is None


def test_the_app_closes_its_database_restores_then_shows_the_sign_in_again(
    monkeypatch: pytest.MonkeyPatch, installation: Paths, ws: Workspace
) -> None:
    """ui.app's loop: the restore runs only after the window's workspace was closed, and the
    next workspace comes from the sign-in window (not the keyring or the environment)."""
    events: list[str] = []
    request = RestoreRequest(installation.backups / "monday.qbackup", "admin", PASSWORD)

    def obtain(
        paths: Paths, bridge: object, ask: bool = False, notice: object = None
    ) -> Workspace | None:
        events.append(f"sign in (ask={ask})")
        return ws if len(events) == 1 else None

    class Window:
        restore_request = request
        signed_out = None

    class Daily:
        def finish_on_exit(self) -> None:
            events.append("daily backup")

    class App:
        def exec(self) -> int:
            return 0

    monkeypatch.setattr(ui_app, "obtain_workspace", obtain)
    monkeypatch.setattr(ui_app, "open_main_window", lambda *_a: (Window(), Daily()))
    monkeypatch.setattr(ws, "close", lambda: events.append("workspace closed"))
    monkeypatch.setattr(
        "ui.restore.restore_after_close",
        lambda paths, asked: events.append(f"restore {asked.file.name}"),
    )
    assert ui_app._run_window(App(), object(), installation) == 0  # type: ignore[arg-type]
    assert events == [
        "sign in (ask=False)",
        "daily backup",
        "workspace closed",
        "restore monday.qbackup",
        "sign in (ask=True)",
    ]


# -- escrow ------------------------------------------------------------------------------


@pytest.fixture
def hq_and_mission(tmp_path: Path) -> tuple[Site, Site]:
    hq = make_site(tmp_path, "AST", "KZ", "Astana", True)
    sel = make_site(tmp_path, "SEL", "KR", "Seoul")
    link(hq, sel)
    yield hq, sel
    hq.ws.close()
    sel.ws.close()


def _escrow(qtbot: QtBot, window: MainWindow) -> EscrowBox:
    box = _page(qtbot, window).escrow
    assert box is not None and box.isVisible()
    return box


def test_a_mission_applies_hqs_policy_and_refuses_one_hq_did_not_sign(
    qtbot: QtBot, make_window: MakeWindow, hq_and_mission: tuple[Site, Site], tmp_path: Path
) -> None:
    hq, sel = hq_and_mission
    box = _escrow(qtbot, make_window(sel.ws))
    assert not box.policy_button.isVisible() and not box.code_button.isVisible()
    assert "Escrow at headquarters is off" in box.state.text()

    # Signed by an HQ this mission does not trust: refused, nothing changes.
    stranger = make_site(tmp_path / "elsewhere", "AST", "KZ", "Astana", True)
    try:
        forged = tmp_path / "forged.json"
        forged.write_bytes(sign_policy(stranger.ws, "SEL", True))
    finally:
        stranger.ws.close()
    before = _data(sel.paths.data_dir)
    open_file(qtbot, forged)
    refusal = _refusal(qtbot, lambda: click(qtbot, box.apply_button))
    assert "does not match the registered key of headquarters (AST)" in refusal
    assert _data(sel.paths.data_dir) == before
    assert "Escrow at headquarters is off" in box.state.text()

    policy = tmp_path / "policy.json"
    policy.write_bytes(sign_policy(hq.ws, "SEL", True))
    open_file(qtbot, policy)
    click(qtbot, box.apply_button)
    _wait(qtbot, box)
    assert "Escrow at headquarters is on" in box.state.text()
    assert KeySlotStore(sel.paths.keyslots).escrow() is not None
    assert box.done_box is not None
    box.done_box.close()

    # The same file again is a replay: refused.
    open_file(qtbot, policy)
    refusal = _refusal(qtbot, lambda: click(qtbot, box.apply_button))
    assert "A newer escrow policy was already applied here" in refusal


def test_hq_issues_the_policy_and_then_a_one_time_code_that_recovers_the_mission(
    qtbot: QtBot, make_window: MakeWindow, hq_and_mission: tuple[Site, Site], tmp_path: Path
) -> None:
    hq, sel = hq_and_mission
    box = _escrow(qtbot, make_window(hq.ws))
    assert not box.apply_button.isVisible()

    click(qtbot, box.policy_button)
    dialog = modal_dialog(qtbot)
    assert isinstance(dialog, EscrowPolicyDialog) and dialog.mission() == "SEL"
    out = tmp_path / "policy-for-sel.json"
    save_as(qtbot, out)
    press_dialog_button(qtbot, dialog)
    _wait(qtbot, box)
    assert box.done_box is not None and str(out) in box.done_box.text()
    box.done_box.close()
    assert RecoveryService(sel.ws).apply_policy(out.read_bytes()) is True

    sent = tmp_path / "keyslots-from-sel.json"
    sent.write_bytes(sel.paths.keyslots.read_bytes())
    open_file(qtbot, sent)
    click(qtbot, box.code_button)
    _wait(qtbot, box)
    code_dialog = box.dialog
    assert isinstance(code_dialog, RecoveryCodeDialog)
    if os.environ.get("QORGAU_SCREENSHOTS"):
        box.window().grab().save(os.environ["QORGAU_SCREENSHOTS"] + "/settings_escrow_hq.png")
        code_dialog.grab().save(os.environ["QORGAU_SCREENSHOTS"] + "/escrow_code.png")
    code = code_dialog.code.text()
    code_dialog.close()
    assert len(_audit(hq.ws, "escrow.issue")) == 1
    sel.ws.close()
    assert recover(sel.paths, code, "newadmin", "a brand new password").method == "escrow"


def test_hq_on_a_file_issues_no_policy_for_a_mission_it_does_not_know(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path
) -> None:
    paths = Paths(tmp_path / "hq")
    init_installation(paths, MissionSetup("AST", "KZ", "Astana", is_hq=True), "admin", PASSWORD)
    hq_ws = unlock(paths, "admin", PASSWORD)
    try:
        box = _escrow(qtbot, make_window(hq_ws))
        refusal = _refusal(qtbot, lambda: click(qtbot, box.policy_button))
        assert "No mission is registered here yet" in refusal
        assert box.dialog is None
    finally:
        hq_ws.close()
