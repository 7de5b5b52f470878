"""A returnee record whose case headquarters moved to another mission: the register's list and
its figures agree at the mission that held the case, at the one that holds it now, and at HQ."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from app.services.returnees import ReturneeFilter, ReturneeService, behind_figure
from app.services.stats import StatsFilter, StatsService
from tests.integration.test_exchange import Site, link, make_site
from tests.unit.test_returnees import closed_case, record

TODAY = date.today()
PERIOD = StatsFilter(date_from=TODAY - timedelta(days=365), date_to=TODAY)


def listed_and_counted(site: Site) -> tuple[list[str], int, int]:
    """The register's list (every record, and those behind the period's figure), its count,
    and the figure of returns in the period, as the site's own user sees them."""
    returnees = ReturneeService(site.ws)
    stats = StatsService(site.ws)
    behind = behind_figure(stats.normalise(PERIOD), "returned")
    assert [r.id for r in returnees.list(behind)] == [r.id for r in returnees.list()]
    figure = stats.indicators(PERIOD).returnees.total
    assert returnees.statistics(PERIOD.date_from, PERIOD.date_to).total == figure
    return [r.case_number for r in returnees.list()], returnees.count(), figure


def test_a_record_moves_with_its_case_in_the_list_as_in_the_figures(tmp_path: Path) -> None:
    """The fault: the mission's figures left out a record whose case HQ had moved to another
    mission (the statistics' "held here" rule), but its register's list, count and export
    still showed it there: a figure's cell and the list behind it disagreed."""
    hq = make_site(tmp_path, "AST", "KZ", "Astana", True)
    sel = make_site(tmp_path, "SEL", "KR", "Seoul")
    dxb = make_site(tmp_path, "DXB", "AE", "Dubai")
    link(hq, sel)
    link(hq, dxb)
    number = closed_case(sel.ws, sel.ws)
    ReturneeService(sel.ws).add(record(number))
    assert listed_and_counted(sel) == ([number], 1, 1)

    sel.exchange.export_cases(tmp_path / "sel.qbundle", [hq.recipient])
    hq.exchange.import_bundle(tmp_path / "sel.qbundle")
    hq.exchange.transfer_cases([number], "DXB", tmp_path / "transfer.qbundle")
    dxb.exchange.import_bundle(tmp_path / "transfer.qbundle")
    sel.exchange.import_bundle(tmp_path / "transfer.notice-SEL.qbundle")

    assert listed_and_counted(sel) == ([], 0, 0)
    assert listed_and_counted(dxb) == ([number], 1, 1)
    assert ReturneeService(hq.ws).count() == StatsService(hq.ws).indicators(PERIOD).returnees.total
    # At HQ the record counts where the case is handled, as that mission's own register has it
    # (the filter followed the mission that opened the case: SEL 1, DXB 0).
    hq_stats = StatsService(hq.ws)
    assert "DXB" in hq_stats.filter_choices().missions  # it only handles a transferred case
    for code, held in (("SEL", 0), ("DXB", 1)):
        listed = ReturneeService(hq.ws).count(ReturneeFilter(mission=code))
        scope = replace(PERIOD, mission=code)
        assert listed == hq_stats.indicators(scope).returnees.total == held, code
    for site in (hq, sel, dxb):
        site.ws.close()
