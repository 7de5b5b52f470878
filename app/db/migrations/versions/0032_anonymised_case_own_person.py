"""anonymised case own person: a case anonymised before leaves its worker for a person of its own

Revision ID: 0032
Revises: 0031

Retention now gives an anonymised case a person of its own, who keeps only the sex, citizenship
and consent date (``app.services.retention``): the link to the worker, kept past the period, led
from the case back to a worker another case keeps on file, and placed it among the real
surnames in a list sorted by person. The cases anonymised before get theirs here, as do the
register records and contract reviews that hang off them; the id follows from the case's
(``own_person_id``), so a mission and headquarters make the same record. At a mission each row
changed gets a new version, ``updated_at`` and change number, so that its next bundle carries
them; headquarters keeps the versions the missions sent (its copies meet theirs as the same).
The worker stays as retention left them: anonymised, or kept for a live case.

What it needs of the live code is copied here as it was (the id's derivation, the person's
columns): a migration does what it did when written, whatever the code it once imported becomes.
``tests/unit/test_frozen_migrations.py`` says when the live code parts from these copies.
"""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from app.db.migrate import revision_module
from app.db.models import UtcDateTime

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

# What the own person keeps of the worker, as 0032 found the schema; its text columns empty
# (NOT NULL, no server default).
_KEPT: dict[str, type[sa.types.TypeEngine[Any]]] = {
    "sex": sa.String,
    "citizenship": sa.String,
    "consent_date": sa.Date,
}
# The person's columns it writes empty: the names, how to reach them, the consent note.
_EMPTY = (
    "surname",
    "given_names",
    "patronymic",
    "surname_latin",
    "given_names_latin",
    "phone_abroad",
    "phone_home",
    "email",
    "messenger",
    "address_abroad",
    "address_home",
    "next_of_kin",
    "consent_note",
)
# The own person's id follows from the case's, so that a mission and headquarters make the
# same record (``app.domain.persons.own_person_id`` when this was written).
_OWN_PERSON_IDS = uuid.UUID("5f0c7d3e-9a41-4b8e-8d2c-0a6e1f4b7c19")


def own_person_id(case_id: str) -> str:
    return str(uuid.uuid5(_OWN_PERSON_IDS, case_id))


def _sync_columns() -> tuple[sa.ColumnClause[Any], ...]:
    """A synchronised row's columns this migration writes (new ones each time: a column
    belongs to one table)."""
    return (
        sa.column("id", sa.String),
        sa.column("version", sa.Integer),
        sa.column("updated_at", UtcDateTime()),
        sa.column("change_seq", sa.Integer),
    )


def _kept_columns() -> list[sa.ColumnClause[Any]]:
    return [sa.column(name, kind()) for name, kind in _KEPT.items()]


def _table(name: str, *columns: str) -> sa.TableClause:
    return sa.table(name, *_sync_columns(), *(sa.column(c, sa.String) for c in columns))


def upgrade() -> None:
    bind = op.get_bind()
    linked = _anonymised_cases_still_linked(bind)
    if not linked:
        return
    ids = [row["id"] for row in linked]
    # (table, row, case): each case, then the rows hanging off it that name its worker.
    moves = [("case", case_id, case_id) for case_id in ids]
    moves += _rows_under(bind, "returnee", ids) + _rows_under(bind, "contract_review", ids)
    m = revision_module("0028")  # its tests for headquarters and change counter
    now = datetime.now(UTC)
    seqs: Iterator[int] = iter(())
    at_mission = not m._at_hq(bind)
    if at_mission:
        count = len(linked) + len(moves)
        last = m._advance_change_seq(bind, count)
        seqs = iter(range(last - count + 1, last + 1))
    _insert_own_persons(bind, linked, now, seqs)
    for name, row_id, case_id in moves:
        table = _table(name, "person_id")
        values: dict[str, Any] = {"person_id": own_person_id(case_id)}
        if at_mission:
            values |= {"version": table.c.version + 1, "updated_at": now}
            values["change_seq"] = next(seqs)
        bind.execute(table.update().where(table.c.id == row_id).values(**values))


def _anonymised_cases_still_linked(bind: sa.Connection) -> list[dict[str, Any]]:
    """The anonymised cases that refer to a person not their own, with what theirs keeps."""
    case = sa.table(
        "case",
        *(sa.column(c, sa.String) for c in ("id", "person_id", "origin_mission", "holder_mission")),
        sa.column("anonymised_at", UtcDateTime()),
    )
    person = sa.table("person", sa.column("id", sa.String), *_kept_columns())
    query = (
        sa.select(
            case.c.id,
            case.c.person_id,
            case.c.origin_mission,
            case.c.holder_mission,
            case.c.anonymised_at,
            *(person.c[name] for name in _KEPT),
        )
        .select_from(case.outerjoin(person, person.c.id == case.c.person_id))
        .where(case.c.anonymised_at.is_not(None))
        .order_by(case.c.id)
    )
    return [
        dict(row._mapping) for row in bind.execute(query) if row.person_id != own_person_id(row.id)
    ]


def _rows_under(bind: sa.Connection, name: str, case_ids: list[str]) -> list[tuple[str, str, str]]:
    """``name``'s rows under these cases that name a person (a review may name none)."""
    table = _table(name, "case_id", "person_id")
    found: list[tuple[str, str, str]] = []
    for start in range(0, len(case_ids), 500):  # SQLite's limit on a statement's parameters
        query = sa.select(table.c.id, table.c.case_id).where(
            table.c.case_id.in_(case_ids[start : start + 500]), table.c.person_id.is_not(None)
        )
        found += [(name, row_id, case_id) for row_id, case_id in bind.execute(query)]
    return found


def _insert_own_persons(
    bind: sa.Connection, linked: list[dict[str, Any]], now: datetime, seqs: Iterator[int]
) -> None:
    person = sa.table(
        "person",
        *_sync_columns(),
        *(sa.column(c, sa.String) for c in ("origin_mission", *_EMPTY)),
        *_kept_columns(),
        sa.column("consent_scope", sa.JSON),
        sa.column("anonymised_at", UtcDateTime()),
    )
    rows = [
        {
            "id": own_person_id(row["id"]),
            "origin_mission": row["holder_mission"] or row["origin_mission"],
            "version": 1,
            "updated_at": now,
            "change_seq": next(seqs, 0),
            "anonymised_at": row["anonymised_at"],
            "consent_scope": [],
            **{name: "" for name in _EMPTY},
            **{name: row[name] for name in _KEPT},
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
