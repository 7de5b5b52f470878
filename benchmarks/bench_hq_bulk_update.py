"""HQ on PostgreSQL: one UPDATE of every open case, with the per-day counts' trigger and
without it (issue 22, migration 0031).

Run: ``.venv/bin/python benchmarks/bench_hq_bulk_update.py [--cases 50000]
[--url postgresql://superuser@host/postgres]``. Without ``--url`` (or QORGAU_BENCH_PG_URL) a
throwaway cluster is started (as for the tests).

The data is ``bench_hq``'s (an HQ installation moved to the server, cases written with COPY,
about two in three open). Each UPDATE runs in a transaction rolled back, median of a few runs:

- the due date of every open case (no counted column changes: the trigger finds nothing to
  count);
- the officer of every open case (each case moves between counts);

each beside the same UPDATE with ``case_day_stat_update`` disabled, the baseline: the
trigger's own cost is the difference.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QORGAU_KDF_PROFILE", "test")

import psycopg  # noqa: E402

from app.services.hq_database import setup_database  # noqa: E402
from benchmarks.bench_hq import (  # noqa: E402
    URL_ENV,
    Server,
    generate,
    make_hq,
    remove_hq,
    timed,
)
from benchmarks.common import Row, print_table  # noqa: E402

RUNS = 3
MISSIONS = 10
_OPEN = "deleted_at IS NULL AND status IN ('awaiting_response', 'in_progress', 'new', 'referred')"
UPDATES = {
    "due date of every open case (nothing counted moves)": (
        f'UPDATE "case" SET due_date = received_at + 45 WHERE {_OPEN}'
    ),
    "officer of every open case (each case's counts move)": (
        f"UPDATE \"case\" SET assigned_to = 'bulk-officer' WHERE {_OPEN}"
    ),
}


def update_seconds(conn: psycopg.Connection, statement: str, trigger: bool) -> float:
    """Median seconds of ``statement`` in a transaction rolled back, the trigger on or off."""
    runs = []
    for _ in range(RUNS):
        with conn.transaction(force_rollback=True):
            if not trigger:
                conn.execute('ALTER TABLE "case" DISABLE TRIGGER case_day_stat_update')
            started = time.perf_counter()
            conn.execute(statement)  # type: ignore[arg-type]
            runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--url", default=os.environ.get(URL_ENV), help="a superuser's address")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    server = Server(args.url)
    database = f"qorgau_bench_bulk_{os.getpid()}"
    root = Path(tempfile.mkdtemp(prefix="qorgau-bench-bulk-"))
    try:
        setup_database(server.url, database)
        make_hq(server, database, root)
        with server.psycopg(database) as conn:
            per_mission = max(1, args.cases // MISSIONS)
            took, total = timed(lambda: generate(conn, MISSIONS, per_mission, args.seed))
            conn.commit()
            conn.autocommit = True
            conn.execute('VACUUM ANALYZE "case"')
            open_now = conn.execute(f'SELECT count(*) FROM "case" WHERE {_OPEN}').fetchone()
            print(f"  {total:,} cases written with COPY in {took:.0f} s", flush=True)
            rows: list[Row] = []
            for name, statement in UPDATES.items():
                with_trigger = update_seconds(conn, statement, trigger=True)
                without = update_seconds(conn, statement, trigger=False)
                rows.append((name, with_trigger, without, "s"))
        count = open_now[0] if open_now else 0
        title = f"One UPDATE of {count:,} open cases of {total:,} (median of {RUNS})"
        print_table(title, rows, "trigger disabled")
        print("\n" + json.dumps({"cases": total, "open": count, "rows": rows}))
    finally:
        remove_hq(server, database, root)


if __name__ == "__main__":
    main()
