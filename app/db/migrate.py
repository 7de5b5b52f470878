"""Schema migrations at start-up: back up first, refuse a database newer than the code."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from app.db.engine import Database
from app.errors import DatabaseError
from app.i18n import _

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# FTS5 tables are SQLite-only and live outside the models (see app/services/search.py).
FTS_PREFIX = "search_index"


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Migrations spell the UTC timestamp type as the plain SQLAlchemy type they store."""
    from app.db.models import UtcDateTime

    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Autogenerate ignores the FTS5 index and its shadow tables."""
    return not (type_ == "table" and name is not None and name.startswith(FTS_PREFIX))


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def upgrade_to(connection: Connection, revision: str = "head") -> None:
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
        raise DatabaseError(
            _(
                "This database was written by a newer version of Qorgau; "
                "install the newer version to open it."
            )
        )
    if current is not None and backup_dir is not None:
        from app.services.backup import backup_database

        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        backup_database(db, backup_dir / f"before-migration-{current}-{stamp}.db")
    with db.engine.begin() as connection:
        upgrade_to(connection)
    return True
