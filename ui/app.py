"""Starting the desktop app: Qt, language, data folder, first-run wizard or login, main window."""

from __future__ import annotations

import os
import sys
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, Qt, QThreadPool, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QWidget

from app.config import Paths, resolve_log_dir, resolve_paths
from app.errors import QorgauError
from app.i18n import LANGUAGES, _, format_date, ngettext
from app.resources import resource_path
from app.security.keyring_store import SecretStore
from ui import error_report, gc_guard, instance_lock, self_test, ui_settings, warm_up
from ui.i18n_bridge import LanguageBridge
from ui.login import LoginDialog, keyring_unanswered, try_keyring_login
from ui.look import apply_look
from ui.tasks import BackgroundTask, show_error, stopped_on_quit
from ui.widgets.enter_presses import install_enter_presses
from ui.widgets.plain import plain_message
from ui.widgets.text_size import application_font_watch
from ui.widgets.wheel_guard import install_wheel_guard

if TYPE_CHECKING:
    # The way to the sign-in window imports no ORM or services (issue 17): they load on a
    # thread once it has painted (ui/warm_up.py), or where a path without a window needs them.
    from app.services.retention import DateInDoubt
    from app.services.workspace import Workspace
    from ui.daily_backup import DailyBackup
    from ui.main_window import MainWindow

USER_ENV = "QORGAU_USER"
PASSWORD_ENV = "QORGAU_PASSWORD"
LANGUAGE_ENV = "QORGAU_LANG"
WARM_UP_POLL_MS = 20


# After sign-in, how long the retention policy and the search-index catch-up wait (the first
# page paints first).
REPAIR_DELAY_MS = 500  # before the index catch-up, which would take an import back unsaid
RETENTION_DELAY_MS = 1_000
INDEX_CATCH_UP_DELAY_MS = 3_000
ESCALATION_DELAY_MS = 2_000  # after retention has begun: both write, one after the other


def make_application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setOrganizationName(ui_settings.ORGANISATION)
    app.setApplicationName(ui_settings.APPLICATION)
    app.setApplicationDisplayName("Qorgau")
    app.setStyle("Fusion")  # the same look on Windows, macOS and Linux offices
    apply_look(app)
    app.setWindowIcon(application_icon())
    install_wheel_guard(app)  # scrolling a form must not change its values
    install_enter_presses(app)  # Enter presses the focused button, as in a dialog
    gc_guard.install(app)  # Qt objects are freed on the GUI thread, never on a worker
    application_font_watch(app)  # a text size changed: sized and style-sheeted texts follow
    return app


def application_icon() -> QIcon:
    """The shield of resources/app-icon at every rendered size (packaging/make_icons.py)."""
    icon = QIcon()
    for png in sorted(resource_path("app-icon").glob("qorgau-*.png")):
        icon.addFile(str(png))
    return icon


def choose_language(explicit: str | None) -> str:
    """--lang first, then what the user chose in Settings, then QORGAU_LANG, then the
    operating system's language: a first start (the setup wizard) speaks kk or ru when the
    system does, else English."""
    if explicit in LANGUAGES:
        return str(explicit)
    stored = ui_settings.stored_language()
    if stored:
        return stored
    from_env = os.environ.get(LANGUAGE_ENV, "")[:2].lower()
    return from_env if from_env in LANGUAGES else system_language()


def system_language() -> str:
    """The first of the system's preferred languages that Qorgau speaks, else English.

    Not the LANG variable: Windows and macOS do not set it.
    """
    for name in QLocale.system().uiLanguages():
        code = name.replace("_", "-").split("-")[0].lower()
        if code in LANGUAGES:
            return code
    return "en"


def env_login(paths: Paths) -> Workspace | None:
    """``make demo`` opens the app signed in through QORGAU_USER / QORGAU_PASSWORD."""
    username = os.environ.get(USER_ENV)
    password = os.environ.get(PASSWORD_ENV)
    if not username or not password or not paths.is_initialised():
        return None
    from app.services.installation import unlock

    try:
        return unlock(paths, username, password)
    except QorgauError as exc:
        plain_message(None, _("Qorgau"), str(exc))
        return None


def obtain_workspace(
    paths: Paths, bridge: LanguageBridge, ask: bool = False, notice: QorgauError | None = None
) -> Workspace | None:
    """The unlocked workspace, or None when the user gave up (closed the wizard or login).
    ``ask``: the sign-in window itself, not the keyring or the environment (after a restore
    the administrator signs in again to the restored data); ``notice``: why it asks (the
    account changed under the last window), shown in it."""
    workspace = None if self_test.stop_at_login() or ask else env_login(paths)
    if workspace is not None:
        return workspace
    if not paths.is_initialised():
        # A key file without its database: a first setup stopped early, set up again.
        return run_setup_wizard(paths, bridge, cut_short=paths.keyslots.exists())
    store = SecretStore()
    workspace = None if ask else try_keyring_login(paths, store)
    if workspace is not None:
        return workspace
    dialog = LoginDialog(paths, bridge)
    if notice is not None:
        dialog.error.show_message(lambda: str(notice))
    elif store.read_failed:
        dialog.error.show_message(keyring_unanswered)
    dialog.unlocking.connect(lambda: QTimer.singleShot(0, import_main_window))
    if self_test.stop_at_login():
        self_test.close_when_shown(dialog)
    dialog.exec()
    if dialog.set_up_again is not None:
        # Her password opened a setup stopped before its mission was written: nothing to
        # sign in to, and "qorgau init" is no answer on a desktop. The wizard again.
        return run_setup_wizard(paths, bridge, cut_short=True, admin=dialog.set_up_again)
    return dialog.workspace


def run_setup_wizard(
    paths: Paths, bridge: LanguageBridge, cut_short: bool = False, admin: str = ""
) -> Workspace | None:
    """The first-run wizard; ``cut_short``: over a setup stopped before it finished, which
    only its administrator (``admin``, when known) may make again."""
    from ui.setup.wizard import SetupWizard

    wizard = SetupWizard(paths, bridge, cut_short=cut_short, admin=admin)
    wizard.exec()
    return wizard.workspace


def import_main_window() -> None:
    """Load the main window's modules on the GUI thread (where Qt classes belong) while the
    sign-in's key derivation runs on its worker: the two overlap instead of adding up. Until
    the warm-up thread is done, look again later rather than freeze the dialog waiting."""
    if warm_up.running():
        QTimer.singleShot(WARM_UP_POLL_MS, import_main_window)
        return
    import ui.main_window  # noqa: F401


def run_desktop(data_dir: str | None, language: str | None) -> int:
    app = make_application()
    error_report.install(resolve_log_dir())  # an uncaught error: a log entry and one dialog
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
    ask = False
    notice: QorgauError | None = None
    while True:
        workspace = obtain_workspace(paths, bridge, ask, notice)
        if workspace is None:
            return 0
        try:
            window, daily_backup = open_main_window(app, workspace, bridge)
            if self_test.requested():
                return self_test.run(window)
            status = app.exec()
            daily_backup.finish_on_exit()
            restore, notice = window.restore_request, window.signed_out
        finally:
            QThreadPool.globalInstance().waitForDone()
            close_workspace(workspace)
        if notice is not None:
            ask = True  # revoked, or given another role: the sign-in window says so
            continue
        if restore is None:
            return int(status)
        # The window, its work and its connections are gone: only now may the file be
        # replaced. Restored or refused, the administrator signs in again.
        from ui.restore import put_back_after_close, restore_after_close

        if restore.migration_copy is not None:
            # Put back, the database is the older version's: this one would update it again.
            if put_back_after_close(paths, restore.migration_copy, restore):
                return 0
        else:
            restore_after_close(paths, restore)
        ask = True


def close_workspace(workspace: Workspace) -> None:
    """Close the workspace as its window has gone. A window that knows the key a revocation's
    re-key waits for finishes it here, re-encrypting the whole file (half a minute at a large
    mission): a small window says why Qorgau has not closed yet, instead of a process with no
    window that a second start finds still holding the folder."""
    if workspace.pending_key is None:
        workspace.close()
        return
    label = _(
        "Finishing the change of the database key that revoking a user began.\n"
        "Qorgau closes when it is done…"
    )
    BackgroundTask(None, lambda _context: workspace.close()).with_progress(
        label
    ).run_in_background().wait_finished()


def open_main_window(
    app: QApplication, workspace: Workspace, bridge: LanguageBridge
) -> tuple[MainWindow, DailyBackup]:
    """What follows sign-in, as users (and the start-up benchmark) have it: the main window
    shown, and the housekeeping started off the GUI thread once its first page has painted
    (the retention policy, the search index's catch-up, overdue cases escalated, today's
    backup)."""
    warm_up.wait()  # the main window's modules: never imported beside the warm-up thread
    from ui.daily_backup import START_DELAY_MS, DailyBackup
    from ui.escalation import OverdueEscalation
    from ui.main_window import MainWindow  # after login: keeps the first dialog quick

    window = MainWindow(workspace, bridge)
    window.show()
    # HQ on a server: what the other desktops save reaches this window's open areas too.
    workspace.hear_other_desktops()
    gc_guard.settle_later(app)  # what lives as long as the app, frozen once it is built
    QTimer.singleShot(REPAIR_DELAY_MS, window, lambda: repair_after_crash(window, workspace))
    QTimer.singleShot(RETENTION_DELAY_MS, window, lambda: apply_retention(window, workspace))
    QTimer.singleShot(
        INDEX_CATCH_UP_DELAY_MS, window, lambda: catch_up_search_index(window, workspace)
    )
    escalation = OverdueEscalation(window, workspace)
    QTimer.singleShot(ESCALATION_DELAY_MS, escalation, escalation.start)
    daily_backup = DailyBackup(window, workspace)
    QTimer.singleShot(START_DELAY_MS, window, daily_backup.start)
    return window, daily_backup


def repair_after_crash(window: MainWindow, workspace: Workspace) -> BackgroundTask[object]:
    """Put right what Qorgau stopped half-way left (``after_crash.repair_on_start``), off the
    GUI thread, and say on the start page what was found, with the re-key the sign-in
    finished. A refusal (the database busy) leaves it for the next import or start."""
    from app.services import after_crash

    def failed(exc: BaseException) -> None:
        if isinstance(exc, QorgauError):
            window.statusBar().showMessage(str(exc), 15_000)
        else:
            show_error(window, exc)

    task: BackgroundTask[object] = BackgroundTask(
        window, lambda _ctx: after_crash.repair_on_start(workspace)
    )
    task.success(window.found_after_crash.emit).failure(failed)
    return stopped_on_quit(task).run_in_background()


def apply_retention(
    window: QMainWindow, workspace: Workspace, date_is_right: bool = False
) -> BackgroundTask[object]:
    """The retention policy applies whoever opens the app, off the GUI thread (it held the
    new window 2-3 s at 100k cases before it painted); each step is audited, what it did is
    said in the status bar, and the lists showing an anonymised case are told (DataChanged).
    A date far past the last one trusted is put to an administrator (``confirm_date``)."""
    from app.services import retention

    def done(report: object) -> None:
        assert isinstance(report, retention.RetentionReport)
        if report.anonymised_cases:
            window.statusBar().showMessage(
                ngettext(
                    "Retention: the personal data of {n} closed case was anonymised.",
                    "Retention: the personal data of {n} closed cases was anonymised.",
                    len(report.anonymised_cases),
                ).format(n=len(report.anonymised_cases)),
                15_000,
            )

    def failed(exc: BaseException) -> None:
        if isinstance(exc, retention.DateInDoubt):
            confirm_date(window, workspace, exc)
        elif isinstance(exc, QorgauError):  # the database busy: the next start applies it
            window.statusBar().showMessage(str(exc), 15_000)
        else:
            show_error(window, exc)

    task: BackgroundTask[object] = BackgroundTask(
        window,
        lambda ctx: retention.run_on_start(
            workspace, stop=lambda: ctx.cancelled, date_is_right=date_is_right
        ),
    )
    return stopped_on_quit(task).success(done).failure(failed).run_in_background()


def confirm_date(window: QMainWindow, workspace: Workspace, doubt: DateInDoubt) -> None:
    """Retention anonymised nothing under a date far past the last one trusted (audited): an
    administrator is asked whether it is right, and a yes runs it again; anyone else is told
    that an administrator confirms it, whose next sign-in asks."""
    from app.services.retention import DATE_CONFIRMERS

    if workspace.actor.role not in DATE_CONFIRMERS:
        window.statusBar().showMessage(str(doubt), 60_000)
    elif ask_date_is_right(window, doubt.today, doubt.trusted_on):
        apply_retention(window, workspace, date_is_right=True)
    else:
        window.statusBar().showMessage(
            _("Retention waits until the computer's date is corrected."), 60_000
        )


def ask_date_is_right(parent: QWidget, today: date, trusted_on: date) -> bool:
    """Whether today's date on this computer is right (replaced in tests)."""
    return date_question(parent, today, trusted_on).exec() == QMessageBox.StandardButton.Yes


def date_question(parent: QWidget, today: date, trusted_on: date) -> QMessageBox:
    """The question naming both dates. No is the default: a yes to a wrong date anonymises
    cases before their time, for good."""
    from app.services.retention import date_gap

    box = QMessageBox(
        QMessageBox.Icon.Warning,
        _("Is today's date right?"),
        date_gap(today, trusted_on),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    box.setInformativeText(
        _(
            "If the date is wrong, retention would anonymise cases before their time, and that "
            "cannot be undone. Choose No, correct the computer's date and sign in again. Choose "
            "Yes only if today really is {today}."
        ).format(today=format_date(today))
    )
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.setTextFormat(Qt.TextFormat.PlainText)
    return box


def catch_up_search_index(window: QMainWindow, workspace: Workspace) -> BackgroundTask[int] | None:
    """The search rows left pending (an import's cases while the database was busy, a rename's
    the app closed before writing), written once the window has painted, said only when done."""
    from ui.search_rows import write_search_rows_later  # not on the way to the sign-in window

    return write_search_rows_later(window, workspace, announce=False)
