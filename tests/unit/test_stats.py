"""Every indicator on a fixed demo, against a value counted here independently in Python."""

from __future__ import annotations

import shutil
import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from app.config import Paths
from app.db.models import (
    Case,
    ContractReview,
    Letter,
    PartnerOrganisation,
    PartnerReferral,
)
from app.errors import ValidationError
from app.services.cases import CaseService
from app.services.demo import fill_demo
from app.services.installation import unlock
from app.services.records import CaseRow
from app.services.stats import (
    Drilldown,
    Indicators,
    StatsFilter,
    StatsService,
    default_period,
    percentile,
)
from app.services.workspace import Workspace
from tests.conftest import PASSWORD

pytestmark = pytest.mark.both_engines

TODAY = date(2026, 11, 24)
OPEN = {"new", "in_progress", "awaiting_response", "referred"}
PERIOD = StatsFilter(date_from=date(2026, 3, 1), date_to=date(2026, 10, 31))
OTHER_MISSION = "IST"


@dataclass
class Row:
    id: str
    mission: str
    country: str
    status: str
    received: date
    due: date | None
    resolved: date | None
    closed: date | None
    officer: str | None
    employer: str | None
    agency: str | None
    wages: Decimal | None
    currency: str | None
    documents: bool
    repatriated: bool
    categories: set[str]
    indicators: set[str]


@pytest.fixture(scope="module")
def demo(
    template_installation: Paths, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Workspace]:
    target = tmp_path_factory.mktemp("stats") / "data"
    shutil.copytree(template_installation.data_dir, target)
    ws = unlock(Paths(target), "admin", PASSWORD)
    fill_demo(ws, 500, seed=11, today=TODAY)
    with ws.write() as session:
        case_ids = list(session.execute(select(Case.id).order_by(Case.number)).scalars())
        # A second mission's cases, as HQ would hold them after importing its bundles.
        session.execute(
            update(Case).where(Case.id.in_(case_ids[::5])).values(origin_mission=OTHER_MISSION)
        )
        partner = PartnerOrganisation(name="Legal aid", kind="lawyer", country="KR")
        session.add(partner)
        session.flush()
        for i, case_id in enumerate(case_ids[:12]):
            session.add(
                PartnerReferral(
                    case_id=case_id,
                    partner_id=partner.id,
                    referred_at=date(2026, 2, 20) + timedelta(days=9 * i),
                )
            )
        kinds = ["employer_letter", "note_verbale_labour_authority", "referral"]
        for i, case_id in enumerate(case_ids[20:45]):
            issued = datetime(2026, 1, 5, 9, tzinfo=UTC) + timedelta(days=13 * i)
            session.add(
                Letter(
                    case_id=case_id if i % 4 else None,
                    mission_code="SEL",
                    kind=kinds[i % 3],
                    lang="ru",
                    status="issued" if i % 5 else "draft",
                    issued_at=issued if i % 5 else None,
                )
            )
        for i, case_id in enumerate(case_ids[50:80]):
            session.add(
                ContractReview(
                    case_id=case_id if i % 3 else None,
                    host_country=("KR", "TR", "AE")[i % 3],
                    risk=("low", "medium", "high", "critical")[i % 4],
                    reviewed_at=datetime(2026, 2, 1, 12, tzinfo=UTC) + timedelta(days=10 * i),
                )
            )
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def rows(demo: Workspace) -> list[Row]:
    """Each case as plain Python values, read with plain SQL."""
    with demo.read() as session:
        cats: dict[str, set[str]] = {}
        for case_id, code in session.execute(text("SELECT case_id, code FROM case_category")):
            cats.setdefault(case_id, set()).add(code)
        inds: dict[str, set[str]] = {}
        for case_id, code in session.execute(text("SELECT case_id, code FROM case_ilo_indicator")):
            inds.setdefault(case_id, set()).add(code)
        raw = session.execute(
            text(
                "SELECT id, origin_mission, host_country, status, received_at, due_date,"
                " resolved_at, closed_at, assigned_to, employer_id, agency_id,"
                " wages_recovered_amount, wages_recovered_currency, documents_returned,"
                ' repatriated FROM "case" WHERE deleted_at IS NULL'
            )
        ).all()

    def day(value: str | None) -> date | None:
        return date.fromisoformat(value[:10]) if value else None

    return [
        Row(
            id=r[0],
            mission=r[1],
            country=r[2],
            status=r[3],
            received=date.fromisoformat(r[4]),
            due=day(r[5]),
            resolved=day(r[6]),
            closed=day(r[7]),
            officer=r[8],
            employer=r[9],
            agency=r[10],
            wages=Decimal(str(r[11])) if r[11] is not None else None,
            currency=r[12],
            documents=bool(r[13]),
            repatriated=bool(r[14]),
            categories=cats.get(r[0], set()),
            indicators=inds.get(r[0], set()),
        )
        for r in raw
    ]


@pytest.fixture(scope="module")
def figures(demo: Workspace) -> Indicators:
    return StatsService(demo, today=TODAY).indicators(PERIOD)


def within(day: date | None) -> bool:
    assert PERIOD.date_from and PERIOD.date_to
    return day is not None and PERIOD.date_from <= day <= PERIOD.date_to


def test_the_demo_has_what_the_figures_need(rows: list[Row]) -> None:
    assert len(rows) == 500
    assert sum(within(r.resolved) for r in rows) > 20
    assert {r.mission for r in rows} == {"SEL", OTHER_MISSION}


def statuses_on(demo: Workspace, day: date) -> dict[str, str]:
    """Each case's status at the end of ``day``, replayed here from its status changes."""
    end = datetime.combine(day + timedelta(days=1), datetime.min.time())
    moves: dict[str, list[tuple[datetime, int, str, str]]] = {}
    with demo.read() as session:
        now = {i: st for i, st in session.execute(text('SELECT id, status FROM "case"'))}
        for case_id, at, seq, before, after in session.execute(
            text(
                "SELECT case_id, occurred_at, change_seq, status_from, status_to FROM case_event"
                " WHERE kind IN ('status_change', 'status_undone') AND deleted_at IS NULL"
            )
        ):
            at = at if isinstance(at, datetime) else datetime.fromisoformat(at)
            moves.setdefault(case_id, []).append((at.replace(tzinfo=None), seq, before, after))
    found = {}
    for case_id, status in now.items():
        ordered = sorted(moves.get(case_id, []))
        earlier = [m for m in ordered if m[0] < end]
        later = [m for m in ordered if m[0] >= end]
        found[case_id] = earlier[-1][3] if earlier else later[0][2] if later else status
    return found


def test_opened_resolved_closed_open_and_overdue(
    demo: Workspace, figures: Indicators, rows: list[Row]
) -> None:
    """The period ended before today: its open and overdue cases are those of its last day.
    The fault: they were today's, so a report for last year counted a case closed this
    February as closed, and one opened since as open."""
    assert figures.opened == sum(within(r.received) for r in rows)
    assert figures.resolved == sum(within(r.resolved) for r in rows)
    assert figures.closed == sum(within(r.closed) for r in rows)
    last = PERIOD.date_to
    assert last is not None and figures.as_of == last < TODAY
    then = statuses_on(demo, last)
    open_then = [r for r in rows if r.received <= last and then[r.id] in OPEN]
    by_status = Counter(then[r.id] for r in open_then)
    assert {c.key: c.count for c in figures.open_by_status} == {s: by_status[s] for s in OPEN}
    assert figures.open_now == len(open_then)
    assert figures.overdue == sum(1 for r in open_then if r.due is not None and r.due < last)
    # Counted as today's, the figures differ: the test tells the two apart.
    assert by_status != Counter(r.status for r in rows if r.status in OPEN)
    # A case ended after the period (its status now not open) counts open on its last day.
    assert any(r.status not in OPEN for r in open_then)


def test_open_and_overdue_are_todays_while_the_period_runs(
    demo: Workspace, rows: list[Row]
) -> None:
    figures = StatsService(demo, today=TODAY).indicators(replace(PERIOD, date_to=TODAY))
    assert figures.as_of == TODAY
    by_status = Counter(r.status for r in rows if r.status in OPEN)
    assert {c.key: c.count for c in figures.open_by_status} == {s: by_status[s] for s in OPEN}
    assert figures.open_now == sum(by_status.values())
    assert figures.overdue == sum(
        1 for r in rows if r.status in OPEN and r.due is not None and r.due < TODAY
    )
    assert figures.overdue > 0


def test_a_case_resolved_today_was_open_yesterday(ws: Workspace) -> None:
    fill_demo(ws, 12, seed=3)
    with ws.read() as session:
        case_id = session.execute(
            select(Case.id).where(Case.status.in_(("new", "in_progress"))).limit(1)
        ).scalar_one()
    today = datetime.now(UTC).date()
    yesterday = StatsFilter(date_from=today - timedelta(days=400), date_to=today - timedelta(1))
    service = StatsService(ws, today=today)
    before = service.indicators(yesterday)
    drill = Drilldown(yesterday, "open")
    assert case_id in service.ids_behind(drill)
    CaseService(ws).set_status(case_id, "resolved", "Paid in full.")
    after = service.indicators(yesterday)
    assert after.open_now == before.open_now and after.overdue == before.overdue
    assert case_id in service.ids_behind(drill)
    # Today it is no longer open.
    assert case_id not in service.ids_behind(Drilldown(replace(yesterday, date_to=today), "open"))


def test_days_to_resolution(figures: Indicators, rows: list[Row]) -> None:
    days = [(r.resolved - r.received).days for r in rows if r.resolved and within(r.resolved)]
    assert figures.resolution_cases == len(days)
    assert figures.median_days == statistics.median(days)
    expected_p90 = statistics.quantiles(days, n=10, method="inclusive")[8]
    assert figures.p90_days == pytest.approx(expected_p90)


def test_outcomes(figures: Indicators, rows: list[Row]) -> None:
    resolved = [r for r in rows if within(r.resolved)]
    wages: dict[str, Decimal] = {}
    for r in resolved:
        if r.wages is not None and r.currency:
            wages[r.currency] = wages.get(r.currency, Decimal(0)) + r.wages
    assert {m.currency: m.amount for m in figures.wages_recovered} == wages
    assert figures.documents_returned == sum(r.documents for r in resolved)
    assert figures.repatriated == sum(r.repatriated for r in resolved)


def test_referred_counts_status_changes_and_partner_referrals(
    demo: Workspace, figures: Indicators
) -> None:
    with demo.read() as session:
        by_status = set(
            session.execute(
                text(
                    "SELECT case_id FROM case_event WHERE status_to = 'referred'"
                    " AND substr(occurred_at, 1, 10) BETWEEN '2026-03-01' AND '2026-10-31'"
                )
            ).scalars()
        )
        by_partner = set(
            session.execute(
                text(
                    "SELECT case_id FROM partner_referral"
                    " WHERE referred_at BETWEEN '2026-03-01' AND '2026-10-31'"
                )
            ).scalars()
        )
    assert by_partner - by_status, "the fixture should add partner-only referrals"
    assert figures.referred == len(by_status | by_partner)


def test_ilo_indicators_categories_and_countries(figures: Indicators, rows: list[Row]) -> None:
    opened = [r for r in rows if within(r.received)]
    ilo = Counter(code for r in opened for code in r.indicators)
    assert [c.key for c in figures.ilo_indicators][:2] == ["abuse_of_vulnerability", "deception"]
    assert len(figures.ilo_indicators) == 11
    assert {c.key: c.count for c in figures.ilo_indicators if c.count} == dict(ilo)
    cats = Counter(code for r in opened for code in r.categories)
    assert {c.key: c.count for c in figures.categories if c.count} == dict(cats)
    assert figures.categories[0].count == max(cats.values())
    assert {c.key: c.count for c in figures.host_countries} == dict(
        Counter(r.country for r in opened)
    )


def test_top_employers_and_agencies(figures: Indicators, rows: list[Row]) -> None:
    opened = [r for r in rows if within(r.received)]
    employers = Counter(r.employer for r in opened if r.employer)
    top = [count for _id, count in employers.most_common(10)]
    assert [e.count for e in figures.top_employers] == top
    first = figures.top_employers[0]
    assert employers[first.id] == first.count and first.name
    agencies = Counter(r.agency for r in opened if r.agency)
    assert [a.count for a in figures.top_agencies] == [n for _i, n in agencies.most_common(10)]


def test_letters_by_kind_and_reviews_by_risk(demo: Workspace, figures: Indicators) -> None:
    with demo.read() as session:
        letters = Counter(
            kind
            for kind, issued in session.execute(text("SELECT kind, issued_at FROM letter"))
            if issued and "2026-03-01" <= issued[:10] <= "2026-10-31"
        )
        reviews = Counter(
            risk
            for risk, at in session.execute(text("SELECT risk, reviewed_at FROM contract_review"))
            if "2026-03-01" <= at[:10] <= "2026-10-31"
        )
    assert {c.key: c.count for c in figures.letters_by_kind if c.count} == dict(letters)
    assert len(figures.letters_by_kind) == 6
    assert {c.key: c.count for c in figures.reviews_by_risk if c.count} == dict(reviews)
    assert [c.key for c in figures.reviews_by_risk] == ["low", "medium", "high", "critical"]


def test_monthly_trend(figures: Indicators, rows: list[Row]) -> None:
    assert [p.month for p in figures.monthly] == [f"2026-{m:02d}" for m in range(3, 11)]
    for point in figures.monthly:
        assert point.opened == sum(r.received.isoformat()[:7] == point.month for r in rows)
        assert point.resolved == sum(
            r.resolved is not None and r.resolved.isoformat()[:7] == point.month for r in rows
        )
        assert point.closed == sum(
            r.closed is not None and r.closed.isoformat()[:7] == point.month for r in rows
        )
    assert sum(p.opened for p in figures.monthly) == figures.opened


def test_missions_side_by_side(demo: Workspace, rows: list[Row]) -> None:
    figures = StatsService(demo, today=TODAY).indicators(PERIOD, by_mission=True)
    assert [m.mission for m in figures.by_mission] == [OTHER_MISSION, "SEL"]
    assert PERIOD.date_to is not None
    then = statuses_on(demo, PERIOD.date_to)
    for m in figures.by_mission:
        mine = [r for r in rows if r.mission == m.mission]
        assert m.opened == sum(within(r.received) for r in mine)
        assert m.resolved == sum(within(r.resolved) for r in mine)
        assert m.open_now == sum(r.received <= PERIOD.date_to and then[r.id] in OPEN for r in mine)
        days = [(r.resolved - r.received).days for r in mine if r.resolved and within(r.resolved)]
        assert m.median_days == statistics.median(days)
    assert sum(m.opened for m in figures.by_mission) == figures.opened
    # Not at HQ and not asked: no comparison.
    assert StatsService(demo, today=TODAY).indicators(PERIOD).by_mission == ()


def test_scope_narrows_every_figure(demo: Workspace, rows: list[Row]) -> None:
    service = StatsService(demo, today=TODAY)
    by_country = service.indicators(StatsFilter(PERIOD.date_from, PERIOD.date_to, "tr"))
    assert by_country.scope.host_country == "TR"
    assert by_country.opened == sum(r.country == "TR" and within(r.received) for r in rows)
    assert {c.key for c in by_country.host_countries} == {"TR"}
    by_category = service.indicators(
        StatsFilter(PERIOD.date_from, PERIOD.date_to, category="documents_withheld")
    )
    assert by_category.opened == sum(
        "documents_withheld" in r.categories and within(r.received) for r in rows
    )
    officer = next(r.officer for r in rows if r.officer)
    by_officer = service.indicators(StatsFilter(PERIOD.date_from, TODAY, officer=officer))
    assert by_officer.open_now == sum(r.officer == officer and r.status in OPEN for r in rows)
    by_mission = service.indicators(
        StatsFilter(PERIOD.date_from, PERIOD.date_to, mission=OTHER_MISSION.lower())
    )
    assert by_mission.resolved == sum(
        r.mission == OTHER_MISSION and within(r.resolved) for r in rows
    )


@pytest.mark.parametrize(
    ("measure", "key", "field"),
    [
        ("opened", "", "opened"),
        ("resolved", "", "resolved"),
        ("closed", "", "closed"),
        ("overdue", "", "overdue"),
        ("referred", "", "referred"),
        ("documents_returned", "", "documents_returned"),
        ("repatriated", "", "repatriated"),
    ],
)
def test_the_cases_behind_a_figure_are_as_many_as_it_counts(
    demo: Workspace, figures: Indicators, measure: str, key: str, field: str
) -> None:
    service = StatsService(demo, today=TODAY)
    # What the drill-down dialog reads: every id, newest first, then their rows by id.
    ids = service.ids_behind(Drilldown(PERIOD, measure, key))
    assert len(ids) == len(set(ids)) == getattr(figures, field)
    listed = service.rows_of(ids)
    assert [row.id for row in listed] == ids
    assert listed == sorted(listed, key=lambda r: r.received_at, reverse=True)
    assert service.rows_of(ids[:7]) == listed[:7]


def test_chart_segments_list_their_cases(demo: Workspace, figures: Indicators) -> None:
    service = StatsService(demo, today=TODAY)
    segments = [
        ("open", figures.open_by_status[1]),
        ("category", figures.categories[0]),
        ("ilo", figures.ilo_indicators[7]),
        ("country", figures.host_countries[0]),
    ]

    def behind(measure: str, key: str) -> list[CaseRow]:
        return service.rows_of(service.ids_behind(Drilldown(PERIOD, measure, key)))

    for measure, count in segments:
        assert len(behind(measure, count.key)) == count.count > 0
    rows = behind("category", "unpaid_wages")
    assert all("unpaid_wages" in r.categories for r in rows)
    assert rows == sorted(rows, key=lambda r: r.received_at, reverse=True)
    employer = figures.top_employers[0]
    listed = behind("employer", employer.id)
    assert len(listed) == employer.count and {r.employer_name for r in listed} == {employer.name}
    month = figures.monthly[2]
    assert len(service.ids_behind(Drilldown(PERIOD, "month", month.month))) == month.opened
    currency = figures.wages_recovered[0]
    assert len(service.ids_behind(Drilldown(PERIOD, "wages", currency.currency))) == currency.cases


def test_letters_and_reviews_list_the_cases_they_were_written_for(demo: Workspace) -> None:
    """The fault: letters by kind and reviews by risk were figures with no cases behind them
    (the dashboard could not list them). Counted here from the letters and reviews tables."""
    service = StatsService(demo, today=TODAY)
    with demo.read() as session:
        letters = session.execute(
            text("SELECT kind, case_id, issued_at FROM letter WHERE case_id IS NOT NULL")
        ).all()
        reviews = session.execute(
            text("SELECT risk, case_id, reviewed_at FROM contract_review WHERE case_id IS NOT NULL")
        ).all()

    def in_period(at: str | None) -> bool:
        return at is not None and "2026-03-01" <= at[:10] <= "2026-10-31"

    for kind in ("employer_letter", "note_verbale_labour_authority", "referral"):
        expected = {case_id for k, case_id, at in letters if k == kind and in_period(at)}
        assert expected, kind
        assert set(service.ids_behind(Drilldown(PERIOD, "letter", kind))) == expected
    for risk in ("low", "medium", "high", "critical"):
        expected = {case_id for r, case_id, at in reviews if r == risk and in_period(at)}
        assert expected, risk
        assert set(service.ids_behind(Drilldown(PERIOD, "review", risk))) == expected
    with pytest.raises(ValidationError, match="Unknown letter kind: memo"):
        service.ids_behind(Drilldown(PERIOD, "letter", "memo"))
    with pytest.raises(ValidationError, match="Unknown risk “grave”"):
        service.ids_behind(Drilldown(PERIOD, "review", "grave"))


def test_a_missions_figures_list_that_missions_cases(demo: Workspace) -> None:
    """HQ's side-by-side table: a cell lists its mission's cases of its figure."""
    service = StatsService(demo, today=TODAY)
    figures = service.indicators(PERIOD, by_mission=True)
    for m in figures.by_mission:
        scope = replace(PERIOD, mission=m.mission)
        for measure, expected in (
            ("opened", m.opened),
            ("resolved", m.resolved),
            ("closed", m.closed),
            ("open", m.open_now),
            ("overdue", m.overdue),
        ):
            assert len(service.ids_behind(Drilldown(scope, measure))) == expected, measure


def test_open_and_overdue_drilldowns_match_the_case_list(demo: Workspace) -> None:
    stats, cases = StatsService(demo, today=TODAY), CaseService(demo, today=TODAY)
    running = replace(PERIOD, date_to=TODAY)
    for drill in (
        Drilldown(running, "open", "awaiting_response"),
        Drilldown(running, "open"),
        Drilldown(StatsFilter(host_country="KR"), "overdue"),
    ):
        flt = drill.case_filter(TODAY)
        assert flt is not None
        assert cases.count_cases(flt) == len(stats.ids_behind(drill))
    assert Drilldown(running, "category", "violence").case_filter(TODAY) is None
    # A period ended before today: its open cases are its last day's, not the case list's.
    assert Drilldown(PERIOD, "open").case_filter(TODAY) is None


def test_default_period_is_the_last_twelve_months(demo: Workspace) -> None:
    """The fault: twelve calendar months from the first of a month made December's "last 12
    months" 01.01.2026–07.12.2026, the same dates as "this year"."""
    assert default_period(date(2026, 12, 7)) == (date(2025, 12, 8), date(2026, 12, 7))
    assert default_period(date(2026, 11, 24)) == (date(2025, 11, 25), date(2026, 11, 24))
    assert default_period(date(2026, 1, 3)) == (date(2025, 1, 4), date(2026, 1, 3))
    assert default_period(date(2026, 12, 31)) == (date(2026, 1, 1), date(2026, 12, 31))
    assert default_period(date(2028, 2, 29)) == (date(2027, 3, 1), date(2028, 2, 29))
    figures = StatsService(demo, today=TODAY).indicators()
    assert (figures.date_from, figures.date_to) == (date(2025, 11, 25), TODAY)
    # Both ends fall in November: its last week of 2025 and its weeks of 2026.
    assert [m.month for m in figures.monthly][:2] == ["2025-11", "2025-12"]
    assert len(figures.monthly) == 13


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7], 0.9) == 7.0
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]
    assert percentile(values, 0.9) == pytest.approx(
        statistics.quantiles(values, n=10, method="inclusive")[8]
    )


@pytest.mark.parametrize(
    ("flt", "field", "message"),
    [
        (
            StatsFilter(date(2026, 5, 1), date(2026, 4, 1)),
            "date_from",
            "The start of the period (1 May 2026) is after its end (1 Apr 2026).",
        ),
        (StatsFilter(host_country="XX"), "host_country", "“XX” is not a two-letter ISO"),
        (StatsFilter(category="hunger"), "category", "Unknown complaint category: hunger"),
        (StatsFilter(date(1990, 1, 1), date(2026, 1, 1)), "date_from", "longer than twenty"),
    ],
)
def test_bad_filters_are_refused(
    demo: Workspace, flt: StatsFilter, field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        StatsService(demo, today=TODAY).indicators(flt)
    assert caught.value.field == field
    assert message in str(caught.value)


def test_unknown_figure_is_refused(demo: Workspace) -> None:
    with pytest.raises(ValidationError, match="Unknown figure “speed”"):
        StatsService(demo, today=TODAY).ids_behind(Drilldown(PERIOD, "speed"))
    with pytest.raises(ValidationError, match="is not a month"):
        StatsService(demo, today=TODAY).ids_behind(Drilldown(PERIOD, "month", "May"))


def test_an_empty_mission_has_zero_figures(ws: Workspace, tmp_path: Path) -> None:
    figures = StatsService(ws, today=TODAY).indicators()
    assert figures.opened == figures.open_now == figures.overdue == 0
    assert figures.median_days is None and figures.p90_days is None
    assert figures.wages_recovered == () and figures.top_employers == ()
    assert all(c.count == 0 for c in figures.ilo_indicators)


def test_a_referral_taken_back_is_not_counted(ws: Workspace) -> None:
    """A move to "referred" undone by its author is no referral; the undo is no referral either."""
    fill_demo(ws, 12, seed=3)
    service = CaseService(ws)
    with ws.read() as session:
        case_id = session.execute(
            select(Case.id).where(Case.status.in_(("new", "in_progress"))).limit(1)
        ).scalar_one()
    today = datetime.now(UTC).date()
    period = StatsFilter(date_from=today - timedelta(days=1), date_to=today + timedelta(days=1))

    def referred_now() -> int:
        return StatsService(ws).indicators(period).referred

    before = referred_now()
    service.set_status(case_id, "referred", "To the shelter.")
    assert referred_now() == before + 1
    service.undo_status_change(case_id)
    assert referred_now() == before
    service.set_status(case_id, "referred", "To the shelter after all.")
    assert referred_now() == before + 1  # a later, kept referral counts again


def test_the_now_figures_read_one_index_alone(ws: Workspace) -> None:
    """The open cases by status and mission, and the overdue, come from ``ix_case_open_now``
    alone on SQLite (migration 0016): through the mission index and the case rows they were a
    third of the dashboard at 300,000 cases."""
    if ws.on_server:
        pytest.skip("SQLite's query plan")
    from sqlalchemy import event

    fill_demo(ws, 20, seed=4)
    seen: list[tuple[str, object]] = []

    def keep(_conn, _cursor, statement, parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if "FILTER" in statement and "due_date" in statement:
            seen.append((statement, parameters))

    event.listen(ws.db.engine, "before_cursor_execute", keep)
    try:
        StatsService(ws).indicators()
    finally:
        event.remove(ws.db.engine, "before_cursor_execute", keep)
    assert seen
    with ws.read() as session:
        raw = session.connection().exec_driver_sql
        plan = " ".join(str(row[-1]) for row in raw("EXPLAIN QUERY PLAN " + seen[0][0], seen[0][1]))
    assert "COVERING INDEX ix_case_open_now" in plan
