"""A small HQ schema with rows of two missions, for the tests that need a PostgreSQL HQ."""

from __future__ import annotations

from datetime import date

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from app.db import sync  # noqa: F401 - the flush hooks stamp the sync columns
from app.db.migrate import upgrade_to
from app.db.models import Case, CaseCategory, Employer, LocalSecret, Mission, Person


def pg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def create_schema(url: str) -> None:
    """The schema by the migrations, run as qorgau_owner (as an administrator upgrades it)."""
    engine = create_engine(pg(url))
    with engine.begin() as connection:
        connection.exec_driver_sql("SET ROLE qorgau_owner")
        upgrade_to(connection)
    engine.dispose()


def add_case(
    session: Session,
    mission: str,
    seq: int,
    *,
    iin: str | None,
    employer: Employer | None,
    received: date,
    due: date | None = None,
    status: str = "in_progress",
) -> Case:
    person = Person(
        surname=f"Surname{mission}{seq}",
        given_names="Given",
        iin=iin,
        origin_mission=mission,
    )
    session.add(person)
    session.flush()
    case = Case(
        number=f"{mission}-{received.year}-{seq:04d}",
        mission_code=mission,
        holder_mission=mission,
        year=received.year,
        seq=seq,
        person_id=person.id,
        employer_id=employer.id if employer else None,
        host_country="KR",
        status=status,
        received_at=received,
        due_date=due,
        origin_mission=mission,
        categories=[CaseCategory(code="unpaid_wages")],
    )
    session.add(case)
    session.flush()
    return case


def seed_rows(url: str) -> None:
    engine = create_engine(pg(url))
    with Session(engine) as session, session.begin():
        session.info["mission_code"] = "HQ"
        session.add(
            Mission(
                code="HQ",
                country="KZ",
                city="Astana",
                is_local=True,
                is_hq=True,
                origin_mission="HQ",
            )
        )
        session.add(Mission(code="SEL", country="KR", city="Seoul", origin_mission="SEL"))
        session.add(LocalSecret(name="age_identity", value=b"AGE-SECRET-KEY-NOT-HERE"))
        session.add(LocalSecret(name="escrow_identity", value=b"AGE-SECRET-KEY-ESCROW"))
        employer = Employer(name="Example Ltd", country="KR", origin_mission="SEL")
        session.add(employer)
        session.flush()
        add_case(
            session, "SEL", 1, iin="940315400123", employer=employer, received=date(2026, 1, 5)
        )
    engine.dispose()
