"""Closing the database while a background read runs must not crash the process.

The desktop app reads the case list on worker threads. SQLAlchemy picks SingletonThreadPool for
a URL without a path, and its ``dispose()`` closes every thread's connection, including one a
worker is reading on: a segmentation fault, seen in CI when a window closed mid-search. The
race runs in a child process so that a regression fails this test instead of killing the suite.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from app.config import Paths
from tests.reliability.harness import ROOT, child_env

RACE = textwrap.dedent(
    """
    import sys, threading
    from pathlib import Path
    from sqlalchemy import text
    from app.config import Paths
    from app.services.installation import unlock

    ws = unlock(Paths(Path(sys.argv[1])), "admin", sys.argv[2])
    SLOW = text(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) "
        "SELECT count(*) FROM n"
    )
    started, outcomes = threading.Event(), []

    def read():
        try:
            with ws.db.read() as session:
                started.set()
                for _ in range(3):
                    session.execute(SLOW).scalar_one()
            outcomes.append("finished")
        except Exception as exc:
            outcomes.append(type(exc).__name__)

    readers = [threading.Thread(target=read) for _ in range(6)]
    for reader in readers:
        reader.start()
    started.wait(10)
    ws.close()  # while the readers read
    for reader in readers:
        reader.join(60)
    print(len(outcomes))
    """
)


def test_closing_while_worker_threads_read_does_not_crash(installation: Paths) -> None:
    from tests.conftest import PASSWORD

    done = subprocess.run(
        [sys.executable, "-c", RACE, str(installation.data_dir), PASSWORD],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "6"  # every reader ended, none took the process down
