"""HQ's views across missions, on bundles really exported by two missions and imported."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from app.errors import PermissionDenied
from app.services.case_json import case_from_json
from app.services.consolidation import ConsolidationService
from app.services.installation import unlock
from app.services.records import CaseFilter
from app.services.stats import StatsFilter, StatsService
from app.services.users import UserService
from tests.builders import ASSEL_JSON
from tests.conftest import PASSWORD
from tests.integration.test_exchange import Site, dxb, hq, link, sel, sites  # noqa: F401

SCAN = b"%PDF-1.4 scanned contract " + bytes(range(256)) * 8


def _open_case(site: Site, employer: str, country: str, received: date) -> str:
    data = case_from_json(
        {
            "person": ASSEL_JSON,
            "employer": {"name": employer, "country": country},
            "host_country": country,
            "categories": ["unpaid_wages"],
            "description": "Wages unpaid.",
            "received_at": received.isoformat(),
        }
    )
    return site.cases.create_case(data, allow_duplicate_person=True).number


@pytest.fixture
def consolidated(sel: Site, dxb: Site, hq: Site, tmp_path: Path) -> Site:  # noqa: F811
    long_ago = date.today() - timedelta(days=400)
    number = _open_case(sel, "Global Staffing Ltd", "KR", long_ago)
    case_id = next(r.id for r in sel.cases.list_cases(CaseFilter(text=number)))
    sel.cases.add_attachment(case_id, "contract.pdf", SCAN, "application/pdf")
    # Overdue at both missions, whatever the demo gives (its open cases are few and recent).
    _open_case(dxb, "global staffing ltd ", "KR", long_ago + timedelta(days=200))
    sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient])
    dxb.exchange.export_cases(tmp_path / "dxb.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "sel.qbundle")
    hq.exchange.import_bundle(tmp_path / "dxb.qbundle")
    return hq


def test_missions_show_last_bundle_and_case_counts(consolidated: Site) -> None:
    found = {m.code: m for m in ConsolidationService(consolidated.ws).missions()}
    assert set(found) == {"SEL", "DXB"}
    assert found["SEL"].cases == 7 and found["DXB"].cases == 5  # demo cases + one each
    assert found["SEL"].bundles == 1 and found["SEL"].last_bundle_at is not None
    assert found["SEL"].country == "KR" and found["DXB"].city == "Dubai"
    assert found["SEL"].open_cases <= found["SEL"].cases


def test_overdue_lists_open_cases_past_due_across_missions(consolidated: Site) -> None:
    service = ConsolidationService(consolidated.ws)
    overdue = service.overdue()
    assert overdue, "the case received 400 days ago is past its due date"
    assert all(c.days_overdue > 0 for c in overdue)
    assert [c.due_date for c in overdue] == sorted(c.due_date for c in overdue)
    only_sel = service.overdue(mission="SEL")
    assert only_sel and {c.mission for c in only_sel} == {"SEL"}
    per_mission = {m.code: m.overdue_cases for m in service.missions()}
    assert per_mission["SEL"] == len(only_sel)


def test_repeats_find_the_same_worker_and_employer_at_two_missions(consolidated: Site) -> None:
    repeats = ConsolidationService(consolidated.ws).repeats()
    person = [r for r in repeats if r.kind == "person" and r.key == ASSEL_JSON["iin"]]
    assert len(person) == 1 and person[0].missions == ("DXB", "SEL")
    # Names are compared upper-cased and trimmed: the two missions typed it differently.
    employer = [r for r in repeats if r.kind == "employer" and "GLOBAL STAFFING" in r.key]
    assert [r.key for r in employer] == ["KR: GLOBAL STAFFING LTD"]
    assert employer[0].missions == ("DXB", "SEL") and employer[0].cases == 2
    assert all(len(r.missions) > 1 for r in repeats)


def test_statistics_across_missions_take_a_mission_filter(consolidated: Site) -> None:
    stats = StatsService(consolidated.ws)
    period = StatsFilter(date_from=date.today() - timedelta(days=3650), date_to=date.today())
    everything = stats.indicators(period).opened
    only_dxb = stats.indicators(StatsFilter(period.date_from, period.date_to, mission="DXB"))
    assert everything == 12 and only_dxb.opened == 5


def test_an_attache_sees_no_consolidation(sel: Site) -> None:  # noqa: F811
    UserService(sel.ws).add("aigul", "attache", PASSWORD)
    attache = unlock(sel.paths, "aigul", PASSWORD)
    try:
        with pytest.raises(PermissionDenied):
            ConsolidationService(attache).missions()
    finally:
        attache.close()
