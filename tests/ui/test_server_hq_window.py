"""Smoke test: the main window of an HQ whose data lives on PostgreSQL opens every area."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from app.config import Paths
from app.errors import AuthError
from app.services.demo import fill_demo
from app.services.exchange import ExchangeService
from app.services.installation import MissionSetup, unlock
from app.services.users import UserService
from app.services.workspace import Workspace
from tests.conftest import PASSWORD
from tests.hq.pg import PASSWORD as HQ_PASSWORD
from tests.hq.pg import DocumentedTemplate, ServerHq, documented_hq
from tests.pg_cluster import Cluster, admin_execute, server_installation
from tests.ui.press import (
    click,
    modal_dialog,
    on_screen,
    open_area,
    press_button,
    press_dialog_button,
)
from tests.ui.test_login_and_setup import _fill_mission
from tests.ui.test_settings_page import _click_user
from ui.exchange.page import ExchangePage
from ui.hq import page as hq_page
from ui.hq.page import HqPage
from ui.i18n_bridge import LanguageBridge
from ui.login import LoginDialog
from ui.main_window import MainWindow
from ui.settings.page import SettingsPage
from ui.settings.users import AddUserDialog
from ui.setup.wizard import ADMIN, SetupWizard


@pytest.fixture
def server_hq(pg_cluster: Cluster, pg_template: Paths, tmp_path: Path) -> Iterator[Workspace]:
    setup = MissionSetup(code="AST", country="KZ", city="Astana", is_hq=True)
    paths = server_installation(pg_cluster, tmp_path / "hq", setup, {"astana": "hq"}, PASSWORD)
    ws = unlock(paths, "astana", PASSWORD)
    yield ws
    ws.close()


def test_main_window_of_an_hq_on_postgresql_opens_every_area(
    make_window: Callable[..., MainWindow], server_hq: Workspace, qtbot: QtBot, tmp_path: Path
) -> None:
    window = make_window(server_hq)
    assert "AST" in window.status_user.text()
    for key in window.area_keys():
        assert window.show_area(key) is not None, key
        QThreadPool.globalInstance().waitForDone(10_000)
        qtbot.wait(20)
    window.show_area("cases")
    qtbot.wait(50)
    assert window.grab().save(str(tmp_path / "hq-on-postgresql.png"))


def test_wizard_creates_an_hq_on_a_database_server(
    qtbot: QtBot, tmp_path: Path, bridge: LanguageBridge, pg_cluster: Cluster, pg_template: Paths
) -> None:
    """First run: HQ ticked, "on a database server", the connection tested, then created."""
    admin_execute(pg_cluster, "CREATE DATABASE wizard_hq OWNER admin")
    paths = Paths(tmp_path / "new-hq")
    wizard = on_screen(qtbot, SetupWizard(paths, bridge))
    wizard.next()
    _fill_mission(qtbot, wizard)
    wizard.mission.code.setText("AST")
    wizard.mission.country.set_code("KZ")
    wizard.mission.is_hq.setChecked(True)
    wizard.next()
    wizard.next()
    assert wizard.currentId() == ADMIN and wizard.admin.on_server.isVisible()
    wizard.admin.on_server.setChecked(True)
    assert not wizard.admin.repeat.isVisible()
    wizard.admin.password.setText("not the password")
    wizard.admin.server_url.setText(f"postgresql://127.0.0.1:{pg_cluster.port}/wizard_hq")
    qtbot.mouseClick(wizard.admin.test_server, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(wizard.admin.error.text()), timeout=10_000)
    assert "Wrong user name or password" in wizard.admin.error.text()
    wizard.admin.password.setText(PASSWORD)
    qtbot.mouseClick(wizard.admin.test_server, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Connected to" in wizard.admin.server_status.text(), timeout=10_000)
    wizard.accept()
    # Before the wizard closes, the administrator is told where HQ's keys are kept (this
    # computer's keyring here), since init keeps them off the shared database.
    qtbot.waitUntil(lambda: wizard.notice is not None, timeout=20_000)
    assert wizard.notice is not None and wizard.isVisible()
    assert "kept in this computer's system keyring" in wizard.notice.text()
    with qtbot.waitSignal(wizard.accepted, timeout=5_000):
        press_button(qtbot, wizard.notice, "OK")
    ws = wizard.workspace
    assert ws is not None
    try:
        assert ws.db.dialect == "postgresql" and ws.mission.is_hq and ws.actor.role == "admin"
    finally:
        ws.close()
    assert paths.server.exists() and not paths.db.exists()


@pytest.fixture
def server_hq_admin(pg_cluster: Cluster, pg_template: Paths, tmp_path: Path) -> Iterator[Workspace]:
    setup = MissionSetup(code="AST", country="KZ", city="Astana", is_hq=True)
    paths = server_installation(pg_cluster, tmp_path / "hq", setup, {}, PASSWORD)
    ws = unlock(paths, "admin", PASSWORD)
    yield ws
    ws.close()


def test_settings_of_a_server_hq_offer_only_what_works_there(
    make_window: Callable[..., MainWindow],
    server_hq_admin: Workspace,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    """No recovery key, no "forget this computer", no mission roles: the server handles these."""
    page = open_area(qtbot, make_window(server_hq_admin), "settings")
    assert isinstance(page, SettingsPage)
    assert not page.recovery_button.isVisible() and not page.forget_button.isVisible()
    assert "pg_dump" in page.keyring_state.text()
    # HQ's side of escrow is an administrator's there too; backups are the server's.
    assert page.backups is None
    assert page.escrow is not None and page.escrow.policy_button.isVisible()
    assert page.users is not None and page.users_box.title() == "Users of this headquarters"
    click(qtbot, page.users.add_button)
    dialog = page.users.dialog
    assert isinstance(dialog, AddUserDialog)
    offered = [dialog.role.itemData(i) for i in range(dialog.role.count())]
    assert offered == ["hq_analyst", "hq_importer", "hq_admin"]
    assert page.grab().save(str(tmp_path / "server-hq-settings.png"))
    press_dialog_button(qtbot, dialog, QDialogButtonBox.StandardButton.Cancel)


@pytest.fixture
def documented(
    pg_cluster: Cluster, documented_hq_template: DocumentedTemplate, tmp_path: Path
) -> Iterator[ServerHq]:
    """An HQ made by the documented commands; asked for before the window, so that the
    database outlives the window's last refresh."""
    with documented_hq(pg_cluster, documented_hq_template, tmp_path / "documented-hq") as hq:
        yield hq


def test_revoking_at_a_server_hq_says_what_became_of_the_open_sessions(
    documented: ServerHq, make_window: Callable[..., MainWindow], qtbot: QtBot
) -> None:
    """Settings → Users → Revoke: the user's account signs in no more, their open session is
    ended, and the administrator is told so (not that the database has a new key)."""
    hq = documented
    dana = hq.names["dana"]
    UserService(hq.admin).add(dana, "hq_analyst", HQ_PASSWORD)
    still_open = hq.sign_in("dana")
    try:
        page = open_area(qtbot, make_window(hq.admin), "settings")
        assert isinstance(page, SettingsPage) and page.users is not None
        panel = page.users
        _click_user(qtbot, panel, dana)
        click(qtbot, panel.revoke_button)
        press_button(qtbot, modal_dialog(qtbot), "Revoke")
        qtbot.waitUntil(lambda: panel.notice is not None, timeout=10_000)
        assert panel.notice is not None
        assert panel.notice.text() == "Open sessions of theirs ended: 1."
        with pytest.raises(AuthError):
            hq.sign_in("dana")
    finally:
        still_open.close()


def test_revoking_hqs_import_operator_says_to_consider_replacing_hqs_keys(
    documented: ServerHq, make_window: Callable[..., MainWindow], qtbot: QtBot, tmp_path: Path
) -> None:
    """The import operator worked with HQ's private keys on the import workstation: the
    revocation leaves them as they were, and the administrator is told to consider
    `keys rotate` and what it costs the missions."""
    hq = documented
    erlan = hq.names["erlan"]
    UserService(hq.admin).add(erlan, "hq_importer", HQ_PASSWORD)
    page = open_area(qtbot, make_window(hq.admin), "settings")
    assert isinstance(page, SettingsPage) and page.users is not None
    panel = page.users
    _click_user(qtbot, panel, erlan)
    click(qtbot, panel.revoke_button)
    press_button(qtbot, modal_dialog(qtbot), "Revoke")
    qtbot.waitUntil(lambda: panel.notice is not None, timeout=10_000)
    assert panel.notice is not None
    said = panel.notice.text()
    assert said.startswith("Open sessions of theirs ended: 0.")
    assert f"Revoking {erlan} does not replace them" in said
    assert "'qorgau keys rotate' on the computer that keeps them" in said
    assert "each refuses headquarters' bundles and escrow policies" in said
    assert panel.notice.grab().save(str(tmp_path / "revoked-importer.png"))


def test_an_analyst_opens_every_area_and_is_offered_no_import_or_sending(
    documented: ServerHq, make_window: Callable[..., MainWindow], qtbot: QtBot
) -> None:
    """The faults: an analyst (the server lets her write nothing) met the server's raw refusal
    on opening Agreements of a new HQ, and Exchange offered her import, transfer and the
    library, refused only once a file was chosen."""
    hq = documented
    UserService(hq.admin).add(hq.names["dana"], "hq_analyst", HQ_PASSWORD)
    analyst = hq.sign_in("dana")
    try:
        window = make_window(analyst)
        for key in window.area_keys():
            assert window.show_area(key) is not None, key
            QThreadPool.globalInstance().waitForDone(10_000)
            qtbot.wait(20)
        agreements = open_area(qtbot, window, "agreements")
        qtbot.waitUntil(lambda: agreements.list.topLevelItemCount() > 0, timeout=10_000)  # type: ignore[attr-defined]
        exchange = open_area(qtbot, window, "exchange")
        assert isinstance(exchange, ExchangePage)
        assert exchange.import_box.isHidden() and exchange.hq_box.isHidden()
        assert exchange.keep_local.isHidden()
        # Where the import would be, she reads why there is none and who imports.
        assert exchange.no_import.isVisibleTo(exchange)
        assert exchange.no_import.text().startswith(
            "Your role (HQ analyst: reads and reports) does not import bundles: an administrator"
        )
    finally:
        analyst.close()


def test_sign_in_to_a_server_hq_offers_no_unlock_here_and_no_recovery(
    server_hq_admin: Workspace, bridge: LanguageBridge, qtbot: QtBot
) -> None:
    dialog = on_screen(qtbot, LoginDialog(server_hq_admin.paths, bridge))
    assert not dialog.remember.isVisible() and not dialog.forgot.isVisible()


def test_the_missions_area_reads_again_what_another_desktop_imported(
    qtbot: QtBot,
    pg_cluster: Cluster,
    pg_template: Paths,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The analyst's Missions area, opened before the import operator imported SEL's bundle on
    another desktop, still said "no bundle, 0 cases" when shown again: only this window's own
    writes were signalled. Shown again once its rows are old, it reads them again."""
    from tests.integration.test_exchange import link, make_site

    hq = make_site(tmp_path, "AST", "KZ", "Astana", True, pg_cluster)
    sel = make_site(tmp_path, "SEL", "KR", "Seoul")
    operator = unlock(hq.paths, "astana", PASSWORD)  # another desktop: its own workspace
    try:
        link(hq, sel)
        fill_demo(sel.ws, 3, seed=3)
        sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient])
        page = HqPage(hq.ws)
        qtbot.addWidget(page)
        page.show()
        qtbot.waitUntil(page.refresh_button.isEnabled, timeout=10_000)
        row = [page.missions.item(r, 0).text() for r in range(page.missions.rowCount())]
        assert page.missions.item(row.index("SEL"), 5).text() == "0"  # cases

        ExchangeService(operator).import_bundle(tmp_path / "sel.qbundle")
        page.hide()
        page.show()  # within a minute: the rows just read stand
        assert page.refresh_button.isEnabled()
        monkeypatch.setattr(hq_page, "OTHERS_WRITE_S", 0.0)
        page.hide()
        page.show()  # the analyst comes back to the area later
        qtbot.waitUntil(
            lambda: (
                page.refresh_button.isEnabled()
                and page.missions.item(row.index("SEL"), 5).text() == "3"
            ),
            timeout=10_000,
        )
        assert page.missions.item(row.index("SEL"), 3).text() != "—"  # its last bundle
    finally:
        operator.close()
        hq.ws.close()
        sel.ws.close()


def test_a_second_hq_administrator_may_change_the_policies_in_settings(
    documented: ServerHq, make_window: Callable[..., MainWindow], qtbot: QtBot
) -> None:
    """The idle lock, retention period and reply wait were greyed out for every HQ
    administrator but the first one init made."""
    UserService(documented.admin).add(documented.names["erlan"], "hq_admin", HQ_PASSWORD)
    erlan = documented.sign_in("erlan")
    try:
        settings = open_area(qtbot, make_window(erlan), "settings")
        assert isinstance(settings, SettingsPage)
        spins = (settings.idle_minutes, settings.retention_years, settings.reply_wait)
        assert all(spin.isEnabled() for spin in spins)
    finally:
        erlan.close()
