"""Restore and backup against a revoked officer and against a foreign or stale backup.

The attack of issue 14: a revoked user restores her own old backup, which would make her
active again and delete the cases created since. Restore needs a signed-in administrator of
the current installation, the same installation (database id), and a confirmation.
"""

from __future__ import annotations

import base64
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from app.config import Paths
from app.db.models import AuditEntry, LocalSecret
from app.errors import AuthError, DatabaseError, PermissionDenied
from app.security.keyslots import KeySlotStore
from app.security.rekey import key_opens
from app.services.backup import ConfirmationRequired, create_backup, restore_backup
from app.services.installation import SIGNING_KEY, unlock
from app.services.keys import KeyService
from app.services.users import UserService
from app.services.workspace import Workspace
from tests.conftest import MISSION, PASSWORD
from tests.integration.cli_helpers import Run
from tests.security.folder import add_case, cli_as, folder_bytes

Capsys = pytest.CaptureFixture[str]


CliAs = Callable[..., Run]


@pytest.fixture
def cli(installation: Paths, capsys: Capsys, monkeypatch: pytest.MonkeyPatch) -> CliAs:
    """The ``qorgau`` command on the test's installation: ``cli(user, *args)``."""

    def run(user: str, *args: str) -> Run:
        return cli_as(capsys, monkeypatch, installation.data_dir, user, PASSWORD, *args)

    return run


def _cases(capsys: Capsys, monkeypatch: pytest.MonkeyPatch, paths: Paths) -> str:
    listed = cli_as(capsys, monkeypatch, paths.data_dir, "admin", PASSWORD, "case", "list")
    assert listed.code == 0, listed.err
    return listed.out


def test_revoked_user_cannot_restore_her_own_old_backup(
    installation: Paths, tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch, cli: CliAs
) -> None:
    old = tmp_path / "serik.qbackup"
    made = cli("serik", "backup", "--out", str(old))
    assert made.code == 0, made.err  # a consul may take a backup
    her_key_file = installation.keyslots.read_bytes()
    revoked = cli("admin", "user", "revoke", "serik")
    assert revoked.code == 0, revoked.err
    number = add_case(capsys, monkeypatch, installation.data_dir, tmp_path, PASSWORD)
    before = folder_bytes(installation.data_dir)

    attempt = cli("serik", "restore", str(old), "--yes")
    assert attempt.code == 1 and "Wrong user name or password" in attempt.err
    assert folder_bytes(installation.data_dir) == before

    # With her copy of the old key file in place she still cannot sign in to the current data.
    current_key_file = installation.keyslots.read_bytes()
    installation.keyslots.write_bytes(her_key_file)
    before = folder_bytes(installation.data_dir)
    attempt = cli("serik", "restore", str(old), "--yes")
    assert attempt.code == 1
    assert folder_bytes(installation.data_dir) == before
    installation.keyslots.write_bytes(current_key_file)
    assert number in _cases(capsys, monkeypatch, installation)  # nothing was deleted


def test_an_attache_may_neither_back_up_nor_restore(
    installation: Paths, tmp_path: Path, cli: CliAs
) -> None:
    out = tmp_path / "taken.qbackup"
    refused = cli("aigul", "backup", "--out", str(out))
    assert refused.code == 1 and "does not allow" in refused.err
    assert not out.exists()
    made = cli("admin", "backup", "--out", str(out))
    assert made.code == 0, made.err
    before = folder_bytes(installation.data_dir)
    attempt = cli("aigul", "restore", str(out), "--yes")
    assert attempt.code == 1 and "Only an administrator" in attempt.err
    assert folder_bytes(installation.data_dir) == before


def test_restore_refuses_another_installations_backup(
    installation: Paths, tmp_path: Path, ws: Workspace
) -> None:
    other = Paths(tmp_path / "other")
    from app.services.installation import init_installation

    init_installation(other, MISSION, "admin", PASSWORD)
    foreign_ws = unlock(other, "admin", PASSWORD)
    try:
        foreign = create_backup(foreign_ws, tmp_path / "foreign.qbackup").path
    finally:
        foreign_ws.close()
    ws.close()
    before = folder_bytes(installation.data_dir)
    with pytest.raises(DatabaseError) as refused:
        restore_backup(installation, foreign, "admin", PASSWORD, confirmed=True)
    assert folder_bytes(installation.data_dir) == before
    # The same mission set up anew (a new laptop) is told how to take the backup instead.
    said = str(refused.value)
    assert said.startswith(
        f"This backup belongs to another installation of mission {MISSION.code} (database "
    )
    assert said.endswith(
        f"move every file out of {installation.data_dir}, then restore the backup into the "
        "empty folder."
    )


def test_restore_asks_before_going_back_in_time(
    installation: Paths, tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch, cli: CliAs
) -> None:
    out = tmp_path / "mission.qbackup"
    assert cli("admin", "backup", "--out", str(out)).code == 0
    number = add_case(capsys, monkeypatch, installation.data_dir, tmp_path, PASSWORD)
    before = folder_bytes(installation.data_dir)
    with pytest.raises(ConfirmationRequired, match="every change made since then is lost"):
        restore_backup(installation, out, "admin", PASSWORD)
    unconfirmed = cli("admin", "restore", str(out))
    assert unconfirmed.code == 2 and "--yes" in unconfirmed.err
    assert folder_bytes(installation.data_dir) == before
    confirmed = cli("admin", "restore", str(out), "--yes")
    assert confirmed.code == 0, confirmed.err
    assert number not in _cases(capsys, monkeypatch, installation)  # back in time, as confirmed


def test_restoring_a_backup_from_before_a_revocation_keeps_her_out(
    installation: Paths, tmp_path: Path, ws: Workspace
) -> None:
    old = create_backup(ws, tmp_path / "before.qbackup").path
    her_old_key = KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD)
    UserService(ws).revoke("aigul")
    ws.close()
    result = restore_backup(installation, old, "admin", PASSWORD, confirmed=True)
    assert result.deactivated == ["aigul"]
    # The restored copy has the current key; her old key (which still opens the old backup
    # file itself, as documented) opens nothing in the data folder.
    assert not key_opens(installation.db, her_old_key)
    with pytest.raises(AuthError):
        unlock(installation, "aigul", PASSWORD)
    admin = unlock(installation, "admin", PASSWORD)
    try:
        states = {u.username: u.active for u in UserService(admin).list()}
    finally:
        admin.close()
    assert states["aigul"] is False and states["serik"] is True
    unlock(installation, "serik", PASSWORD).close()


def test_a_damaged_backup_changes_nothing(
    installation: Paths, tmp_path: Path, ws: Workspace
) -> None:
    good = create_backup(ws, tmp_path / "good.qbackup").path
    ws.close()
    damaged = tmp_path / "damaged.qbackup"
    shutil.copy(good, damaged)
    raw = bytearray(damaged.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    damaged.write_bytes(bytes(raw))
    before = folder_bytes(installation.data_dir)
    with pytest.raises(DatabaseError):
        restore_backup(installation, damaged, "admin", PASSWORD, confirmed=True)
    assert folder_bytes(installation.data_dir) == before


def test_restore_needs_a_signed_in_administrator_not_a_wrong_password(
    installation: Paths, tmp_path: Path, ws: Workspace
) -> None:
    out = create_backup(ws, tmp_path / "m.qbackup").path
    ws.close()
    before = folder_bytes(installation.data_dir)
    with pytest.raises(AuthError):
        restore_backup(installation, out, "admin", "not the password", confirmed=True)
    with pytest.raises(PermissionDenied):
        restore_backup(installation, out, "serik", PASSWORD, confirmed=True)
    assert folder_bytes(installation.data_dir) == before


def _without_wal_index(files: dict[str, bytes]) -> dict[str, bytes]:
    """SQLite's shared-memory index of the log changes under any reader: not data."""
    return {name: data for name, data in files.items() if not name.endswith("-shm")}


def test_restore_while_the_window_has_the_database_open_is_refused_and_loses_nothing(
    installation: Paths, tmp_path: Path, ws: Workspace
) -> None:
    """``qorgau restore --yes`` run while an officer's window is open used to move the
    backup into place under it, deleting the window's write-ahead log: what she had saved
    and not yet checkpointed vanished, and what she saved afterwards went to the replaced
    file, kept only under backups/."""
    from sqlalchemy import select

    from app.db.models import User

    out = create_backup(ws, tmp_path / "m.qbackup").path
    with ws.write() as session:  # saved in the window after the backup, still in its WAL
        user = session.execute(select(User).where(User.username == "serik")).scalar_one()
        user.full_name = "Serik, saved after the backup"
    before = _without_wal_index(folder_bytes(installation.data_dir))
    with pytest.raises(DatabaseError, match="open in another Qorgau window or command"):
        restore_backup(installation, out, "admin", PASSWORD, confirmed=True)
    assert _without_wal_index(folder_bytes(installation.data_dir)) == before
    ws.close()
    admin = unlock(installation, "admin", PASSWORD)
    try:
        names = {u.username: u.full_name for u in UserService(admin).list()}
    finally:
        admin.close()
    assert names["serik"] == "Serik, saved after the backup"
    # Once the window is closed the restore goes ahead.
    restore_backup(installation, out, "admin", PASSWORD, confirmed=True)


def test_the_backups_time_is_said_in_the_readers_format_and_local_time(
    installation: Paths, tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch, cli: CliAs
) -> None:
    """The confirmation and the result printed the manifest's UTC stamp as it is stored
    («2026-12-07T03:29:23+00:00»), in Kazakh and Russian too."""
    import json
    import zipfile
    from datetime import datetime

    from app.i18n import format_datetime, language_override

    out = tmp_path / "mission.qbackup"
    assert cli("admin", "backup", "--out", str(out)).code == 0
    with zipfile.ZipFile(out) as archive:
        stamp = json.loads(archive.read("manifest.json"))["created_at"]
    with language_override("ru"):
        local = format_datetime(datetime.fromisoformat(stamp).astimezone())
    unconfirmed = cli("admin", "--lang", "ru", "restore", str(out))
    assert unconfirmed.code == 2
    assert local in unconfirmed.err and stamp not in unconfirmed.err
    confirmed = cli("admin", "--lang", "ru", "restore", str(out), "--yes")
    assert confirmed.code == 0, confirmed.err
    assert local in confirmed.out and stamp not in confirmed.out


def _public_key_of(pem: bytes) -> str:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    private = load_pem_private_key(pem, None)
    assert isinstance(private, Ed25519PrivateKey)
    return base64.b64encode(private.public_key().public_bytes_raw()).decode("ascii")


def test_restoring_a_backup_from_before_a_revocation_keeps_the_new_signing_key(
    installation: Paths, tmp_path: Path, ws: Workspace
) -> None:
    old = create_backup(ws, tmp_path / "before.qbackup").path
    other_key = base64.b64encode(bytes(range(32))).decode("ascii")
    revocation = UserService(ws).revoke("aigul")  # replaces the key she could copy
    rotation = revocation.key_rotation
    assert rotation is not None
    # Since the backup, the registry learnt another mission's (replaced) key too.
    KeyService(ws).trust("DXB", other_key)
    ws.close()

    restore_backup(installation, old, "admin", PASSWORD, confirmed=True)

    admin = unlock(installation, "admin", PASSWORD)
    try:
        assert KeyService(admin).own_keys().signing_key == rotation.new_key
        with admin.read() as session:
            secret = session.get(LocalSecret, SIGNING_KEY)
            assert secret is not None
            # What the mission signs with: the current private key, not the revoked-era one.
            assert _public_key_of(bytes(secret.value)) == rotation.new_key
            entry = session.execute(
                select(AuditEntry).where(AuditEntry.action == "backup.restore")
            ).scalar_one()
            kept = entry.details["kept_current_keys"]
        assert kept["signing_key"] == rotation.new_key
        assert kept["signing_key_in_backup"] == rotation.old_key
        assert kept["trusted_keys"] == ["DXB"]
        assert {t.code: t.signing_key for t in KeyService(admin).trusted()}["DXB"] == other_key
    finally:
        admin.close()
