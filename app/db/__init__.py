"""Storage: the SQLCipher engine, the ORM models and the Alembic migrations."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

# Who is told that a database is being brought up to date (a copy first, then the migrations:
# minutes at a large mission), before it starts: the command line sets this and prints it;
# the desktop's sign-in window says so itself once signing in takes long.
MIGRATION_NOTICE: ContextVar[Callable[[], None] | None] = ContextVar(
    "qorgau_migration_notice", default=None
)
