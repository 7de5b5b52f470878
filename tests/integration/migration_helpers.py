"""Taking a test database down and up the migration history."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, Select, create_engine, insert, text

from app.config import Paths
from app.db import migrate
from app.db.engine import Database
from app.db.models import Base, Mission, new_id
from app.services.workspace import Workspace
from tests.pg_cluster import Cluster, admin_execute

T = TypeVar("T")


def downgrade(connection: Connection, revision: str) -> None:
    """Alembic's downgrade to ``revision``, on the caller's connection (and transaction)."""
    from alembic import command

    config = migrate.alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


def downgraded(installation: Paths, ws: Workspace, revision: str) -> Database:
    """Closes ``ws`` and opens its database on its own, taken down to ``revision``; the caller
    disposes of it."""
    key = ws.db.key
    ws.close()
    db = Database(installation.db, key)
    try:
        with db.engine.begin() as connection:
            downgrade(connection, revision)
    except BaseException:
        db.dispose()
        raise
    return db


@contextmanager
def filled_and_upgraded(
    installation: Paths, ws: Workspace, revision: str, fill: Callable[[Connection], T]
) -> Iterator[tuple[Connection, T]]:
    """``ws``'s database taken down to ``revision``, filled there (``fill``'s result given back)
    and up to head in one transaction; then a connection to it, checked to be as the models."""
    db = downgraded(installation, ws, revision)
    try:
        with db.engine.begin() as connection:
            filled = fill(connection)
            migrate.upgrade_to(connection, "head")
        with db.engine.connect() as connection:
            assert_at_head_as_the_models(connection)
            yield connection, filled
    finally:
        db.dispose()


def upgraded_from_first(engine: Engine, first: str) -> None:
    """Up to ``first``, then to head in a second step, as an old installation is upgraded."""
    with engine.begin() as connection:
        migrate.upgrade_to(connection, first)
    with engine.begin() as connection:
        migrate.upgrade_to(connection, "head")


def assert_at_head_as_the_models(connection: Connection) -> None:
    """The database is at head and its schema is what the models declare."""
    assert migrate.current_revision(connection) == migrate.head_revision()
    context = MigrationContext.configure(
        connection, opts={"include_object": migrate.include_object, "compare_type": True}
    )
    with warnings.catch_warnings():
        # Indexes on an expression are left out of the comparison (migrate.include_object).
        warnings.filterwarnings("ignore", message=".*expression-based index")
        assert compare_metadata(context, Base.metadata) == []


def indexed_columns(connection: Connection, index: str) -> list[str]:
    """The columns of SQLite index ``index``, in order."""
    rows = connection.execute(text(f"PRAGMA index_info('{index}')"))
    return [row.name for row in sorted(rows, key=lambda row: row.seqno)]


def query_plan(connection: Connection, query: Select) -> str:
    """The engine's plan for ``query`` (its values written in), its steps joined by " / "."""
    compiled = query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    if connection.dialect.name == "postgresql":
        return " / ".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {compiled}"))
    rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
    return " / ".join(row[3] for row in rows)


@contextmanager
def scratch_database(cluster: Cluster, name: str) -> Iterator[Engine]:
    """An engine on a new, empty database ``name`` of the test cluster, as its administrator."""
    admin_execute(cluster, f"CREATE DATABASE {name}")
    url = cluster.admin_url.replace("/postgres?", f"/{name}?")
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        yield engine
    finally:
        engine.dispose()


def migrated_hq(connection: Connection, revision: str) -> None:
    """An empty database taken to ``revision`` as headquarters': its own mission row, local."""
    migrate.upgrade_to(connection, revision)
    connection.execute(
        insert(Mission),
        [
            {"id": new_id(), "origin_mission": "HQ", "code": "HQ", "is_local": True}
            | {"is_hq": True, "country": "KZ", "city": "Astana"}
        ],
    )
