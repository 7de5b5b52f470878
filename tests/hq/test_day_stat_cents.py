"""Recovered wages summed per day pass 2^31 hundredths on PostgreSQL without failing the import
(migration 0014; found by benchmarks/bench_hq.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from app.db.models import CaseDayStat, Employer
from app.services.hq_database import setup_database
from tests.hq.pg import drop_database, unique, url_for
from tests.hq.seed import add_case, create_schema, pg


@pytest.fixture
def database(pg_server: str) -> Iterator[str]:
    name = unique("qorgau_c")
    try:
        setup_database(pg_server, name)
        create_schema(url_for(pg_server, name))
        yield url_for(pg_server, name)
    finally:
        drop_database(pg_server, name)


def test_a_day_of_large_recoveries_is_summed_in_64_bits(database: str) -> None:
    engine = create_engine(pg(database))
    resolved = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with Session(engine) as session, session.begin():
        session.info["mission_code"] = "SEL"
        employer = Employer(name="Big Wages Co", country="KR", origin_mission="SEL")
        session.add(employer)
        session.flush()
        for seq in range(1, 4):
            case = add_case(
                session, "SEL", seq, iin=None, employer=employer, received=date(2026, 1, 5)
            )
            case.status = "resolved"
            case.resolved_at = resolved
            case.wages_recovered_amount = Decimal("30000000.00")  # KRW
            case.wages_recovered_currency = "KRW"
    with Session(engine) as session:
        cents = session.execute(
            select(CaseDayStat.cents).where(
                CaseDayStat.measure == "wages", CaseDayStat.key == "KRW"
            )
        ).scalar_one()
    engine.dispose()
    assert cents == 3 * 3_000_000_000  # 9e9 hundredths: past 2^31
