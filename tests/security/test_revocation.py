"""A revoked officer against the current database: her old slot, key file copy and keyring key.

Revocation re-keys the database (``PRAGMA rekey``); the new key reaches the other users
sealed to their X25519 public keys, without their passwords. Every key the revoked user could
have kept from before opens nothing current.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import keyring
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select

from app.config import DB_FILENAME, KEYSLOTS_FILENAME, Paths
from app.db import raw
from app.db.models import User
from app.errors import AuthError, DatabaseError
from app.security.keyring_store import SecretStore, unlock_entry_name
from app.security.keyslots import KeySlotStore, _derive, default_profile, new_database_key
from app.security.rekey import key_opens, rekey_database
from app.services import backup
from app.services.installation import remember_unlock, unlock, unlock_with_keyring
from app.services.users import UserService
from app.services.workspace import Workspace
from tests.conftest import PASSWORD, OpenWs
from tests.integration.cli_helpers import ROOT, run_python
from tests.security.folder import folder_bytes


def test_revoked_users_copy_of_the_key_file_opens_nothing_current(
    installation: Paths, ws: Workspace
) -> None:
    copy = installation.keyslots.read_bytes()  # taken by aigul before her revocation
    her_old_key = KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD)
    UserService(ws).revoke("aigul")
    ws.close()
    assert not key_opens(installation.db, her_old_key)  # straight at the file with sqlcipher
    installation.keyslots.write_bytes(copy)  # her old key file put back in place
    before = folder_bytes(installation.data_dir)
    with pytest.raises(DatabaseError):
        unlock(installation, "aigul", PASSWORD)
    assert folder_bytes(installation.data_dir) == before


def test_revoked_users_slot_is_gone_and_her_password_opens_nothing(
    installation: Paths, ws: Workspace
) -> None:
    UserService(ws).revoke("aigul")
    ws.close()
    assert not KeySlotStore(installation.keyslots).has_slot("aigul")
    before = folder_bytes(installation.data_dir)
    with pytest.raises(AuthError):
        unlock(installation, "aigul", PASSWORD)
    assert folder_bytes(installation.data_dir) == before


def test_revoked_users_keyring_entry_opens_nothing(installation: Paths, open_ws: OpenWs) -> None:
    store = SecretStore(keyring.get_keyring())
    aigul = open_ws("aigul")
    assert remember_unlock(aigul, store)
    entry = unlock_entry_name(aigul.database_id, "aigul")
    her_key = store.get(entry)
    aigul.close()
    # Her entry lives in *her* OS account's keyring in real life: the revocation cannot
    # delete it there. Simulate that by a store the revocation does not see.
    admin = open_ws("admin")
    UserService(admin).revoke("aigul")
    admin.close()
    assert her_key is not None and not key_opens(installation.db, her_key)
    before = folder_bytes(installation.data_dir)
    assert unlock_with_keyring(installation, "aigul", store) is None
    assert store.get(entry) is None  # the stale entry is forgotten
    assert folder_bytes(installation.data_dir) == before


def test_revocation_refreshes_the_administrators_keyring_entry(
    installation: Paths, ws: Workspace
) -> None:
    store = SecretStore(keyring.get_keyring())
    assert remember_unlock(ws, store)
    serik = unlock(installation, "serik", PASSWORD)
    assert remember_unlock(serik, store)
    serik.close()
    UserService(ws, store).revoke("aigul")
    mine = store.get(unlock_entry_name(ws.database_id, "admin"))
    # The key first, then the public key of the password it was kept for.
    assert mine is not None and mine[:32] == ws.db.key and key_opens(installation.db, mine[:32])
    assert store.get(unlock_entry_name(ws.database_id, "serik")) is None
    ws.close()
    again = unlock_with_keyring(installation, "admin", store)
    assert again is not None
    again.close()


def test_other_users_sign_in_after_a_revocation_without_their_passwords_being_needed(
    installation: Paths, ws: Workspace
) -> None:
    UserService(ws).revoke("aigul")
    ws.close()
    slots_before = json.loads(installation.keyslots.read_text())
    assert slots_before["key_epoch"] == 1
    assert set(slots_before["slots"]["serik"]["sealed"]) == {"1"}
    serik = unlock(installation, "serik", PASSWORD)
    assert serik.actor.role == "consul"
    serik.close()
    after = json.loads(installation.keyslots.read_text())["slots"]["serik"]
    assert after["epoch"] == 1 and after["sealed"] == {}  # rewrapped at sign-in
    assert after["public_key"] == slots_before["slots"]["serik"]["public_key"]


def test_two_revocations_in_a_row_reach_a_user_who_never_signed_in(
    installation: Paths, ws: Workspace
) -> None:
    users = UserService(ws)
    users.revoke("aigul")
    users.revoke("astana")
    ws.close()
    serik = unlock(installation, "serik", PASSWORD)  # his slot still holds epoch 0
    serik.close()
    assert KeySlotStore(installation.keyslots).state().key_epoch == 2


def test_a_sealed_box_moved_to_another_user_does_not_open(
    installation: Paths, ws: Workspace
) -> None:
    UserService(ws).revoke("aigul")
    ws.close()
    data = json.loads(installation.keyslots.read_text())
    data["slots"]["serik"]["sealed"] = data["slots"]["astana"]["sealed"]
    installation.keyslots.write_text(json.dumps(data))
    with pytest.raises(DatabaseError, match="does not open the current database"):
        unlock(installation, "serik", PASSWORD)


def _crash_script(data_dir: Path, stop_after: str) -> str:
    """Revoke aigul in a child process that dies (os._exit) right after ``stop_after``."""
    return f"""
import os, sys
os.environ["QORGAU_KDF_PROFILE"] = "test"
from pathlib import Path
from app.config import Paths
from app.security import rekey
from app.security.keyslots import KeySlotStore
from app.services.installation import unlock
from app.services.users import UserService
stop_after = {stop_after!r}
original_begin, original_rekey = KeySlotStore.begin_rekey, rekey.rekey_database
def begin(self, *args):
    result = original_begin(self, *args)
    if stop_after == "begin_rekey":
        os._exit(9)
    return result
def rekey_db(*args):
    original_rekey(*args)
    if stop_after == "rekey_database":
        os._exit(9)
KeySlotStore.begin_rekey = begin
rekey.rekey_database = rekey_db
ws = unlock(Paths(Path({str(data_dir)!r})), "admin", {PASSWORD!r})
UserService(ws).revoke("aigul")
"""


@pytest.mark.parametrize("stop_after", ["begin_rekey", "rekey_database"])
def test_a_crash_in_the_middle_of_a_rekey_leaves_a_usable_installation(
    installation: Paths, stop_after: str
) -> None:
    her_old_key = KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD)
    child = run_python(
        ["-c", _crash_script(installation.data_dir, stop_after)], env={"PYTHONPATH": str(ROOT)}
    )
    assert child.code == 9, child.err
    assert KeySlotStore(installation.keyslots).state().rekey_to == 1  # the crash is visible
    # The next sign-in of anyone who got the new key finishes the job (rolls forward).
    serik = unlock(installation, "serik", PASSWORD)
    serik.close()
    state = KeySlotStore(installation.keyslots).state()
    assert (state.key_epoch, state.rekey_to) == (1, None)
    assert not key_opens(installation.db, her_old_key)
    admin = unlock(installation, "admin", PASSWORD)
    try:
        assert {u.username: u.active for u in UserService(admin).list()}["aigul"] is False
    finally:
        admin.close()


def test_rekey_leaves_no_wal_under_the_old_key(installation: Paths, ws: Workspace) -> None:
    old_key = ws.db.key
    UserService(ws).revoke("aigul")
    wal = installation.db.with_name(installation.db.name + "-wal")
    # Whatever WAL exists now was written under the new key; the old one reads no page.
    assert not key_opens(installation.db, old_key)
    assert not wal.exists() or wal.stat().st_size == 0 or key_opens(installation.db, ws.db.key)
    ws.close()


def _legacy_slot(database_id: str, username: str, password: str, key: bytes) -> dict[str, object]:
    """A slot as format 1 wrote it: the database key alone, no key pair."""
    profile = default_profile()
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    aad = f"qorgau-keyslot:v1:{database_id}:{username}".encode()
    wrapped = AESGCM(_derive(password, salt, profile)).encrypt(nonce, key, aad)
    return {
        "kdf": {
            "name": "argon2id",
            "salt": base64.b64encode(salt).decode(),
            "memory_cost_kib": profile.memory_cost_kib,
            "iterations": profile.iterations,
            "lanes": profile.lanes,
        },
        "cipher": "aes-256-gcm",
        "nonce": base64.b64encode(nonce).decode(),
        "wrapped_key": base64.b64encode(wrapped).decode(),
        "updated_at": "2026-01-01T00:00:00+00:00",
    }


def _downgrade_to_format_1(installation: Paths, key: bytes) -> None:
    data = json.loads(installation.keyslots.read_text())
    database_id = data["database_id"]
    installation.keyslots.write_text(
        json.dumps(
            {
                "format": 1,
                "database_id": database_id,
                # Format 1 had user slots only (no recovery slot).
                "slots": {
                    u: _legacy_slot(database_id, u, PASSWORD, key)
                    for u in data["slots"]
                    if not u.startswith("@")
                },
            }
        )
    )


def test_a_format_1_key_file_gets_key_pairs_at_sign_in(installation: Paths, ws: Workspace) -> None:
    key = ws.db.key
    ws.close()
    _downgrade_to_format_1(installation, key)
    serik = unlock(installation, "serik", PASSWORD)
    serik.close()
    data = json.loads(installation.keyslots.read_text())
    assert data["format"] == 2 and data["key_epoch"] == 0
    assert "public_key" in data["slots"]["serik"] and "public_key" not in data["slots"]["aigul"]
    # A revocation now: serik's slot gets the new key; aigul's and astana's format 1 slots
    # cannot, so they go and the administrator is told to reset those passwords.
    admin = unlock(installation, "admin", PASSWORD)
    try:
        result = UserService(admin).revoke("astana")
        assert result.need_password_reset == ["aigul"]
    finally:
        admin.close()
    unlock(installation, "serik", PASSWORD).close()
    with pytest.raises(AuthError):
        unlock(installation, "aigul", PASSWORD)


def test_rekey_refused_while_another_connection_is_open(
    installation: Paths, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The re-key's journal switch waits out the busy timeout behind Serik's read: 0.2 s here,
    # not the product's 15 s, as the refusal is the same.
    monkeypatch.setattr(raw, "BUSY_TIMEOUT_MS", 200)
    other = unlock(installation, "serik", PASSWORD)
    try:
        with other.read() as session:
            # Serik's read transaction holds the database: the journal switch cannot happen.
            session.execute(select(User)).all()
            with pytest.raises(DatabaseError, match="another Qorgau window"):
                rekey_database(installation.db, ws.db.key, new_database_key())
        assert key_opens(installation.db, ws.db.key)
    finally:
        other.close()
        ws.close()


def test_a_damaged_public_key_stops_the_revocation_before_any_rekey(
    installation: Paths, ws: Workspace
) -> None:
    data = json.loads(installation.keyslots.read_text())
    data["slots"]["serik"]["public_key"] = "not base64!"
    installation.keyslots.write_text(json.dumps(data))
    key_file = installation.keyslots.read_bytes()
    with pytest.raises(DatabaseError, match="damaged"):
        UserService(ws).revoke("aigul")
    assert installation.keyslots.read_bytes() == key_file
    assert key_opens(installation.db, ws.db.key)
    ws.close()


class _SlowCopy:
    """A source connection whose online backup waits for ``release``: the daily backup of a
    large mission copies for several seconds."""

    def __init__(self, conn: Any, copying: threading.Event, release: threading.Event) -> None:
        self._conn, self._copying, self._release = conn, copying, release

    def backup(self, dest: Any) -> None:
        self._copying.set()
        assert self._release.wait(10)
        self._conn.backup(dest)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def test_a_revocation_during_todays_backup_waits_for_the_copy_and_both_succeed(
    installation: Paths, ws: Workspace, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The administrator revokes an officer while the daily backup copies the database: the
    re-key used to fail ("another Qorgau window or command uses the database"), the revoked
    user's key still opening the file until the next sign-in. It now waits for the copy; the
    backup holds the database and key file of one moment, and her key opens nothing current."""
    her_old_key = KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD)
    copying, release = threading.Event(), threading.Event()
    opened = backup.open_raw
    sources: list[_SlowCopy] = []

    def open_slowly(path: Path, key: bytes) -> Any:
        conn = opened(path, key)
        if path == installation.db and not sources:
            sources.append(_SlowCopy(conn, copying, release))
            return sources[0]
        return conn

    monkeypatch.setattr(backup, "open_raw", open_slowly)
    out = tmp_path / "today.qorgau-backup"
    with ThreadPoolExecutor(2) as pool:
        written = pool.submit(backup.create_backup, ws, out)
        assert copying.wait(10)
        revoked = pool.submit(UserService(ws).revoke, "aigul")
        time.sleep(0.3)
        assert not revoked.done()  # waits for the copy rather than failing
        release.set()
        written.result(timeout=30)
        revoked.result(timeout=30)
    ws.close()
    assert not key_opens(installation.db, her_old_key)
    unlock(installation, "serik", PASSWORD).close()
    with zipfile.ZipFile(out) as archive:
        restored = tmp_path / "restored"
        archive.extractall(restored)
    # The copy and its key file are of the moment before the re-key: the old key opens both.
    assert key_opens(restored / DB_FILENAME, her_old_key)
    assert KeySlotStore(restored / KEYSLOTS_FILENAME).unlock("aigul", PASSWORD) == her_old_key


def test_a_revocation_while_a_list_is_read_in_the_background_waits_for_the_read(
    installation: Paths, ws: Workspace
) -> None:
    """The administrator revokes an officer while a page of this window reads in the
    background (the start page, a list's count): the re-key used to be refused as if another
    program held the database, her key opening the file until the next sign-in. It now waits
    for the read, and the read ends normally."""
    her_old_key = KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD)
    reading, release = threading.Event(), threading.Event()

    def read_a_page() -> int:
        with ws.read() as session:
            users = len(session.execute(select(User)).all())
            reading.set()
            assert release.wait(10)
            return users + len(session.execute(select(User)).all())

    with ThreadPoolExecutor(2) as pool:
        page = pool.submit(read_a_page)
        assert reading.wait(10)
        revoked = pool.submit(UserService(ws).revoke, "aigul")
        time.sleep(0.3)
        assert not revoked.done()  # waits for the read under way rather than failing
        release.set()
        assert page.result(timeout=30) > 0
        revoked.result(timeout=30)
    assert not key_opens(installation.db, her_old_key)
    assert key_opens(installation.db, ws.db.key)


def test_reads_asked_for_during_a_rekey_wait_for_it_and_read_under_the_new_key(
    installation: Paths, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read asked for while the file is re-encrypted (seconds at a large mission) used to
    open a connection under the old key: it made the re-key fail, or, once the key had
    changed, failed as a damaged database. It now waits and reads under the new key."""
    from app.security import rekey

    her_old_key = KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD)
    rekeying, release = threading.Event(), threading.Event()
    rekey_file = rekey.rekey_database

    def slow_rekey(*args: Any) -> None:
        rekeying.set()
        assert release.wait(10)
        rekey_file(*args)

    monkeypatch.setattr(rekey, "rekey_database", slow_rekey)

    def count_users() -> int:
        with ws.read() as session:
            return len(session.execute(select(User)).all())

    with ThreadPoolExecutor(2) as pool:
        revoked = pool.submit(UserService(ws).revoke, "aigul")
        assert rekeying.wait(10)
        asked = pool.submit(count_users)
        time.sleep(0.3)
        assert not asked.done()
        release.set()
        revoked.result(timeout=30)
        assert asked.result(timeout=30) >= 3
    assert not key_opens(installation.db, her_old_key)


def test_a_search_stopped_after_a_revocation_still_stops(ws: Workspace) -> None:
    """The window's searches and pages bind the database's ``interrupt`` once; the re-key
    swapped the workspace's database object, so after a revocation a superseded search ran
    to its end (at 100k cases, holding the worker while the next one waited)."""
    from sqlalchemy import text

    from app.db.engine import Interrupted

    interrupt = ws.db.interrupt  # bound as a page binds it, before the revocation
    UserService(ws).revoke("aigul")
    running, outcome = threading.Event(), []
    slow = text(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000000) "
        "SELECT count(*) FROM n"
    )

    def search() -> None:
        try:
            with ws.read() as session:
                running.set()
                session.execute(slow).scalar_one()
            outcome.append("ran to its end")
        except Interrupted:
            outcome.append("stopped")

    worker = threading.Thread(target=search)
    worker.start()
    assert running.wait(10)
    time.sleep(0.2)
    assert worker.ident is not None
    interrupt(worker.ident)
    worker.join(60)
    assert outcome == ["stopped"]


def test_a_revocation_behind_a_long_import_says_so_and_the_window_finishes_it_at_close(
    installation: Paths, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A session of this window that outlasts the re-key's wait (an import at a large
    mission): her slot is gone at once and the others hold the new key; the file itself is
    re-keyed when the window closes (or at the next sign-in), and the administrator is told
    so rather than shown an error."""
    from app.services import users

    monkeypatch.setattr(users, "REKEY_WAIT_S", 0.5)
    her_old_key = KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD)
    reading, release = threading.Event(), threading.Event()

    def long_read() -> int:
        with ws.read() as session:
            session.execute(select(User)).all()
            reading.set()
            assert release.wait(10)
            return len(session.execute(select(User)).all())

    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(long_read)
        assert reading.wait(10)
        assert UserService(ws).revoke("aigul").rekey_waiting
        release.set()
        assert running.result(10) >= 3  # the import's session was left alone
    with pytest.raises(AuthError):
        KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD)
    assert key_opens(installation.db, ws.db.key)  # this window carries on meanwhile
    store = SecretStore(keyring.get_keyring())
    assert remember_unlock(ws, store)
    ws.close()
    # The key "unlock on this computer" kept before the window closed (and finished the
    # re-key) opens nothing now: the password is asked for, which reaches the new key.
    assert unlock_with_keyring(installation, "admin", store) is None
    unlock(installation, "admin", PASSWORD).close()
    assert not key_opens(installation.db, her_old_key)
    assert KeySlotStore(installation.keyslots).state().rekey_to is None
