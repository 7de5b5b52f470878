"""Changing the database key (``PRAGMA rekey``) so that a revoked user's old key opens nothing.

The order makes every crash recoverable:

1. ``keyslots.json`` gets the new key sealed to every remaining user and ``rekey_to`` (the
   old key still opens the database, and still opens every slot);
2. the database is checkpointed, switched out of WAL (SQLCipher re-keys the main file; a WAL
   holding pages under the old key must not survive), re-keyed in one transaction and switched
   back to WAL;
3. ``keyslots.json`` records the new epoch as current.

A process that dies after 1 leaves a database under the old key and a key file that knows the
new one: the next sign-in finds which key opens the database and rolls forward (re-keys, then
step 3). After 2 it only needs step 3. ``settle_sign_in`` does that, and rewraps the signing-in
user's slot with the current key.

Step 2 needs the only connection to the file. While another Qorgau window or command has it
open (anyone's), the re-key *waits* after step 1: the revoked slot is gone and the others hold
the new key, the file keeps the old one. Sign-ins meanwhile open it with the old key; the first
sign-in, or the close of a window that knows the new key, that finds the file free finishes it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.db.raw import key_opens, key_refused_at_first_page, leave_wal, open_raw
from app.errors import AuthError, DatabaseBusy, DatabaseError, FileInUse, StorageFull
from app.i18n import _, format_size, ngettext
from app.security.keyslots import (
    KeySlotStore,
    KeyState,
    OpenedSlot,
    PendingKey,
    new_database_key,
    proves_rekey,
)
from app.security.private_files import exclusive_lock
from app.security.waiting_secret import MARKER, unseal


@dataclass(frozen=True)
class Rekeyed:
    """What a re-key did: the users who lost their slot (no key pair yet), and the key the
    file still waits for when other windows held it (None: the file has the new key)."""

    without_keys: list[str]
    waiting: PendingKey | None
    # The user shut out kept a key for "unlock on this computer" in this OS account's keyring,
    # so she uses this account: the signed-in user's entry was removed, not given the new key.
    shared_os_account: bool = False


@dataclass(frozen=True)
class SettledKey:
    """What a sign-in opens the file with, and the waiting re-key's key (if any) the window
    finishes with when it closes."""

    key: bytes
    pending: PendingKey | None = None
    # The key of a waiting re-key nothing vouches for (begun by an older version, which made
    # no proof, or planted): the file kept the key a revoked officer may hold, so the sign-in
    # replaces it with a re-key of its own. The waiting key still opens what an older
    # version's re-key sealed under it in the database.
    unconfirmed: bytes | None = None
    # This sign-in finished a re-key left unfinished (cut short, or waiting for windows).
    finished: bool = False
    # Her account signing key, from her slot (see ``app.security.user_ledger``).
    signing: Ed25519PrivateKey | None = None


# A recovery's re-key is due (its transaction committed, the re-key not yet made): the
# setting's value is the recovery's method. Read at every sign-in, so it lives here and not in
# the recovery service, whose imports (key serialisation) a sign-in otherwise does without.
REKEY_DUE_SETTING = "recovery_rekey_due"
REKEY_LOCK_FILENAME = "rekey.lock"
# How long another process's re-key is waited for: re-encrypting a 1.3 GB file took 31 s
# (42 s beside a test run), so a holder still at it after this is stuck, not slow.
REKEY_LOCK_WAIT_S = 120.0


def _rekey_busy() -> DatabaseBusy:
    seconds = int(REKEY_LOCK_WAIT_S)
    return DatabaseBusy(
        ngettext(
            "Another Qorgau window or command has been changing the database key for {n} "
            "second and has not finished; nothing was changed. Wait until it finishes, or "
            "close it, and try again.",
            "Another Qorgau window or command has been changing the database key for {n} "
            "seconds and has not finished; nothing was changed. Wait until it finishes, or "
            "close it, and try again.",
            seconds,
        ).format(n=seconds)
    )


@contextmanager
def one_rekey_at_a_time(slots: KeySlotStore) -> Iterator[None]:
    """Held, across processes, while the file's key is chosen and changed: two sign-ins (or a
    sign-in and a window closing) that both found a waiting re-key would otherwise both
    re-key the file, the second from a key the first had just retired. A holder that never
    lets go (a process stopped mid-way) is waited for a bounded time, then said."""
    lock = slots.path.with_name(REKEY_LOCK_FILENAME)
    with exclusive_lock(lock, REKEY_LOCK_WAIT_S, _rekey_busy):
        yield


def _key_pragma(name: str, key: bytes) -> str:
    return f"PRAGMA {name} = \"x'{key.hex()}'\""


def _open_waiting_secrets(conn: Any, keys: tuple[bytes, ...]) -> None:
    """Secrets sealed under the key the file now has (written while this re-key waited), or
    under ``keys``, are stored plain again: the file's own key protects them from now on."""
    rows = conn.execute(
        "SELECT name, value FROM local_secret WHERE substr(value, 1, ?) = ?",
        (len(MARKER), MARKER),
    ).fetchall()
    for name, value in rows:
        opened = unseal(bytes(value), keys, str(name))
        if opened is not None:
            conn.execute("UPDATE local_secret SET value = ? WHERE name = ?", (opened, name))


def rekey_database(
    db_path: Path, old_key: bytes, new_key: bytes, sealed_under: tuple[bytes, ...] = ()
) -> None:
    """Re-encrypt every page of the database under ``new_key``; no other connection may be
    open. Secrets sealed under ``new_key`` or ``sealed_under`` are opened (see
    ``app.security.waiting_secret``)."""
    busy = FileInUse(
        _(
            "The database key cannot be changed while another Qorgau window or command uses "
            "the database; close it and sign in again to finish."
        )
    )
    conn = open_raw(db_path, old_key)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if not leave_wal(conn):
            raise busy
        conn.execute(_key_pragma("rekey", new_key))
        _open_waiting_secrets(conn, (new_key, *sealed_under))
        conn.execute("PRAGMA journal_mode = WAL")
    except DatabaseError:
        raise
    except Exception as exc:  # noqa: BLE001 - sqlcipher3's errors: the message is shown
        if "locked" in str(exc) or "busy" in str(exc):
            raise busy from None
        no_room = _no_room_to_rekey(db_path, exc)
        if no_room is not None:
            raise no_room from None
        raise DatabaseError(
            _("The database key cannot be changed: {error}").format(error=exc)
        ) from None
    finally:
        conn.close()
    if not key_opens(db_path, new_key):
        raise DatabaseError(_("The database does not open with its new key."))


SQLITE_FULL = 13


class NoRoomToRekey(StorageFull):
    """The disk has too little room to re-encrypt the database: the re-key's one transaction
    journals every page, about the file's size. Nothing in the file changed (it keeps its key).
    ``folder``, ``need`` and ``free`` say it again where the state around the file is known
    (``installation_no_room``)."""

    def __init__(self, folder: Path, need: int, free: int) -> None:
        super().__init__(
            _(
                "There is not enough free space on the disk of {folder} to change the "
                "database key: it needs about {need} and {free} is free. The database was "
                "not changed. Free some space there and try again."
            ).format(folder=folder, need=format_size(need), free=format_size(free))
        )
        self.folder, self.need, self.free = folder, need, free


def _no_room_to_rekey(db_path: Path, exc: BaseException) -> NoRoomToRekey | None:
    """NoRoomToRekey when ``exc`` came of a full disk. SQLCipher reports a rekey that found
    the disk full as "An error occurred with PRAGMA key or rekey ...", code SQLITE_ERROR, and
    a full disk around it as "database or disk is full": both reached the user in English.
    The free space is asked after the failure (the journal is gone by then)."""
    need = sum(
        p.stat().st_size for p in (db_path, db_path.with_name(db_path.name + "-wal")) if p.exists()
    )
    free = shutil.disk_usage(db_path.parent).free
    code = getattr(exc, "sqlite_errorcode", None)
    full = isinstance(code, int) and code & 0xFF == SQLITE_FULL
    return NoRoomToRekey(db_path.parent, need, free) if full or free < need else None


class RekeyWaitsForRoom(StorageFull):
    """A re-key of the installation's file stopped by a full disk after the key file took the
    new key: its message (``installation_no_room``) says that state and what to do."""


def installation_no_room(exc: NoRoomToRekey) -> StorageFull:
    """A re-key of the installation's own file stopped by a full disk, said with the state it
    left: the key file already holds the new key (the revoked slot is gone from it), the file
    keeps its previous key, and every sign-in tries again, and stops while there is no room.
    The administrator read "The database key cannot be changed: An error occurred with PRAGMA
    key or rekey ..." and knew neither."""
    return RekeyWaitsForRoom(
        _(
            "There is not enough free space on the disk of {folder} to change the database "
            "key: it needs about {need} and {free} is free. Nothing was lost: the database "
            "keeps its previous key for now, and the key file already holds the new one "
            "(a revoked user's key slot is gone from it). Free some space on that disk, then "
            "sign in again: the sign-in finishes the change. Until then, signing in stops with "
            "this message."
        ).format(folder=exc.folder, need=format_size(exc.need), free=format_size(exc.free))
    )


def rekey_installation(
    db_path: Path,
    slots: KeySlotStore,
    current_key: bytes,
    new_key: bytes,
    revoked: str | None,
    alone: AbstractContextManager[object] | None = None,
    members: set[str] | None = None,
) -> Rekeyed:
    """``new_key`` for everyone but ``revoked``: the users who lost their slot because it had
    no key pair yet (they need a password reset), and the key the file waits for, if any.

    ``alone`` is held around the file's re-encryption: the open workspace's own sessions
    kept out. When another window holds the file (or this one's work outlasts the wait), the
    re-key waits: the key file already knows the new key and no longer holds ``revoked``'s
    slot; the file is re-keyed by ``finish_waiting`` or the next sign-in (``settle_sign_in``)."""
    if not key_opens(db_path, current_key):
        # Superseding a waiting re-key drops its key: only safe from the key the file has.
        raise DatabaseError(_("The database does not open with its current key."))
    epoch, without_keys = slots.begin_rekey(new_key, revoked, current_key, members)
    try:
        with alone or nullcontext(), one_rekey_at_a_time(slots):
            rekey_database(db_path, current_key, new_key)
            slots.finish_rekey(epoch)
    except DatabaseBusy:  # FileInUse, or this process's own sessions outlasted the wait
        return Rekeyed(without_keys, PendingKey(epoch, new_key))
    except NoRoomToRekey as exc:
        raise installation_no_room(exc) from None
    return Rekeyed(without_keys, None)


def finish_waiting(
    db_path: Path, slots: KeySlotStore, current_key: bytes, pending: PendingKey
) -> bool:
    """Re-key the file to the waiting key if no other window holds it now; whether it has
    the waiting key (or a later one) afterwards."""
    with one_rekey_at_a_time(slots):
        return _finish_waiting(db_path, slots, current_key, pending)


def _finish_waiting(
    db_path: Path, slots: KeySlotStore, current_key: bytes, pending: PendingKey
) -> bool:
    waiting = slots.state().rekey_to
    if waiting != pending.epoch:
        return waiting is None and not key_opens(db_path, current_key)  # finished elsewhere
    try:
        rekey_database(db_path, current_key, pending.key)
    except FileInUse:
        return False
    except NoRoomToRekey as exc:
        raise installation_no_room(exc) from None
    slots.finish_rekey(pending.epoch)
    return True


def retire_waiting_key(
    db_copy: Path, slots: KeySlotStore, key: bytes, waiting: PendingKey | None = None
) -> None:
    """A private copy of the database (a backup's, a restore's) and of its key file, taken
    while a re-key waited: the copy gets a key of its own, sealed to every slot left in that
    key file, and the key file records it as current. Under ``key``, the one the live file
    still has, the copy would open for the officer just revoked, who held that key. The
    ``waiting`` key, if the window knows it, opens the secrets sealed under it in the copy."""
    if slots.state().rekey_to is None:
        return
    new_key = new_database_key()
    epoch, _without_keys = slots.begin_rekey(new_key, None, key)  # supersedes the waiting key
    sealed_under = (waiting.key,) if waiting is not None else ()
    rekey_database(db_copy, key, new_key, sealed_under)  # the copy is ours alone: never waits
    conn = open_raw(db_copy, new_key)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, as before
    finally:
        conn.close()
    slots.finish_rekey(epoch)


def settle_sign_in(db_path: Path, slots: KeySlotStore, username: str, password: str) -> SettledKey:
    """The key that opens the database for this user (AuthError on a wrong password).

    Finishes a re-key a crash interrupted, or one that waited for other windows, and rewraps
    the user's slot when it holds an older key, a sealed newer one, or no key pair yet (a
    format 1 slot). While other windows still hold the file, the user signs in with the key
    it has, and is given the waiting key to finish with (``SettledKey.pending``).
    """
    opened = slots.open_slot(username, password)  # the slow part, done by each at once
    if slots.state().rekey_to is None:
        return _settle(db_path, slots, opened, password)
    with one_rekey_at_a_time(slots):  # a second sign-in waits, then finds the key file moved on
        return _settle(db_path, slots, opened, password)


def _settle(db_path: Path, slots: KeySlotStore, opened: OpenedSlot, password: str) -> SettledKey:
    state = slots.state()
    candidates = [
        e for e in (state.rekey_to, state.key_epoch) if e is not None and e in opened.keys
    ]
    epoch = next((e for e in candidates if key_opens(db_path, opened.keys[e])), None)
    if epoch is None:
        if state.key_epoch in opened.keys:
            if key_refused_at_first_page(db_path, opened.keys[state.key_epoch]):
                # The key file's current key does not decrypt the first page: most often the
                # key file is another database's or an older copy (a first page of noise
                # cannot be told from it), so the file to restore first is the key file.
                raise DatabaseError(
                    _(
                        "{db} does not open with the key in {keys}: the key file belongs to "
                        "another Qorgau database or is an older copy (from before this "
                        "database's key was changed), or the database is damaged. Restore "
                        "{keys} from the backup made together with this database; if it still "
                        "does not open, restore the database from that backup too."
                    ).format(keys=slots.path.name, db=db_path.name)
                )
            # The slot is current: the database itself is foreign or damaged; say that.
            open_raw(db_path, opened.keys[state.key_epoch]).close()
        raise DatabaseError(
            _(
                "Your key slot does not open the current database (the key changed since it "
                "was written); ask an administrator to reset your password."
            )
        )
    pending = None
    unconfirmed = None
    finished = False
    if _vouched_for(state, opened, epoch):
        assert state.rekey_to is not None
        waiting = PendingKey(state.rekey_to, opened.keys[state.rekey_to])
        if epoch == state.rekey_to:
            slots.finish_rekey(epoch)  # the file was re-keyed; the key file was not told
            finished = True
        elif _finish_waiting(db_path, slots, opened.keys[epoch], waiting):
            epoch = state.rekey_to
            finished = True
        else:
            pending = waiting
    elif state.rekey_to is not None and state.rekey_to in opened.keys:
        # Her slot holds the waiting key and no proof of it: an older version's, or planted.
        # (A slot without it cannot check the proof; the re-key is left to those with it.)
        unconfirmed = opened.keys[state.rekey_to]
    if _needs_rewrap(opened, epoch) and not slots.rewrap(opened, password, epoch):
        signing = _signing_key_written_meanwhile(slots, opened, password)
    else:
        signing = opened.signing_key()
    return SettledKey(opened.keys[epoch], pending, unconfirmed, finished, signing)


def _signing_key_written_meanwhile(
    slots: KeySlotStore, opened: OpenedSlot, password: str
) -> Ed25519PrivateKey | None:
    """Her signing key when her slot was written again between its opening and its rewrap (her
    other sign-in rewrapped it; an administrator reset or revoked it): the key pair the slot
    holds now, if her password still opens it. A format 1 slot's first pair, made for the
    rewrap that did not happen, is stored nowhere: published, it differed from the slot's at
    every later sign-in. One more key derivation, in a rare race."""
    if opened.private_key is not None:
        return opened.signing_key()  # a pair the slot had: the same in the slot written again
    try:
        return slots.open_slot(opened.username, password).signing_key()
    except (AuthError, DatabaseError):
        return None  # reset or revoked meanwhile: nothing to sign with until the next sign-in


def _vouched_for(state: KeyState, opened: OpenedSlot, epoch: int) -> bool:
    """Whether the waiting key this user's slot holds is one to finish with. The file opening
    with it proves a holder of the old key re-keyed it; otherwise the key file must carry the
    proof only a holder of the file's key can make (a key planted by someone who can merely
    write the key file is ignored: the user signs in with the key the file has)."""
    if state.rekey_to is None or state.rekey_to not in opened.keys:
        return False
    if epoch == state.rekey_to:
        return True
    return proves_rekey(
        state.rekey_proof,
        opened.keys[epoch],
        state.database_id,
        state.rekey_to,
        opened.keys[state.rekey_to],
    )


def _needs_rewrap(opened: OpenedSlot, epoch: int) -> bool:
    return opened.private_key is None or opened.slot_epoch != epoch
