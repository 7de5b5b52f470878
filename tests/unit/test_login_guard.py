"""Wrong passwords: a growing delay per user name, kept beside the key slots, then audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.config import Paths
from app.db.models import AuditEntry
from app.errors import AuthError
from app.security.login_guard import FILENAME, LoginGuard, delay_after
from app.services.installation import unlock
from tests.conftest import PASSWORD


class FakeClock:
    def __init__(self) -> None:
        self.current = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
        self.slept: list[float] = []

    def now(self) -> datetime:
        return self.current

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.current += timedelta(seconds=seconds)

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


def test_delays_grow_and_are_capped() -> None:
    assert [delay_after(n) for n in range(0, 9)] == [0, 0, 1, 2, 4, 8, 16, 30, 30]
    assert delay_after(1000) == 30


def fail(paths: Paths, guard: LoginGuard, user: str = "aigul") -> str:
    with pytest.raises(AuthError) as caught:
        unlock(paths, user, "not the password", guard=guard)
    return str(caught.value)


def test_wrong_passwords_wait_longer_each_time(installation: Paths) -> None:
    clock = FakeClock()
    guard = LoginGuard(installation.data_dir, clock)
    assert fail(installation, guard) == "Wrong user name or password."
    assert clock.slept == []
    assert fail(installation, guard) == (
        "Wrong user name or password. Wait 1 second before the next attempt."
    )
    # The next try comes at once: unlock() itself waits the second out.
    assert fail(installation, guard) == (
        "Wrong user name or password. Wait 2 seconds before the next attempt."
    )
    assert clock.slept == [1.0]
    clock.advance(0.5)
    assert fail(installation, guard).endswith("Wait 4 seconds before the next attempt.")
    assert clock.slept == [1.0, 1.5]
    assert guard.failures("aigul") == 4
    # Another user name is not slowed down by aigul's failures.
    assert guard.remaining_wait("serik") == 0
    assert guard.remaining_wait("aigul") == 4


def test_the_file_holds_names_and_times_never_passwords(installation: Paths) -> None:
    guard = LoginGuard(installation.data_dir, FakeClock())
    fail(installation, guard, "Aigul ")
    raw = (installation.data_dir / FILENAME).read_text(encoding="utf-8")
    assert "not the password" not in raw
    data = json.loads(raw)
    assert data["users"] == {"aigul": {"count": 1, "last": "2026-11-24T09:00:00+00:00"}}
    assert [p["username"] for p in data["pending"]] == ["aigul"]
    assert not list(installation.data_dir.glob(".login-*"))  # no temp file left behind


def test_success_moves_failures_into_the_audit_log_and_resets(installation: Paths) -> None:
    clock = FakeClock()
    guard = LoginGuard(installation.data_dir, clock)
    fail(installation, guard)
    fail(installation, guard, "nobody")
    fail(installation, guard)
    clock.advance(60)
    ws = unlock(installation, "aigul", PASSWORD, guard=guard)
    try:
        with ws.read() as session:
            rows = (
                session.execute(
                    select(AuditEntry)
                    .where(AuditEntry.action == "user.login_failed")
                    .order_by(AuditEntry.seq)
                )
                .scalars()
                .all()
            )
    finally:
        ws.close()
    assert [(r.actor, r.entity, r.entity_id) for r in rows] == [
        ("aigul", "user", "aigul"),
        ("nobody", "user", "nobody"),
        ("aigul", "user", "aigul"),
    ]
    assert rows[0].details["at"] == "2026-11-24T09:00:00+00:00"
    assert guard.pending() == []
    assert guard.failures("aigul") == 0
    # 'nobody' keeps its count: only a success of that name clears it.
    assert guard.failures("nobody") == 1
    # Moved once: the next unlock adds no second copy.
    ws = unlock(installation, "admin", PASSWORD, guard=guard)
    with ws.read() as session:
        count = len(
            session.execute(select(AuditEntry).where(AuditEntry.action == "user.login_failed"))
            .scalars()
            .all()
        )
    ws.close()
    assert count == 3


def test_a_damaged_attempts_file_does_not_block_login(installation: Paths) -> None:
    (installation.data_dir / FILENAME).write_text("{not json", encoding="utf-8")
    guard = LoginGuard(installation.data_dir, FakeClock())
    assert guard.remaining_wait("admin") == 0
    ws = unlock(installation, "admin", PASSWORD, guard=guard)
    ws.close()
    assert fail(installation, guard) == "Wrong user name or password."
