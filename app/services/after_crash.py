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

from app.domain.roles import BUNDLE_IMPORTERS
from app.i18n import _, ngettext
from app.services.backup import remove_crashed_restores
from app.services.workspace import Workspace


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


@dataclass(frozen=True)
class FoundAfterCrash:
    what: Found
    source: str = ""
    count: int = 0


def found_text(found: FoundAfterCrash) -> str:
    """What was found and done, in the reader's language."""
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
    if found.what is Found.NEW_SLOT_KEPT:
        return _(
            "A new password (or the new account) of {user} was being saved when Qorgau "
            "stopped. The database had recorded it, so it was kept: {user} signs in with the "
            "new password."
        ).format(user=found.source)
    if found.what is Found.NEW_SLOT_DROPPED:
        return _(
            "A new password (or a new account) of {user} was being saved when Qorgau "
            "stopped, before the database recorded it, so it was not kept: {user} signs in "
            "with the previous password, or is added again."
        ).format(user=found.source)
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
    if imports and workspace.actor.role in BUNDLE_IMPORTERS:
        from app.services.exchange import ExchangeService  # a third of a second to import

        ExchangeService(workspace).take_back_cut_short()
    return take_found(workspace)


def take_found(workspace: Workspace) -> list[FoundAfterCrash]:
    """What repairs noted since last asked; emptied, so that each is said once."""
    found, workspace.after_crash[:] = list(workspace.after_crash), []
    return found
