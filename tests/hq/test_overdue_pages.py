"""HQ's overdue list across missions, read page by page (issue 22): the most urgent first, so
that a critical case overdue a day is on the first page above thousands overdue longer, and
every case on exactly one page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Select

from app.db.models import Case, CaseCategory, Person
from app.services.consolidation import OVERDUE_PAGE, ConsolidationService, OverdueCase
from app.services.workspace import Workspace
from tests.conftest import OpenWs

pytestmark = pytest.mark.both_engines
URGENCY = "urgency"

LONGER = 2_500  # normal cases overdue 30 days and more
MISSIONS = ("SEL", "DXB", "IST")


def overdue_cases(ws: Workspace, today: date) -> str:
    """``LONGER`` normal cases overdue a month and more, at three missions, and one critical
    case overdue a day; the critical case's number."""
    with ws.write() as session:
        person = Person(surname="Abenov", given_names="Nurlan", origin_mission="SEL")
        session.add(person)
        session.flush()

        def case(seq: int, mission: str, urgency: str, overdue_days: int) -> Case:
            received = today - timedelta(days=overdue_days + 30)
            return Case(
                number=f"{mission}-{received.year}-{seq:05d}",
                mission_code=mission,
                holder_mission=mission,
                origin_mission=mission,
                year=received.year,
                seq=seq,
                person_id=person.id,
                host_country="KR",
                status="in_progress",
                urgency=urgency,
                received_at=received,
                due_date=today - timedelta(days=overdue_days),
                categories=[CaseCategory(code="unpaid_wages")],
            )

        session.add_all(
            case(seq, MISSIONS[seq % 3], "normal", 30 + seq % 400) for seq in range(1, LONGER + 1)
        )
        critical = case(LONGER + 1, "IST", "critical", 1)
        session.add(critical)
        return critical.number


def test_a_critical_case_overdue_a_day_heads_the_first_page(open_ws: OpenWs) -> None:
    ws = open_ws("admin")
    service = ConsolidationService(ws)
    critical = overdue_cases(ws, service.today)
    assert service.count_overdue() == LONGER + 1
    first = service.overdue()
    assert len(first) == OVERDUE_PAGE
    assert (first[0].number, first[0].urgency, first[0].days_overdue) == (critical, "critical", 1)
    # Then the longest overdue: the urgency alike, by days overdue, most first.
    days = [c.days_overdue for c in first[1:]]
    assert days == sorted(days, reverse=True) and days[0] == 429


def test_the_pages_hold_every_overdue_case_once(open_ws: OpenWs) -> None:
    ws = open_ws("admin")
    service = ConsolidationService(ws)
    overdue_cases(ws, service.today)
    for sort, descending in (("urgency", True), ("days_overdue", False), ("mission", True)):
        paged = []
        offset = 0
        while page := service.overdue(offset=offset, limit=300, sort=sort, descending=descending):
            paged += page
            offset += len(page)
        numbers = [c.number for c in paged]
        assert len(numbers) == len(set(numbers)) == LONGER + 1, sort
        # The same order as the whole list read at once, and streamed for an export.
        whole = service.overdue(limit=None, sort=sort, descending=descending)
        assert [c.number for c in whole] == numbers, sort
        streamed = service.each_overdue(sort=sort, descending=descending)
        assert [c.number for c in streamed] == numbers, sort
    by_mission = service.overdue(limit=None, sort="mission", descending=False)
    missions = [c.mission for c in by_mission]
    assert missions == sorted(missions)
    fewest_days = service.overdue(limit=1, sort="days_overdue", descending=False)
    assert fewest_days[0].days_overdue == 1
    assert service.count_overdue("SEL") == sum(m == "SEL" for m in missions)


def test_keyset_pages_follow_each_other_across_ties(open_ws: OpenWs) -> None:
    """Each page after the last row's key: the same rows, in the same order, as the whole list,
    with page boundaries inside runs of cases due the same day (a few dozen share each day)."""
    ws = open_ws("admin")
    service = ConsolidationService(ws)
    critical = overdue_cases(ws, service.today)
    whole = [c.number for c in service.overdue(limit=None)]
    paged: list[OverdueCase] = []
    while page := service.overdue(limit=97, after=paged[-1] if paged else None):
        paged += page
    assert [c.number for c in paged] == whole and len(whole) == LONGER + 1
    assert paged[0].number == critical
    # After the critical case, the less urgent from their longest overdue on.
    assert [c.number for c in service.overdue(limit=3, after=paged[0])] == whole[1:4]
    tied = sum(paged[i - 1].due_date == paged[i].due_date for i in range(97, len(paged), 97))
    assert tied > 10  # most boundaries fall inside a day's run
    one_mission = [c.number for c in service.overdue("SEL", limit=None)]
    first = service.overdue("SEL", limit=50)
    second = service.overdue("SEL", limit=50, after=first[-1])
    assert [c.number for c in first + second] == one_mission[:100]


def test_a_page_after_a_row_is_the_default_orders_alone(open_ws: OpenWs) -> None:
    ws = open_ws("admin")
    service = ConsolidationService(ws)
    overdue_cases(ws, service.today)
    last = service.overdue(limit=1)[0]
    for sort, descending, offset in (
        (URGENCY, False, 0),
        ("number", True, 0),
        (URGENCY, True, 5),
    ):
        with pytest.raises(ValueError, match="default order alone"):
            service.overdue(sort=sort, descending=descending, offset=offset, after=last)


def test_the_first_and_next_pages_are_read_from_the_index(open_ws: OpenWs) -> None:
    """The default order is walked in ix_case_overdue_order (migration 0029) on both engines:
    no sort of every overdue case, however many; the next page starts at the last row's key."""
    ws = open_ws("admin")
    service = ConsolidationService(ws)
    overdue_cases(ws, service.today)
    last = service.overdue(limit=1)[0]
    with ws.read() as session:
        connection = session.connection()
        # With statistics, as an installation has them (PRAGMA optimize, autovacuum): without,
        # SQLite guesses the status index finds fewer rows.
        connection.exec_driver_sql("ANALYZE")
        for page in (
            service.overdue_page_query(None),
            *service.overdue_after_queries(None, last),
            *service.overdue_after_queries("SEL", last),
        ):
            plan = explain(connection, page.limit(OVERDUE_PAGE))
            assert "ix_case_overdue_order" in plan, plan
            assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan


def explain(connection: Connection, query: Select[Any]) -> str:
    """The engine's plan of ``query`` (its values written in), its steps joined by " / "."""
    compiled = query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    if connection.dialect.name == "postgresql":
        return " / ".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {compiled}"))
    rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
    return " / ".join(row[3] for row in rows)
