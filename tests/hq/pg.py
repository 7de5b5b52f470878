"""Helpers for the HQ tests on PostgreSQL (the server is the ``pg_server`` fixture of
tests/hq/conftest.py, a superuser's address). Each test gets a fresh database with a unique
name (roles are cluster-wide: the group roles are shared, login roles get a unique suffix)
and drops it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.config import Paths
from app.db.postgres import ServerConfig
from app.services.hq_database import add_user, grant_all, setup_database
from app.services.installation import MissionSetup, init_server_installation, unlock
from app.services.workspace import Workspace
from tests.hq.seed import pg
from tests.pg_cluster import Cluster

ADMIN_URL_ENV = "QORGAU_TEST_PG_ADMIN_URL"
PASSWORD = "a-long-enough-password"
HQ = MissionSetup(code="AST", country="KZ", city="Astana", is_hq=True)


def url_for(base: str, database: str, user: str | None = None, password: str | None = None) -> str:
    parsed = make_url(base).set(database=database)
    if user is not None:
        parsed = parsed.set(username=user, password=password)
    return parsed.render_as_string(hide_password=False)


def scalar(base: str, database: str, sql: str) -> int:
    """The whole number ``sql`` gives in ``database`` (a count), asked as ``base``'s user."""
    engine = create_engine(pg(url_for(base, database)))
    with engine.connect() as connection:
        value = int(connection.execute(text(sql)).scalar_one())
    engine.dispose()
    return value


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def drop_database(base: str, database: str, roles: tuple[str, ...] = ()) -> None:
    engine = create_engine(
        url_for(base, "postgres").replace("postgresql://", "postgresql+psycopg://", 1),
        isolation_level="AUTOCOMMIT",
    )
    with engine.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        for role in roles:
            connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{role}"')
    engine.dispose()


@dataclass
class ServerHq:
    paths: Paths
    admin: Workspace  # the HQ administrator who ran init (CREATEROLE)
    names: dict[str, str]  # short name → the unique server role name of this test

    def sign_in(self, who: str, password: str = PASSWORD) -> Workspace:
        return unlock(self.paths, self.names[who], password)


@contextmanager
def documented_hq(cluster: Cluster, folder: Path) -> Iterator[ServerHq]:
    """A new HQ database on the test server, set up by the documented commands
    (`hq setup-database`, `hq add-user`, `init --hq --database`, `hq grants`)."""
    pg_server = cluster.admin_url
    database = unique("qorgau_u")
    names = {who: unique(who) for who in ("gulnar", "dana", "erlan")}
    opened: list[Workspace] = []
    try:
        setup_database(pg_server, database)
        add_user(url_for(pg_server, database), names["gulnar"], "admin", PASSWORD)
        config = ServerConfig("127.0.0.1", cluster.port, database, "disable")
        paths = Paths(folder)
        init_server_installation(paths, config, HQ, names["gulnar"], PASSWORD)
        grant_all(url_for(pg_server, database, names["gulnar"], PASSWORD))
        admin = unlock(paths, names["gulnar"], PASSWORD)
        opened.append(admin)
        yield ServerHq(paths, admin, names)
    finally:
        for ws in opened:
            ws.close()
        drop_database(pg_server, database, tuple(names.values()))
