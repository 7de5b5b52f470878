"""The benchmarks still run: the quick ones, through ``python -m benchmarks`` on a tiny mission.

Nothing else runs them, and a benchmark the code has moved away from fails only when someone
measures (``bench_csv_import`` passed a renamed argument for a day unnoticed). Only that each
script ends well and writes its section is checked here, never a figure: the timings of a
40-case mission say nothing. Left out: the scripts that take long at any size or need what a
test machine may not have (the packaged folder, PostgreSQL's 2 million cases, Qt typing
sessions, fresh processes per start-up, a 1 GiB junk bundle), and the dashboard's, whose exit
status is its one-second goal.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QUICK = [
    "bench_areas",
    "bench_audit",
    "bench_csv_import",
    "bench_escalation",
    "bench_gc_pauses",
    "bench_letters_register",
    "bench_lists",
    "bench_open_case",
    "bench_person_finder",
    "bench_returnees",
    "bench_search",
]


# A dozen fresh processes: on a loaded 2-core machine they outlast the suite's 120 s guard,
# whose end of a test takes its whole xdist worker down; the run's own timeout is 600 s.
@pytest.mark.timeout(600)
def test_the_quick_benchmarks_run_on_a_tiny_mission(tmp_path: Path) -> None:
    scripts = [*QUICK]
    if shutil.which("zip") and shutil.which("age"):  # bench_exchange's baseline
        scripts.append("bench_exchange")
    env = {
        **os.environ,
        "QORGAU_BENCH_DATA": str(tmp_path / "mission"),
        "QORGAU_BENCH_AUDIT_ENTRIES": "500",
        "QORGAU_BENCH_CSV_ROWS": "60",
        "QORGAU_BENCH_RETURNEES": "100",
        "QORGAU_BENCH_SMOKE": "1",  # every path once: the settling waits and repeats cut
        "QORGAU_KDF_PROFILE": "test",
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(ROOT),
    }
    out = tmp_path / "report.md"
    only = [arg for name in scripts for arg in ("--only", name)]
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--cases", "40", "--out", str(out), *only],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = out.read_text(encoding="utf-8")
    for name in scripts:
        assert f"## {name}\n" in report, name
    assert "failed (exit" not in report


def test_the_bundle_memory_benchmark_runs_with_small_bundles_and_scans() -> None:
    """Its hostile bundles of 1 MiB, not 1 GiB, and a mission of three small scans."""
    done = subprocess.run(
        [
            sys.executable,
            "benchmarks/bench_bundle_memory.py",
            *("--size-mib", "1", "--scans", "3", "--scan-mib", "1"),
        ],
        cwd=ROOT,
        env={**os.environ, "QORGAU_KDF_PROFILE": "test", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "| export --all, 3 scans of 1 MiB |" in done.stdout
    assert "3 files |" in done.stdout and "| import of the export at HQ |" in done.stdout
