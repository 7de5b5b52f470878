"""register record own person: a caseless register record anonymised before leaves its worker

Revision ID: 0033
Revises: 0032

Retention now gives a register record without a case, anonymised on its own, a person of its
own, as 0032 gave an anonymised case (``app.services.retention``): the link kept to the worker
led from the record back to a worker another record or case keeps on file, and the record's
view still showed her name and phone. The records anonymised before get theirs here; the id
follows from the record's, by the derivation 0032's cases use, so a mission and headquarters
make the same person. At a mission each row changed gets a new version, ``updated_at`` and
change number, so that its next bundle carries them; headquarters keeps the versions as they
are, as 0032 did. The worker stays as retention left them.
"""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from app.db.migrate import revision_module

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

# ``app.domain.persons.own_person_id`` as 0033 found it: the namespace is part of the data.
_OWN_PERSON_IDS = uuid.UUID("5f0c7d3e-9a41-4b8e-8d2c-0a6e1f4b7c19")


def _own_person_id(record_id: str) -> str:
    return str(uuid.uuid5(_OWN_PERSON_IDS, record_id))


def upgrade() -> None:
    bind = op.get_bind()
    own = revision_module("0032")  # the person's columns, as 0032 writes them
    linked = _anonymised_records_still_linked(bind, own)
    if not linked:
        return
    at_mission = not revision_module("0028")._at_hq(bind)
    now = datetime.now(UTC)
    seqs: Iterator[int] = iter(())
    if at_mission:
        count = 2 * len(linked)  # each record and its person
        last = revision_module("0028")._advance_change_seq(bind, count)
        seqs = iter(range(last - count + 1, last + 1))
    _insert_own_persons(bind, own, linked, now, seqs)
    table = own._table("returnee", "person_id")
    for row in linked:
        values: dict[str, Any] = {"person_id": _own_person_id(row["id"])}
        if at_mission:
            values |= {"version": table.c.version + 1, "updated_at": now}
            values["change_seq"] = next(seqs)
        bind.execute(table.update().where(table.c.id == row["id"]).values(**values))


def _anonymised_records_still_linked(bind: sa.Connection, own: Any) -> list[dict[str, Any]]:
    """The anonymised register records without a case that refer to a person not their own,
    with what theirs keeps."""
    record = sa.table(
        "returnee",
        *(sa.column(c, sa.String) for c in ("id", "person_id", "case_id", "origin_mission")),
        sa.column("anonymised_at", own.UtcDateTime()),
    )
    person = sa.table("person", sa.column("id", sa.String), *own._kept_columns())
    query = (
        sa.select(
            record.c.id,
            record.c.person_id,
            record.c.origin_mission,
            record.c.anonymised_at,
            *(person.c[name] for name in own._KEPT),
        )
        .select_from(record.outerjoin(person, person.c.id == record.c.person_id))
        .where(record.c.anonymised_at.is_not(None), record.c.case_id.is_(None))
        .order_by(record.c.id)
    )
    return [
        dict(row._mapping) for row in bind.execute(query) if row.person_id != _own_person_id(row.id)
    ]


def _insert_own_persons(
    bind: sa.Connection,
    own: Any,
    linked: list[dict[str, Any]],
    now: datetime,
    seqs: Iterator[int],
) -> None:
    person = sa.table(
        "person",
        *own._sync_columns(),
        *(sa.column(c, sa.String) for c in ("origin_mission", *own._EMPTY)),
        *own._kept_columns(),
        sa.column("consent_scope", sa.JSON),
        sa.column("anonymised_at", own.UtcDateTime()),
    )
    rows = [
        {
            "id": _own_person_id(row["id"]),
            "origin_mission": row["origin_mission"],
            "version": 1,
            "updated_at": now,
            "change_seq": next(seqs, 0),
            "anonymised_at": row["anonymised_at"],
            "consent_scope": [],
            **{name: "" for name in own._EMPTY},
            **{name: row[name] for name in own._KEPT},
        }
        for row in linked
    ]
    # The worker's citizenship is never empty; one gone from the database leaves KZ's default.
    for row in rows:
        row["citizenship"] = row["citizenship"] or "KZ"
    bind.execute(person.insert(), rows)


def downgrade() -> None:
    # The links to the workers are not kept: nothing to give back.
    pass
