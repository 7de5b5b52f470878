"""What a start found left by Qorgau stopped half-way (killed, a power cut) and put right.

The work was put right silently: an import's batches taken back, a restore's unpacked copy
removed, a re-key finished at sign-in. The person who had seen Qorgau vanish mid-import was
told nothing, and imported again not knowing whether the first had counted. Each repair
notes what it did in ``Workspace.after_crash`` (codes and figures, composed into words in the
reader's language when shown); the desktop says them once on the start page, a command
(``app.cli.common.workspace``) once on stderr.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.config import Paths
from app.db.models import Setting
from app.domain.roles import BUNDLE_IMPORTERS
from app.i18n import _, format_number, ngettext
from app.security.private_files import lock_is_free
from app.services.backup import remove_crashed_restores
from app.services.export_parts import remove_killed_parts
from app.services.workspace import Workspace

# A CSV import writing its batches keeps a setting under this prefix (and its id) saying what
# its file's audit entry would say, with the importer and the last line written, and holds
# ``csv_import_lock`` (app.services.csv_import).
CSV_UNDER_WAY = "csv_import_under_way:"
UNDER_WAY_ACTOR = "importer"
UNDER_WAY_LINE = "last_line"


def csv_import_lock(paths: Paths, import_id: str) -> Path:
    return paths.data_dir / f".csv-import-{import_id}.lock"


class Found(StrEnum):
    IMPORT_TAKEN_BACK = "import_taken_back"  # ``source``: the bundle's mission
    RESTORE_COPY_REMOVED = "restore_copy_removed"  # ``count``: the copies removed
    REKEY_FINISHED = "rekey_finished"  # a re-key left waiting or cut short, done at sign-in
    # ``source``: the users revoked whose re-key never began (the disk full, Qorgau stopped);
    # ``count``: 1 at a mission, whose signing key they could read too
    REVOCATION_FINISHED = "revocation_finished"
    # ``source``: the user whose new slot (a new account, a new password) a crash left
    # unconfirmed; kept when the database had recorded it, else dropped
    NEW_SLOT_KEPT = "new_slot_kept"
    NEW_SLOT_DROPPED = "new_slot_dropped"
    # ``source``: the user a recovery (``recover``) was making an administrator, cut short
    # before the database recorded it: its slot dropped
    RECOVERY_DROPPED = "recovery_dropped"
    # a new recovery key (Settings) made but never shown: its slot dropped, there is none now
    RECOVERY_KEY_DROPPED = "recovery_key_dropped"
    # the same, killed before its re-key: the previous recovery key still opens the file
    RECOVERY_KEY_UNCHANGED = "recovery_key_unchanged"
    # HQ's escrow being made (a policy applied, a recovery with HQ's code): kept when the
    # database had recorded its key, else dropped
    ESCROW_KEPT = "escrow_kept"
    ESCROW_DROPPED = "escrow_dropped"
    # a recovery's re-key (a takeover; HQ's code, whose escrow is then cleared) made at sign-in
    RECOVERY_REKEY_FINISHED = "recovery_rekey_finished"
    RECOVERY_ESCROW_RETIRED = "recovery_escrow_retired"
    # ``source``: the file's name; ``count``: the cases its batches had written
    CSV_IMPORT_CUT_SHORT = "csv_import_cut_short"
    # ``source``: the unfinished bundle file (``.part``) a killed export left, removed
    EXPORT_PART_REMOVED = "export_part_removed"
    # the first setup was stopped after its commit, before its recovery key was shown
    RECOVERY_KEY_UNSEEN = "recovery_key_unseen"


@dataclass(frozen=True)
class FoundAfterCrash:
    what: Found
    source: str = ""
    count: int = 0


def found_text(
    found: FoundAfterCrash, after_an_export: bool = False, on_command_line: bool = False
) -> str:
    """What was found and done, in the reader's language. ``after_an_export``: said by an
    export that wrote its bundle, which is not asked to be made again. ``on_command_line``:
    said by a command, which names the command to run where the desktop names its button."""
    if found.what is Found.IMPORT_TAKEN_BACK:
        return _(
            "An import of a bundle from {source} was stopped before it finished (Qorgau was "
            "closed or the computer switched off). What it had written was taken back: the "
            "records are as they were before it. Import that bundle again."
        ).format(source=found.source)
    if found.what is Found.RESTORE_COPY_REMOVED:
        return ngettext(
            "{n} restore was stopped before it finished; it changed nothing. The copy of the "
            "backup it had unpacked in the data folder was removed.",
            "{n} restores were stopped before they finished; they changed nothing. The "
            "copies of the backups they had unpacked in the data folder were removed.",
            found.count,
        ).format(n=found.count)
    if found.what is Found.CSV_IMPORT_CUT_SHORT:
        return ngettext(
            "An import of {file} was stopped before it finished (Qorgau was closed or the "
            "computer switched off). The {n} case it had written is kept and the import is in "
            "the list of imports, where it can be undone. Import the file again for the rest: "
            "the rows already imported are found and left out.",
            "An import of {file} was stopped before it finished (Qorgau was closed or the "
            "computer switched off). The {n} cases it had written are kept and the import is "
            "in the list of imports, where it can be undone. Import the file again for the "
            "rest: the rows already imported are found and left out.",
            found.count,
        ).format(file=found.source, n=format_number(found.count))
    if found.what is Found.EXPORT_PART_REMOVED and after_an_export:
        return _(
            "An earlier export was stopped before it finished (Qorgau was closed or the "
            "computer switched off) and had left its unfinished file {file}; it was removed."
        ).format(file=found.source)
    if found.what is Found.EXPORT_PART_REMOVED:
        return _(
            "A bundle export was stopped before it finished (Qorgau was closed or the "
            "computer switched off); no bundle was made. Its unfinished file {file} was "
            "removed. Export again."
        ).format(file=found.source)
    if found.what is Found.RECOVERY_KEY_UNSEEN and on_command_line:
        return _(
            "The setup of this installation was stopped before its recovery key was shown, "
            "so nobody has that key, and it cannot help when every password is lost. Make a "
            "new one now with 'qorgau recovery rotate --sheet FILE.pdf' and keep the sheet in "
            "the mission's safe."
        )
    if found.what is Found.RECOVERY_KEY_UNSEEN:
        return _(
            "The setup of this installation was stopped before its recovery key was shown, "
            "so nobody has that key, and it cannot help when every password is lost. Make a "
            "new one now (Make a new recovery key… below) and keep its sheet in the "
            "mission's safe."
        )
    if found.what is Found.NEW_SLOT_KEPT:
        return _(
            "A new password or a new account for {user} was being saved when Qorgau "
            "stopped. The database had recorded it, so it was kept: {user} signs in with the "
            "new password."
        ).format(user=found.source)
    if found.what is Found.NEW_SLOT_DROPPED:
        return _(
            "A new password or a new account for {user} was being saved when Qorgau "
            "stopped, before the database recorded it, so it was not kept: {user} signs in "
            "with the previous password, or an administrator adds the account again."
        ).format(user=found.source)
    if found.what is Found.RECOVERY_DROPPED:
        return _(
            "A recovery making {user} an administrator was being saved when Qorgau stopped, "
            "before the database recorded it, so it was not made: recover again with the "
            "recovery key (or headquarters' code)."
        ).format(user=found.source)
    if found.what is Found.RECOVERY_KEY_DROPPED and on_command_line:
        return _(
            "A new recovery key was being made when Qorgau stopped, before it was shown, so "
            "it was not kept. The mission has no recovery key now (the previous one opens "
            "nothing): an administrator makes a new one with 'qorgau recovery rotate --sheet "
            "FILE.pdf' and puts the sheet in the safe."
        )
    if found.what is Found.RECOVERY_KEY_DROPPED:
        return _(
            "A new recovery key was being made when Qorgau stopped, before it was shown, so "
            "it was not kept. The mission has no recovery key now (the previous one opens "
            "nothing): an administrator makes a new one in Settings (Replace the recovery "
            "key…) and puts its sheet in the safe."
        )
    if found.what is Found.RECOVERY_KEY_UNCHANGED and on_command_line:
        return _(
            "A new recovery key was being made when Qorgau stopped, before it was shown, so "
            "it was not kept. The previous recovery key still opens the database: keep its "
            "sheet in the safe, or make a new one with 'qorgau recovery rotate --sheet "
            "FILE.pdf'."
        )
    if found.what is Found.RECOVERY_KEY_UNCHANGED:
        return _(
            "A new recovery key was being made when Qorgau stopped, before it was shown, so "
            "it was not kept. The previous recovery key still opens the database: keep its "
            "sheet in the safe, or make a new one in Settings (Replace the recovery key…)."
        )
    if found.what is Found.ESCROW_KEPT:
        return _(
            "Escrow at headquarters was being set up when Qorgau stopped. The database had "
            "recorded it, so it was kept: headquarters can issue a recovery code."
        )
    if found.what is Found.ESCROW_DROPPED and on_command_line:
        return _(
            "Escrow at headquarters was being set up when Qorgau stopped, before the database "
            "recorded it, so it was not kept: an administrator asks headquarters for a new "
            "escrow policy and applies it with 'qorgau escrow apply POLICY_FILE'."
        )
    if found.what is Found.ESCROW_DROPPED:
        return _(
            "Escrow at headquarters was being set up when Qorgau stopped, before the database "
            "recorded it, so it was not kept: an administrator asks headquarters for a new "
            "escrow policy and applies it in Settings (Apply HQ's escrow policy…)."
        )
    if found.what is Found.RECOVERY_REKEY_FINISHED:
        return _(
            "A recovery had not finished when Qorgau stopped: the database has now been given "
            "a new key, so the account's previous password opens nothing, even with an older "
            "copy of the key file."
        )
    if found.what is Found.RECOVERY_ESCROW_RETIRED and on_command_line:
        return _(
            "A recovery with headquarters' code had not finished when Qorgau stopped: the "
            "database has now been given a new key, so the code opens nothing. Escrow at "
            "headquarters is off: an administrator asks headquarters for a new escrow policy "
            "and applies it with 'qorgau escrow apply POLICY_FILE'."
        )
    if found.what is Found.RECOVERY_ESCROW_RETIRED:
        return _(
            "A recovery with headquarters' code had not finished when Qorgau stopped: the "
            "database has now been given a new key, so the code opens nothing. Escrow at "
            "headquarters is off: an administrator asks headquarters for a new escrow policy "
            "and applies it in Settings (Apply HQ's escrow policy…)."
        )
    if found.what is Found.REVOCATION_FINISHED:
        said = _(
            "The revocation of {users} had not finished (the disk was full, or Qorgau was "
            "stopped): the database file still had the key they had held. It got a new key at "
            "this sign-in, which their key does not open."
        ).format(users=found.source)
        if found.count:
            said += " " + _(
                "The mission's signing key, which they could read, may still be the old one: "
                "an administrator replaces it with 'qorgau keys rotate'."
            )
        return said
    return _(
        "A change of the database key (after a user was revoked or a password reset) had not "
        "finished: Qorgau was stopped, or another window had the database open. It was "
        "finished at this sign-in."
    )


def repair_on_start(workspace: Workspace, imports: bool = True) -> list[FoundAfterCrash]:
    """The repairs a start makes off the GUI thread after sign-in: the unpacked copies of
    restores killed half-way, an import's batches left by a crash (importers only, as every
    import does first; not without ``imports``); then everything found since sign-in, taken
    (said once)."""
    if not workspace.on_server:
        removed = remove_crashed_restores(workspace.paths.data_dir)
        if removed:
            workspace.after_crash.append(
                FoundAfterCrash(Found.RESTORE_COPY_REMOVED, count=len(removed))
            )
    if not workspace.on_server:
        finish_cut_short_csv_imports(workspace)
    note_killed_export_parts(workspace)
    if imports and workspace.actor.role in BUNDLE_IMPORTERS:
        from app.services.exchange import ExchangeService  # a third of a second to import

        ExchangeService(workspace).take_back_cut_short()
    return take_found(workspace)


def note_killed_export_parts(workspace: Workspace) -> None:
    """Remove the ``.part`` files of bundle exports killed half-way (``export_parts``)."""
    for part in remove_killed_parts(workspace.paths.data_dir):
        workspace.after_crash.append(FoundAfterCrash(Found.EXPORT_PART_REMOVED, str(part)))


def finish_cut_short_csv_imports(workspace: Workspace) -> None:
    """The file's audit entry of each CSV import of this user killed between two batches
    (its lock free): its cases stay, and the entry lists the import, so that it can be undone
    and the file's next check says it was imported. Only the importer's own start writes it:
    the entry names who made the import, and only they (or a consul) may undo it."""
    with workspace.read() as session:
        marks = session.execute(
            select(Setting.key, Setting.value).where(Setting.key.startswith(CSV_UNDER_WAY))
        ).all()
    for key, value in marks:
        details: dict[str, Any] = dict(value) if isinstance(value, dict) else {}
        if details.pop(UNDER_WAY_ACTOR, None) != workspace.actor.username:
            continue
        lock = csv_import_lock(workspace.paths, key.removeprefix(CSV_UNDER_WAY))
        if lock.exists() and not lock_is_free(lock):
            continue  # under way in another window
        line = details.pop(UNDER_WAY_LINE, 0)
        with workspace.write() as session:
            row = session.get(Setting, key)
            if row is None:
                continue  # finished meanwhile
            workspace.audit(
                session, "import.csv", "case", "", {**details, "stopped_after_line": line}
            )
            session.delete(row)
        lock.unlink(missing_ok=True)
        workspace.after_crash.append(
            FoundAfterCrash(
                Found.CSV_IMPORT_CUT_SHORT,
                str(details.get("file", "")),
                count=int(details.get("imported", 0)),
            )
        )


def take_found(workspace: Workspace, what: Found | None = None) -> list[FoundAfterCrash]:
    """What repairs noted since last asked (only ``what``, when given); taken from the list,
    so that each is said once."""
    found = [f for f in workspace.after_crash if what is None or f.what is what]
    workspace.after_crash[:] = [f for f in workspace.after_crash if f not in found]
    return found
