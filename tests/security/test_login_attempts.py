"""Item 10: failed sign-ins cannot be erased without trace, and parallel guesses all count.

Attacks replayed by someone with access to the data folder: delete ``login_attempts.json``
after failures (with and without further failures); edit it by hand; take failures out and
re-seal it with the key derived from ``keyslots.json``; put back an older copy. Each is found
at the next successful sign-in and audited as ``user.login_attempts_reset``. Parallel wrong
passwords from several processes all count, and queue behind each other's delays.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.config import Paths
from app.db.models import AuditEntry
from app.errors import AuthError
from app.security.login_guard import (
    AUDIT_ACTION,
    FILENAME,
    MAC_CONTEXT,
    RESET_ACTION,
    LoginGuard,
)
from app.services.installation import unlock
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def fail(paths: Paths, user: str = "aigul") -> None:
    with pytest.raises(AuthError):
        unlock(paths, user, "not the password")


def sign_in_and_read_audit(paths: Paths, action: str) -> list[AuditEntry]:
    ws = unlock(paths, "admin", PASSWORD)
    try:
        with ws.read() as session:
            rows = session.execute(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
            ).scalars()
            return list(rows)
    finally:
        ws.close()


def resets(paths: Paths) -> list[dict[str, Any]]:
    return [e.details for e in sign_in_and_read_audit(paths, RESET_ACTION)]


def attempts_file(paths: Paths) -> Path:
    return paths.data_dir / FILENAME


def reseal(paths: Paths, data: dict[str, Any]) -> None:
    """What an attacker who read the source does: recompute the MAC from keyslots.json."""
    database_id = json.loads(paths.keyslots.read_text("utf-8"))["database_id"]
    key = hmac.new(MAC_CONTEXT, database_id.encode(), hashlib.sha256).digest()
    body = {k: v for k, v in data.items() if k != "mac"}
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    data["mac"] = hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
    attempts_file(paths).write_text(json.dumps(data), encoding="utf-8")


def test_an_honest_history_raises_no_alarm(installation: Paths) -> None:
    fail(installation)
    fail(installation, "nobody")
    assert resets(installation) == []
    assert len(sign_in_and_read_audit(installation, AUDIT_ACTION)) == 2


def test_deleting_the_file_after_failures_is_audited(installation: Paths) -> None:
    fail(installation)
    fail(installation)
    attempts_file(installation).unlink()
    found = resets(installation)
    assert [(r["reason"], r["found_seq"]) for r in found] == [("missing", 1)]
    assert found[0]["expected_seq"] >= 1
    # Reported once: the next sign-in is clean again.
    assert len(resets(installation)) == 1


def test_deleting_the_file_then_guessing_on_is_audited(installation: Paths) -> None:
    fail(installation)
    fail(installation)
    attempts_file(installation).unlink()
    fail(installation)  # a fresh file starts, with no delay: the reset itself is evidence
    found = resets(installation)
    assert [r["reason"] for r in found] == ["missing"]
    assert len(sign_in_and_read_audit(installation, AUDIT_ACTION)) == 1


def test_a_hand_edited_file_is_audited(installation: Paths) -> None:
    for _ in range(3):
        fail(installation)
    data = json.loads(attempts_file(installation).read_text("utf-8"))
    data["users"]["aigul"]["count"] = 0
    attempts_file(installation).write_text(json.dumps(data), encoding="utf-8")
    assert [r["reason"] for r in resets(installation)] == ["tampered"]


def test_failures_taken_out_of_a_resealed_file_are_audited(installation: Paths) -> None:
    for _ in range(3):
        fail(installation)
    data = json.loads(attempts_file(installation).read_text("utf-8"))
    data["pending"] = []
    data["users"] = {}
    reseal(installation, data)
    assert LoginGuard(installation.data_dir).failures("aigul") == 0  # the delay is gone...
    found = resets(installation)  # ...but not unnoticed
    assert [r["reason"] for r in found] == ["entries_removed"]


def test_an_older_copy_put_back_is_audited(installation: Paths, tmp_path: Path) -> None:
    saved = tmp_path / "saved.json"
    fail(installation)
    shutil.copy(attempts_file(installation), saved)
    assert resets(installation) == []  # a sign-in: the database now mirrors a later count
    shutil.copy(saved, attempts_file(installation))
    assert [r["reason"] for r in resets(installation)] == ["rolled_back"]


def test_an_attempt_that_never_finishes_counts_as_failed(installation: Paths) -> None:
    guard = LoginGuard(installation.data_dir)
    guard.begin("aigul")  # the process is killed while Argon2 runs
    assert guard.failures("aigul") == 1
    assert [a.username for a in guard.pending()] == ["aigul"]


PARALLEL_FAILURE = """
import sys
from pathlib import Path
from app.errors import AuthError
from app.config import Paths
from app.services.installation import unlock
sys.stdin.readline()  # start together
try:
    unlock(Paths(Path(sys.argv[1])), "aigul", "not the password")
except AuthError:
    pass
"""


def test_parallel_failures_all_count_and_queue(installation: Paths) -> None:
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", PARALLEL_FAILURE, str(installation.data_dir)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    started = time.monotonic()
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    for worker in workers:
        assert worker.wait(timeout=120) == 0
    elapsed = time.monotonic() - started
    guard = LoginGuard(installation.data_dir)
    assert guard.failures("aigul") == 4
    assert len(guard.pending()) == 4
    # The 3rd and 4th waited 1 s and 2 s behind the others: parallel guessing is no faster.
    assert elapsed >= 3
    assert resets(installation) == []
    assert len(sign_in_and_read_audit(installation, AUDIT_ACTION)) == 4
