"""The settings page: language, idle lock, keyring state, user management."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from keyring.backends.fail import Keyring as FailKeyring
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.config import Paths
from app.db.models import AuditEntry
from app.db.raw import whole_file_lock
from app.errors import AuthError, DatabaseError
from app.i18n import current_language
from app.security.keyring_store import SecretStore
from app.security.keyslots import KeySlotStore
from app.security.recovery_key import new_recovery_key, parse_recovery_key
from app.services import retention
from app.services.installation import remember_unlock, unlock_with_keyring
from app.services.recovery import recover
from app.services.retention import retention_years
from app.services.settings import idle_lock_minutes, reply_wait_days
from app.services.users import UserService
from app.services.workspace import Workspace
from tests.conftest import PASSWORD, OpenWs
from tests.ui.press import (
    choose,
    click,
    click_item,
    modal_dialog,
    open_area,
    press_button,
    press_dialog_button,
    save_as,
    type_into,
    when_modal,
)
from ui import tasks, ui_settings
from ui.i18n_bridge import LanguageBridge
from ui.main_window import MainWindow
from ui.settings import users as users_panel
from ui.settings.page import SettingsPage, SettledSetting
from ui.settings.users import UsersPanel

MakeWindow = Callable[..., MainWindow]


def _page(qtbot: QtBot, window: MainWindow) -> SettingsPage:
    page = open_area(qtbot, window, "settings")
    assert isinstance(page, SettingsPage)
    return page


def _users(qtbot: QtBot, window: MainWindow) -> UsersPanel:
    panel = _page(qtbot, window).users
    assert panel is not None
    return panel


def _click_user(qtbot: QtBot, panel: UsersPanel, username: str) -> None:
    rows = [panel.tree.topLevelItem(i) for i in range(panel.tree.topLevelItemCount())]
    row = next(r for r in rows if r is not None and r.text(0) == username)
    click_item(qtbot, panel.tree, row)
    assert panel.selected_username() == username


def _new_password(qtbot: QtBot, dialog: QWidget, password: str) -> None:
    type_into(qtbot, dialog.password, password)  # type: ignore[attr-defined]
    type_into(qtbot, dialog.repeat, password)  # type: ignore[attr-defined]


def test_language_choice_applies_at_once_and_is_remembered(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    window = make_window(ws)
    page = _page(qtbot, window)
    assert page.language.currentText() == "English"
    choose(qtbot, page.language, "ru")
    assert current_language() == "ru"
    assert ui_settings.stored_language() == "ru"
    assert window.status_user.text().endswith("Республика Корея")


def _policy_changes(ws: Workspace, action: str) -> list[dict[str, object]]:
    with ws.read() as session:
        rows = session.execute(
            select(AuditEntry.details).where(AuditEntry.action == action).order_by(AuditEntry.seq)
        )
        return [dict(details) for details in rows.scalars()]


def _settled(qtbot: QtBot, writes: SettledSetting) -> None:
    qtbot.waitUntil(lambda: not writes.timer.isActive() and not writes.writing, timeout=5000)


def test_idle_minutes_are_stored_and_applied_to_the_lock(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    window = make_window(ws)
    page = _page(qtbot, window)
    assert page.idle_minutes.value() == 10
    type_into(qtbot, page.idle_minutes, "3")
    qtbot.keyClick(page.idle_minutes, Qt.Key.Key_Return)
    _settled(qtbot, page.idle_writes)
    assert idle_lock_minutes(ws) == 3  # in the database: the mission's policy
    assert window.idle_lock.timeout_ms == 3 * 60_000
    type_into(qtbot, page.retention_years, "7")
    qtbot.keyClick(page.retention_years, Qt.Key.Key_Return)
    _settled(qtbot, page.retention_writes)
    assert retention_years(ws) == 7
    assert page.reply_wait.value() == 14 and page.reply_wait.suffix() == " days"
    type_into(qtbot, page.reply_wait, "30")
    qtbot.keyClick(page.reply_wait, Qt.Key.Key_Return)
    _settled(qtbot, page.reply_wait_writes)
    assert reply_wait_days(ws) == 30
    assert _policy_changes(ws, "settings.reply_wait") == [{"from": 14, "to": 30}]


def test_a_policy_is_written_once_settled_not_at_each_keystroke_or_step(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    """Typing "25" over the retention period used to set (and audit) 2 years first; each
    click of an arrow was a write of its own, on the GUI thread."""
    window = make_window(ws)
    page = _page(qtbot, window)
    before = retention_years(ws)
    type_into(qtbot, page.retention_years, "25")
    assert retention_years(ws) == before  # nothing written while the number is typed
    page.idle_minutes.setFocus()  # leaving the box enters the number
    _settled(qtbot, page.retention_writes)
    assert retention_years(ws) == 25
    assert _policy_changes(ws, "retention.policy") == [{"from": before, "to": 25}]

    for _step in range(4):
        qtbot.keyClick(page.idle_minutes, Qt.Key.Key_Up)
    assert page.idle_minutes.value() == 14
    _settled(qtbot, page.idle_writes)
    assert idle_lock_minutes(ws) == 14
    assert _policy_changes(ws, "settings.idle_lock") == [{"from": 10, "to": 14}]
    assert window.idle_lock.timeout_ms == 14 * 60_000


def test_a_policy_that_cannot_be_written_is_said_and_the_stored_value_shown(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window(ws)
    page = _page(qtbot, window)

    def refused(_ws: Workspace, _years: int) -> None:
        raise DatabaseError("The database is busy.")

    monkeypatch.setattr(retention, "set_retention_years", refused)
    said: list[str] = []

    def read_and_close(box: QMessageBox) -> None:
        said.append(box.text())
        box.accept()

    when_modal(QMessageBox, read_and_close)
    qtbot.keyClick(page.retention_years, Qt.Key.Key_Up)
    qtbot.waitUntil(lambda: bool(said), timeout=5000)
    assert said == ["The database is busy."]
    assert page.retention_years.value() == retention_years(ws) == 5


def test_a_policy_still_settling_is_written_as_the_window_closes(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    window = make_window(ws)
    page = _page(qtbot, window)
    qtbot.keyClick(page.idle_minutes, Qt.Key.Key_Down)
    assert page.idle_writes.timer.isActive()
    window.close()
    assert idle_lock_minutes(ws) == 9


def test_only_an_administrator_sets_the_policies(
    qtbot: QtBot, make_window: MakeWindow, open_ws: OpenWs
) -> None:
    page = _page(qtbot, make_window(open_ws("aigul")))
    assert not page.idle_minutes.isEnabled()
    assert not page.retention_years.isEnabled()
    assert not page.reply_wait.isEnabled()


def test_keyring_state_is_shown(qtbot: QtBot, make_window: MakeWindow, ws: Workspace) -> None:
    window = make_window(ws)
    page = SettingsPage(window, SecretStore(FailKeyring()))
    assert page.keyring_state.text() == "Looking for this computer's keyring…"
    qtbot.waitUntil(lambda: page.keyring_available is not None, timeout=5000)
    assert page.keyring_state.text() == SecretStore().unavailable_message()
    assert not page.forget_button.isEnabled()
    shown = _page(qtbot, window)
    qtbot.waitUntil(lambda: shown.forget_button.isEnabled(), timeout=5000)
    assert "available" in shown.keyring_state.text()


def test_forget_this_computer_drops_the_remembered_key(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace, installation: Paths
) -> None:
    store = SecretStore()
    remember_unlock(ws, store)
    window = make_window(ws)
    page = _page(qtbot, window)
    qtbot.waitUntil(lambda: page.forget_button.isEnabled(), timeout=5000)
    click(qtbot, page.forget_button)
    qtbot.waitUntil(lambda: "no longer unlocks" in window.statusBar().currentMessage())
    assert unlock_with_keyring(installation, "admin", store) is None


def test_changing_my_password_through_the_dialog(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace, installation: Paths
) -> None:
    window = make_window(ws)
    page = _page(qtbot, window)
    click(qtbot, page.password_button)
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()
    _new_password(qtbot, dialog, "my new password")
    press_dialog_button(qtbot, dialog)
    qtbot.waitUntil(lambda: page.task is not None and not page.task.running, timeout=5000)
    assert window.statusBar().currentMessage() == "Your password has been changed."
    KeySlotStore(installation.keyslots).unlock("admin", "my new password")


def test_only_administrators_manage_users(
    qtbot: QtBot, make_window: MakeWindow, open_ws: OpenWs
) -> None:
    page = _page(qtbot, make_window(open_ws("aigul")))
    assert page.users is None
    assert page.users_box.isHidden()


def test_administrator_adds_a_user_who_can_then_unlock(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace, installation: Paths
) -> None:
    panel = _users(qtbot, make_window(ws))
    assert panel.tree.topLevelItemCount() == 4
    click(qtbot, panel.add_button)
    dialog = panel.dialog
    assert dialog is not None and dialog.isVisible()
    type_into(qtbot, dialog.username, "dana")  # type: ignore[attr-defined]
    type_into(qtbot, dialog.full_name, "Дана Серікқызы")  # type: ignore[attr-defined]
    choose(qtbot, dialog.role, "attache")  # type: ignore[attr-defined]
    _new_password(qtbot, dialog, "dana's password")
    press_dialog_button(qtbot, dialog)
    qtbot.waitUntil(lambda: panel.tree.topLevelItemCount() == 5, timeout=5000)
    names = [panel.tree.topLevelItem(i).text(0) for i in range(5)]  # type: ignore[union-attr]
    assert names == ["admin", "aigul", "astana", "dana", "serik"]
    row = panel.tree.topLevelItem(3)
    assert row is not None
    assert [row.text(c) for c in range(4)] == [
        "dana",
        "Дана Серікқызы",
        "Labour attaché",
        "active",
    ]
    KeySlotStore(installation.keyslots).unlock("dana", "dana's password")


def test_add_user_dialog_keeps_bad_input_and_adds_nothing(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    panel = _users(qtbot, make_window(ws))
    click(qtbot, panel.add_button)
    dialog = panel.dialog
    assert dialog is not None
    type_into(qtbot, dialog.username, "aigul")  # type: ignore[attr-defined]
    _new_password(qtbot, dialog, "whatever long")
    press_dialog_button(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.error.text() == "A user named aigul already exists."
    type_into(qtbot, dialog.username, "Bad Name")  # type: ignore[attr-defined]
    press_dialog_button(qtbot, dialog)
    assert dialog.error.text().startswith("A user name is 2–32 characters")
    press_dialog_button(qtbot, dialog, QDialogButtonBox.StandardButton.Cancel)
    assert not dialog.isVisible()
    assert panel.task is None
    assert len(UserService(ws).list()) == 4


def test_reset_password_and_revoke(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace, installation: Paths
) -> None:
    panel = _users(qtbot, make_window(ws))
    _click_user(qtbot, panel, "admin")
    assert panel.reset_button.isEnabled()
    assert not panel.revoke_button.isEnabled()  # nobody revokes their own account

    _click_user(qtbot, panel, "aigul")
    click(qtbot, panel.reset_button)
    dialog = panel.dialog
    assert dialog is not None
    assert "aigul" in dialog.intro.text()
    _new_password(qtbot, dialog, "a fresh password")
    press_dialog_button(qtbot, dialog)
    slots = KeySlotStore(installation.keyslots)
    qtbot.waitUntil(lambda: panel.task is not None and not panel.task.running, timeout=5000)
    slots.unlock("aigul", "a fresh password")
    # Said once done: the list looks the same after a reset
    assert panel.notice is not None and panel.notice.isVisible()
    assert panel.notice.text() == (
        "The password of aigul was reset. Tell them the new one in person."
    )
    panel.notice.close()

    from dataclasses import replace

    from app.services.cases import CaseService
    from tests.builders import new_case

    held = CaseService(ws).create_case(replace(new_case(), assigned_to="serik"))
    _click_user(qtbot, panel, "serik")
    click(qtbot, panel.revoke_button)
    box = modal_dialog(qtbot)
    assert isinstance(box, QMessageBox)
    assert "serik" in box.text()
    # Today's backup is being written: the re-key waits for it, and the panel says so.
    backup_writing = whole_file_lock(installation.db)
    backup_writing.acquire()
    try:
        press_button(qtbot, box, "Revoke")
        qtbot.waitUntil(lambda: panel.busy.busy, timeout=5000)
        assert "serik" in panel.busy.label.text()
        assert not panel.tree.isEnabled() and not panel.add_button.isEnabled()
        # The window waits under a dialog: a read asked for meanwhile waits for the new key.
        progress = panel.task._progress if panel.task is not None else None
        assert progress is not None and "serik" in progress.labelText()
        assert progress.windowModality() == Qt.WindowModality.WindowModal
    finally:
        backup_writing.release()
    qtbot.waitUntil(
        lambda: any(u.username == "serik" and not u.active for u in panel.users),
        timeout=5000,
    )
    assert not panel.busy.busy and panel.tree.isEnabled()
    try:
        slots.unlock("serik", PASSWORD)
    except AuthError as exc:
        assert str(exc) == "Wrong user name or password."
    else:
        raise AssertionError("a revoked user must not unlock")
    # Her open case waits for another officer, and the administrator is told where.
    qtbot.waitUntil(lambda: panel.notice is not None, timeout=5000)
    assert panel.notice is not None
    assert "1 open case of serik is now assigned to nobody" in panel.notice.text()
    assert CaseService(ws).get_case(held.id).assigned_to is None
    panel.notice.close()
    # The revoked row is greyed out: nothing can be done to it.
    row = panel.tree.findItems("serik", Qt.MatchFlag.MatchExactly, 0)[0]
    assert row.isDisabled()
    assert not panel.reset_button.isEnabled() and not panel.revoke_button.isEnabled()


def test_revoking_a_consul_offers_to_replace_the_recovery_key(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace, installation: Paths
) -> None:
    """Serik, a consul, may have seen the recovery sheet in the safe: his revocation left its
    key making whoever saw it an administrator, and said nothing about it."""
    window = make_window(ws)
    page = _page(qtbot, window)
    panel = _users(qtbot, window)
    _click_user(qtbot, panel, "serik")
    click(qtbot, panel.revoke_button)
    press_button(qtbot, modal_dialog(qtbot), "Revoke")
    qtbot.waitUntil(lambda: panel.notice is not None, timeout=10_000)
    notice = panel.notice
    assert notice is not None
    assert "serik was an administrator or a consul" in notice.text()
    old_db_key = ws.db.key
    press_button(qtbot, notice, "Replace the recovery key…")
    confirm_box = modal_dialog(qtbot)
    assert isinstance(confirm_box, QMessageBox) and "new recovery key" in confirm_box.text()
    press_button(qtbot, confirm_box, "Replace")
    qtbot.waitUntil(lambda: page.recovery_dialog is not None, timeout=10_000)
    assert page.recovery_dialog is not None and ws.db.key != old_db_key
    page.recovery_dialog.close()


def test_revoking_an_attache_says_nothing_of_the_recovery_key(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    panel = _users(qtbot, make_window(ws))
    _click_user(qtbot, panel, "aigul")
    click(qtbot, panel.revoke_button)
    press_button(qtbot, modal_dialog(qtbot), "Revoke")
    qtbot.waitUntil(
        lambda: any(u.username == "aigul" and not u.active for u in panel.users),
        timeout=10_000,
    )
    assert panel.notice is None or "recovery key" not in panel.notice.text()


def test_revoking_says_the_signing_key_was_replaced_and_how_it_reaches_hq(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    """Aigul could read the signing key like every user: it is replaced, and the administrator
    is told what HQ needs and which fingerprint to read out by a separate channel."""
    from app.services.keys import KeyService

    old = KeyService(ws).own_keys()
    panel = _users(qtbot, make_window(ws))
    _click_user(qtbot, panel, "aigul")
    click(qtbot, panel.revoke_button)
    press_button(qtbot, modal_dialog(qtbot), "Revoke")
    qtbot.waitUntil(lambda: panel.notice is not None, timeout=10_000)
    assert panel.notice is not None
    new = KeyService(ws).own_keys()
    assert new.signing_key != old.signing_key
    text = panel.notice.text()
    assert "The signing key of SEL was replaced" in text
    assert new.signing_key_fingerprint in text
    assert "qorgau keys trust SEL KEY" in text


def test_a_revocation_cut_short_by_a_full_disk_says_so_and_the_list_shows_it_done(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The account was deactivated before the disk stopped the key file: the list still
    showed it active (and revocable), under "nothing was changed"."""
    from tests.security.test_rekey_full_disk import key_file_full_from_write

    panel = _users(qtbot, make_window(ws))
    _click_user(qtbot, panel, "aigul")
    key_file_full_from_write(monkeypatch, 1)
    shown: list[str] = []

    def show_error(_parent: QWidget | None, exc: BaseException) -> None:
        shown.append(str(exc))

    monkeypatch.setattr(tasks, "show_error", show_error)
    monkeypatch.setattr(users_panel, "show_error", show_error, raising=False)
    click(qtbot, panel.revoke_button)
    press_button(qtbot, modal_dialog(qtbot), "Revoke")
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert shown[0].startswith("aigul can no longer sign in to Qorgau: the account is deactivated.")
    assert any(u.username == "aigul" and not u.active for u in panel.users)  # read again


def test_administrator_replaces_the_recovery_key_and_keeps_working(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace, installation: Paths, tmp_path: Path
) -> None:
    page = _page(qtbot, make_window(ws))
    assert page.recovery_button.isVisibleTo(page)
    old_key = ws.db.key
    click(qtbot, page.recovery_button)
    box = modal_dialog(qtbot)
    assert isinstance(box, QMessageBox)
    press_button(qtbot, box, "Replace")
    qtbot.waitUntil(lambda: page.recovery_dialog is not None, timeout=10_000)
    dialog = page.recovery_dialog
    assert dialog is not None
    new_key = dialog.key.text()
    assert parse_recovery_key(new_key) == new_key
    assert ws.db.key != old_key  # re-keyed; the open window goes on with the new key
    assert [u.username for u in UserService(ws).list()][0] == "admin"
    sheet = tmp_path / "sheet.pdf"
    save_as(qtbot, sheet)
    click(qtbot, dialog.save_button)
    assert sheet.read_bytes().startswith(b"%PDF")
    press_dialog_button(qtbot, dialog)
    assert not dialog.isVisible()
    assert recover(installation, new_key, "dana", "a new password").method == "recovery_key"


def test_the_recovery_key_is_for_administrators_only(
    qtbot: QtBot, make_window: MakeWindow, open_ws: OpenWs
) -> None:
    page = _page(qtbot, make_window(open_ws("aigul")))
    assert not page.recovery_button.isVisibleTo(page)


def test_the_administrator_changes_a_role_and_a_consul_made_attache_signs_nothing_more(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace, open_ws: OpenWs
) -> None:
    """An attaché made consul, the consul's duties handed over: there was no way but to revoke
    the account and add another, which re-keyed the database and lost the user's name."""
    from app.services.letters import LetterService
    from tests.builders import hanil_steel_case

    case = hanil_steel_case(open_ws("aigul"), description="Жалақы төленбеген.")
    draft = LetterService(open_ws("aigul")).draft(case.id, "employer_letter", "ru")
    LetterService(open_ws("serik")).approve(draft.id)

    panel = _users(qtbot, make_window(ws))
    _click_user(qtbot, panel, "aigul")
    click(qtbot, panel.role_button)
    dialog = panel.dialog
    assert dialog is not None and "holds at once" in dialog.intro.text()
    press_dialog_button(qtbot, dialog)  # the same role: refused, nothing written
    assert dialog.isVisible() and dialog.error.text() == "Choose another role than the user has."
    choose(qtbot, dialog.role, "consul")  # type: ignore[attr-defined]
    press_dialog_button(qtbot, dialog)
    qtbot.waitUntil(lambda: panel.notice is not None, timeout=5000)
    assert panel.notice is not None
    assert panel.notice.text().startswith("aigul is Consul / head of section now; a window")
    row = panel.tree.currentItem()
    assert row is not None and row.text(2) == "Consul / head of section"

    _click_user(qtbot, panel, "serik")
    click(qtbot, panel.role_button)
    dialog = panel.dialog
    assert dialog is not None
    choose(qtbot, dialog.role, "attache")  # type: ignore[attr-defined]
    press_dialog_button(qtbot, dialog)
    qtbot.waitUntil(
        lambda: panel.notice is not None and "draft" in panel.notice.text(), timeout=5000
    )
    assert case.number in panel.notice.text()  # the letter serik approved is a draft again
    assert LetterService(ws).get(draft.id).status == "draft"
    with ws.read() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "user.role").order_by(AuditEntry.seq)
        ).all()[-1]
    details = dict(entry.details)
    assert details.pop("signature")  # the administrator's, by her account key (user_ledger)
    assert details == {"from": "consul", "to": "attache", "unapproved": [case.number]}
    assert {u.username: u.role for u in UserService(ws).list()}["serik"] == "attache"


def test_the_administrator_reads_the_audit_log_and_checks_its_chain(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace, open_ws: OpenWs
) -> None:
    from sqlalchemy import text

    from app.services.cases import CaseService
    from tests.builders import new_case
    from ui.settings.audit_log import ACTION, DETAILS, RECORD, USER

    case = CaseService(open_ws("aigul")).create_case(new_case())
    page = _page(qtbot, make_window(ws))
    assert page.audit_button.isVisibleTo(page)
    dialog = page.show_audit_log()
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    table = dialog.table  # type: ignore[attr-defined]
    assert table.rowCount() >= 3
    rows = [(table.item(r, USER).text(), table.item(r, ACTION).text()) for r in range(3)]
    assert ("aigul", "Case registered") in rows

    choose(qtbot, dialog.user, "aigul")  # type: ignore[attr-defined]
    actions = {table.item(r, ACTION).text() for r in range(table.rowCount())}
    assert actions == {"Signed in", "Case registered"}
    dialog.record.setText(case.number)  # type: ignore[attr-defined]
    dialog.record.returnPressed.emit()  # type: ignore[attr-defined]
    assert table.rowCount() == 1 and table.item(0, RECORD).text() == case.number
    # The details in words, as the forms name them; the entry as stored in the tooltip
    details = table.item(0, DETAILS)
    assert details.text() == (
        "Categories: Passport or documents withheld, Unpaid or underpaid wages; "
        "Host country: Türkiye"
    )
    assert '"categories": ["documents_withheld", "unpaid_wages"]' in details.toolTip()

    task = dialog.check_chain()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: not task.running, timeout=10_000)
    assert dialog.verdict.text().startswith("The audit log is intact")  # type: ignore[attr-defined]
    with ws.write() as session:  # someone with the database key rewrites an entry
        session.execute(text("UPDATE audit_entry SET actor = 'nobody' WHERE seq = 2"))
    task = dialog.check_chain()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: not task.running, timeout=10_000)
    verdict = dialog.verdict.text()  # type: ignore[attr-defined]
    assert verdict.startswith("The audit log has been tampered with (1 problem).")
    assert "Audit entry 2 has been changed." in verdict


def test_the_audit_log_names_a_bundle_by_its_ids_first_characters(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    from ui.settings.audit_log import DETAILS, RECORD

    bundle = "8c26798a-8d76-4a6e-a6d7-33bdad6fc1b3"
    with ws.write() as session:
        ws.audit(session, "bundle.export", "bundle", bundle, {"kind": "cases", "to": "HQ"})
        ws.audit(session, "installation.rekey", "installation", "SEL", {"revoked": ["serik"]})
    dialog = _page(qtbot, make_window(ws)).show_audit_log()
    table = dialog.table  # type: ignore[attr-defined]
    export = table.item(1, RECORD)
    assert (export.text(), export.toolTip()) == ("8c26798a…", bundle)
    assert table.item(1, DETAILS).text() == "Kind: Cases; Sent to: HQ"
    assert table.item(0, DETAILS).text() == "User: serik"


def test_the_audit_logs_rows_are_as_tall_as_their_text(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    """Every row was drawn two lines tall (the style's default row) with its details cut at
    one line: a screen showed half the entries. Now a one-line entry takes one line and the
    details of another wrap to show themselves whole."""
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QApplication

    from ui.settings.audit_log import DETAILS
    from ui.widgets.columns import cell_shortfall

    revoked = [f"consular.officer.{n:02d}" for n in range(6)]  # 136 characters in words
    with ws.write() as session:
        ws.audit(session, "installation.rekey", "installation", "SEL", {"revoked": revoked})
        ws.audit(session, "bundle.export", "bundle", "SEL", {"kind": "cases", "to": "HQ"})
    dialog = _page(qtbot, make_window(ws)).show_audit_log()
    dialog.resize(1100, 620)  # as it opens on a 1366×768 screen
    for _round in range(3):
        QApplication.processEvents()
    table = dialog.table  # type: ignore[attr-defined]
    line = QFontMetrics(table.font()).lineSpacing()
    short, long = table.model().index(0, DETAILS), table.model().index(1, DETAILS)
    assert short.data() == "Kind: Cases; Sent to: HQ"
    assert table.rowHeight(0) < 2 * line
    assert long.data().endswith("consular.officer.05") and cell_shortfall(table, long) == 0
    assert table.rowHeight(1) >= 2 * line


def test_an_attache_has_no_audit_log_button(
    qtbot: QtBot, make_window: MakeWindow, open_ws: OpenWs
) -> None:
    page = _page(qtbot, make_window(open_ws("aigul")))
    assert not page.audit_button.isVisibleTo(page)


def test_the_recovery_sheets_outcome_follows_a_language_switch(
    qtbot: QtBot, ws: Workspace, tmp_path: Path, bridge: LanguageBridge
) -> None:
    """The key dialog retranslated its words, but "Saved: …" (or why not) stayed in the
    language the sheet was written in."""
    from app.i18n import _, language_override
    from app.services.recovery_sheet import sheet_facts
    from ui.recovery import RecoveryKeyDialog

    dialog = RecoveryKeyDialog(None, new_recovery_key(), lambda lang: sheet_facts(ws, lang))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.write_sheet(tmp_path / "gone" / "sheet.pdf", "kk")
    assert dialog.saved.text() == (
        "The recovery sheet cannot be written: no such file or folder: "
        f"{tmp_path / 'gone' / 'sheet.pdf'}"
    )
    bridge.set_language("ru")
    qtbot.waitUntil(lambda: dialog.windowTitle() != "Recovery key", timeout=5000)
    with language_override("ru"):
        refused = _("The recovery sheet cannot be written: {error}").split("{")[0]
    assert dialog.saved.text().startswith(refused) and "cannot" not in dialog.saved.text()

    dialog.write_sheet(tmp_path / "sheet.pdf", "kk")
    bridge.set_language("en")
    qtbot.waitUntil(lambda: dialog.windowTitle() == "Recovery key", timeout=5000)
    assert dialog.saved.text() == f"Saved: {tmp_path / 'sheet.pdf'}"


def test_an_older_recovery_slot_is_noted_for_the_administrator_until_replaced(
    qtbot: QtBot, make_window: MakeWindow, installation: Paths, open_ws: OpenWs
) -> None:
    """Its signing key is not on record (tests/security/test_older_recovery_slot.py): the
    security box says so in words, and the note goes once the key is replaced."""
    from tests.security.test_older_recovery_slot import NOTE, _set_up_by_an_older_version

    _set_up_by_an_older_version(installation)
    window = make_window(open_ws("admin"))
    page = _page(qtbot, window)
    assert page.slots_note.isVisible() and page.slots_note.text() == NOTE

    page._rotate()
    assert page.task is not None
    qtbot.waitUntil(lambda: page.recovery_dialog is not None, timeout=10000)
    assert page.recovery_dialog is not None
    page.recovery_dialog.close()
    assert not page.slots_note.isVisible()


def test_officers_see_no_recovery_slot_note(
    qtbot: QtBot, make_window: MakeWindow, installation: Paths, open_ws: OpenWs
) -> None:
    from tests.security.test_older_recovery_slot import _set_up_by_an_older_version

    _set_up_by_an_older_version(installation)
    page = _page(qtbot, make_window(open_ws("serik")))
    assert not page.slots_note.isVisible() and page.slots_note.text() == ""


def test_a_mission_without_a_recovery_key_is_offered_to_make_one(
    qtbot: QtBot, make_window: MakeWindow, installation: Paths, open_ws: OpenWs
) -> None:
    """A rotation killed after its re-key left no recovery slot: the page offered to
    "replace" a key that no longer existed and said nothing of the gap."""
    KeySlotStore(installation.keyslots).remove_slot("@recovery")
    page = _page(qtbot, make_window(open_ws("admin")))
    assert page.recovery_button.text() == "&Make a recovery key…"
    assert page.slots_note.isVisible()
    assert page.slots_note.text().startswith("This mission has no recovery key")

    page._rotate()
    qtbot.waitUntil(lambda: page.recovery_dialog is not None, timeout=10000)
    assert page.recovery_dialog is not None
    page.recovery_dialog.close()
    assert page.recovery_button.text() == "&Replace the recovery key…"
    assert not page.slots_note.isVisible()
