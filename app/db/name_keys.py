"""The organisation name key kept beside each employer's and agency's name, filled again.

Migrations call this when ``app.domain.matching.organisation_key`` learns a new way a name is
written: the keys on file must be what the function now gives, or a name typed the new way
would not find its organisation."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.domain.matching import organisation_key

ORGANISATION_TABLES = ("employer", "recruitment_agency")
_BATCH = 1000


def key_names_again(bind: Connection, table: str) -> int:
    """Write ``organisation_key(name)`` where the row's ``name_key`` differs; how many rows."""
    rows = sa.table(table, sa.column("id"), sa.column("name"), sa.column("name_key"))
    stale = [
        {"row_id": row_id, "key": key}
        for row_id, name, held in bind.execute(sa.select(rows.c.id, rows.c.name, rows.c.name_key))
        if (key := organisation_key(name)) != held
    ]
    fill = (
        sa.update(rows)
        .where(rows.c.id == sa.bindparam("row_id"))
        .values(name_key=sa.bindparam("key"))
    )
    for start in range(0, len(stale), _BATCH):
        bind.execute(fill, stale[start : start + _BATCH])
    return len(stale)
