"""``qorgau audit verify`` on a long audit log, beside reading and hashing the same rows bare.

A mission audits every act (each case created, changed, viewed as PDF, each letter, each
export), so its log grows to millions of entries over the years; the demo writes hardly any
(its cases are generated, not entered), so no other benchmark sees the log's size. This one
appends ``entries`` entries (default 1,000,000; argument or QORGAU_BENCH_AUDIT_ENTRIES) to an
empty demo mission, as its acts would, then times the command a user runs, as a fresh
process, with its peak memory. Baseline, in the same run: the same rows read with a bare
cursor and each hashed once with SHA-256 (what any check of the chain must at least do).
Goal (issue 17): the cost grows linearly with the log and memory stays bounded.
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.config import Paths
from app.db.raw import open_raw
from app.security import audit
from app.services.demo import DEMO_PASSWORD, run_demo
from benchmarks.common import open_admin, print_table, size_argument

ENV = "QORGAU_BENCH_AUDIT_ENTRIES"
PER_WRITE = 20_000  # entries appended per transaction while filling (an import's size)
ACTIONS = ("case.update", "case.status", "letter.draft", "attachment.open", "case.pdf")


def fill(paths: Paths, entries: int) -> float:
    """Seconds to append ``entries`` entries of the kinds a mission's day writes."""
    ws = open_admin(paths)
    started = time.perf_counter()
    try:
        for start in range(0, entries, PER_WRITE):
            with ws.write() as session:
                audit.record_many(
                    session,
                    "attache1",
                    [
                        (
                            ACTIONS[i % len(ACTIONS)],
                            "case",
                            f"SEL-2026-{i:06d}",
                            {"fields": ["status", "urgency"], "to": "in_progress", "v": i % 7},
                        )
                        for i in range(start, min(entries, start + PER_WRITE))
                    ],
                )
    finally:
        ws.close()
    return time.perf_counter() - started


def verify_command(paths: Paths) -> tuple[float, float, str]:
    """Seconds, peak resident MB and last line of ``qorgau audit verify`` (a fresh process)."""
    env = {"QORGAU_USER": "admin", "QORGAU_PASSWORD": DEMO_PASSWORD}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(paths.data_dir), "audit", "verify"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env},
    )
    took = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"audit verify failed ({done.returncode}):\n{done.stderr}")
    # The largest child so far: this is the only child the script starts.
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return took, peak_mb, done.stdout.strip().splitlines()[-1]


def bare_read_and_hash(paths: Paths) -> tuple[float, int]:
    """Seconds to read every entry's columns with a bare cursor and hash each row once."""
    ws = open_admin(paths)
    key = ws.db.key
    ws.close()
    connection = open_raw(paths.db, key)
    try:
        started = time.perf_counter()
        cursor = connection.execute(
            "SELECT seq, at, actor, action, entity, entity_id, details, prev_hash, hash "
            "FROM audit_entry ORDER BY seq"
        )
        rows = 0
        while chunk := cursor.fetchmany(PER_WRITE):
            for row in chunk:
                hashlib.sha256("|".join(map(str, row)).encode()).hexdigest()
            rows += len(chunk)
        return time.perf_counter() - started, rows
    finally:
        connection.close()


def main(entries: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="qorgau-bench-audit-"))
    try:
        paths = Paths(folder / "data")
        run_demo(paths, 0, seed=1)
        filled = fill(paths, entries)
        took, peak_mb, said = verify_command(paths)
        bare, rows = bare_read_and_hash(paths)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{rows:,} entries ({entries:,} appended in {filled:.1f} s); the command said: {said}")
    print_table(
        f"`qorgau audit verify` of {rows:,} entries (a fresh process, key derivation included)",
        [
            ("audit verify", took * 1000, bare * 1000, "ms"),
            ("  its peak memory (resident)", peak_mb, None, "MB"),
            ("  per entry", took / rows * 1e6, bare / rows * 1e6, "µs"),
        ],
        baseline="bare read + one SHA-256 a row",
    )


if __name__ == "__main__":
    main(size_argument(ENV, 1_000_000))
