"""HQ's overdue list across missions, read page by page (issue 22): the most urgent first, so
that a critical case overdue a day is on the first page above thousands overdue longer, and
every case on exactly one page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.db.models import Case, CaseCategory, Person
from app.services.consolidation import OVERDUE_PAGE, ConsolidationService
from app.services.workspace import Workspace
from tests.conftest import OpenWs

pytestmark = pytest.mark.both_engines

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
