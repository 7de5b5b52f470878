"""The import's staging insert writes exactly what SQLAlchemy's own insert writes (issue 17)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, Numeric, create_engine, select

from app.db.models import UtcDateTime
from app.exchange.merge import Stage
from app.exchange.records import ENTITIES, Entity


def _value(kind: Any, n: int) -> Any:
    if n % 5 == 0:
        return None  # every converter meets None too
    if isinstance(kind, UtcDateTime | DateTime):
        return datetime(2026, 3, n % 28 + 1, 9, 30, n % 60, n * 1000, tzinfo=UTC)
    if isinstance(kind, Date):
        return date(2025, n % 12 + 1, 2)
    if isinstance(kind, Numeric):
        return Decimal(f"{n}.30")
    if isinstance(kind, Boolean):
        return n % 2 == 0
    if isinstance(kind, Integer):
        return n
    if isinstance(kind, JSON):
        return {"note": f"Қайрат & <{n}>", "list": [n, "é"]}
    return f"Құрманғалиқызы & <{n}> \n «x»"


def _rows(entity: Entity) -> list[dict[str, Any]]:
    return [{c.name: _value(c.type, n) for c in entity.columns} | {"n": n} for n in range(1, 12)]


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda e: e.name)
def test_the_staged_rows_are_those_sqlalchemy_writes(entity: Entity) -> None:
    engine = create_engine("sqlite://")
    stage = Stage("main")
    fast, generic = stage.rows_of(entity, "new"), stage.rows_of(entity, "changed")
    rows = _rows(entity)
    with engine.begin() as connection:
        fast.create(connection)
        generic.create(connection)
        stage.insert(connection, fast, rows)
        connection.execute(generic.insert(), rows)
        raw = connection.connection.driver_connection
        assert raw is not None
        written = [
            raw.execute(f"SELECT * FROM {t.name} ORDER BY n").fetchall() for t in (fast, generic)
        ]
        assert written[0] == written[1] and len(written[0]) == len(rows)
        assert (
            connection.execute(select(fast).order_by(fast.c.n)).all()
            == connection.execute(select(generic).order_by(generic.c.n)).all()
        )


def test_nothing_to_stage_writes_nothing() -> None:
    engine = create_engine("sqlite://")
    stage = Stage("main")
    with engine.begin() as connection:
        stage.keys.create(connection)
        stage.insert(connection, stage.keys, [])
        assert connection.execute(select(stage.keys)).all() == []
