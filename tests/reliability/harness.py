"""Shared parts of the crash and concurrency harnesses: child processes, kills, checks."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text

from app.config import Paths
from app.security import audit
from app.services.installation import unlock
from app.services.workspace import Workspace
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
STRESS_ENV = "QORGAU_STRESS"
REPORT_ENV = "QORGAU_STRESS_REPORT"


def full_run() -> bool:
    return os.environ.get(STRESS_ENV) == "full"


def child_env() -> dict[str, str]:
    return {**os.environ, "QORGAU_KDF_PROFILE": "test", "PYTHONPATH": str(ROOT)}


@dataclass
class ChildRun:
    lines: list[str]
    returncode: int
    stderr: str
    killed: bool
    seconds: float

    def committed(self) -> list[str]:
        return [line.split(" ", 1)[1] for line in self.lines if line.startswith("committed ")]


def _spawn(module: str, args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_child(
    args: list[str], kill_after: float | None, module: str = "tests.reliability.crash_worker"
) -> ChildRun:
    """Run the worker; with ``kill_after`` send SIGKILL that many seconds after ``ready``."""
    proc = _spawn(module, args)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline().strip()
    if first != "ready":
        proc.kill()
        _out, err = proc.communicate(timeout=60)
        raise AssertionError(f"worker did not start: {first!r} {err}")
    lines: list[str] = []
    reader = threading.Thread(
        target=lambda: lines.extend(line.strip() for line in proc.stdout or ()), daemon=True
    )
    started = time.perf_counter()
    reader.start()
    if kill_after is not None:
        time.sleep(kill_after)
        proc.kill()  # SIGKILL on POSIX: no handler, no cleanup, like a power cut
    try:
        proc.wait(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    reader.join(timeout=30)
    stderr = proc.stderr.read()
    return ChildRun(
        lines, proc.returncode, stderr, proc.returncode < 0, time.perf_counter() - started
    )


def run_to_end(args: list[str]) -> ChildRun:
    result = run_child(args, kill_after=None)
    assert result.returncode == 0, result.stderr
    assert result.lines[-1:] == ["done"], result.lines
    return result


def open_checked(paths: Paths, user: str = "admin") -> Workspace:
    """Reopen after a crash: the file is sound, references hold and the audit chain is whole."""
    ws = unlock(paths, user, PASSWORD)
    with ws.db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA integrity_check").all() == [("ok",)]
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    with ws.read() as session:
        checked, problems = audit.verify(session)
        assert problems == [], problems
        assert checked > 0
    return ws


def scalar(ws: Workspace, sql: str, **params: object) -> object:
    with ws.read() as session:
        return session.execute(text(sql), params).scalar()


@dataclass
class Tally:
    """What one harness run saw, for the stress report."""

    scenario: str
    runs: int = 0
    killed_mid_work: int = 0
    finished_before_kill: int = 0
    committed_seen: int = 0
    reruns: int = 0
    failures: list[str] = field(default_factory=list)
    lost: int = 0

    def wants_more(self, kills: int) -> bool:
        """Go on until ``kills`` runs were cut by the kill (runs that finished first don't
        count), within a bound."""
        return self.killed_mid_work < kills and self.runs < 3 * kills

    def record(self, run: ChildRun) -> None:
        self.runs += 1
        self.committed_seen += len(run.committed())
        if run.killed:
            self.killed_mid_work += 1
        else:
            self.finished_before_kill += 1

    def report(self) -> None:
        line = json.dumps(self.__dict__, ensure_ascii=False)
        print(f"\nSTRESS {line}")
        target = os.environ.get(REPORT_ENV)
        if target:
            with open(target, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")


def kill_delay(rng: random.Random, window: float) -> float:
    return rng.uniform(0.0, window)
