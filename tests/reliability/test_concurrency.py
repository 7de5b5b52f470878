"""Two processes (and the CLI) on one database at once: no "database is locked" reaches anyone.

Write sessions take the lock up front (BEGIN IMMEDIATE) and wait up to busy_timeout (15 s), so
concurrent writers queue instead of failing; WAL lets readers read during writes. The short
form hammers for a few seconds in ``make test``; ``make stress`` runs it for a minute.
Second desktop windows are kept out by ``ui.instance_lock``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.config import Paths
from app.db.models import Case, CaseEvent
from app.services.installation import unlock
from app.services.records import PersonInput
from tests.builders import wage_case
from tests.conftest import PASSWORD
from tests.integration.cli_helpers import run_process
from tests.reliability.harness import ROOT, Tally, child_env, full_run, open_checked
from ui import instance_lock
from ui.instance_lock import InstanceInUse


def hammer(installation: Paths, seconds: float, workers: int = 2) -> Tally:
    tally = Tally(f"concurrency {workers} processes + CLI, {seconds:.0f} s")
    ws = unlock(installation, "admin", PASSWORD)
    case_id = wage_case(ws, PersonInput(surname="Ортақ", given_names="Іс")).id
    ws.close()
    users = ["aigul", "serik", "admin"]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.reliability.concurrency_worker",
                str(installation.data_dir),
                users[n % len(users)],
                case_id,
                str(seconds),
                f"w{n}",
            ],
            cwd=ROOT,
            env=child_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(workers)
    ]
    # Meanwhile the CLI reads and writes too, as an automation script would.
    cli_env = {**child_env(), "QORGAU_USER": "serik", "QORGAU_PASSWORD": PASSWORD}
    case_json = json.dumps(
        {
            "person": {"surname": "Командалық", "given_names": "Жол"},
            "host_country": "KR",
            "categories": ["other"],
            "received_at": date.today().isoformat(),
        }
    )
    cli_errors: list[str] = []
    cli_added = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for args, stdin in (
            (["case", "add", "--json", "-"], case_json),
            (["case", "list", "--json"], None),
        ):
            done = run_process(
                ["--data-dir", str(installation.data_dir), *args], env=cli_env, stdin=stdin
            )
            if done.code != 0:
                cli_errors.append(done.err.strip())
            elif args[1] == "add":
                cli_added += 1
    committed: list[str] = []
    errors: list[str] = list(cli_errors)
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
        lines = out.splitlines()
        assert lines[0] == "ready" and lines[-1].startswith("stats "), lines[-3:]
        committed += [line.split(" ", 1)[1] for line in lines if line.startswith("committed ")]
        errors += [line for line in lines if line.startswith("error ")]
        tally.runs += 1
    tally.committed_seen = len(committed) + cli_added
    tally.failures = errors[:20]
    ws = open_checked(installation)
    with ws.read() as session:
        texts = set(session.execute(select(CaseEvent.text)).scalars())
        descriptions = set(session.execute(select(Case.description)).scalars())
        cli_cases = len(
            session.execute(select(Case.id).where(Case.description == "")).all()
        )  # the shared case and the CLI's cases have no description
    ws.close()
    missing = [c for c in committed if c not in texts and c not in descriptions]
    tally.lost = len(missing)
    assert cli_cases == cli_added + 1
    tally.report()
    assert errors == [], errors
    assert missing == []
    return tally


def test_two_processes_and_the_cli_share_the_database(installation: Paths) -> None:
    tally = hammer(installation, seconds=4)
    assert tally.committed_seen > 20


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_two_processes_and_the_cli_share_the_database_full(installation: Paths) -> None:
    seconds = 60 if full_run() else 15
    tally = hammer(installation, seconds=seconds, workers=3)
    assert tally.lost == 0


def test_a_second_window_is_told_who_holds_the_folder(installation: Paths) -> None:
    first = instance_lock.acquire(installation)
    try:
        with pytest.raises(InstanceInUse) as second:
            instance_lock.acquire(installation)
        assert second.value.holder["pid"] == os.getpid()
        message = str(second.value)
        assert message.startswith(
            f"This Qorgau database is already open in another window (process {os.getpid()} on "
        )
        assert message.endswith("Switch to that window, or close it and try again.")
    finally:
        first.release()
    again = instance_lock.acquire(installation)
    again.release()


def test_a_lock_left_by_a_killed_process_is_free(installation: Paths, tmp_path: Path) -> None:
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from app.config import Paths\n"
        "from ui import instance_lock\n"
        "lock = instance_lock.acquire(Paths(Path(sys.argv[1])))\n"
        "print('locked', flush=True)\n"
        "time.sleep(60)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(installation.data_dir)],
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "locked"
    with pytest.raises(InstanceInUse) as held:
        instance_lock.acquire(installation)
    assert held.value.holder["pid"] == child.pid
    child.kill()
    child.wait(timeout=30)
    lock = instance_lock.acquire(installation)  # the OS dropped the dead holder's lock
    assert instance_lock.holder_of(installation)["pid"] == os.getpid()
    lock.release()
