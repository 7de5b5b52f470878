"""The returnees' register in the statistics: each figure against a plain SQL count."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from app.errors import ValidationError
from app.reports import indicator_tables
from app.services.installation import unlock
from app.services.records import PersonInput
from app.services.returnees import ReturneeFilter, ReturneeService, behind_figure
from app.services.stats import ReturneeCount, ReturneeStats, StatsFilter, StatsService
from app.services.workspace import Workspace
from tests.conftest import PASSWORD, OpenWs
from tests.integration.test_exchange import make_site
from tests.unit.test_returnees import closed_case, record

TODAY = date.today()
PERIOD = StatsFilter(date_from=TODAY - timedelta(days=365), date_to=TODAY)
# surname, occupation, country of work, region of return, wants referral, day of return
RETURNEES = (
    ("Омаров", "7112", "KR", "KZ-75", True, TODAY - timedelta(days=3)),
    ("Ахметов", "8332", "KR", "KZ-71", False, TODAY - timedelta(days=10)),
    ("Серікова", "5322", "TR", "KZ-75", True, TODAY),
    ("Бекова", "2221", "TR", "KZ-71", True, TODAY - timedelta(days=800)),  # before the period
    ("Нұрланов", "9313", "AE", "KZ-75", True, None),  # no day of return: counted apart
    ("Тасқынов", "7212", "KR", "KZ-75", True, TODAY - timedelta(days=1)),  # consent withdrawn
)

# The register by plain SQL: the records with their person's consent, nothing else.
REGISTER_SQL = """
    SELECT r.work_country, substr(r.occupation, 1, 1), r.region, r.wants_referral,
           r.returned_on, r.origin_mission
    FROM returnee r JOIN person p ON p.id = r.person_id
    WHERE r.deleted_at IS NULL AND r.anonymised_at IS NULL AND p.anonymised_at IS NULL
      AND CAST(p.consent_scope AS TEXT) LIKE '%"returnee_register"%'
"""


def counted_by_sql(ws: Workspace, scope: StatsFilter, mission: str = "") -> ReturneeStats:
    """What the figures must say, counted in the test from the rows themselves."""
    assert scope.date_from is not None and scope.date_to is not None
    with ws.read() as session:
        rows = session.execute(text(REGISTER_SQL)).all()
    kept = [r for r in rows if not mission or r[5] == mission]
    if scope.host_country:
        kept = [r for r in kept if r[0] == scope.host_country]
    undated = sum(1 for r in kept if r[4] is None)
    returned = [
        r
        for r in kept
        if r[4] is not None and scope.date_from <= date.fromisoformat(str(r[4])) <= scope.date_to
    ]

    def by(column: int, by_size: bool) -> tuple[ReturneeCount, ...]:
        n = Counter(str(r[column]) for r in returned)
        want = Counter(str(r[column]) for r in returned if r[3])
        order = sorted(n, key=lambda k: (-n[k], k) if by_size else (0, k))
        return tuple(ReturneeCount(k, n[k], want[k]) for k in order)

    return ReturneeStats(
        total=len(returned),
        by_country=by(0, True),
        by_major_group=by(1, False),
        undated=undated,
        wants_referral=sum(1 for r in returned if r[3]),
        by_region=by(2, True),
    )


@pytest.fixture
def hq_analyst(tmp_path: Path) -> Iterator[Workspace]:
    """HQ with the register above; the second record made at the mission IST (as a bundle of
    IST's brings it), the last one's consent withdrawn."""
    site = make_site(tmp_path, "AST", "KZ", "Astana", True)
    analyst = unlock(site.paths, "astana", PASSWORD)
    service = ReturneeService(analyst)
    ids = []
    for surname, occupation, country, region, wants, returned in RETURNEES:
        row = service.add(
            replace(
                record(),
                occupation=occupation,
                work_country=country,
                region=region,
                wants_referral=wants,
                returned_on=returned,
                person=PersonInput(surname=surname, given_names="Test"),
            )
        )
        ids.append(row.id)
    service.withdraw_consent(ids[-1])
    with analyst.write() as session:
        session.execute(
            text("UPDATE returnee SET origin_mission = 'IST' WHERE id = :id"), {"id": ids[1]}
        )
    yield analyst
    analyst.close()
    site.ws.close()


def test_hq_figures_match_a_plain_count_of_the_register(hq_analyst: Workspace) -> None:
    """The fault: the returnees' figures were missing from the indicators that the dashboard
    and the PDF report are built from (only `qorgau stats` at HQ printed them)."""
    figures = StatsService(hq_analyst).indicators(PERIOD).returnees
    assert figures == counted_by_sql(hq_analyst, StatsService(hq_analyst).normalise(PERIOD))
    # Spelt out once, so a wrong SQL above cannot agree with a wrong service.
    assert (figures.total, figures.wants_referral, figures.undated) == (3, 2, 1)
    assert [(c.key, c.n, c.wants_referral) for c in figures.by_country] == [
        ("KR", 2, 1),
        ("TR", 1, 1),
    ]
    assert [c.key for c in figures.by_major_group] == ["5", "7", "8"]
    assert [(c.key, c.n) for c in figures.by_region] == [("KZ-75", 2), ("KZ-71", 1)]


def test_hq_scope_narrows_the_returnees(hq_analyst: Workspace) -> None:
    service = StatsService(hq_analyst)
    for scope, mission in (
        (replace(PERIOD, mission="IST"), "IST"),
        (replace(PERIOD, mission="AST"), "AST"),
        (replace(PERIOD, host_country="TR"), ""),
        (StatsFilter(date_from=TODAY - timedelta(days=1000), date_to=TODAY), ""),
    ):
        figures = service.indicators(scope).returnees
        assert figures == counted_by_sql(hq_analyst, service.normalise(scope), mission), scope
    assert service.indicators(replace(PERIOD, mission="IST")).returnees.total == 1
    # A case-level scope: records made at HQ have no case, so none is in it (as letters).
    assert service.indicators(replace(PERIOD, category="unpaid_wages")).returnees.total == 0


def test_the_register_and_the_report_count_alike(hq_analyst: Workspace) -> None:
    scope = StatsService(hq_analyst).normalise(PERIOD)
    assert scope.date_from is not None
    assert (
        ReturneeService(hq_analyst).statistics(scope.date_from, scope.date_to)
        == StatsService(hq_analyst).indicators(scope).returnees
    )


@pytest.mark.both_engines
def test_a_mission_counts_its_own_returnees(open_ws: OpenWs) -> None:
    """The fault: a mission's statistics had no returnee figures at all (`qorgau stats` added
    them at HQ only), though missions start most records, from their closed cases."""
    number = closed_case(open_ws("aigul"), open_ws("serik"))
    ws = open_ws("aigul")
    ReturneeService(ws).add(record(number, wants_referral=True))
    service = StatsService(ws)
    figures = service.indicators(PERIOD).returnees
    assert (figures.total, figures.wants_referral) == (1, 1)
    assert figures == counted_by_sql(ws, service.normalise(PERIOD))
    tables = {t.key: t for t in indicator_tables(service.indicators(PERIOD), "en")}
    assert tables["returnees"].rows[0][1] == 1
    assert tables["returnees_by_country"].rows == (("Republic of Korea", 1, 1),)
    # Its category and officer narrow it through the case.
    assert service.indicators(replace(PERIOD, category="unpaid_wages")).returnees.total == 1
    assert service.indicators(replace(PERIOD, category="violence")).returnees.total == 0
    # HQ moved the case to another mission: the record is theirs now, not in these figures.
    with ws.write() as session:
        session.execute(
            text("UPDATE \"case\" SET holder_mission = 'IST' WHERE number = :n"), {"n": number}
        )
    assert service.indicators(PERIOD).returnees.total == 0


# -- the records behind each figure (the Returnees area opened from a cell) -------------------


def cells(figures: ReturneeStats) -> list[tuple[str, str, bool, int]]:
    """Every counted cell of the returnees' tables: its row, key, whether it counts those
    wanting a referral, and its figure."""
    found = [
        ("returned", "", False, figures.total),
        ("returned", "", True, figures.wants_referral),
        ("undated", "", False, figures.undated),
    ]
    for row, counts in (
        ("occupation", figures.by_major_group),
        ("country", figures.by_country),
        ("region", figures.by_region),
    ):
        for c in counts:
            found += [(row, c.key, False, c.n), (row, c.key, True, c.wants_referral)]
    return found


def test_each_returnee_cell_lists_as_many_records_as_it_counts(hq_analyst: Workspace) -> None:
    """The fault: a returnee cell of the dashboard listed nothing, and the register's filter
    could not say what a figure counts (a period by day of return, the records without that
    day, the country of work, those wanting a referral, the mission of the scope)."""
    stats, register = StatsService(hq_analyst), ReturneeService(hq_analyst)
    for asked, mission in (
        (PERIOD, ""),
        (replace(PERIOD, mission="IST"), "IST"),
        (replace(PERIOD, mission="AST"), "AST"),
        (replace(PERIOD, host_country="TR"), ""),
        (StatsFilter(date_from=TODAY - timedelta(days=1000), date_to=TODAY), ""),
    ):
        scope = stats.normalise(asked)
        by_sql = counted_by_sql(hq_analyst, scope, mission)
        assert stats.indicators(scope).returnees == by_sql
        for row, key, wanting, n in cells(by_sql):
            listed = behind_figure(scope, row, key, wanting)
            assert register.count(listed) == n, (asked, row, key, wanting)
            assert len(register.list(listed)) == n, (asked, row, key, wanting)

    def names(row: str, key: str = "", wanting: bool = False) -> set[str]:
        flt = behind_figure(stats.normalise(PERIOD), row, key, wanting)
        return {r.surname for r in register.list(flt)}

    # Spelt out, so that a wrong figure and a wrong list cannot agree.
    assert names("returned") == {"Омаров", "Ахметов", "Серікова"}
    assert names("returned", wanting=True) == {"Омаров", "Серікова"}
    assert names("undated") == {"Нұрланов"}  # whatever the period
    assert names("region", "KZ-75") == {"Омаров", "Серікова"}
    assert names("country", "KR", wanting=True) == {"Омаров"}
    assert names("occupation", "8") == {"Ахметов"}


@pytest.mark.both_engines
def test_a_case_level_scope_lists_the_records_through_their_case(open_ws: OpenWs) -> None:
    """The fault: the register's filter had no category or officer, so the records behind a
    figure narrowed by them could not be listed."""
    number = closed_case(open_ws("aigul"), open_ws("serik"))
    ws = open_ws("aigul")
    register, stats = ReturneeService(ws), StatsService(ws)
    register.add(record(number, wants_referral=True))
    for category, n in (("unpaid_wages", 1), ("violence", 0)):
        scope = stats.normalise(replace(PERIOD, category=category))
        assert stats.indicators(scope).returnees.total == n
        assert register.count(behind_figure(scope, "returned")) == n
        assert register.count(behind_figure(scope, "region", "KZ-71", wanting=True)) == n


def test_a_filter_that_says_nothing_sensible_is_refused(hq_analyst: Workspace) -> None:
    register = ReturneeService(hq_analyst)
    with pytest.raises(ValidationError, match="is after its end"):
        register.list(ReturneeFilter(returned_from=TODAY, returned_to=TODAY - timedelta(1)))
    with pytest.raises(ValidationError, match="Unknown complaint category"):
        register.count(ReturneeFilter(category="no_such_thing"))
    with pytest.raises(ValidationError, match="Unknown figure"):
        behind_figure(PERIOD, "returnees_by_hair_colour")
