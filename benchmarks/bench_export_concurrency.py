"""Other users during `bundle export --all`: a `case show` and a case update while it runs.

A copy of the demo mission exports everything in a child process (another user of the same
data folder, as the CLI would be), while this process repeats, until the export ends: case show
in an open session, sign-in + case show as the CLI does it (sign-in writes the audit entry of
the login), and a case update. Baseline in the same run: the same operations with no export
running. Goal (issue 17): export never locks other users out; before the export read from a
snapshot it held the write lock throughout, so the sign-in and the update waited for the whole
export (a `case show` waited 32 s, then failed "database is locked").
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path

import pyrage
from sqlalchemy import select

from app.config import Paths
from app.db.models import Case
from app.services.cases import CaseService
from app.services.demo import DEMO_PASSWORD
from app.services.exchange import ExchangeService
from app.services.installation import unlock
from app.services.records import CaseChanges
from benchmarks.common import large_mission, open_admin, p, print_table

IDLE_ROUNDS = 15


def _export(folder: str, out: str, recipient: str, started_event: Event, done: Queue) -> None:
    ws = open_admin(Paths(Path(folder)))
    try:
        started_event.set()
        started = time.perf_counter()
        summary = ExchangeService(ws).export_cases(Path(out), [recipient], all_changes=True)
        done.put((time.perf_counter() - started, summary.records, summary.size))
    finally:
        ws.close()


def _operations(paths: Paths, number: str, case_id: str) -> dict[str, Callable[[], object]]:
    ws = open_admin(paths)
    cases = CaseService(ws)
    edits = iter(range(1_000_000))

    def sign_in_and_show() -> object:
        other = unlock(paths, "admin", DEMO_PASSWORD)
        try:
            return CaseService(other).get_by_number(number)
        finally:
            other.close()

    return {
        "case show (open session)": lambda: cases.get_by_number(number),
        "sign-in + case show (as the CLI)": sign_in_and_show,
        "case update": lambda: cases.update_case(
            case_id, CaseChanges(description=f"Edited during the benchmark ({next(edits)}).")
        ),
    }


def _round(ops: dict[str, Callable[[], object]], into: dict[str, list[float]]) -> None:
    for name, op in ops.items():
        started = time.perf_counter()
        op()
        into[name].append((time.perf_counter() - started) * 1000)


def main(cases: int) -> None:
    source = large_mission(cases)
    with tempfile.TemporaryDirectory(prefix="qorgau-bench-export-") as tmp:
        # A copy: the export and the edits must not change the shared benchmark data.
        paths = Paths(Path(tmp) / "mission")
        shutil.copytree(source.data_dir, paths.data_dir)
        ws = open_admin(paths)
        with ws.read() as session:
            case_id, number = session.execute(
                select(Case.id, Case.number).order_by(Case.number).limit(1)
            ).one()
        ws.close()
        ops = _operations(paths, number, case_id)
        idle: dict[str, list[float]] = {name: [] for name in ops}
        for _ in range(IDLE_ROUNDS):
            _round(ops, idle)

        recipient = str(pyrage.x25519.Identity.generate().to_public())
        context = multiprocessing.get_context("spawn")
        done = context.Queue()
        exporting = context.Event()
        child = context.Process(
            target=_export,
            args=(str(paths.data_dir), str(Path(tmp) / "all.qbundle"), recipient, exporting, done),
        )
        during: dict[str, list[float]] = {name: [] for name in ops}
        child.start()
        exporting.wait(120)  # the child has signed in and starts exporting
        while child.is_alive() and done.empty():
            _round(ops, during)
        export_s, records, size = done.get(timeout=600)
        child.join()

    rows: list[tuple[str, float, float | None, str]] = []
    for name in ops:
        if not during[name]:
            continue
        rows.append((f"{name}, p50", p(during[name], 50), p(idle[name], 50), "ms"))
        rows.append((f"{name}, max", max(during[name]), max(idle[name]), "ms"))
    print_table(
        f"Other users during `bundle export --all` of {cases:,} cases "
        f"({records:,} records, {size / 1e6:.1f} MB, {export_s:.1f} s; "
        f"{len(during['case update'])} rounds during it)",
        rows,
    )
    print(
        "\nBaseline: the same operation with no export running. The export runs in another "
        "process; on a machine with few cores it also competes for the CPU."
    )


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("QORGAU_BENCH_CASES", 10_000))
    )
