"""The per-day counts behind the dashboard (``case_day_stat``) always equal a recount.

Each test changes cases the way the application does (create, status change and its undo,
edit, assignment, CSV import, a tombstone from a bundle, a hard delete) and then compares
every period figure read from the counts with the same figure counted live from the cases,
for several scopes and periods.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import case, delete, insert, select, update

from app.config import Paths
from app.db.models import Base, Case, CaseCategory, CaseDayStat, CaseIloIndicator
from app.services.cases import CaseService
from app.services.csv_import import import_csv
from app.services.demo import fill_demo
from app.services.installation import unlock
from app.services.records import CaseChanges
from app.services.stats import StatsFilter, StatsService, _DayQueries, _Queries
from app.services.workspace import Workspace
from tests.conftest import PASSWORD, demo_mission

pytestmark = pytest.mark.both_engines

TODAY = date(2026, 11, 24)
PERIODS = ((date(2020, 1, 1), TODAY), (date(2026, 3, 1), date(2026, 10, 31)))


def _figures(q: _Queries) -> dict[str, object]:
    countries, employers, agencies = q.opened_breakdown()
    return {
        "opened": q.opened_count(),
        "resolved": q.resolved_count(),
        "closed": q.closed_count(),
        "documents_returned": q.documents_returned_count(),
        "repatriated": q.repatriated_count(),
        "countries": countries,
        "employers": employers,
        "agencies": agencies,
        "categories": q.categories(),
        "ilo": q.ilo(),
        "wages": q.wages(),
        "monthly": q.monthly(),
        "days": {m: sorted(d) for m, d in q.resolution_days().items()},
        "by_mission": q.by_mission(q.resolution_days()),
    }


def assert_counts_match_a_recount(ws: Workspace) -> None:
    with ws.read() as session:
        countries = session.execute(select(Case.host_country).distinct()).scalars().all()
        officers = session.execute(select(Case.assigned_to).distinct()).scalars().all()
        missions = session.execute(select(Case.origin_mission).distinct()).scalars().all()
        scopes = [StatsFilter()]
        scopes += [StatsFilter(host_country=c) for c in countries[:2]]
        scopes += [StatsFilter(officer=o) for o in officers if o][:2]
        scopes += [StatsFilter(mission=m) for m in missions]
        for first, last in PERIODS:
            for scope in scopes:
                scope = StatsFilter(
                    date_from=first,
                    date_to=last,
                    host_country=scope.host_country,
                    officer=scope.officer,
                    mission=scope.mission,
                )
                live = _figures(_Queries(session, scope, TODAY))
                counted = _figures(_DayQueries(session, scope, TODAY))
                assert counted == live, scope
        assert session.execute(select(CaseDayStat).where(CaseDayStat.n < 0)).first() is None


@pytest.fixture(scope="module")
def demo_template(template_installation: Paths, tmp_path_factory: pytest.TempPathFactory) -> Paths:
    """The SQLCipher runs' mission of 60 demo cases, filled once for the module."""
    return demo_mission(template_installation, tmp_path_factory, "day-stats", 60, 5, TODAY)


@pytest.fixture
def demo(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    """The administrator's workspace on a mission of 60 demo cases: on SQLCipher the test's
    copy of ``demo_template``, on PostgreSQL filled for the test."""
    if engine == "postgresql":
        ws: Workspace = request.getfixturevalue("ws")
        fill_demo(ws, 60, seed=5, today=TODAY)
        yield ws
        return
    paths = Paths(tmp_path / "demo")
    shutil.copytree(request.getfixturevalue("demo_template").data_dir, paths.data_dir)
    ws = unlock(paths, "admin", PASSWORD)
    try:
        yield ws
    finally:
        ws.close()


def _case_ids(ws: Workspace) -> list[str]:
    with ws.read() as session:
        return list(session.execute(select(Case.id).order_by(Case.number)).scalars())


def test_created_cases_are_counted(demo: Workspace) -> None:
    with demo.read() as session:
        assert session.execute(select(CaseDayStat)).first() is not None
    assert_counts_match_a_recount(demo)


def test_status_changes_and_their_undo_move_the_counts(demo: Workspace) -> None:
    service = CaseService(demo)
    opened = [
        c.id
        for c in service.list_cases(limit=500)
        if c.status in ("new", "in_progress", "awaiting_response")
    ][:4]
    for case_id in opened:
        service.set_status(case_id, "resolved", "wages paid")
    assert_counts_match_a_recount(demo)
    service.set_status(opened[0], "closed", "done")
    service.undo_status_change(opened[1])
    assert_counts_match_a_recount(demo)


def test_edits_and_assignments_move_the_counts(demo: Workspace) -> None:
    service = CaseService(demo)
    first, second = _case_ids(demo)[:2]
    service.update_case(first, CaseChanges(host_country="TR", categories=("violence", "other")))
    service.assign(second, None)
    with demo.write() as session:
        # What a bundle from another mission brings: a new holder, officer, outcome.
        session.execute(
            update(Case)
            .where(Case.id == second)
            .values(
                origin_mission="IST",
                assigned_to="someone",
                wages_recovered_amount=1234.56,
                wages_recovered_currency="USD",
                documents_returned=True,
            )
        )
    assert_counts_match_a_recount(demo)


def test_deleted_cases_leave_the_counts(demo: Workspace) -> None:
    tombstone, purged = _case_ids(demo)[:2]
    with demo.write() as session:
        session.execute(
            update(Case).where(Case.id == tombstone).values(deleted_at=datetime.now(UTC))
        )
        # A purge: what hangs off the case goes first; its codes go by the cascade.
        for table in reversed(Base.metadata.sorted_tables):
            for fk in table.foreign_keys:
                if fk.column is Case.__table__.c.id and fk.ondelete != "CASCADE":
                    session.execute(delete(table).where(fk.parent == purged))
        session.execute(delete(Case).where(Case.id == purged))
    assert_counts_match_a_recount(demo)
    with demo.write() as session:
        session.execute(update(Case).where(Case.id == tombstone).values(deleted_at=None))
    assert_counts_match_a_recount(demo)


def test_imported_cases_are_counted(demo: Workspace) -> None:
    raw = (
        "surname;given_names;host_country;categories;received_at;status\n"
        "Әбенов;Нұрлан;KR;unpaid_wages;2026-05-04;new\n"
        "Қасымова;Сәуле;AE;violence, documents_withheld;2026-06-10;resolved\n"
        "Petrov;Ivan;TR;other;2025-12-31;closed\n"
    ).encode()
    report = import_csv(demo, raw)
    assert report.imported == 3
    assert_counts_match_a_recount(demo)


def test_cases_inserted_by_one_statement_are_counted(demo: Workspace) -> None:
    """An import inserts thousands of cases and codes per statement (on PostgreSQL counted by
    statement-level triggers, migration 0015): copies of twenty cases, with codes in common
    days and scopes, go in through one multi-row insert each."""
    cases, categories = Case.__table__, CaseCategory.__table__
    with demo.read() as session:
        rows = [dict(r) for r in session.execute(select(cases).limit(20)).mappings()]
        codes = session.execute(select(categories)).all()
    copies, copied_codes = [], []
    for i, row in enumerate(rows):
        new_id = str(uuid.uuid4())
        copies.append({**row, "id": new_id, "seq": 900_000 + i, "number": f"CPY-{i}"})
        copied_codes += [
            {"case_id": new_id, "code": code} for case_id, code in codes if case_id == row["id"]
        ]
    with demo.write() as session:
        session.execute(insert(cases), copies)
        session.execute(insert(categories), copied_codes)
    assert copied_codes
    assert_counts_match_a_recount(demo)


def test_the_dashboard_reads_the_counts_without_a_category(demo: Workspace) -> None:
    stats = StatsService(demo, today=TODAY)
    scope = StatsFilter(date_from=PERIODS[0][0], date_to=TODAY)
    everything = stats.indicators(scope)
    assert everything.opened == 60
    one_category = stats.indicators(
        StatsFilter(date_from=PERIODS[0][0], date_to=TODAY, category="unpaid_wages")
    )
    assert 0 < one_category.opened < everything.opened


def test_cases_updated_and_codes_deleted_by_one_statement_are_counted(demo: Workspace) -> None:
    """A bundle's changed cases are updated by one statement and their codes deleted by
    another (on PostgreSQL counted by statement-level triggers, migration 0027): in one
    update, cases moved to another day, mission, officer and outcome beside cases given their
    own values again and cases whose uncounted text alone changed; then codes of several cases
    deleted at once."""
    cases, categories = Case.__table__, CaseCategory.__table__
    ids = _case_ids(demo)
    moved, same, text_only = ids[:12], ids[12:18], ids[18:24]
    with demo.write() as session:
        session.execute(
            update(cases)
            .where(cases.c.id.in_(moved + same + text_only))
            .values(
                received_at=case(
                    (cases.c.id.in_(moved), date(2026, 5, 4)), else_=cases.c.received_at
                ),
                assigned_to=case((cases.c.id.in_(moved), "bulk"), else_=cases.c.assigned_to),
                origin_mission=case(
                    (cases.c.id.in_(moved[:6]), "IST"), else_=cases.c.origin_mission
                ),
                host_country=case((cases.c.id.in_(moved[:6]), "TR"), else_=cases.c.host_country),
                documents_returned=case(
                    (cases.c.id.in_(moved[3:9]), True), else_=cases.c.documents_returned
                ),
                resolved_at=cases.c.resolved_at,
                description=case(
                    (cases.c.id.in_(text_only), "changed text"), else_=cases.c.description
                ),
            )
        )
    assert_counts_match_a_recount(demo)
    with demo.write() as session:
        session.execute(
            update(cases)
            .where(cases.c.id.in_(moved[6:]))
            .values(received_at=date(2025, 12, 31), deleted_at=datetime.now(UTC))
        )
        done = session.execute(
            delete(categories).where(categories.c.case_id.in_(moved[:8] + text_only))
        )
        assert done.rowcount > 8
    assert_counts_match_a_recount(demo)


def _copy_cases(ws: Workspace, times: int) -> None:
    """``times`` copies of every case with its codes, each copy written by one multi-row
    insert per table."""
    cases, links = Case.__table__, (CaseCategory.__table__, CaseIloIndicator.__table__)
    with ws.read() as session:
        rows = [dict(r) for r in session.execute(select(cases)).mappings()]
        codes = {table: session.execute(select(table)).all() for table in links}
    for n in range(times):
        new_ids = {row["id"]: str(uuid.uuid4()) for row in rows}
        copies = [
            {
                **row,
                "id": new_ids[row["id"]],
                "seq": 1_000_000 + n * 1000 + i,
                "number": f"C{n}-{i}",
            }
            for i, row in enumerate(rows)
        ]
        with ws.write() as session:
            session.execute(insert(cases), copies)
            for table, pairs in codes.items():
                if pairs:
                    session.execute(
                        insert(table),
                        [{"case_id": new_ids[case_id], "code": code} for case_id, code in pairs],
                    )


def _counts(ws: Workspace) -> list[tuple[object, ...]]:
    """Every row of the per-day counts, in key order."""
    table = CaseDayStat.__table__
    with ws.read() as session:
        rows = session.execute(select(table).order_by(*table.primary_key.columns)).all()
        return [tuple(row) for row in rows]


def test_a_bulk_update_of_thousands_of_cases_is_counted(demo: Workspace) -> None:
    """A migration, a mass status change or a large bundle updates thousands of cases in one
    statement (on PostgreSQL one run of the statement-level trigger, made linear by migration
    0031): an update of uncounted columns alone leaves every count as it was; one that moves
    every third case to another officer and every seventh to another day and outcome gives
    the recount's figures."""
    _copy_cases(demo, 50)  # 60 demo cases and 50 copies: 3,060 cases
    cases = Case.__table__
    before = _counts(demo)
    with demo.write() as session:
        done = session.execute(
            update(cases).values(due_date=date(2027, 1, 31), description="bulk text")
        )
        assert done.rowcount == 3060
    assert _counts(demo) == before
    every_third = cases.c.seq % 3 == 0
    every_seventh = cases.c.seq % 7 == 0
    with demo.write() as session:
        session.execute(
            update(cases).values(
                assigned_to=case((every_third, "bulk"), else_=cases.c.assigned_to),
                received_at=case((every_seventh, date(2026, 5, 4)), else_=cases.c.received_at),
                repatriated=case((every_seventh, True), else_=cases.c.repatriated),
                due_date=date(2027, 2, 1),
            )
        )
    assert _counts(demo) != before
    assert_counts_match_a_recount(demo)
