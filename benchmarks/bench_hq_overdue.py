"""HQ's overdue list on PostgreSQL at scale: the first page and a page 10,000 rows in, before
and after its index (issue 22).

Run: ``.venv/bin/python benchmarks/bench_hq_overdue.py [--missions 40]
[--cases-per-mission 7500] [--overdue 0.05 0.2] [--url postgresql://superuser@host/postgres]``.
Without ``--url`` (or QORGAU_BENCH_PG_URL) a throwaway cluster is started (as for the tests).

The data is ``bench_hq``'s (an HQ installation moved to the server, cases written with COPY),
then a share of the cases made overdue (``--overdue``: each level in turn, the others open with
a due date ahead) and one in 64 made critical. At each level, medians of a few runs:

- the app's first page (``ConsolidationService.overdue``) and its page after row 10,000 (by
  key), beside the raw SQL of the same pages;
- before: the query as it was (the urgency rank descending, OFFSET), raw, on the same server
  in the same run, with the index there and with it dropped (in a transaction rolled back: the
  schema of migration 0028);
- the count, the app's and raw.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QORGAU_KDF_PROFILE", "test")

import psycopg  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app.services.consolidation import ConsolidationService  # noqa: E402
from app.services.hq_database import setup_database  # noqa: E402
from benchmarks.bench_hq import (  # noqa: E402
    URL_ENV,
    Server,
    generate,
    latencies_ms,
    make_hq,
    open_hq,
    remove_hq,
    timed,
)
from benchmarks.common import p, print_table  # noqa: E402

DEEP = 10_000
RUNS = 7
_COLUMNS = "SELECT number, holder_mission, status, urgency, host_country, due_date, id "
_OPEN = "deleted_at IS NULL AND status IN ('awaiting_response', 'in_progress', 'new', 'referred')"
_WHERE = f'FROM "case" WHERE {_OPEN} AND due_date < %s '
_RANK = (
    "CASE urgency WHEN 'low' THEN 0 WHEN 'normal' THEN 1 WHEN 'high' THEN 2 "
    "WHEN 'critical' THEN 3 ELSE -1 END"
)
_PRIORITY = (
    "CASE urgency WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 "
    "WHEN 'low' THEN 3 ELSE 4 END"
)
# The query before the index: the rank descending, then the longest overdue, then the number.
OLD_PAGE = _COLUMNS + _WHERE + f"ORDER BY {_RANK} DESC, due_date, number LIMIT 200 OFFSET %s"
# The same pages now: from the index, the next one after the last row's key (two ranges).
NEW_FIRST = _COLUMNS + _WHERE + f"ORDER BY {_PRIORITY}, due_date, number LIMIT 200"
NEW_SAME = (
    _COLUMNS
    + _WHERE
    + f"AND {_PRIORITY} = %s AND (due_date, number) > (%s, %s) ORDER BY due_date, number LIMIT 200"
)
NEW_LATER = (
    _COLUMNS + _WHERE + f"AND {_PRIORITY} > %s ORDER BY {_PRIORITY}, due_date, number LIMIT %s"
)
COUNT = "SELECT count(*) " + _WHERE
PRIORITY_OF = {"critical": 0, "high": 1, "normal": 2, "low": 3}


def set_overdue(conn: psycopg.Connection, share: float, today: date) -> int:
    """Make about ``share`` of all cases overdue: that many open ones keep a due date in the
    past, the other open ones are due in 20 days. Returns how many open cases there are."""
    open_total = conn.execute(f'SELECT count(*) FROM "case" WHERE {_OPEN}').fetchone()[0]
    total = conn.execute('SELECT count(*) FROM "case"').fetchone()[0]
    keep = min(1.0, share * total / max(open_total, 1))
    # The same cases at each level, by a hash of the id: a larger share keeps a superset.
    # The per-day counts' trigger runs as for any update (linear since migration 0031).
    conn.execute(
        f'UPDATE "case" SET due_date = CASE WHEN (hashtext(id) & 1023) < %s '
        f"THEN received_at + 30 ELSE %s END WHERE {_OPEN}",
        (int(keep * 1024), today + timedelta(days=20)),
    )
    conn.execute('VACUUM ANALYZE "case"')
    return int(open_total)


def raw_keyset(conn: psycopg.Connection, today: date, last: tuple) -> list[tuple]:
    number, _m, _s, urgency, _c, due, _id = last
    priority = PRIORITY_OF.get(urgency, 4)
    rows = conn.execute(NEW_SAME, (today, priority, due, number)).fetchall()
    if len(rows) < 200:
        rows += conn.execute(NEW_LATER, (today, priority, 200 - len(rows))).fetchall()
    return rows


def measure(ws_service: ConsolidationService, conn: psycopg.Connection) -> list[tuple]:
    service, today = ws_service, ws_service.today
    runs = [0] * RUNS
    total = service.count_overdue()
    deep = min(DEEP, total - 1)
    row_before = service.overdue(offset=deep - 1, limit=1)[0]
    raw_row_before = conn.execute(OLD_PAGE.replace("LIMIT 200", "LIMIT 1"), (today, deep - 1))
    last = raw_row_before.fetchone()
    app_first = latencies_ms(lambda _n: service.overdue(), runs)
    app_deep = latencies_ms(lambda _n: service.overdue(after=row_before), runs)
    assert service.overdue(after=row_before) == service.overdue(offset=deep)
    raw_first = latencies_ms(lambda _n: conn.execute(NEW_FIRST, (today,)).fetchall(), runs)
    raw_deep = latencies_ms(lambda _n: raw_keyset(conn, today, last), runs)
    old_first = latencies_ms(lambda _n: conn.execute(OLD_PAGE, (today, 0)).fetchall(), runs)
    old_deep = latencies_ms(lambda _n: conn.execute(OLD_PAGE, (today, deep)).fetchall(), runs)
    with conn.transaction(force_rollback=True):
        conn.execute("DROP INDEX ix_case_overdue_order")
        no_index_first = latencies_ms(
            lambda _n: conn.execute(OLD_PAGE, (today, 0)).fetchall(), runs
        )
        no_index_deep = latencies_ms(
            lambda _n: conn.execute(OLD_PAGE, (today, deep)).fetchall(), runs
        )
    app_count = latencies_ms(lambda _n: service.count_overdue(), runs)
    raw_count = latencies_ms(lambda _n: conn.execute(COUNT, (today,)).fetchall(), runs)
    print(f"  {total:,} overdue cases", flush=True)
    return [
        ("first page (200), the app", p(app_first, 50), p(raw_first, 50), "ms"),
        (f"page after row {deep:,}, the app (by key)", p(app_deep, 50), p(raw_deep, 50), "ms"),
        ("before: first page, the old query (index there)", p(old_first, 50), None, "ms"),
        (f"before: OFFSET {deep:,}, the old query (index there)", p(old_deep, 50), None, "ms"),
        ("before: first page, no index (0028)", p(no_index_first, 50), None, "ms"),
        (f"before: OFFSET {deep:,}, no index (0028)", p(no_index_deep, 50), None, "ms"),
        ("count, the app", p(app_count, 50), p(raw_count, 50), "ms"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--missions", type=int, default=40)
    parser.add_argument("--cases-per-mission", type=int, default=7_500)
    parser.add_argument("--overdue", type=float, nargs="+", default=[0.05, 0.2])
    parser.add_argument("--url", default=os.environ.get(URL_ENV), help="a superuser's address")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    server = Server(args.url)
    database = f"qorgau_bench_overdue_{os.getpid()}"
    root = Path(tempfile.mkdtemp(prefix="qorgau-bench-overdue-"))
    summary: dict[str, object] = {}
    try:
        setup_database(server.url, database)
        workstation, config = make_hq(server, database, root)
        user = make_url(server.url).username or "postgres"
        with server.psycopg(database) as conn:
            took, total = timed(
                lambda: generate(conn, args.missions, args.cases_per_mission, args.seed)
            )
            conn.commit()
            conn.autocommit = True
            conn.execute(
                "UPDATE \"case\" SET urgency = 'critical' WHERE (hashtext(number) & 63) = 0"
            )
        print(f"  {total:,} cases written with COPY in {took:.0f} s", flush=True)
        ws = open_hq(workstation, config, user)
        try:
            service = ConsolidationService(ws)
            for share in args.overdue:
                with server.psycopg(database) as conn:
                    conn.autocommit = True
                    open_now = set_overdue(conn, share, service.today)
                    rows = measure(service, conn)
                title = (
                    f"Overdue list at {total:,} cases ({args.missions} missions, "
                    f"{open_now:,} open, about {share:.0%} overdue)"
                )
                print_table(title, rows, "raw SQL")
                summary[f"{share:g}"] = rows
        finally:
            ws.close()
        print("\n" + json.dumps(summary, default=str))
    finally:
        remove_hq(server, database, root)


if __name__ == "__main__":
    main()
