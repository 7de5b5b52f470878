"""Starting the desktop app: Qt, language, data folder, first-run wizard or login, main window."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication, QMainWindow

from app.config import Paths, resolve_paths
from app.errors import QorgauError
from app.i18n import LANGUAGES, _, current_language, ngettext
from app.security.keyring_store import SecretStore
from app.services import backup, instance_lock, retention
from app.services.installation import unlock
from app.services.workspace import Workspace
from ui import ui_settings
from ui.i18n_bridge import LanguageBridge
from ui.icons import icon
from ui.login import LoginDialog, try_keyring_login
from ui.look import apply_look
from ui.setup.wizard import SetupWizard
from ui.widgets.plain import plain_message
from ui.widgets.wheel_guard import install_wheel_guard

USER_ENV = "QORGAU_USER"
PASSWORD_ENV = "QORGAU_PASSWORD"


def make_application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setOrganizationName(ui_settings.ORGANISATION)
    app.setApplicationName(ui_settings.APPLICATION)
    app.setApplicationDisplayName("Qorgau")
    app.setStyle("Fusion")  # the same look on Windows, macOS and Linux offices
    apply_look(app)
    app.setWindowIcon(icon("folder-open"))
    install_wheel_guard(app)  # scrolling a form must not change its values
    return app


def choose_language(explicit: str | None) -> str:
    """--lang first, then what the user chose in Settings, then what the CLI detected."""
    if explicit in LANGUAGES:
        return str(explicit)
    return ui_settings.stored_language() or current_language()


def env_login(paths: Paths) -> Workspace | None:
    """``make demo`` opens the app signed in through QORGAU_USER / QORGAU_PASSWORD."""
    username = os.environ.get(USER_ENV)
    password = os.environ.get(PASSWORD_ENV)
    if not username or not password or not paths.is_initialised():
        return None
    try:
        return unlock(paths, username, password)
    except QorgauError as exc:
        plain_message(None, _("Qorgau"), str(exc))
        return None


def obtain_workspace(paths: Paths, bridge: LanguageBridge) -> Workspace | None:
    """The unlocked workspace, or None when the user gave up (closed the wizard or login)."""
    workspace = env_login(paths)
    if workspace is not None:
        return workspace
    if not paths.is_initialised():
        wizard = SetupWizard(paths, bridge)
        wizard.exec()
        return wizard.workspace
    workspace = try_keyring_login(paths, SecretStore())
    if workspace is not None:
        return workspace
    dialog = LoginDialog(paths, bridge)
    dialog.exec()
    return dialog.workspace


def run_desktop(data_dir: str | None, language: str | None) -> int:
    app = make_application()
    bridge = LanguageBridge(app)
    bridge.set_language(choose_language(language))
    paths = resolve_paths(data_dir)
    try:
        # One window per data folder: a second one is told, instead of racing the first.
        lock = instance_lock.acquire(paths)
    except QorgauError as exc:
        plain_message(None, _("Qorgau"), str(exc))
        return 1
    try:
        return _run_window(app, bridge, paths)
    finally:
        instance_lock.release(lock)


def _run_window(app: QApplication, bridge: LanguageBridge, paths: Paths) -> int:
    workspace = obtain_workspace(paths, bridge)
    if workspace is None:
        return 0
    from ui.main_window import MainWindow  # after login: keeps the first dialog quick

    try:
        window = MainWindow(workspace, bridge)
        window.show()
        _apply_retention(window, workspace)
        status = app.exec()
        _backup_on_exit(workspace)
    finally:
        QThreadPool.globalInstance().waitForDone()
        workspace.close()
    return int(status)


def _apply_retention(window: QMainWindow, workspace: Workspace) -> None:
    """The retention policy applies whoever opens the app; each step is audited."""
    try:
        report = retention.run_on_start(workspace)
    except QorgauError as exc:
        window.statusBar().showMessage(str(exc), 15_000)
        return
    if report.anonymised_cases:
        window.statusBar().showMessage(
            ngettext(
                "Retention: the personal data of {n} closed case was anonymised.",
                "Retention: the personal data of {n} closed cases was anonymised.",
                len(report.anonymised_cases),
            ).format(n=len(report.anonymised_cases)),
            15_000,
        )


def _backup_on_exit(workspace: Workspace) -> None:
    """At most one scheduled backup a day, rotated; a failure must not lose the exit."""
    try:
        backup.backup_if_due(workspace)
    except QorgauError as exc:
        print(f"qorgau: {exc}", file=sys.stderr)
