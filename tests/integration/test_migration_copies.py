"""Going back to the copy an update took before its migrations, as the README's manual steps
do, from Settings: listed with when and the database version it holds; refused when the
database got a new key since (the copy opens with nothing current)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import Paths
from app.db.raw import open_raw
from app.errors import DatabaseError
from app.services.installation import unlock
from app.services.migration_copies import (
    RESTORED_ACTION,
    check_migration_copy,
    migration_copies,
    restore_migration_copy,
)
from app.services.records import PersonInput
from app.services.users import UserService
from tests.builders import wage_case
from tests.conftest import PASSWORD, snapshot
from tests.integration.cli_helpers import run_python
from tests.integration.migration_helpers import downgraded


def updated_from_0024(installation: Paths) -> bytes:
    """The installation as an update from database version 0024 left it (the copy taken
    first); its key."""
    ws = unlock(installation, "admin", PASSWORD)
    key = ws.db.key
    downgraded(installation, ws, "0024").dispose()
    unlock(installation, "admin", PASSWORD).close()  # the update: copy, then migrations
    return key


def test_the_copy_is_listed_and_put_back_with_the_files_it_replaced_kept(
    installation: Paths,
) -> None:
    key = updated_from_0024(installation)
    ws = unlock(installation, "admin", PASSWORD)
    since = wage_case(ws, PersonInput(surname="Сәрсенбаев", given_names="Нұрлан")).number
    ws.close()

    (copy,) = migration_copies(installation)
    assert copy.database_version == "0024"
    assert copy.path.parent == installation.backups and copy.size > 0
    (installation.backups / "before-migration-notes.db").write_text("not ours")  # no stamp
    assert migration_copies(installation) == [copy]

    done = restore_migration_copy(installation, copy, "admin", PASSWORD)
    assert copy.path.exists()  # put back by copying: the copy stays for another try
    assert (done.replaced_in / "qorgau.db").exists()
    assert not (installation.data_dir / "qorgau.db-wal").exists()
    raw = open_raw(installation.db, key)
    try:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0024"
        numbers = [row[0] for row in raw.execute("SELECT number FROM 'case'")]
        last = raw.execute("SELECT actor, action, details FROM audit_entry ORDER BY seq DESC")
        actor, action, details = last.fetchone()
    finally:
        raw.close()
    assert since not in numbers  # what was saved after the update is gone, as said
    assert (actor, action) == ("admin", RESTORED_ACTION)
    assert '"database_version": "0024"' in details
    raw = open_raw(done.replaced_in / "qorgau.db", key)
    try:  # the replaced file, kept whole, with what was saved after the update
        assert raw.execute("SELECT count(*) FROM 'case' WHERE number = ?", (since,)).fetchone()
    finally:
        raw.close()


def test_a_copy_from_before_a_new_key_is_refused_and_nothing_changes(
    installation: Paths, tmp_path: Path
) -> None:
    updated_from_0024(installation)
    ws = unlock(installation, "admin", PASSWORD)
    UserService(ws).revoke("aigul")  # re-keys the database: the copy keeps the old key
    ws.close()
    (copy,) = migration_copies(installation)
    before = snapshot(installation.data_dir)
    for attempt in (check_migration_copy, restore_migration_copy):
        with pytest.raises(DatabaseError) as refused:
            attempt(installation, copy, "admin", PASSWORD)
        assert str(refused.value).startswith(
            "This copy was taken before the database got a new key (a user revoked, a "
            "password reset or a recovery by an administrator since then)"
        )
        assert "Restore a backup (.qbackup) instead; nothing was changed." in str(refused.value)
    assert snapshot(installation.data_dir).keys() == before.keys()
    assert snapshot(installation.data_dir)["qorgau.db"] == before["qorgau.db"]


def test_only_an_administrator_puts_a_copy_back(installation: Paths) -> None:
    updated_from_0024(installation)
    (copy,) = migration_copies(installation)
    with pytest.raises(Exception, match="Only an administrator"):
        check_migration_copy(installation, copy, "aigul", PASSWORD)


_COPY_KILLED = """
import os, signal, sys
os.environ["QORGAU_KDF_PROFILE"] = "test"
from pathlib import Path
from app.config import Paths
from app.services import backup
from app.services.installation import unlock
real_replace = os.replace
def dies(source, target):  # the copy is written under its .part name, not yet renamed
    if Path(target).name.startswith("before-migration-"):
        os.kill(os.getpid(), signal.SIGKILL)  # the power is cut
    real_replace(source, target)
backup.os.replace = dies
unlock(Paths(Path(sys.argv[1])), "admin", sys.argv[2])
"""


def test_a_copy_killed_half_way_is_never_listed_and_the_next_start_removes_it(
    installation: Paths,
) -> None:
    """The copy is written as ``<name>.part`` and renamed when whole: a start killed before
    that left the part, the database's size, in ``backups/`` for good, and its room counted
    against every later copy."""
    ws = unlock(installation, "admin", PASSWORD)
    downgraded(installation, ws, "0024").dispose()
    child = run_python(["-c", _COPY_KILLED, str(installation.data_dir), PASSWORD])
    assert child.code == -9, child.err
    (killed,) = installation.backups.glob("before-migration-0024-*.db.part")
    assert killed.stat().st_size > 0
    # Killed at an earlier start (the next one's copy, named by its second, is another file).
    part = killed.rename(killed.with_name("before-migration-0024-20261130-093000.db.part"))
    leftover_journal = part.with_name(part.name + "-journal")
    leftover_journal.write_bytes(b"\0" * 512)  # as SQLite leaves one killed mid-write
    other = installation.backups / "notes.db.part"  # not a migration copy's: left alone
    other.write_text("not ours")
    assert migration_copies(installation) == []  # a part is no copy to put back

    unlock(installation, "admin", PASSWORD).close()  # the next start: the update again

    assert not part.exists() and not leftover_journal.exists()
    assert other.exists()
    (copy,) = migration_copies(installation)
    assert copy.database_version == "0024" and copy.path.suffix == ".db"
    assert not list(installation.backups.glob("before-migration-*.part*"))
