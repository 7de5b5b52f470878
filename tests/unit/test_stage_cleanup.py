"""A staging file a crashed import left behind (encrypted under a key that died with its
process: unreadable, but it takes room) is deleted by the next staged job; one that another
process may still be writing is left alone."""

from __future__ import annotations

import os
import time

from app.db.engine import STAGE_PREFIX, STALE_STAGE_S
from app.services.workspace import Workspace


def test_the_next_staged_job_removes_a_crashed_jobs_staging_file(ws: Workspace) -> None:
    folder = ws.db.path.parent
    crashed = folder / f"{STAGE_PREFIX}crashed"
    crashed.write_bytes(os.urandom(4096))
    a_day_ago = time.time() - STALE_STAGE_S - 60
    os.utime(crashed, (a_day_ago, a_day_ago))
    running = folder / f"{STAGE_PREFIX}running"  # another process's import, under way
    running.write_bytes(os.urandom(4096))
    with ws.db.pinned() as pinned:
        with pinned.read() as session:
            assert session is not None
        assert not crashed.exists() and running.exists()
        assert len(list(folder.glob(STAGE_PREFIX + "*"))) == 2  # this job's own and the other
    assert [p.name for p in folder.glob(STAGE_PREFIX + "*")] == [running.name]
