"""Helpers for the HQ tests on PostgreSQL (the server is the ``pg_server`` fixture of
tests/hq/conftest.py, a superuser's address). Each test gets a fresh database with a unique
name (roles are cluster-wide: the group roles are shared, login roles get a unique suffix)
and drops it.
"""

from __future__ import annotations

import uuid

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

ADMIN_URL_ENV = "QORGAU_TEST_PG_ADMIN_URL"


def url_for(base: str, database: str, user: str | None = None, password: str | None = None) -> str:
    parsed = make_url(base).set(database=database)
    if user is not None:
        parsed = parsed.set(username=user, password=password)
    return parsed.render_as_string(hide_password=False)


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
