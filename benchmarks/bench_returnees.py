"""The returnees' register at HQ: a filtered page, its count, the statistics and an export.

N records (default 20,000, about what every mission's returns over several years would give)
are written in bulk into a fresh HQ installation; a tenth of them without the consent, which
every read must leave out. Baseline: the same page as a plain indexed SELECT of ids on the
same connection (no join to the person, no consent check). No target is set yet: the first
run (20,000 records, a shared 2-core machine under load) gave a page in ~110 ms against ~32 ms
for the bare SELECT, and ~31 s for an XLSX of 18,000 rows (openpyxl's writing).
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, text

from app.config import Paths
from app.db.models import Person, Returnee, new_id
from app.domain.occupations import regions, unit_groups
from app.services.installation import MissionSetup, init_installation, unlock
from app.services.returnees import ReturneeFilter, ReturneeService, skills_key
from app.services.users import UserService
from app.services.workspace import Workspace
from benchmarks.common import Row, p, print_table, size_argument, timings_ms

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


def main(n: int = 20_000) -> None:
    # Its own HQ, thrown away after (each run left one in the temporary folder).
    with tempfile.TemporaryDirectory(prefix="qorgau-bench-returnees-") as folder:
        _run(Paths(Path(folder)), n)


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


if __name__ == "__main__":
    main(size_argument("QORGAU_BENCH_RETURNEES", 20_000))
