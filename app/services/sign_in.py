"""Signing in with a password: the key is derived while the database code is imported.

Argon2id takes about a third of a second and releases the GIL, and opening the workspace
needs SQLAlchemy, the models and their mappers, about as long to import (issue 17). So
``unlock`` proves the password on a thread (the key slot, the login delay, a raw SQLCipher
connection: none of them imports SQLAlchemy) while the calling thread runs ``prepare``, by
default importing what opening needs; then it opens the workspace (``app.services.installation``).

The proof's thread imports nothing the other imports (only cryptography's OpenSSL backend, on
its first use), so the two threads never import the same modules at once: Python's per-module
import locks can deadlock on a cycle.
"""

from __future__ import annotations

import gc
import importlib
import logging
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from app.config import Paths
from app.db.raw import key_opens
from app.errors import AuthError, DatabaseError, QorgauError
from app.i18n import _
from app.security.keyslots import KeySlotStore, PendingKey
from app.security.login_guard import LoginGuard, wait_message
from app.security.rekey import REKEY_DUE_SETTING, SettledKey, settle_sign_in

# app.services.installation's: that module imports SQLAlchemy, which this one must not.
RECOVERY_KEY_UNSEEN = "recovery_key_unseen"

if TYPE_CHECKING:
    from app.security.keyring_store import SecretStore
    from app.services.workspace import Workspace

_log = logging.getLogger(__name__)

# What opening a workspace imports (with SQLAlchemy and the models).
OPENING_MODULES = ("app.services.installation",)


def import_opening(extra: Iterable[str] = (), *, freeze: bool = False) -> None:
    """Import what opening a workspace needs, and ``extra`` modules, and configure the ORM
    mappers (else the first query does it).

    ``freeze``, for a process that ends with its one task (a CLI command): every object made so
    far is moved where the cyclic collector never looks. They live as long as the process
    anyway, and the first collections after the imports and the one at exit each walked all of
    them (about 0.1 s of a command)."""
    # Importing creates hundreds of thousands of objects and no garbage: the cyclic collector
    # would run dozens of times over them for nothing (about a tenth of the import time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for name in (*OPENING_MODULES, *extra):
            importlib.import_module(name)
        from sqlalchemy.orm import configure_mappers

        configure_mappers()
        if freeze:
            gc.freeze()
    finally:
        if collecting:
            gc.enable()


def require_installation(paths: Paths) -> None:
    if not paths.data_dir.is_dir():
        raise DatabaseError(
            _("The data folder {path} does not exist; run 'qorgau init' first.").format(
                path=str(paths.data_dir)
            )
        )
    if not paths.db.exists():
        raise DatabaseError(
            _("No Qorgau database in {path}; run 'qorgau init' first.").format(
                path=str(paths.data_dir)
            )
        )


def prove_password(
    paths: Paths, username: str, password: str, guard: LoginGuard
) -> tuple[SettledKey, str]:
    """The database key a user's password yields, counted as a sign-in attempt.

    Returns the key (with a waiting re-key's) and the attempt's id (for ``guard.succeeded``
    or ``guard.withdraw``). A wrong password earns the growing delay; a right one whose
    database will not open is withdrawn, since it was no guess. Sign-in and restore both
    come through here.
    """
    if username.startswith("@"):
        # The recovery and escrow slots are nobody's account: they serve `recover` only.
        raise AuthError(lambda: _("Wrong user name or password."))
    # Counted as failed before the password is tried (parallel tries queue; see login_guard).
    attempt = guard.begin(username)
    try:
        key = settle_sign_in(paths.db, KeySlotStore(paths.keyslots), username, password)
    except AuthError as exc:
        raise refused(guard, username, exc) from None
    except BaseException:
        guard.withdraw(attempt)  # the password opened the slot; the database would not open
        raise
    return key, attempt


def refused(guard: LoginGuard, username: str, exc: AuthError) -> AuthError:
    """A wrong password, counted: the error to raise, saying how long the next try waits."""
    delay = guard.failed(username)
    if not delay:
        return exc
    error = AuthError(lambda first=exc: f"{first} {wait_message(delay)}")
    error.wait_s = delay
    return error


class _Proof(threading.Thread):
    """``prove_password`` on its own thread; ``outcome()`` returns or raises its result."""

    def __init__(self, paths: Paths, username: str, password: str, guard: LoginGuard) -> None:
        # Not a daemon: an interpreter exiting while Argon2id runs in native code can crash.
        super().__init__(name="qorgau-password-proof")
        self._call = lambda: prove_password(paths, username, password, guard)
        self._result: tuple[SettledKey, str] | None = None
        self._error: BaseException | None = None

    def run(self) -> None:
        try:
            self._result = self._call()
        except BaseException as exc:  # noqa: BLE001 - handed to the thread that waits
            self._error = exc

    def outcome(self) -> tuple[SettledKey, str]:
        self.join()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result


def unlock(
    paths: Paths,
    username: str,
    password: str,
    guard: LoginGuard | None = None,
    *,
    prepare: Callable[[], object] = import_opening,
    showing_recovery_key: bool = False,
) -> Workspace:
    """Open the installation with a user's password: AuthError on a wrong one.

    ``prepare`` runs on this thread while the password is proved (by default it imports what
    opening needs). Wrong passwords earn a growing delay per user name
    (``app.security.login_guard``), waited out before the next try; they reach the audit log
    at the next successful unlock. ``showing_recovery_key``: the setup that signs in shows
    its new recovery key next, so it is not said to be unseen (``note_unseen_recovery_key``).
    """
    guard = guard or LoginGuard(paths.data_dir)
    if paths.server.exists():  # an HQ on a PostgreSQL server checks the password itself
        prepare()
        from app.services.installation import unlock_on_server

        return unlock_on_server(paths, username, password, guard)
    require_installation(paths)
    proof = _Proof(paths, username, password, guard)
    proof.start()
    try:
        prepare()
    except BaseException:
        try:
            _key, attempt = proof.outcome()
        except BaseException:  # noqa: BLE001 - the preparation's failure is the one to report
            pass
        else:
            guard.withdraw(attempt)  # the password was right; this side failed
        raise
    settled, attempt = proof.outcome()
    return open_counted(
        guard,
        attempt,
        lambda: open_settled(paths, username, settled, note_unseen=not showing_recovery_key),
    )


def open_settled(
    paths: Paths, username: str, settled: SettledKey, note_unseen: bool = True
) -> Workspace:
    """The workspace on the key the sign-in settled. While a re-key waited, that is the key
    the file had; the last window that knew the waiting key may finish the re-key between the
    proof and this open (it closed meanwhile), and then the file opens with the waiting key,
    which this sign-in was given too. Her slot is rewrapped at her next sign-in."""
    from app.services.installation import open_workspace

    database_id = KeySlotStore(paths.keyslots).database_id()
    try:
        workspace = open_workspace(paths, username, settled.key, database_id)
    except DatabaseError:
        pending = settled.pending
        if pending is None or not key_opens(paths.db, pending.key):
            raise
        workspace = open_workspace(paths, username, pending.key, database_id)
        workspace.signing_key = settled.signing
        return workspace
    workspace.pending_key = settled.pending
    workspace.signing_key = settled.signing
    _settle_staged_slots(workspace)
    _publish_signing_key(workspace)
    if settled.finished:
        from app.services.after_crash import Found, FoundAfterCrash

        workspace.after_crash.append(FoundAfterCrash(Found.REKEY_FINISHED))
    try:
        if settled.unconfirmed is not None:
            _replace_unconfirmed_rekey(workspace, settled.unconfirmed)
        from app.services.users import finish_cut_short_revocations

        finish_cut_short_revocations(workspace)
        act_on_sign_in_marks(workspace, note_unseen)
    except BaseException:
        workspace.close()  # a re-key refused (the disk still full): said, nothing left open
        raise
    return workspace


def _sign_in_settings(workspace: Workspace) -> set[str]:
    """Which of the marks a sign-in acts on are set: a recovery's re-key cut short
    (``finish_cut_short``: only then is the recovery service, with the key serialisation it
    imports, loaded at a sign-in), a setup's recovery key never shown."""
    from sqlalchemy import select

    from app.db.models import Setting

    marks = (REKEY_DUE_SETTING, RECOVERY_KEY_UNSEEN)
    with workspace.read() as session:
        return set(session.scalars(select(Setting.key).where(Setting.key.in_(marks))))


def act_on_sign_in_marks(
    workspace: Workspace, note_unseen: bool = True, store: SecretStore | None = None
) -> None:
    """What every sign-in does about the marks left for it, with a password or without one
    ("Unlock on this computer", which skipped them: a mission whose administrator always
    unlocked so kept a recovery's re-key unmade, the old key opening the file, and was never
    told that nobody had the recovery key). ``store``: the keyring that sign-in read, whose
    entries a re-key made here renews (hers) or drops (the others')."""
    due = _sign_in_settings(workspace)
    if REKEY_DUE_SETTING in due:
        from app.services.recovery import finish_cut_short

        finish_cut_short(workspace, store)
    if note_unseen and RECOVERY_KEY_UNSEEN in due:
        note_unseen_recovery_key(workspace)


def note_unseen_recovery_key(workspace: Workspace) -> None:
    """A setup killed after its commit but before its recovery key was shown: nobody has the
    key. Said once, to an administrator (who alone can make a new one), at her sign-in."""
    from app.db.models import Setting
    from app.domain.codes import Role
    from app.services.after_crash import Found, FoundAfterCrash

    if workspace.actor.role != Role.ADMIN:
        return
    with workspace.write() as session:
        row = session.get(Setting, RECOVERY_KEY_UNSEEN)
        if row is None:
            return
        session.delete(row)
    workspace.after_crash.append(FoundAfterCrash(Found.RECOVERY_KEY_UNSEEN))


def _settle_staged_slots(workspace: Workspace) -> None:
    """A new password or account a crash left half-saved, settled before her key is judged."""
    from app.services.users import settle_staged_slots

    try:
        settle_staged_slots(workspace)
    except BaseException:
        workspace.close()
        raise


def _publish_signing_key(workspace: Workspace) -> None:
    """Her account signing key against the one the history gives her. None yet (an account
    from before signing): published now, signed by itself. Another one: the history was
    written by someone else (with the database key) or is a backup's from before her new
    password; recorded, for the administrator and HQ to see (``audit verify``)."""
    from app.security.keyslots import signing_public
    from app.security.user_ledger import KEY_DIFFERS, SIGNING_KEY, signing_key_of

    if workspace.signing_key is None or workspace.on_server:
        return
    username = workspace.actor.username
    mine = signing_public(workspace.signing_key)
    try:
        with workspace.write() as session:
            given, flagged = signing_key_of(session, username)
            if not given:
                workspace.audit(session, "user.signing_key", "user", username, {SIGNING_KEY: mine})
            elif given != mine and not flagged:
                workspace.audit(
                    session,
                    KEY_DIFFERS,
                    "user",
                    username,
                    {"history": given, "unlocked": mine},
                )
    except BaseException:
        workspace.close()
        raise


def _replace_unconfirmed_rekey(workspace: Workspace, waiting_key: bytes) -> None:
    """Re-key the file past a waiting re-key nothing vouches for. An older version began it
    without a proof (a revocation while other windows were open): ignored, it left the file
    for good under the key the revoked officer held. Planted, it is dropped all the same; the
    new key is this process's own, sealed only to the users the database lists."""
    from app.services.users import rekey_workspace

    # Secrets the older version sealed under its waiting key (the new signing key) are opened
    # with it and sealed again under the new key.
    slots = KeySlotStore(workspace.paths.keyslots)
    waiting = slots.state().rekey_to
    if waiting is not None:
        workspace.pending_key = PendingKey(waiting, waiting_key)
    try:
        rekey_workspace(workspace, slots, None, None, "unconfirmed_wait")
    except QorgauError:
        # The file keeps its key, as before this sign-in: the next sign-in tries again.
        workspace.pending_key = None
        _log.warning("the waiting re-key could not be replaced", exc_info=True)


def unlock_again(workspace: Workspace, password: str, guard: LoginGuard | None = None) -> None:
    """The signed-in user unlocks their idle-locked window: AccountChanged when an
    administrator revoked the account (or changed its role) meanwhile, AuthError on a wrong
    password. Counted as the sign-in window counts: wrong passwords earn the same growing
    delay and reach the audit log, so the lock screen is no place to guess without one."""
    workspace.check_account()
    username = workspace.actor.username
    guard = guard or LoginGuard(workspace.paths.data_dir)
    attempt = guard.begin(username)
    try:
        _prove_again(workspace, password)
    except AuthError as exc:
        raise refused(guard, username, exc) from None
    except BaseException:
        guard.withdraw(attempt)
        raise
    guard.succeeded(workspace, attempt)


def _prove_again(workspace: Workspace, password: str) -> None:
    """AuthError unless ``password`` is the signed-in user's: their key slot opens with it,
    or, at an HQ on a database server (no key slots), the server accepts it."""
    username = workspace.actor.username
    if not workspace.on_server:
        KeySlotStore(workspace.paths.keyslots).unlock(username, password)
        return
    from app.db.postgres import ServerConfig, ServerDatabase

    config = ServerConfig.load(workspace.paths.data_dir)
    if config is None:
        raise DatabaseError(
            _("No Qorgau database in {path}; run 'qorgau init' first.").format(
                path=str(workspace.paths.data_dir)
            )
        )
    ServerDatabase(config, username, password, workspace.paths.data_dir).dispose()


def open_counted(guard: LoginGuard, attempt: str, opening: Callable[[], Workspace]) -> Workspace:
    """The workspace ``opening`` opens once the password was right, the attempt settled."""
    try:
        workspace = opening()
    except AuthError:
        raise  # a revoked user's right password still counts as a failed sign-in
    except BaseException:
        guard.withdraw(attempt)  # the password was right; the database would not open
        raise
    try:
        guard.succeeded(workspace, attempt)
    except BaseException:
        workspace.close()
        raise
    return workspace
