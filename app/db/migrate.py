"""Schema migrations at start-up: back up first, refuse a database newer than the code."""

from __future__ import annotations

import importlib.util
import re
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, inspect, text

from app.db import MIGRATION_NOTICE
from app.db.engine import Database
from app.errors import DatabaseError, WrittenByNewerVersion
from app.i18n import _
from app.resources import migrations_dir

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = migrations_dir()
# FTS5 tables are SQLite-only and live outside the models (see app/services/search.py).
FTS_PREFIX = "search_index"


EXPRESSION_INDEXES = frozenset({"ix_case_overdue_order"})  # migration 0029


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Migrations spell the UTC timestamp type as the plain SQLAlchemy type they store."""
    from app.db.models import UtcDateTime

    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Autogenerate ignores the FTS5 index and its shadow tables, and the indexes on an
    expression: SQLite cannot reflect them, and PostgreSQL gives back a CASE laid out over
    several lines, which autogenerate takes for another expression (their migrations' tests
    check them on both engines)."""
    if type_ == "index" and name in EXPRESSION_INDEXES:
        return False
    return not (type_ == "table" and name is not None and name.startswith(FTS_PREFIX))


# Alembic is imported only when a migration runs: opening an up-to-date database (every start
# of the app) reads the two revision numbers without it.
_REVISION_LINE = re.compile(
    r"^(down_revision|revision|server_only)\s*=\s*['\"]?([\w]+|None)['\"]?", re.M
)


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@cache
def revision_module(revision: str) -> ModuleType:
    """An earlier migration's module, for a later one that builds on its parts (loaded by path:
    the versions folder is no package)."""
    (path,) = (MIGRATIONS_DIR / "versions").glob(f"{revision}_*.py")
    spec = importlib.util.spec_from_file_location(f"qorgau_migration_{revision}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _revision_files() -> dict[str, dict[str, str | None]]:
    """revision -> its ``down_revision`` and ``server_only``, read from the migration files."""
    files: dict[str, dict[str, str | None]] = {}
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = dict(
            (key, None if value == "None" else value)
            for key, value in _REVISION_LINE.findall(path.read_text(encoding="utf-8"))
        )
        if found.get("revision"):
            files[str(found["revision"])] = found
    return files


def _revision_graph() -> dict[str, str | None]:
    """revision -> down_revision."""
    return {revision: found.get("down_revision") for revision, found in _revision_files().items()}


def changes_sqlite(current: str, head: str) -> bool:
    """Whether any revision after ``current`` up to ``head`` touches a SQLite database: one
    marked ``server_only = True`` changes only PostgreSQL's (and needs no backup copy)."""
    files = _revision_files()
    revision: str | None = head
    while revision is not None and revision != current:
        found = files.get(revision)
        if found is None or found.get("server_only") != "True":
            return True
        revision = found.get("down_revision")
    return False


def head_revision() -> str:
    graph = _revision_graph()
    heads = set(graph) - {down for down in graph.values() if down}
    if len(heads) != 1:
        raise DatabaseError(f"migrations must have one head, found {sorted(heads)}")
    return heads.pop()


def known_revisions() -> set[str]:
    return set(_revision_graph())


def current_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade_to(connection: Connection, revision: str = "head") -> None:
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def ensure_schema(db: Database, backup_dir: Path | None) -> bool:
    """Bring the schema to head; returns True when a migration ran.

    A database that already has tables is backed up before it is migrated. A revision the code
    does not know means the file was written by a newer Qorgau: refuse rather than damage it.
    """
    with db.engine.connect() as connection:
        current = current_revision(connection)
    head = head_revision()
    if current == head:
        return False
    if current is not None and current not in known_revisions():
        raise WrittenByNewerVersion(
            _(
                "This database was written by a newer version of Qorgau; "
                "install the newer version to open it."
            )
        )
    copy: Path | None = None
    notice = MIGRATION_NOTICE.get()
    if current is not None and notice is not None:
        notice()
    # A server's database is backed up by its administrator (pg_dump, PITR), not by a copy;
    # a mission's file is copied first unless the migrations ahead change nothing in it.
    if (
        current is not None
        and backup_dir is not None
        and db.dialect == "sqlite"
        and changes_sqlite(current, head)
    ):
        from app.security.private_files import exclusive_lock, make_private_dir
        from app.services.backup import DISK_RESERVE, backup_database, database_bytes, disks_lacking

        make_private_dir(backup_dir)
        # Held while the copy is written: a start that finds it free knows that a partial
        # copy beside it was left by one killed half-way, not one under way.
        with exclusive_lock(backup_dir / MIGRATION_COPY_LOCK):
            remove_killed_migration_copies(backup_dir)  # each the database's size: room too
            # A migration may grow the file too (0013 did by 40 %): the reserve is for that.
            lacking = disks_lacking([(backup_dir, database_bytes(db.path) + DISK_RESERVE)])
            if lacking:
                raise DatabaseError(
                    _(
                        "Before it updates the database to this version, Qorgau keeps a copy "
                        "of it. {reason} Then start Qorgau again."
                    ).format(reason=lacking)
                )
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
            copy = backup_dir / f"{MIGRATION_COPY_PREFIX}{current}-{stamp}.db"
            backup_database(db, copy)
    try:
        with db.engine.begin() as connection:
            upgrade_to(connection)
    except Exception as exc:
        raise migration_failed(exc, copy) from exc
    finally:
        # Also after a failure: each start tries again and takes another whole copy.
        if backup_dir is not None:
            prune_migration_copies(backup_dir)
    return True


def migration_failed(exc: Exception, copy: Path | None) -> Exception:
    """A migration that failed, for the person starting Qorgau: its one transaction was
    rolled back, so the database is as the previous version left it. It reached them as
    "internal error: ..." with no word of that, nor of the copy, nor of what to do."""
    from sqlalchemy.exc import DBAPIError

    from app.db.engine import user_facing

    said = user_facing(exc)  # a full disk, a busy file: what the person can act on
    if said is not None:
        return said
    if isinstance(exc, DatabaseError):
        return exc
    cause = exc.orig if isinstance(exc, DBAPIError) else exc
    reason = (str(cause).splitlines() or [type(cause).__name__])[0]
    message = _(
        "Qorgau could not update the database to this version ({error}). The update was "
        "undone: the database is as it was, nothing in it was lost. Install the previous "
        "version of Qorgau again to go on working, and report this message to headquarters."
    ).format(error=reason)
    if copy is not None:
        message += " " + _("A copy of the database taken before the update is in {path}.").format(
            path=str(copy)
        )
    return DatabaseError(message)


MIGRATION_COPY_PREFIX = "before-migration-"
MIGRATION_COPIES_KEPT = 2
MIGRATION_COPY_LOCK = "before-migration.lock"  # held while a copy is written
# What a copy killed half-way leaves: the copy under its ".part" name (``backup_database``
# renames it when whole) and SQLite's journal files beside it.
_KILLED_COPY_PARTS = ("", "-wal", "-shm", "-journal")


def remove_killed_migration_copies(backup_dir: Path) -> list[Path]:
    """Remove the partial copies of migration copies killed half-way (the task manager, a
    power cut); the caller holds ``MIGRATION_COPY_LOCK``. Each was as large as the database,
    nothing removed it, and its room counted against the next copy, which the disk check
    then refused; it never was a copy that could be put back (``migration_copies`` lists
    whole ones only)."""
    removed = []
    for suffix in _KILLED_COPY_PARTS:
        for part in backup_dir.glob(f"{MIGRATION_COPY_PREFIX}*.db.part{suffix}"):
            if part.is_symlink() or not part.is_file():
                continue
            try:
                part.unlink()
            except OSError:
                continue  # removed meanwhile, or not ours to remove: left as it was
            removed.append(part)
    return removed


def prune_migration_copies(backup_dir: Path, keep: int = MIGRATION_COPIES_KEPT) -> list[Path]:
    """Delete all but the ``keep`` newest copies taken before migrations; returns those
    deleted. Each is the whole file (760 MB at 100,000 cases) and none was ever removed, so
    every update with a migration left one more in the data folder; one from two updates ago
    would need that older Qorgau to be of use."""
    copies = sorted(
        backup_dir.glob(f"{MIGRATION_COPY_PREFIX}*.db"), key=lambda path: path.stat().st_mtime
    )
    removed = copies[: max(0, len(copies) - keep)]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed
