"""Restoring a backup from the desktop: asked for in Settings, done after the window closed.

A restore replaces the database file. Under an open window it would replace the file under
that window's connections (and the CLI refuses while any is open), so Settings only checks the
backup and the administrator's password, then closes the main window with a ``RestoreRequest``;
``ui.app`` closes the workspace, runs ``restore_after_close`` and asks for a sign-in again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from app.config import Paths
from app.i18n import _, format_datetime
from app.services.backup import RestoreResult, created_text, restore_backup
from app.services.migration_copies import (
    MigrationCopy,
    MigrationCopyRestored,
    restore_migration_copy,
)
from ui.tasks import BackgroundTask, show_error
from ui.widgets.plain import plain_message


@dataclass(frozen=True)
class RestoreRequest:
    file: Path
    username: str
    password: str = field(repr=False)
    # A copy taken before an update, put back instead of a backup file restored.
    migration_copy: MigrationCopy | None = None


def restore_after_close(paths: Paths, request: RestoreRequest) -> RestoreResult | None:
    """Restore ``request``'s backup into ``paths`` (no workspace open on it any more) off the
    GUI thread with a progress dialog, then say what happened; None when it was refused
    (said, and nothing was changed)."""
    outcome: list[RestoreResult] = []
    task: BackgroundTask[RestoreResult] = BackgroundTask(
        None,
        lambda _ctx: restore_backup(
            paths, request.file, request.username, request.password, confirmed=True
        ),
    )
    task.with_progress(_("Restoring the backup…")).success(outcome.append)
    task.failure(lambda exc: show_error(None, exc))
    task.run_in_background().wait_finished()
    if not outcome:
        return None
    plain_message(
        None, _("Qorgau"), restored_message(outcome[0], paths), QMessageBox.Icon.Information
    )
    return outcome[0]


def restored_message(result: RestoreResult, paths: Paths) -> str:
    """What a restore did, for the administrator who signs in again next."""
    created = created_text(result.created_at)
    lines = [
        _(
            "The backup of {created} was restored. The files it replaced are kept in {folder}. "
            "Sign in again."
        ).format(created=created, folder=result.replaced_in or paths.backups)
    ]
    if result.deactivated:
        lines.append(
            _("Revoked since the backup, kept out: {users}.").format(
                users=", ".join(result.deactivated)
            )
        )
    if result.without_account:
        lines.append(
            _("Added since the backup, without an account now: {users}.").format(
                users=", ".join(result.without_account)
            )
        )
    return "\n\n".join(lines)


def put_back_after_close(paths: Paths, copy: MigrationCopy, request: RestoreRequest) -> bool:
    """Put ``copy`` back as the database (no workspace open on it any more) off the GUI
    thread, then say what happened and what to install; whether it was put back (refused:
    said, and nothing was changed)."""
    outcome: list[MigrationCopyRestored] = []
    task: BackgroundTask[MigrationCopyRestored] = BackgroundTask(
        None,
        lambda _ctx: restore_migration_copy(paths, copy, request.username, request.password),
    )
    task.with_progress(_("Putting the copy back…")).success(outcome.append)
    task.failure(lambda exc: show_error(None, exc))
    task.run_in_background().wait_finished()
    if not outcome:
        return False
    plain_message(None, _("Qorgau"), put_back_message(outcome[0]), QMessageBox.Icon.Information)
    return True


def put_back_message(done: MigrationCopyRestored) -> str:
    """What going back to a copy did, and what the administrator does next."""
    version = done.copy.database_version
    lines = [
        _(
            "The database is back as it was on {taken}, before the update from database "
            "version {version}. The files it replaced are kept in {folder}."
        ).format(
            taken=format_datetime(done.copy.taken_at.astimezone()),
            version=version,
            folder=done.replaced_in,
        ),
        _(
            "Qorgau closes now. Install the version of Qorgau that used database version "
            "{version} and start that one: this version would update the database again."
        ).format(version=version),
    ]
    if done.without_account:
        lines.append(
            _("Added since the copy, without an account now: {users}.").format(
                users=", ".join(done.without_account)
            )
        )
    return "\n\n".join(lines)
