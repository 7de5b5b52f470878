"""A test run killed before its cleanup leaves its PostgreSQL cluster running; the next run
stops it (tests/pg_cluster.py), so killed runs do not pile up servers on a machine."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.pg_cluster import OWNER_FILE, find_bindir, start_cluster


def _running(folder: Path) -> bool:
    return (folder / "data" / "postmaster.pid").exists()


@pytest.mark.skipif(find_bindir() is None, reason="PostgreSQL is not installed")
def test_the_cluster_of_a_killed_run_is_stopped_by_the_next_run(tmp_path: Path) -> None:
    started = tmp_path / "folder.txt"
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import time
                from pathlib import Path
                from tests.pg_cluster import start_cluster
                cluster = start_cluster()
                Path({str(started)!r}).write_text(str(cluster.folder))
                time.sleep(600)
                """
            ),
        ],
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        for _ in range(600):
            if started.exists() or child.poll() is not None:
                break
            time.sleep(0.1)
        orphan = Path(started.read_text())
        assert _running(orphan) and (orphan / OWNER_FILE).read_text() == str(child.pid)
    finally:
        os.kill(child.pid, signal.SIGKILL)  # no finally of the child runs
        child.wait()
    assert _running(orphan)  # left behind
    cluster = start_cluster()
    assert cluster is not None
    try:
        assert not orphan.exists()
        assert _running(cluster.folder)
    finally:
        cluster.stop()
