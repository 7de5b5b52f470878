"""The returnees' register: its pages and counts at HQ and at a mission, the statistics and
an export.

At HQ, N records (default 20,000, about what every mission's returns over several years would
give) are written in bulk into a fresh HQ installation; a tenth of them without the consent,
which every read must leave out. Baseline: the same page as a plain indexed SELECT of ids on
the same connection (no join to the person, no consent check). The first run (20,000 records,
a shared 2-core machine under load) gave a page in ~110 ms against ~32 ms for the bare SELECT,
and ~31 s for an XLSX of 18,000 rows (openpyxl's writing).

At a mission, a copy of the demo mission (QORGAU_BENCH_DATA, ``--cases``, default 100,000)
gets a record for 40 % of its cases, each a finished case of its own, nine in ten consented,
4 % without a day of return. Its first page and count, unfiltered and with each filter the
Returnees area offers (and a figure's), are timed as the query read them before migration 0026
(the records joined to their person, on the schema without ``ix_returnee_order``) and as this
tree reads them, in the same run; the goal for lists: a first page within 50 ms p95 at 100k.

Usage: ``python -m benchmarks.bench_returnees [RECORDS] [--cases N] [--only hq|mission]``.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Text, cast, func, insert, select, text, update
from sqlalchemy.orm import aliased

from app.config import Paths
from app.db.models import Case, Person, Returnee, new_id
from app.domain.occupations import regions, unit_groups
from app.domain.workflow import RETURNEE_FROM_STATUSES
from app.services.installation import MissionSetup, init_installation, unlock
from app.services.returnees import (
    LIST_ORDER,
    ReturneeFilter,
    ReturneeService,
    _row,
    skills_key,
)
from app.services.users import UserService
from app.services.workspace import Workspace
from benchmarks.common import (
    Row,
    admin_on_a_copy,
    large_mission,
    p,
    print_table,
    repeats,
    timings_ms,
)

PASSWORD = "bench-password"
COUNTRIES = ("KR", "TR", "RU", "AE", "DE", "GB", "US", "IL", "QA", "KG")


def _fill(ws: object, n: int) -> None:
    rng = random.Random(7)
    codes = [o.code for o in unit_groups()]
    region_codes = sorted(regions())
    now = datetime.now(UTC)
    persons, records = [], []
    for i in range(n):
        person_id = new_id()
        consented = i % 10 != 0
        persons.append(
            {
                "id": person_id,
                "origin_mission": "AST",
                "version": 1,
                "updated_at": now,
                "change_seq": 0,
                "surname": f"Фамилия{i}",
                "given_names": "Имя",
                "consent_scope": ["returnee_register"] if consented else ["case_handling"],
            }
        )
        certificates = [f"Certificate {rng.randrange(500)}"]
        records.append(
            {
                "id": new_id(),
                "origin_mission": "AST",
                "version": 1,
                "updated_at": now,
                "change_seq": 0,
                "person_id": person_id,
                "occupation": rng.choice(codes),
                "years_abroad": rng.randrange(10),
                "certificates": certificates,
                "languages": [rng.choice(("ko", "tr", "ru", "ar", "en"))],
                "work_country": rng.choice(COUNTRIES),
                "region": rng.choice(region_codes),
                "wants_referral": rng.random() < 0.6,
                "consent_reference": f"form {i}",
                "consent_date": date.today() - timedelta(days=rng.randrange(2000)),
                "returned_on": date.today() - timedelta(days=rng.randrange(2000)),
                "skills_text": skills_key(certificates, ""),
            }
        )
    with ws.write() as session:  # type: ignore[attr-defined]
        session.execute(insert(Person), persons)
        session.execute(insert(Returnee), records)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_returnees")
    parser.add_argument(
        "records", nargs="?", type=int, default=int(os.environ.get(RECORDS_ENV, 20_000))
    )
    parser.add_argument("--cases", type=int, default=int(os.environ.get(CASES_ENV, 100_000)))
    parser.add_argument("--only", choices=("hq", "mission"))
    args = parser.parse_args(argv)
    if args.only != "mission":
        # Its own HQ, thrown away after (each run left one in the temporary folder).
        with tempfile.TemporaryDirectory(prefix="qorgau-bench-returnees-") as folder:
            _run(Paths(Path(folder)), args.records)
    if args.only != "hq":
        _at_a_mission(args.cases)


RECORDS_ENV = "QORGAU_BENCH_RETURNEES"
CASES_ENV = "QORGAU_BENCH_CASES"


def _run(paths: Paths, n: int) -> None:
    init_installation(paths, MissionSetup("AST", "KZ", "Astana", is_hq=True), "admin", PASSWORD)
    admin = unlock(paths, "admin", PASSWORD)
    UserService(admin).add("astana", "hq", PASSWORD)
    started = time.perf_counter()
    _fill(admin, n)
    print(f"wrote {n:,} register records in {time.perf_counter() - started:.1f} s")
    admin.close()
    ws = unlock(paths, "astana", PASSWORD)
    service = ReturneeService(ws)
    by_major = ReturneeFilter(occupation="7")
    by_region = ReturneeFilter(region="KZ-71")
    by_skill = ReturneeFilter(skill="certificate 12")
    unfiltered = timings_ms(lambda: service.list(limit=200), 20)
    count_all = timings_ms(service.count, 10)
    with ws.read() as session:

        def raw_page() -> object:
            return session.execute(
                select(Returnee.id)
                .where(Returnee.occupation.like("7%"), Returnee.deleted_at.is_(None))
                .order_by(Returnee.returned_on.desc())
                .limit(200)
            ).all()

        raw = timings_ms(raw_page, 20)
    major = timings_ms(lambda: service.list(by_major, limit=200), 20)
    region = timings_ms(lambda: service.list(by_region, limit=200), 20)
    skill = timings_ms(lambda: service.list(by_skill, limit=200), 10)
    count = timings_ms(lambda: service.count(by_major), 10)
    stats = timings_ms(service.statistics, 5)
    out = paths.data_dir / "register.xlsx"
    export = timings_ms(lambda: service.export(out), 1)
    by_period = _by_period(ws, service)
    ws.close()
    print_table(
        f"Returnees' register at HQ, {n:,} records (ms)",
        [
            ("page of 200, no filter (the area's first page), p50", p(unfiltered, 50), None, "ms"),
            ("page of 200, no filter, p95", p(unfiltered, 95), None, "ms"),
            ("count, no filter (off the GUI thread), p50", p(count_all, 50), None, "ms"),
            ("page of 200, major group 7, p50", p(major, 50), p(raw, 50), "ms"),
            ("page of 200, major group 7, p95", p(major, 95), p(raw, 95), "ms"),
            ("page of 200, region KZ-71, p50", p(region, 50), None, "ms"),
            ("page of 200, skill text, p50", p(skill, 50), None, "ms"),
            ("count, major group 7, p50", p(count, 50), None, "ms"),
            ("statistics (country, major group), p50", p(stats, 50), None, "ms"),
            ("export of the whole register to XLSX", export[0], None, "ms"),
        ],
    )
    print_table(
        f"Returnees by day of return, {n:,} records (ms, p50)",
        by_period,
        baseline=f"with {PERIOD_INDEX}",
    )


# An index the register does not have: the region index (region, returned_on, deleted_at)
# already serves a period (SQLite skip-scans it, PostgreSQL scans it as a bitmap), and this
# one measured no faster (docs/performance.md). Timed here so that a larger register can tell.
PERIOD_INDEX = "ix_returnee_returned_on"


def _by_period(ws: Workspace, service: ReturneeService) -> list[Row]:
    """What the figures and the list behind them ask by day of return (the dashboard's year, a
    month), timed as the schema is, then with an index on the day of return added to this
    run's own copy; each after ANALYZE, as the app's PRAGMA optimize leaves the statistics."""
    today = date.today()
    year, month = (today - timedelta(days=364), today), (today - timedelta(days=30), today)
    in_month = ReturneeFilter(returned_from=month[0], returned_to=month[1])
    reads: list[tuple[str, Callable[[], object]]] = [
        ("figures, a year", lambda: service.statistics(*year)),
        ("figures, a month", lambda: service.statistics(*month)),
        ("page of 200 returned in a month", lambda: service.list(in_month, limit=200)),
        ("count returned in a month", lambda: service.count(in_month)),
    ]

    def timed(change: str) -> list[float]:
        with ws.write() as session:
            if change:
                session.execute(text(change))
            session.execute(text("ANALYZE"))
        return [p(timings_ms(read, 10), 50) for _name, read in reads]

    shipped = timed("")
    indexed = timed(f"CREATE INDEX {PERIOD_INDEX} ON returnee (returned_on)")
    return [(name, a, b, "ms") for (name, _read), a, b in zip(reads, shipped, indexed, strict=True)]


# -- at a mission ------------------------------------------------------------------------------

MISSION_SHARE = 0.4  # of the mission's cases, each a finished one, have a record
ROUNDS = 3  # before and after 0026 take turns this many times
TODAY = date.today()
# Each filter the Returnees area offers, and a figure's: the filter, and the same conditions
# on the records for the query as it was before migration 0026.
MISSION_READS: tuple[tuple[str, ReturneeFilter, tuple[Any, ...]], ...] = (
    ("no filter", ReturneeFilter(), ()),
    ("occupation major group 7", ReturneeFilter(occupation="7"), (Returnee.occupation.like("7%"),)),
    ("region KZ-71", ReturneeFilter(region="KZ-71"), (Returnee.region == "KZ-71",)),
    (
        "skill text",
        ReturneeFilter(skill="certificate 12"),
        (Returnee.skills_text.like("%certificate 12%"),),
    ),
    (
        "language ko",
        ReturneeFilter(language="ko"),
        (cast(Returnee.languages, Text).like('%"ko"%'),),
    ),
    (
        "a figure's year of returns",
        ReturneeFilter(returned_from=TODAY - timedelta(days=364), returned_to=TODAY),
        (
            Returnee.returned_on.is_not(None),
            Returnee.returned_on >= TODAY - timedelta(days=364),
            Returnee.returned_on <= TODAY,
        ),
    ),
    (
        "a figure's wanting a referral",
        ReturneeFilter(wants_referral=True),
        (Returnee.wants_referral,),
    ),
    (
        "a figure's country of work KR",
        ReturneeFilter(work_country="KR"),
        (Returnee.work_country == "KR",),
    ),
)


def _fill_mission(ws: Workspace, share: float) -> int:
    """A record for ``share`` of the mission's cases, each a finished case of its own; nine in
    ten of their persons consented, 4 % of the records without a day of return."""
    rng = random.Random(7)
    codes = [o.code for o in unit_groups()]
    region_codes = sorted(regions())
    now = datetime.now(UTC)
    with ws.read() as session:
        cases = session.execute(select(func.count(Case.id))).scalar_one()
        finished = session.execute(
            select(Case.id, Case.person_id, Case.holder_mission, Case.host_country)
            .where(Case.status.in_(RETURNEE_FROM_STATUSES))
            .order_by(Case.id)
        ).all()
        scopes = {
            key: scope for key, scope in session.execute(select(Person.id, Person.consent_scope))
        }
    records, consents = [], {}
    for case_id, person_id, holder, country in rng.sample(finished, int(cases * share)):
        if rng.random() < 0.9:
            consents[person_id] = [*(scopes[person_id] or []), "returnee_register"]
        certificates = [f"Certificate {rng.randrange(500)}"]
        day = TODAY - timedelta(days=rng.randrange(2000))
        records.append(
            {
                "id": new_id(),
                "origin_mission": holder,
                "version": 1,
                "updated_at": now,
                "change_seq": 0,
                "person_id": person_id,
                "case_id": case_id,
                "occupation": rng.choice(codes),
                "years_abroad": rng.randrange(10),
                "certificates": certificates,
                "languages": [rng.choice(("ko", "tr", "ru", "ar", "en"))],
                "work_country": country,
                "region": rng.choice(region_codes),
                "wants_referral": rng.random() < 0.6,
                "consent_reference": "form",
                "consent_date": day,
                "returned_on": None if rng.random() < 0.04 else day,
                "skills_text": skills_key(certificates, ""),
            }
        )
    with ws.write() as session:
        session.execute(insert(Returnee), records)
        session.execute(
            update(Person), [{"id": k, "consent_scope": v} for k, v in consents.items()]
        )
    return len(records)


def _before_0026(here: str, conditions: tuple[Any, ...], counted: bool) -> Any:
    """The register's page (or count) as it was read before migration 0026: the records joined
    to their person, whose consent was a condition of the join."""
    query = select(func.count(Returnee.id)) if counted else select(Returnee, Person, Case.number)
    held = aliased(Case)
    query = (
        query.select_from(Returnee)
        .join(Person, Person.id == Returnee.person_id)
        .outerjoin(Case, Case.id == Returnee.case_id)
        .outerjoin(held, held.id == Returnee.case_id)
        .where(
            Returnee.deleted_at.is_(None),
            Returnee.anonymised_at.is_(None),
            Person.anonymised_at.is_(None),
            cast(Person.consent_scope, Text).like('%"returnee_register"%'),
            func.coalesce(held.holder_mission, Returnee.origin_mission) == here,
            *conditions,
        )
    )
    return query if counted else query.order_by(*LIST_ORDER).limit(200)


def _at_a_mission(cases: int) -> None:
    with admin_on_a_copy(large_mission(cases), "qorgau-bench-returnees-mission-") as ws:
        records = _fill_mission(ws, MISSION_SHARE)
        rows = _mission_reads(ws)
    print_table(
        f"Returnees' register at a mission of {cases:,} cases with {records:,} records (ms): "
        "this tree; baseline: the query before migration 0026, same run",
        rows,
        baseline="before 0026",
    )


def _analysed(ws: Workspace, change: str = "") -> None:
    """``change`` made, then the statistics as the app's ``PRAGMA optimize`` leaves them."""
    with ws.write() as session:
        if change:
            session.execute(text(change))
        session.execute(text("PRAGMA analysis_limit = 1000"))
        session.execute(text("ANALYZE"))


def _mission_reads(ws: Workspace) -> list[Row]:
    """Each read timed before 0026 (the old query, the index dropped) and as this tree reads
    it, in rounds that take turns, so that the machine's load falls on both alike."""
    here = ws.mission.code
    service = ReturneeService(ws)
    with ws.read() as session:
        index_sql = session.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'ix_returnee_order'")
        ).scalar_one()

    def read_page(query: Any) -> list[str]:  # as ReturneeService.list: a session, the rows made
        with ws.read() as session:
            return [_row(r, person, n).id for r, person, n in session.execute(query).all()]

    def read_count(query: Any) -> int:
        with ws.read() as session:
            return int(session.execute(query).scalar_one())

    timed: dict[tuple[str, str], list[float]] = {}

    def timed_as(name: str, what: str, read: Callable[[], object], repeat: int) -> None:
        timed.setdefault((name, what), []).extend(timings_ms(read, repeat))

    for _round in range(repeats(ROUNDS)):
        _analysed(ws, "DROP INDEX ix_returnee_order")  # the schema before 0026
        first_pages: dict[str, list[str]] = {}
        for name, _flt, conditions in MISSION_READS:
            first_pages[name] = read_page(_before_0026(here, conditions, counted=False))
            # Built at each read, as the service built it.
            timed_as(
                name,
                "old page",
                lambda c=conditions: read_page(_before_0026(here, c, counted=False)),
                10,
            )
            timed_as(
                name, "old count", lambda c=conditions: read_count(_before_0026(here, c, True)), 5
            )
        _analysed(ws, index_sql)  # as 0026 leaves it
        for name, flt, _conditions in MISSION_READS:
            listed = [row.id for row in service.list(flt, limit=200)]
            assert listed == first_pages[name], f"{name}: not the page the old query read"
            timed_as(name, "page", lambda f=flt: service.list(f, limit=200), 10)
            timed_as(name, "count", lambda f=flt: service.count(f), 5)
    rows: list[Row] = []
    for name, _flt, _conditions in MISSION_READS:
        for what, old in (("page of 200", "old page"), ("count", "old count")):
            new_ms, old_ms = timed[(name, what.split()[0])], timed[(name, old)]
            rows += [
                (f"{what}, {name}, p50", p(new_ms, 50), p(old_ms, 50), "ms"),
                (f"{what}, {name}, p95", p(new_ms, 95), p(old_ms, 95), "ms"),
            ]
    return rows


if __name__ == "__main__":
    main()
