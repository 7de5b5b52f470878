"""Paging through the case list sorted by any column, when many cases tie on it (one worker's
cases, the same day, status and employer, and at HQ the same number at several missions), gives
every case exactly once. The fault: sorted by person the order ended at the given names, so the
cases of one person (or the anonymised, nameless ones) came in any order from one page to the
next, and a row could appear on two pages or on none."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert, select

from app.db.models import Case
from app.services.cases import SORT_KEYS, CaseService
from app.services.records import CaseFilter, CaseInput, OrganisationInput, PersonInput
from app.services.workspace import Workspace

MISSIONS = ("SEL", "DXB", "IST", "RUH", "ALA", "FRA", "BER", "LON")
PAGE = 7


def _tied_cases(ws: Workspace) -> set[str]:
    """One worker's case, then copies alike in every sort key but the id: the same number at
    each of several missions (as HQ holds them), and a few more numbers."""
    first = CaseService(ws).create_case(
        CaseInput(
            host_country="KR",
            categories=("unpaid_wages",),
            received_at=date(2026, 3, 1),
            person=PersonInput(surname="Сейітова", given_names="Әсел"),
            employer=OrganisationInput(name="Daesung Metal Co", country="KR", city="Ansan"),
        )
    )
    with ws.write() as session:
        row = dict(
            session.execute(select(Case.__table__).where(Case.id == first.id)).one()._mapping
        )
        copies = [
            row
            | {"id": f"{seq:04d}{mission}-tie".ljust(36, "0"), "seq": seq, "mission_code": mission}
            | {"number": f"{mission}-2026-{seq:06d}", "holder_mission": mission}
            for mission in MISSIONS
            for seq in (1, 2, 3, 4)
            if (mission, seq) != (row["mission_code"], row["seq"])
        ]
        session.execute(insert(Case), copies)
    return {first.id, *(c["id"] for c in copies)}


@pytest.mark.both_engines
def test_every_sort_pages_through_ties_giving_each_case_once(ws: Workspace) -> None:
    every = _tied_cases(ws)
    service = CaseService(ws)
    for sort in SORT_KEYS:
        for descending in (False, True):
            flt = CaseFilter(sort=sort, descending=descending)
            seen = [
                row.id
                for offset in range(0, len(every) + PAGE, PAGE)
                for row in service.list_cases(flt, offset=offset, limit=PAGE)
            ]
            assert sorted(seen) == sorted(every), (sort, descending)
