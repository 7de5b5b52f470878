from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, inspect, text

from app.config import Paths
from app.db import migrate
from app.db.engine import Database
from app.db.raw import open_raw
from app.errors import DatabaseError
from app.services.cases import CaseService
from app.services.installation import unlock
from app.services.records import PersonInput
from tests.conftest import PASSWORD, snapshot
from tests.integration.migration_helpers import (
    assert_at_head_as_the_models,
    downgrade,
    downgraded,
    upgraded_from_first,
)
from tests.pg_cluster import Cluster, admin_execute

FIRST_REVISION = "0001"


def test_upgrade_from_first_revision_matches_models(tmp_path: Path) -> None:
    db = Database(tmp_path / "m.db", b"k" * 32)
    try:
        upgraded_from_first(db.engine, FIRST_REVISION)
        with db.engine.connect() as connection:
            assert_at_head_as_the_models(connection)
            tables = connection.execute(
                text("SELECT name FROM sqlite_master WHERE name = 'search_index'")
            ).all()
            assert tables == [("search_index",)]
    finally:
        db.dispose()


# The day counts' update function: its settings, and whether it opens with 0027's EXISTS.
_UPDATE_FUNCTION = text(
    "SELECT proconfig, prosrc LIKE '%IF NOT EXISTS%' FROM pg_proc "
    "WHERE proname = 'case_day_stat_update_rows'"
)


def test_postgresql_runs_the_same_history_and_matches_models(pg_cluster: Cluster) -> None:
    """One history on both dialects: 0001..head on an empty PostgreSQL database leaves no
    difference from the models, keeps the day counts in triggers and goes back down cleanly."""
    admin_execute(pg_cluster, "CREATE DATABASE migrations_check")
    url = pg_cluster.admin_url.replace("/postgres?", "/migrations_check?")
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        upgraded_from_first(engine, FIRST_REVISION)
        with engine.connect() as connection:
            assert_at_head_as_the_models(connection)
            triggers = connection.execute(
                text("SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%day_stat%'")
            ).scalar_one()
            assert triggers == 9
            # Inserts (0015), a case's updates and its codes' deletes (0027) are counted per
            # statement: bit 0 of tgtype is "for each row".
            per_statement = connection.execute(
                text(
                    "SELECT tgname FROM pg_trigger WHERE tgname LIKE '%day_stat%' "
                    "AND tgtype & 1 = 0 ORDER BY tgname"
                )
            ).scalars()
            assert list(per_statement) == [
                "case_category_day_stat_delete",
                "case_category_day_stat_insert",
                "case_day_stat_insert",
                "case_day_stat_update",
                "case_ilo_indicator_day_stat_delete",
                "case_ilo_indicator_day_stat_insert",
            ]
            assert inspect(connection).has_table("search_index")
            assert connection.execute(_UPDATE_FUNCTION).one() == (["jit=off"], False)
        with engine.begin() as connection:
            downgrade(connection, "0030")
        with engine.connect() as connection:
            # 0031 down: 0027's function again, its EXISTS first, JIT as the server has it.
            assert connection.execute(_UPDATE_FUNCTION).one() == (None, True)
        with engine.begin() as connection:
            downgrade(connection, "base")
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


def test_newer_schema_is_refused_and_file_untouched(installation: Paths) -> None:
    ws = unlock(installation, "admin", PASSWORD)
    with ws.write() as session:
        session.execute(text("UPDATE alembic_version SET version_num = 'f00dfeed'"))
    ws.close()
    before = snapshot(installation.data_dir)
    with pytest.raises(DatabaseError, match="newer version of Qorgau"):
        unlock(installation, "admin", PASSWORD)
    assert snapshot(installation.data_dir) == before


def unlock_and_close(installation: Paths) -> bytes:
    """The database's key, from a sign-in."""
    ws = unlock(installation, "admin", PASSWORD)
    ws.close()
    return ws.db.key


def pretend_older(installation: Paths, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The file at a made-up older revision that the next start migrates (by setting the
    head's number): the revisions it was upgraded to, as they come."""
    ws = unlock(installation, "admin", PASSWORD)
    with ws.write() as session:
        session.execute(text("UPDATE alembic_version SET version_num = 'older01'"))
    ws.close()
    upgraded: list[str] = []
    monkeypatch.setattr(migrate, "known_revisions", lambda: {"older01", FIRST_REVISION})
    monkeypatch.setattr(
        migrate,
        "upgrade_to",
        lambda connection, revision="head": (
            upgraded.append(revision),
            connection.execute(
                text("UPDATE alembic_version SET version_num = :v"), {"v": migrate.head_revision()}
            ),
        ),
    )
    return upgraded


def test_backup_is_taken_before_a_migration(
    installation: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = unlock_and_close(installation)
    upgraded = pretend_older(installation, monkeypatch)
    unlock(installation, "admin", PASSWORD).close()
    assert upgraded == ["head"]
    backups = list(installation.backups.glob("before-migration-older01-*.db"))
    assert len(backups) == 1
    copy = open_raw(backups[0], key)
    try:
        version = copy.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        copy.close()
    assert version == "older01"


def test_a_migration_on_a_disk_without_room_for_its_copy_is_refused_untouched(
    installation: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No copy, no migration: refused with the room needed, the file as it was, and the
    next start (with room) migrates."""
    import shutil
    from collections import namedtuple

    upgraded = pretend_older(installation, monkeypatch)
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: usage(2**30, 2**30 - 2**20, 2**20))
    before = snapshot(installation.data_dir)
    with pytest.raises(DatabaseError, match="keeps a copy of it. There is not enough free space"):
        unlock(installation, "admin", PASSWORD)
    assert upgraded == []
    # The login guard's files and the copies' lock (kept, as every lock file is) aside.
    kept = ("login", migrate.MIGRATION_COPY_LOCK)
    assert {
        k: v for k, v in snapshot(installation.data_dir).items() if not any(n in k for n in kept)
    } == {k: v for k, v in before.items() if not any(n in k for n in kept)}
    monkeypatch.undo()
    monkeypatch.setattr(migrate, "known_revisions", lambda: {"older01", FIRST_REVISION})
    monkeypatch.setattr(migrate, "upgrade_to", lambda connection, revision="head": None)
    unlock(installation, "admin", PASSWORD).close()
    assert len(list(installation.backups.glob("before-migration-older01-*.db"))) == 1


def test_a_migration_for_the_server_only_takes_no_backup(
    installation: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mission's file is not copied before migrations that change only PostgreSQL's schema
    (``server_only = True``): the copy of a large mission's file costs minutes for nothing."""
    assert not migrate.changes_sqlite("0014", "0015")  # 0015: PostgreSQL's triggers only
    assert migrate.changes_sqlite("0013", "0015")
    assert not migrate.changes_sqlite("0026", "0027")  # 0027: PostgreSQL's triggers only
    assert not migrate.changes_sqlite("0030", "0031")  # 0031: PostgreSQL's trigger only
    ws = unlock(installation, "admin", PASSWORD)
    with ws.write() as session:
        session.execute(text("UPDATE alembic_version SET version_num = 'older01'"))
    ws.close()
    files = {
        "older01": {"revision": "older01", "down_revision": None},
        "server1": {"revision": "server1", "down_revision": "older01", "server_only": "True"},
    }
    monkeypatch.setattr(migrate, "_revision_files", lambda: files)
    upgraded: list[str] = []
    monkeypatch.setattr(
        migrate,
        "upgrade_to",
        lambda connection, revision="head": (
            upgraded.append(revision),
            connection.execute(text("UPDATE alembic_version SET version_num = 'server1'")),
        ),
    )
    unlock(installation, "admin", PASSWORD).close()
    assert upgraded == ["head"]
    assert not list(installation.backups.glob("before-migration-*.db"))
    # One revision on the way that changes SQLite: the copy is taken.
    files["server1"]["server_only"] = None
    ws = unlock(installation, "admin", PASSWORD)
    with ws.write() as session:
        session.execute(text("UPDATE alembic_version SET version_num = 'older01'"))
    ws.close()
    unlock(installation, "admin", PASSWORD).close()
    assert len(list(installation.backups.glob("before-migration-older01-*.db"))) == 1


def test_letters_migration_writes_a_known_city_in_kazakh_and_russian(tmp_path: Path) -> None:
    db = Database(tmp_path / "m.db", b"k" * 32)
    try:
        with db.engine.begin() as connection:
            migrate.upgrade_to(connection, "0003")
            connection.execute(
                text(
                    "INSERT INTO mission (id, origin_mission, version, updated_at, change_seq, "
                    "code, is_local, is_hq, country, city, name_kk, name_ru, name_en, "
                    "address_kk, address_ru, address_en, phone, email) VALUES ('m1', 'SEL', 1, "
                    "'2026-01-01 00:00:00', 1, 'SEL', 1, 0, 'KR', 'Seoul', '', '', '', '', '', "
                    "'', '', '')"
                )
            )
        with db.engine.begin() as connection:
            migrate.upgrade_to(connection, "head")
            row = connection.execute(text("SELECT city_kk, city_ru FROM mission")).one()
        assert tuple(row) == ("Сеул", "Сеул")
    finally:
        db.dispose()


def test_only_the_two_newest_copies_taken_before_migrations_are_kept(installation: Paths) -> None:
    """Each copy is the whole file (760 MB at 100,000 cases): every update with a migration
    left one more in the data folder, for good."""
    installation.backups.mkdir(parents=True, exist_ok=True)
    older = []
    for age, name in enumerate(("0005-20250101-000000", "0011-20250601-000000", "0016-20260301")):
        path = installation.backups / f"before-migration-{name}.db"
        path.write_bytes(b"an older copy")
        stamp = time.time() - (3 - age) * 86_400
        os.utime(path, (stamp, stamp))
        older.append(path)
    other = installation.backups / "qorgau-backup-by-hand.zip"
    other.write_bytes(b"kept")
    ws = unlock(installation, "admin", PASSWORD)
    downgraded(installation, ws, "0019").dispose()
    unlock(installation, "admin", PASSWORD).close()  # migrates to head, a copy first
    kept = sorted(p.name for p in installation.backups.glob("before-migration-*.db"))
    assert kept == sorted([older[2].name, next(installation.backups.glob("*-0019-*.db")).name])
    assert other.read_bytes() == b"kept"  # nothing else in the folder is touched


def test_a_migration_that_fails_is_undone_and_says_where_the_copy_is(
    installation: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A faulty migration stopped every start with "internal error: no such table: ..."; the
    user was not told that the database was left as it was, nor where its copy is, nor what
    to do, and each start kept one more whole copy of the file."""
    from tests.builders import wage_case

    ws = unlock(installation, "admin", PASSWORD)
    key = ws.db.key
    saved = wage_case(ws, PersonInput(surname="Сәрсенбаев", given_names="Нұрлан")).number
    downgraded(installation, ws, "0024").dispose()
    real_upgrade = migrate.upgrade_to

    def fails_at_its_last_step(connection: Connection, revision: str = "head") -> None:
        real_upgrade(connection, revision)
        connection.execute(text("ALTER TABLE no_such_table ADD COLUMN x INTEGER"))

    monkeypatch.setattr(migrate, "upgrade_to", fails_at_its_last_step)
    for _start in range(3):
        with pytest.raises(DatabaseError) as failed:
            unlock(installation, "admin", PASSWORD)
        time.sleep(1.1)  # copies are named to the second
    message = str(failed.value)
    assert message.startswith(
        "Qorgau could not update the database to this version (no such table: no_such_table)."
        " The update was undone"
    )
    assert "Install the previous version of Qorgau" in message
    copies = sorted(installation.backups.glob("before-migration-0024-*.db"))
    assert len(copies) == 2  # the two newest, not one more per start
    assert f"A copy of the database taken before the update is in {copies[-1]}." in message
    raw = open_raw(installation.db, key)
    try:  # rolled back: the previous version opens it as it left it
        assert raw.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0024"
    finally:
        raw.close()
    monkeypatch.undo()
    ws = unlock(installation, "admin", PASSWORD)  # the fixed version migrates it
    try:
        assert saved in [row.number for row in CaseService(ws).list_cases()]
    finally:
        ws.close()
