"""At HQ, after a transfer, a mission's open and overdue cases are the same number in the
Missions area, in the statistics (per mission and with the mission filter), in the cases behind
those figures and in the case list's mission filter: the cases the mission handles now."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from app.db.models import Case
from app.domain.workflow import OPEN_STATUSES
from app.services.cases import CaseService
from app.services.consolidation import ConsolidationService
from app.services.demo import fill_demo
from app.services.records import CaseFilter
from app.services.stats import Drilldown, StatsFilter, StatsService
from tests.integration.test_exchange import link, make_site

TODAY = date(2026, 11, 20)
PERIOD = StatsFilter(date_from=TODAY - timedelta(days=365), date_to=TODAY)
OPEN = [s.value for s in OPEN_STATUSES]


def test_a_transferred_case_counts_where_it_is_handled_now(tmp_path: Path) -> None:
    hq = make_site(tmp_path, "AST", "KZ", "Astana", True)
    sel = make_site(tmp_path, "SEL", "KR", "Seoul")
    dxb = make_site(tmp_path, "DXB", "AE", "Dubai")
    try:
        link(hq, sel)
        link(hq, dxb)
        fill_demo(sel.ws, 40, seed=5, today=TODAY)
        fill_demo(dxb.ws, 20, seed=6, today=TODAY)
        for mission in (sel, dxb):
            bundle = tmp_path / f"{mission.ws.mission_code}.qbundle"
            mission.exchange.export_cases(bundle, [hq.recipient])
            hq.exchange.import_bundle(bundle)
        with hq.ws.read() as session:
            moved = list(
                session.execute(
                    select(Case.number)
                    .where(Case.origin_mission == "SEL", Case.status.in_(OPEN))
                    .where(Case.due_date < TODAY)
                    .order_by(Case.number)
                    .limit(2)
                ).scalars()
            )
        assert len(moved) == 2  # two open, overdue cases of SEL's go to DXB
        hq.exchange.transfer_cases(moved, "DXB", tmp_path / "transfer.qbundle")

        missions = {
            m.code: m for m in ConsolidationService(hq.ws, today=TODAY).missions() if m.cases
        }
        stats = StatsService(hq.ws, today=TODAY)
        side_by_side = {m.mission: m for m in stats.indicators(PERIOD, by_mission=True).by_mission}
        cases = CaseService(hq.ws, today=TODAY)
        for code in ("SEL", "DXB"):
            scope = StatsFilter(PERIOD.date_from, PERIOD.date_to, mission=code)
            figures = stats.indicators(scope)
            listed_open = cases.count_cases(CaseFilter(mission=code, statuses=tuple(OPEN)))
            listed_overdue = {
                r.id for r in cases.list_cases(CaseFilter(mission=code, overdue=True), limit=500)
            }
            expected = (missions[code].open_cases, missions[code].overdue_cases)
            assert (side_by_side[code].open_now, side_by_side[code].overdue) == expected
            assert (sum(c.count for c in figures.open_by_status), figures.overdue) == expected
            assert (listed_open, len(listed_overdue)) == expected
            assert set(stats.ids_behind(Drilldown(scope, "overdue"))) == listed_overdue
            assert len(stats.ids_behind(Drilldown(scope, "open"))) == listed_open
        # The period's figures stay with the mission that opened (and worked) the cases.
        assert (
            side_by_side["SEL"].opened
            == stats.indicators(StatsFilter(PERIOD.date_from, PERIOD.date_to, mission="SEL")).opened
        )
    finally:
        for site in (hq, sel, dxb):
            site.ws.close()
