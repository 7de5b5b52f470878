"""Helpers for the HQ tests on PostgreSQL (the server is the ``pg_server`` fixture of
tests/hq/conftest.py, a superuser's address). Each test gets a database of its own with a
unique name (a fresh one, or a copy of a session's template) and drops it; roles are
cluster-wide: the group roles are shared, login roles get a unique suffix.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.config import Paths
from app.db.postgres import ServerConfig
from app.security.keyring_store import SecretStore
from app.services.hq_database import (
    OWNER,
    add_user,
    connect_engine,
    grant_all,
    limit_database_access,
    setup_database,
)
from app.services.installation import MissionSetup, init_server_installation, unlock
from app.services.users import UserService
from app.services.workspace import Workspace
from tests.hq.seed import pg
from tests.keyring_double import LossyKeyring
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


@dataclass(frozen=True)
class DocumentedTemplate:
    """An HQ set up once a session by the documented commands, copied for each test."""

    paths: Paths
    database: str
    # Gulnar's server role, the same in every copy (roles are cluster-wide): a test that
    # changes her account (password, role, revocation) makes an administrator of its own.
    administrator: str


def make_documented_template(cluster: Cluster, folder: Path) -> DocumentedTemplate:
    """A new HQ database on the test server, set up by the documented commands
    (`hq setup-database`, `hq add-user`, `init --hq --database`, `hq grants`): once a session,
    since its migrations and its mission cost each test about two seconds. HQ's private keys
    go to the data folder's private file (a keyring entry would name this database, not the
    copy's); where init keeps them is tests/hq/test_secrets.py's to prove."""
    pg_server = cluster.admin_url
    database, administrator = unique("qorgau_template"), unique("gulnar")
    setup_database(pg_server, database)
    add_user(url_for(pg_server, database), administrator, "admin", PASSWORD)
    config = ServerConfig("127.0.0.1", cluster.port, database, "disable")
    paths = Paths(folder)
    store = SecretStore(LossyKeyring())  # takes the keys, and no fresh process reads them back
    init_server_installation(paths, config, HQ, administrator, PASSWORD, store)
    grant_all(url_for(pg_server, database, administrator, PASSWORD))
    return DocumentedTemplate(paths, database, administrator)


def copy_documented_hq(cluster: Cluster, template: DocumentedTemplate, database: str) -> None:
    """``database``: a copy of the template's, its database-level grants (which a copy does
    not inherit) given as ``hq setup-database`` gives them, and checked to be the same."""
    grants = "SELECT datacl::text FROM pg_database WHERE datname = :name"
    engine = connect_engine(cluster.admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(
                f"CREATE DATABASE {database} TEMPLATE {template.database} OWNER {OWNER}"
            )
            limit_database_access(connection, database)
            given, meant = (
                connection.execute(text(grants), {"name": name}).scalar_one()
                for name in (database, template.database)
            )
    finally:
        engine.dispose()
    assert given == meant


@contextmanager
def documented_hq(
    cluster: Cluster,
    template: DocumentedTemplate,
    folder: Path,
    users: Mapping[str, str] | None = None,
) -> Iterator[ServerHq]:
    """The test's own HQ: a copy of the documented template's database and data folder, gulnar
    signed in; dana and erlan are server roles of this test's own, for it to add (``users``:
    short name → app role, added by gulnar)."""
    pg_server = cluster.admin_url
    database = unique("qorgau_u")
    names = {"gulnar": template.administrator} | {w: unique(w) for w in ("dana", "erlan")}
    opened: list[Workspace] = []
    try:
        copy_documented_hq(cluster, template, database)
        shutil.copytree(template.paths.data_dir, folder)
        config = ServerConfig.load(template.paths.data_dir)
        assert config is not None
        replace(config, database=database).save(folder)
        paths = Paths(folder)
        admin = unlock(paths, names["gulnar"], PASSWORD)
        opened.append(admin)
        for who, role in (users or {}).items():
            UserService(admin).add(names[who], role, PASSWORD)
        yield ServerHq(paths, admin, names)
    finally:
        for ws in opened:
            ws.close()
        drop_database(pg_server, database, (names["dana"], names["erlan"]))
