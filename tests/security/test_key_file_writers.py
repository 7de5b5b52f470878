"""Two writers of the key file at once (two processes: the desktop app and a command line, or
two windows), and a sign-in racing a revocation or a password reset.

Every change to ``keyslots.json`` reads the file, changes it and writes it back whole. Without
a lock, a writer that read the file before another one wrote it wrote back what it had read:
a revocation undone by a sign-in's rewrap, a new user's slot lost.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from app.config import Paths
from app.db.models import Case
from app.errors import AuthError, DatabaseBusy, StorageFailed
from app.security import keyslots
from app.security.keyslots import KeySlotStore
from app.security.private_files import exclusive_lock
from app.security.rekey import key_opens, settle_sign_in
from app.services.sign_in import open_settled
from app.services.users import UserService
from tests.conftest import PASSWORD, OpenWs, count

NEW_PASSWORD = "a brand new password"


def test_a_revocation_is_not_undone_by_a_slot_written_at_the_same_time(
    installation: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attack, replayed in the order that undid it: the administrator's second window adds
    Dana (it has read the file and is deriving her slot's key) while the first revokes Aigul,
    whose password leaked. Dana's writer, finishing last, wrote back the file as it had read
    it, Aigul's slot in it. Now the second writer waits for the first, and reads the file
    again: Aigul stays revoked and Dana has her slot."""
    store = KeySlotStore(installation.keyslots)
    key = store.unlock("admin", PASSWORD)
    deriving, go_on = threading.Event(), threading.Event()
    wrap = KeySlotStore._wrap

    def slow_wrap(self: KeySlotStore, *args: object, **kwargs: object) -> dict[str, object]:
        if threading.current_thread().name == "adds-dana":
            deriving.set()
            assert go_on.wait(10)
        return wrap(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(KeySlotStore, "_wrap", slow_wrap)
    adding = threading.Thread(
        target=lambda: store.set_slot("dana", PASSWORD, key), name="adds-dana"
    )
    adding.start()
    assert deriving.wait(10)
    revoking = threading.Thread(target=lambda: store.remove_slot("aigul"))
    revoking.start()
    revoking.join(0.3)
    assert revoking.is_alive()  # it waits for the file, not for the other's copy of it
    go_on.set()
    adding.join(10)
    revoking.join(10)

    assert store.usernames() == ["admin", "astana", "dana", "serik"]
    with pytest.raises(AuthError):
        store.unlock("aigul", PASSWORD)
    assert store.unlock("dana", PASSWORD) == key


def test_a_sign_in_does_not_bring_back_a_slot_revoked_while_it_proved_the_password(
    installation: Paths,
) -> None:
    """Aigul's sign-in had opened her slot (and would rewrap it) when the administrator
    revoked her: the rewrap writes nothing, and her slot stays gone."""
    store = KeySlotStore(installation.keyslots)
    opened = store.open_slot("aigul", PASSWORD)
    store.remove_slot("aigul")
    before = installation.keyslots.read_bytes()
    written = installation.keyslots.stat().st_mtime_ns

    store.rewrap(opened, PASSWORD, opened.slot_epoch)

    assert installation.keyslots.read_bytes() == before
    assert installation.keyslots.stat().st_mtime_ns == written  # not even written again
    assert "aigul" not in store.usernames()


def test_a_sign_in_with_the_old_password_does_not_undo_an_administrators_reset(
    installation: Paths,
) -> None:
    """The leaked password: Aigul's sign-in (or the thief's) proved it just before the
    administrator reset it. Its rewrap wrapped her slot again under the old password, so the
    reset was undone and the old password went on working. Now the reset stands."""
    store = KeySlotStore(installation.keyslots)
    opened = store.open_slot("aigul", PASSWORD)
    store.set_slot("aigul", NEW_PASSWORD, opened.newest_key())

    store.rewrap(opened, PASSWORD, opened.slot_epoch)

    with pytest.raises(AuthError):
        store.unlock("aigul", PASSWORD)
    assert store.unlock("aigul", NEW_PASSWORD) == opened.newest_key()


def test_a_rewrap_still_keeps_a_waiting_rekeys_box(installation: Paths, open_ws: OpenWs) -> None:
    """The rewrap reads the slot it replaces under the lock: the box of a re-key still
    waiting for the file, sealed to Serik, stays in his new slot."""
    serik, admin = open_ws("serik"), open_ws("admin")
    assert UserService(admin).revoke("aigul").rekey_waiting
    store = KeySlotStore(installation.keyslots)
    waiting = store.state().rekey_to
    opened = store.open_slot("serik", PASSWORD)
    assert waiting in opened.keys

    store.rewrap(opened, PASSWORD, store.state().key_epoch)

    assert waiting in store.open_slot("serik", PASSWORD).keys
    serik.close()
    admin.close()


def test_a_sign_in_whose_rekey_finished_before_its_window_opened_still_opens(
    installation: Paths, open_ws: OpenWs, tmp_path: Path
) -> None:
    """Astana signed in while a revocation's re-key waited for the other windows: her sign-in
    settled on the key the file had, and was given the waiting one. The last window closed,
    finishing the re-key, before her window opened the file: she was told the database was
    damaged, and had to sign in again. Now her window opens with the waiting key."""
    her_old_key = KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD)
    serik, admin = open_ws("serik"), open_ws("admin")
    assert UserService(admin).revoke("aigul").rekey_waiting
    settled = settle_sign_in(
        installation.db, KeySlotStore(installation.keyslots), "astana", PASSWORD
    )
    assert settled.pending is not None and settled.key == her_old_key
    serik.close()
    admin.close()  # the last window, knowing the new key: the file is re-keyed now
    assert not key_opens(installation.db, her_old_key)

    astana = open_settled(installation, "astana", settled)
    try:
        assert count(astana, Case) == 0
        assert astana.pending_key is None
    finally:
        astana.close()
    assert KeySlotStore(installation.keyslots).state().rekey_to is None


def test_a_writer_stuck_holding_the_key_file_is_not_waited_for_without_end(
    installation: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holds the key file's lock and does not let go (hung, or stopped in a
    debugger): a password change here waited for ever, the window frozen behind it. Now it is
    refused, saying why, and the key file is left as it was."""
    monkeypatch.setattr(keyslots, "LOCK_WAIT_S", 0.3)
    store = KeySlotStore(installation.keyslots)
    key = store.unlock("admin", PASSWORD)
    before = installation.keyslots.read_bytes()
    with ThreadPoolExecutor(1) as pool:
        with exclusive_lock(installation.keyslots.with_name(keyslots.LOCK_FILENAME)):
            changing = pool.submit(store.set_slot, "aigul", NEW_PASSWORD, key)
            with pytest.raises(DatabaseBusy, match="changing the key file") as refused:
                changing.result(timeout=10)
        assert "nothing was changed" in str(refused.value)
        assert installation.keyslots.read_bytes() == before
    store.set_slot("aigul", NEW_PASSWORD, key)  # once it is free, the change goes through
    assert store.unlock("aigul", NEW_PASSWORD) == key


def test_a_lock_file_that_cannot_be_made_is_said_in_the_users_words(installation: Paths) -> None:
    """The lock file cannot be opened (here: a folder in its place; a read-only data folder
    does the same): the raw "[Errno 21] Is a directory" came out as an internal error."""
    store = KeySlotStore(installation.keyslots)
    key = store.unlock("admin", PASSWORD)
    lock = installation.keyslots.with_name(keyslots.LOCK_FILENAME)
    lock.unlink(missing_ok=True)
    lock.mkdir()
    before = installation.keyslots.read_bytes()
    with pytest.raises(StorageFailed, match=r"cannot write to its data folder \(it is a folder"):
        store.set_slot("aigul", NEW_PASSWORD, key)
    assert installation.keyslots.read_bytes() == before
