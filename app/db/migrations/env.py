"""Alembic environment: always run on a connection handed over by app.db.migrate."""

from __future__ import annotations

from alembic import context

from app.db.migrate import include_object, render_item
from app.db.models import Base


def run() -> None:
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_object=include_object,
        render_item=render_item,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
