"""Moving an HQ file installation (SQLCipher) into PostgreSQL: ``qorgau hq migrate --to``.

All or nothing: the schema (the same Alembic history), every row, the search index and the
grants are written in ONE transaction on the server (PostgreSQL's DDL is transactional), and
the per-table counts are compared before it commits; any failure rolls back the whole of it,
so the target is as empty afterwards as before. The source file is only read.

Refused before anything is written: a mission installation (only HQ moves to a server), a
target database that holds any table already (unless it is an empty schema at this code's
revision), and a target at another schema revision.

HQ's private keys do not go to the server (``app/security/hq_secrets.py``): they are kept on
this workstation, in the new data folder that points at the server.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Table, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.config import Paths
from app.db.migrate import current_revision, head_revision, upgrade_to
from app.db.models import Base, Case, LocalSecret
from app.db.postgres import CONFIG_FILE, ServerConfig
from app.domain.roles import ADMIN_OR_HQ
from app.errors import DatabaseError, ValidationError
from app.i18n import _
from app.security import audit
from app.security.hq_secrets import (
    PRIVATE_NAMES,
    SecretPlace,
    entry_name,
    keep_on_workstation,
    secrets_file,
)
from app.security.keyring_store import SecretStore
from app.security.private_files import make_private_dir
from app.services.hq_database import OWNER, apply_grants, connect_engine, server_errors
from app.services.search import index_cases
from app.services.workspace import Workspace

BATCH_ROWS = 1000
INDEX_BATCH = 500
# Not copied: secrets stay off the server; the dashboard's day counts are derived and rebuilt
# by the server's own triggers as the cases arrive (their counts are checked all the same).
NOT_COPIED = frozenset({"local_secret"})
DERIVED = frozenset({"case_day_stat"})

ProgressFn = Callable[[str, int], None]


@dataclass(frozen=True)
class TableCount:
    table: str
    source: int
    target: int


@dataclass(frozen=True)
class MigrationReport:
    target: str
    revision: str
    tables: tuple[TableCount, ...]
    cases_indexed: int
    secrets: SecretPlace | None
    workstation: Path


def server_config_of(url: str) -> ServerConfig:
    """What the new data folder keeps: where the server is, without user or password."""
    parsed = make_url(url)
    query = {key: str(value) for key, value in parsed.query.items()}
    port = query.get("port", "")
    return ServerConfig(
        # libpq's ?host=/folder names a local socket's folder instead of a network host.
        host=parsed.host or query.get("host", "") or "localhost",
        port=parsed.port or (int(port) if port.isdigit() else 5432),
        database=parsed.database or "",
        sslmode=query.get("sslmode", "prefer"),
        sslrootcert=query.get("sslrootcert", ""),
    )


def _check_source(ws: Workspace) -> str:
    ws.require_role(*ADMIN_OR_HQ)
    if not ws.mission.is_hq:
        raise ValidationError(
            _(
                "This is a mission's installation; only headquarters moves to a database "
                "server. Nothing was changed."
            )
        )
    if ws.db.dialect != "sqlite":
        raise ValidationError(_("This installation is on a database server already."))
    with ws.read() as session:
        revision = current_revision(session.connection())
    if revision != head_revision():
        raise DatabaseError(_("Open the installation once with this version of Qorgau first."))
    return revision


def _check_target(target: Connection, revision: str) -> bool:
    """True when the schema must be created; refuses a non-empty target or another revision."""
    tables = list(
        target.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        ).scalars()
    )
    if not tables:
        return True
    found = current_revision(target)
    if found != revision:
        raise ValidationError(
            _(
                "The target database is at schema revision {found}, this installation at "
                "{revision}; nothing was copied."
            ).format(found=found or _("none"), revision=revision)
        )
    for table in Base.metadata.sorted_tables:
        if (
            table.name in tables
            and target.execute(select(func.count()).select_from(table)).scalar()
        ):
            raise ValidationError(
                _(
                    "The target database is not empty (table {table} holds rows); Qorgau "
                    "copies into an empty database only. Nothing was copied."
                ).format(table=table.name)
            )
    return False


def _copy_table(source: Connection, target: Connection, table: Table) -> int:
    copied = 0
    result = source.execution_options(yield_per=BATCH_ROWS).execute(select(table))
    for rows in result.partitions(BATCH_ROWS):
        target.execute(table.insert(), [dict(row._mapping) for row in rows])
        copied += len(rows)
    return copied


def _count(connection: Connection, table: Table) -> int:
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def _reindex(target: Connection) -> int:
    ids = list(target.execute(select(Case.id).order_by(Case.id)).scalars())
    with Session(bind=target) as session:
        for start in range(0, len(ids), INDEX_BATCH):
            index_cases(session, ids[start : start + INDEX_BATCH])
        session.flush()
    return len(ids)


def _has_roles(target: Connection) -> bool:
    return (
        target.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": OWNER}).first()
        is not None
    )


def _forget_workstation(workstation: Paths, database_id: str, store: SecretStore) -> None:
    """After a failure: no copy of the keys or pointer to the server stays behind."""
    for name in PRIVATE_NAMES:
        store.delete(entry_name(database_id, name))
    for path in (secrets_file(workstation.data_dir), (workstation.data_dir / CONFIG_FILE)):
        path.unlink(missing_ok=True)


def migrate_to_server(
    ws: Workspace,
    url: str,
    workstation: Paths,
    store: SecretStore,
    progress: ProgressFn | None = None,
) -> MigrationReport:
    """Copy the open HQ installation ``ws`` into the PostgreSQL database at ``url``.

    ``url`` carries the account that creates the schema (an HQ administrator or the owner);
    ``workstation`` is the new data folder on this computer: it receives the server's address
    and HQ's private keys (or they go to the keyring).
    """
    revision = _check_source(ws)
    if workstation.is_initialised() or (workstation.data_dir / CONFIG_FILE).exists():
        raise ValidationError(
            _("A Qorgau installation already exists in {path}.").format(
                path=str(workstation.data_dir)
            )
        )
    config = server_config_of(url)
    database_id = f"server:{config.display}"
    counts: list[TableCount] = []
    engine = connect_engine(url)
    place: SecretPlace | None = None
    try:
        with server_errors(), engine.begin() as target, ws.read() as session:
            source = session.connection()
            if _has_roles(target):
                # Created as the owner, so that no one person's account owns the schema.
                target.exec_driver_sql(f"SET LOCAL ROLE {OWNER}")
            if _check_target(target, revision):
                upgrade_to(target)
            for table in Base.metadata.sorted_tables:
                if table.name in NOT_COPIED | DERIVED:
                    continue
                if progress:
                    progress(table.name, 0)
                copied = _copy_table(source, target, table)
                if progress:
                    progress(table.name, copied)
            for table in Base.metadata.sorted_tables:
                if table.name in NOT_COPIED:
                    continue
                found = TableCount(table.name, _count(source, table), _count(target, table))
                counts.append(found)
                if found.source != found.target:
                    raise DatabaseError(
                        _(
                            "Table {table}: {source} rows here, {target} on the server; "
                            "nothing was copied."
                        ).format(table=found.table, source=found.source, target=found.target)
                    )
            indexed = _reindex(target)
            secrets = {
                row.name: bytes(row.value)
                for row in session.execute(
                    select(LocalSecret).where(LocalSecret.name.in_(PRIVATE_NAMES))
                ).scalars()
            }
            with Session(bind=target) as audit_session:
                audit.record(
                    audit_session,
                    ws.actor.username,
                    "installation.migrated",
                    "mission",
                    ws.mission_code,
                    {"to": config.display, "tables": {c.table: c.target for c in counts}},
                )
            if _has_roles(target):
                apply_grants(target)
            # Last before the commit: if the workstation cannot keep the keys, nothing moved.
            make_private_dir(workstation.data_dir)
            if secrets:
                place = keep_on_workstation(workstation.data_dir, database_id, secrets, store)
        config.save(workstation.data_dir)
    except BaseException:
        _forget_workstation(workstation, database_id, store)
        raise
    finally:
        engine.dispose()
    return MigrationReport(
        config.display, revision, tuple(counts), indexed, place, workstation.data_dir
    )
