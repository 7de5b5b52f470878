"""``insert_rows`` stores exactly what SQLAlchemy's own multi-row insert stores."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from app.db.bulk import insert_rows
from app.db.models import Person, new_id
from app.services.workspace import Workspace


def _people(surname: str, **more: Any) -> list[dict[str, Any]]:
    moment = datetime(2026, 11, 24, 9, 30, 15, 123456, tzinfo=UTC)
    return [
        {
            "id": new_id(),
            "surname": surname,
            "given_names": f"Айгүл {n}",
            "patronymic": "",
            "surname_latin": "",
            "given_names_latin": "",
            "iin": None,
            "passport_no": f"N{n:07d}",
            "birth_date": date(1990, 1, 1 + n),
            "sex": "female",
            "phone_abroad": "",
            "phone_home": "",
            "email": "",
            "messenger": "",
            "address_abroad": "",
            "address_home": "",
            "next_of_kin": "",
            "consent_date": None,
            # A control character the free-text column drops as it is stored.
            "consent_note": "Келісім\x07",
            "origin_mission": "SEL",
            "version": 1,
            "updated_at": moment,
            "change_seq": 1000 + n,
            **more,
        }
        for n in range(3)
    ]


def _stored(connection: Connection, surname: str) -> list[tuple[Any, ...]]:
    """The rows as SQLite holds them (text of dates, JSON, 0/1), without their ids."""
    result = connection.exec_driver_sql(
        "SELECT * FROM person WHERE surname = ? ORDER BY passport_no", (surname,)
    )
    names = [column[0] for column in result.cursor.description]
    return [tuple(v for k, v in zip(names, row, strict=True) if k != "id") for row in result]


def _both_ways(ws: Workspace, **more: Any) -> tuple[list[Any], list[Any]]:
    with ws.db.engine.connect() as connection:
        connection.execute(insert(Person), _people("Core", **more))
        insert_rows(connection, Person, _people("Bulk", **more))
        core, bulk = _stored(connection, "Core"), _stored(connection, "Bulk")
        connection.rollback()
    return core, bulk


def test_rows_are_stored_as_the_core_insert_stores_them(ws: Workspace) -> None:
    # No citizenship: its default is a constant, given by insert_rows itself.
    core, bulk = _both_ways(ws, consent_scope=["letters"], anonymised_at=None, deleted_at=None)
    assert len(bulk) == 3
    assert [row[1:] for row in bulk] == [row[1:] for row in core]  # all but the surname
    text = repr(bulk)
    assert "'1990-01-02'" in text and "'2026-11-24 09:30:15.123456'" in text
    assert "'Келісім'" in text and '["letters"]' in text and "'KZ'" in text


def test_rows_leaving_a_column_to_a_computed_default_get_it(ws: Workspace) -> None:
    core, bulk = _both_ways(ws, anonymised_at=None, deleted_at=None)  # no consent_scope
    assert len(bulk) == 3
    assert [row[1:] for row in bulk] == [row[1:] for row in core]
    assert "'[]'" in repr(bulk)  # consent_scope's default, a new list, as JSON


def test_no_rows_is_nothing(ws: Workspace) -> None:
    with ws.db.engine.connect() as connection:
        insert_rows(connection, Person, [])
        assert _stored(connection, "Bulk") == []
        connection.rollback()
